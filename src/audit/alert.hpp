// What the audit detections need beside the alert record (core/alert.hpp): event ids as the
// alerts carry them, and a rule's catalogue severity. Rendering is src/report's.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/alert.hpp"
#include "core/iso8601.hpp"
#include "core/severity.hpp"

namespace tocsin::audit {

class Event;

// "1795331084.708:289942"
std::string event_id(uint64_t sec, uint32_t msec, uint64_t serial);
std::string event_id(const Event& ev);

// Severity of a rule from the catalogue (docs/rules/<ID>.md), `fallback` when unknown.
Severity rule_severity(std::string_view rule, Severity fallback);

}  // namespace tocsin::audit
