// The built-in audit rules, in id order (the catalogue test checks each has a doc page).
#include "audit/detections/detection.hpp"

namespace tocsin::audit {

std::vector<std::unique_ptr<Detection>> make_builtin_detections() {
  std::vector<std::unique_ptr<Detection>> v;
  v.push_back(make_au000());
  v.push_back(make_au001());
  v.push_back(make_au002());
  v.push_back(make_au003());
  v.push_back(make_au004());
  v.push_back(make_au005());
  v.push_back(make_au006());
  v.push_back(make_au007());
  v.push_back(make_au008());
  v.push_back(make_au009());
  return v;
}

std::vector<std::string> builtin_detection_ids() {
  std::vector<std::string> ids;
  for (const auto& d : make_builtin_detections()) ids.emplace_back(d->id());
  return ids;
}

}  // namespace tocsin::audit
