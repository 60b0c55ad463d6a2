// The Dockerfile rules, in id order (the catalogue test checks the order and completeness).
#include "iac/rules/dockerfile/check.hpp"

namespace tocsin::iac::dockerfile {

size_t Context::end_of(const RunScript& s, const sh::Word& w) const {
  if (w.end == 0) return s.text->to_file(0);
  return s.text->to_file(w.end - 1) + 1;
}

const std::vector<std::unique_ptr<Check>>& checks() {
  static const auto list = [] {
    std::vector<std::unique_ptr<Check>> v;
    v.push_back(make_df001());
    v.push_back(make_df002());
    v.push_back(make_df003());
    v.push_back(make_df004());
    v.push_back(make_df005());
    v.push_back(make_df006());
    v.push_back(make_df007());
    v.push_back(make_df008());
    v.push_back(make_df009());
    v.push_back(make_df010());
    v.push_back(make_df011());
    v.push_back(make_df012());
    v.push_back(make_df013());
    v.push_back(make_sh001_in_run());
    return v;
  }();
  return list;
}

}  // namespace tocsin::iac::dockerfile
