// Time zones for the baseline's hour-of-week buckets: an IANA zone read from the system's tz
// database (TZif files, RFC 8536, with the POSIX TZ rule of their footer for times after the
// last listed transition), or a POSIX TZ string. Read once, immutable afterwards, so lookups
// are thread-safe and never touch the process's TZ environment.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tocsin::audit::baseline {

class TimeZone {
 public:
  struct Data;  // transitions and rule, defined in timezone.cpp

  TimeZone();  // UTC
  // "UTC", an IANA name found under $TZDIR or /usr/share/zoneinfo ("Europe/Berlin"), or a
  // POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"). Error when none of these.
  static Result<TimeZone> named(std::string_view name);
  // The machine's zone: $TZ when set, else the zone /etc/localtime links to, else
  // /etc/timezone. UTC when none names a zone this machine knows; `note` then says why.
  static TimeZone local(std::string* note = nullptr);

  const std::string& name() const { return name_; }
  bool is_utc() const { return !data_; }
  // Local time minus UTC at `epoch_ms`, in seconds.
  int64_t offset_s(uint64_t epoch_ms) const;
  // The wall-clock time in this zone, as milliseconds since 1970-01-01T00:00 local.
  uint64_t local_ms(uint64_t epoch_ms) const;

  // Parses TZif data (exposed for tests and fuzzing).
  static Result<TimeZone> from_tzif(std::string_view name, std::string_view data);

 private:
  std::string name_ = "UTC";
  std::shared_ptr<const Data> data_;  // null: UTC
};

}  // namespace tocsin::audit::baseline
