// Finding construction with catalogue defaults.
#include "iac/emitter.hpp"

#include "core/rule_catalog.hpp"

namespace tocsin {

Finding& Emitter::report(std::string_view rule, size_t begin, size_t end, std::string message) {
  return report(rule, src_.range_of(begin, end), std::move(message));
}

Finding& Emitter::report(std::string_view rule, Range range, std::string message) {
  if (out_.size() >= kMaxFindingsPerFile) {
    if (cfg_.rule_enabled(rule)) ++dropped_;
    overflow_ = Finding();
    return overflow_;
  }
  Finding f;
  f.rule = std::string(rule);
  const RuleInfo* info = find_rule(rule);
  f.severity = info ? info->severity : Severity::medium;
  f.file = src_.path();
  f.range = range;
  f.message = std::move(message);
  out_.push_back(std::move(f));
  return out_.back();
}

void Emitter::relate(Finding& f, size_t begin, size_t end, std::string message) const {
  f.related.push_back({src_.range_of(begin, end), std::move(message)});
}

}  // namespace tocsin
