// The one alert record: what a hunt or watch detection reports about audit data (AU rules) and
// what a runtime check reports about a container (RT rules). Producers fill it (src/audit,
// src/runtime), src/report renders it in every format (PRODUCT.md "tocsin hunt --format jsonl"
// and "tocsin watch" are the contract for the field names), src/store keeps it.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/severity.hpp"

namespace tocsin {

struct AlertUser {
  std::optional<int64_t> auid, uid, euid, ses;
  std::optional<std::string> tty;
};

// A login id (auid, ses) that is not set: a process outside any login session. The kernel
// writes (uint32_t)-1; some enrichers write -1. Rendered as null (JSON) or "unset" (text).
inline bool login_id_unset(int64_t v) { return v == 4294967295LL || v == -1; }
inline bool login_id_set(const std::optional<int64_t>& v) { return v && !login_id_unset(*v); }

struct AlertCopy {
  std::string direction;                     // "to-container" | "from-container"
  std::string container;                     // as named on the command line (or the id when only that is known)
  std::string path;                          // path inside the container, as requested
  std::optional<std::string> resolved_path;  // AU004: where the runtime actually went
};

struct AlertSwap {
  int64_t pid = 0;
  std::vector<std::string> paths;
  uint64_t count = 0;
  uint64_t duration_ms = 0;
};

// What `tocsin watch --respond` did about an alert (PRODUCT-level docs: docs/response.md):
// JSONL "response" {action, container, ok, ms, detail}.
struct AlertResponse {
  std::string action;          // "pause" | "stop" | "dry-run" | "none" (nothing done: `detail` says why)
  std::string container;       // the container acted on (id), or as the alert names it when unresolved
  bool ok = false;             // the engine confirmed the action (dry-run: the action would be taken)
  std::optional<uint64_t> ms;  // from the alert's delivery to the engine's answer
  std::string detail;          // why nothing was done, the engine's error, the policy entry that matched
};

// The container a runtime check looked at (Docker Engine API inspect data).
struct AlertContainer {
  std::string id, name, image;
};

struct Alert {
  // What the alert is about, which decides its machine shape: an audit alert carries event ids,
  // the process and the input location; a runtime alert the container and the check's details.
  enum class Subject { audit, container };
  Subject subject = Subject::audit;

  std::string rule;
  Severity severity = Severity::info;
  std::optional<uint64_t> time_ms;  // epoch milliseconds of the anchoring event
  std::optional<std::string> host;  // node= of the records (the host name for runtime alerts)
  std::string message;

  // --- audit alerts (AU rules)
  std::vector<std::string> event_ids;  // "sec.ms:serial"
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
  std::string command;  // the client's (or the anchoring execve's) command line
  // Where the anchoring record is in the input: JSONL "input" {file, line}, null when none.
  std::string file;
  uint64_t line = 0;
  // Not part of the JSONL contract: for the text report and ordering.
  uint64_t copy_id = 0;  // links AU001 with the AU003/AU004/AU005 of the same copy

  // --- live watching (`watch`; docs/live.md)
  // An early record: the verdict given as soon as its evidence exists (the copy client's exec,
  // a swap loop's establishment, a copy overlapping an established loop, the helper's
  // resolved path), before the copy or loop it belongs to is complete. The final record, with
  // the same rule and first event id and the complete counts, follows it. JSONL
  // "stage": "early" (final records carry no stage, as hunt's).
  bool early = false;
  // The container the alert's acting process runs in — AU002's loop, AU003's racing loop — by
  // name or id as the audit data shows it; empty when the process is not known to be in a
  // container (then nothing is done to it). Not a JSONL member: the response names it.
  std::string actor_container;
  std::optional<AlertResponse> response;

  // --- runtime alerts (RT rules)
  AlertContainer container;
  // The check's evidence as JSONL members after "container": "mount", "symlink", "config", ...
  nlohmann::ordered_json details = nlohmann::ordered_json::object();
};

// Orders by time, then rule, then first event id (stable report order).
bool alert_less(const Alert& a, const Alert& b);

}  // namespace tocsin
