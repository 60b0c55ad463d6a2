// The field mappings from each JSON audit flavour to audit records (see json_mapping.cpp for
// the exact fields). Internal to the JSON source; exposed for tests.
#pragma once
#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "audit/event.hpp"
#include "audit/formats/json_flavor.hpp"
#include "core/iso8601.hpp"

namespace tocsin::audit {

// Named results: iterating a temporary simdjson_result trips g++ 12's dangling-pointer check.
inline simdjson::dom::array as_array(simdjson::dom::element e) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return a;  // callers check is_array() first
  return a;
}
inline simdjson::dom::object as_object(simdjson::dom::element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return o;  // callers check is_object() first
  return o;
}

// Which flavour one parsed object is (Auto when none fits).
JsonFlavor classify_json_object(simdjson::dom::object obj);

// One document → one Event. Errors name what is missing or of the wrong type.
Result<Event> map_json_event(simdjson::dom::object obj, JsonFlavor flavor,
                             const std::shared_ptr<const std::string>& file, uint64_t line);

// @timestamp: "2018-01-11T22:02:42.888Z" / "+01:00" offsets / no fraction → milliseconds since
// the epoch, by the one parser every timestamp goes through.
using tocsin::parse_iso8601_ms;
// "audit(1700000000.708:289942)" anywhere in s → (sec, msec, serial).
struct AuditStamp {
  uint64_t sec = 0;
  uint32_t msec = 0;
  uint64_t serial = 0;
};
std::optional<AuditStamp> parse_audit_stamp(std::string_view s);
// "1700000000.708:289942" (laurel ID).
std::optional<AuditStamp> parse_event_id(std::string_view s);
// Laurel's percent-encoding of non-printable bytes, '%' and '+'.
std::string percent_decode(std::string_view s);
// "EFAULT" → -14 (the kernel's negative errno in exit=); nullopt when unknown.
std::optional<int> errno_from_name(std::string_view name);

}  // namespace tocsin::audit
