// Report order of alerts (core/alert.hpp).
#include "core/alert.hpp"

#include <string_view>

namespace tocsin {

bool alert_less(const Alert& a, const Alert& b) {
  uint64_t ta = a.time_ms.value_or(0), tb = b.time_ms.value_or(0);
  if (ta != tb) return ta < tb;
  if (a.rule != b.rule) return a.rule < b.rule;
  // Views of the ids themselves: `cond ? "" : front()` would make a temporary std::string and
  // leave the view dangling (clang's -Wdangling-gsl found it).
  std::string_view ea = a.event_ids.empty() ? std::string_view() : std::string_view(a.event_ids.front());
  std::string_view eb = b.event_ids.empty() ? std::string_view() : std::string_view(b.event_ids.front());
  return ea < eb;
}

}  // namespace tocsin
