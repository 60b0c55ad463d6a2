// One ISO-8601 parser for every timestamp tocsin reads — the @timestamp of JSON audit exports
// and the --since/--until arguments — so the two cannot accept different texts.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin {

struct Iso8601Options {
  bool date_only = false;  // also accept "YYYY-MM-DD" (midnight UTC)
};

// "YYYY-MM-DD[T| ]HH:MM:SS[.fraction][Z|±HH:MM|±HHMM]" (no zone = UTC) → milliseconds since the
// epoch, UTC; fractions past milliseconds are cut. nullopt for anything else, for fields out of
// range and for times before 1970.
std::optional<uint64_t> parse_iso8601_ms(std::string_view s, Iso8601Options opt = {});

// The other way, as every report writes times: "2026-11-22T07:04:44.708Z" (UTC, milliseconds).
std::string iso_time_ms(uint64_t epoch_ms);

}  // namespace tocsin
