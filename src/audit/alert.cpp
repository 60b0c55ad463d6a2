// Event ids and catalogue severities for the audit detections (alert.hpp).
#include "audit/alert.hpp"

#include <fmt/format.h>

#include "audit/event.hpp"
#include "core/rule_catalog.hpp"

namespace tocsin::audit {

std::string event_id(uint64_t sec, uint32_t msec, uint64_t serial) {
  return fmt::format("{}.{:03}:{}", sec, msec, serial);
}

std::string event_id(const Event& ev) { return event_id(ev.sec(), ev.msec(), ev.serial()); }

Severity rule_severity(std::string_view rule, Severity fallback) {
  const RuleInfo* r = find_rule(rule);
  return r ? r->severity : fallback;
}

}  // namespace tocsin::audit
