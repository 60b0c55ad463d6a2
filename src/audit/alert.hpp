// Hunt alerts: what the audit detections report, and their JSONL and text renderings
// (PRODUCT.md "tocsin hunt --format jsonl" is the contract for the field names).
#pragma once
#include <nlohmann/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/severity.hpp"

namespace tocsin::audit {

class Event;

struct AlertUser {
  std::optional<int64_t> auid, uid, euid, ses;
  std::optional<std::string> tty;
};

struct AlertCopy {
  std::string direction;  // "to-container" | "from-container"
  std::string container;  // as named on the command line (or the id when only that is known)
  std::string path;       // path inside the container, as requested
  std::optional<std::string> resolved_path;  // AU004: where the runtime actually went
};

struct AlertSwap {
  int64_t pid = 0;
  std::vector<std::string> paths;
  uint64_t count = 0;
  uint64_t duration_ms = 0;
};

struct Alert {
  std::string rule;
  Severity severity = Severity::info;
  std::optional<uint64_t> time_ms;  // epoch milliseconds of the anchoring event
  std::optional<std::string> host;  // node= of the records, nullopt when the log has none
  std::vector<std::string> event_ids;  // "sec.ms:serial"
  std::string message;
  // Why the data supports the alert, in one line (shown in text output, `reason` in JSONL):
  // which records, which inference. Empty where the message says it all.
  std::string reason;
  std::optional<AlertUser> user;
  std::optional<AlertCopy> docker_cp;
  std::optional<AlertSwap> swap;
  std::optional<double> score;  // AU010
  // The process of the anchoring event (the copy's client for copy alerts), when recorded:
  // JSONL "process" {pid, exe, command}, null members where unknown.
  std::optional<int64_t> pid;
  std::string exe;
  std::string command;           // the client's (or the anchoring execve's) command line
  // Where the anchoring record is in the input: JSONL "input" {file, line}, null when none.
  std::string file;
  uint64_t line = 0;
  // Not part of the JSONL contract: for the text report and ordering.
  uint64_t copy_id = 0;          // links AU001 with the AU003/AU004/AU005 of the same copy
};

// "1795331084.708:289942"
std::string event_id(uint64_t sec, uint32_t msec, uint64_t serial);
std::string event_id(const Event& ev);
// "2026-11-22T07:04:44.708Z"
std::string iso_time_ms(uint64_t epoch_ms);

// Severity of a rule from the catalogue (docs/rules/<ID>.md), `fallback` when unknown.
Severity rule_severity(std::string_view rule, Severity fallback);

// The alert as JSON (the JSONL line's object; `hunt --format json` lists them).
nlohmann::ordered_json alert_json(const Alert& a);
// One JSON object, no trailing newline.
std::string to_jsonl(const Alert& a);

// Orders by time, then rule, then first event id (stable report order).
bool alert_less(const Alert& a, const Alert& b);

struct TextOptions {
  bool color = false;
};
// The human report: one block per copy (who, what, which container, verdict), then the
// other alerts.
std::string render_text(const std::vector<Alert>& alerts, const TextOptions& opt);

}  // namespace tocsin::audit
