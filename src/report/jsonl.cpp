// JSONL, one JSON object per line, for every job that streams alerts: an alert line (`watch`,
// `hunt --format jsonl`, the fleet store's export) and the hunt report, whose last line is the
// summary record (what was read, how completely, every input error, the coverage).
#include <nlohmann/json.hpp>

#include "audit/coverage.hpp"
#include "audit/summary.hpp"
#include "core/text_sanitize.hpp"
#include "report/report.hpp"

namespace tocsin::report {

std::string alert_jsonl(const Alert& a) {
  // Audit strings can hold any bytes: replace invalid UTF-8 rather than throw.
  std::string out = alert_json(a).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  escape_json_for_terminal(out);  // C1 and bidi controls as \u escapes (see text_sanitize.hpp)
  return out;
}

std::string render_hunt_jsonl(const HuntReport& r) {
  std::string out;
  for (const auto& al : r.alerts) out += alert_jsonl(al) + "\n";
  nlohmann::ordered_json extra;
  if (r.coverage) extra["coverage"] = audit::coverage_json(r.coverage->facts, r.coverage->verdicts);
  out += audit::hunt_summary_jsonl(r.stats, r.inputs, extra) + "\n";
  return out;
}

}  // namespace tocsin::report
