// Runs audit inputs through the hunt driver (audit/hunt.hpp) with only AU001 reporting, for
// baseline training.
#include "audit/baseline/collect.hpp"

#include <fmt/format.h>

#include "audit/hunt.hpp"

namespace tocsin::audit::baseline {

Result<CollectResult> collect_copies(const std::vector<std::string>& inputs, const std::string& input_format) {
  CollectResult out;
  HuntOptions ho;
  ho.inputs = inputs;
  ho.input_format = input_format;
  ho.engine.select.insert("AU001");
  ho.on_alert = [&out](Alert&& a) {
    if (auto r = copy_record_from_alert(a)) out.copies.push_back(std::move(*r));
  };
  auto got = run_hunt(std::move(ho));
  if (!got) return got.error();
  // Errors as training has always worded them: an input that could not be opened or read with
  // the source's own message, a damaged one (trains on part of the history only) as "FILE: what".
  // Inputs skipped by policy are not mentioned.
  out.errors = got->open_errors;
  for (const auto& r : got->reports) {
    if (r.status == InputStatus::Unreadable && !r.issues.empty()) out.errors.push_back(r.issues.front().message);
    if (r.status == InputStatus::Damaged)
      for (const auto& i : r.issues) out.errors.push_back(fmt::format("{}: {}", r.file, i.message));
  }
  out.stats = got->totals;
  out.events = got->stats.events;
  return out;
}

}  // namespace tocsin::audit::baseline
