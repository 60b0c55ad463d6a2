// The live audit read loop of `tocsin watch`: follows an audit log across rotation (or reads an
// audisp plugin stream on stdin) into the detection engine through AuditStream, with the quiet
// and idle completion, the live clock, and `--state` positions (saved at event boundaries,
// resumed from before the oldest correlation still open). It prints nothing: notes go to a
// callback; alerts leave through the engine's sink.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/baseline/baseline.hpp"
#include "audit/detections/engine.hpp"
#include "audit/source.hpp"
#include "runtime/audit_stream.hpp"
#include "runtime/watch_resume.hpp"

namespace tocsin::runtime {

struct AuditWatchOptions {
  std::string audit_log;  // follow this log (or, with audisp, read stdin)
  bool audisp = false;
  std::string state;        // save/resume the position here (empty: none)
  bool from_start = false;  // with no saved position, read the existing log too
  int poll_ms = 20, idle_flush_ms = 1000, checkpoint_ms = 1000;
  double exit_after_s = 0;  // stop after this long (0 = only when `stop` is set)
};

struct AuditWatchCallbacks {
  std::function<void(const std::string&)> note;  // resume, rotation, error notes (unsanitized)
  std::function<void()> periodic;                // once per poll (e.g. the coverage line)
};

// What becomes of each alert the engine hands a live watcher: dropped when a run before a
// restart (--state) already wrote it (still remembered as written, for the next restart); with
// a baseline, an AU001 copy is scored and a rare one followed by its AU010, as in hunt.
class LiveAlerts {
 public:
  LiveAlerts(ResumeTracker& resume, const audit::baseline::Model* model, audit::baseline::ScoreOptions opt);
  // The alerts to write for `a`, in order: none, `a`, or `a` and its AU010.
  std::vector<Alert> take(Alert&& a);

 private:
  ResumeTracker& resume_;
  audit::baseline::ScoreOptions opt_;
  std::optional<audit::baseline::Scorer> scorer_;
};

// Follows the audit input until `stop` is set, the deadline passes or stdin ends, then flushes
// and finishes the engine. `input` is filled with what was read (the summary record at exit).
// False on an error (already given to `note`; the input is marked damaged when it was a read
// error).
bool follow_audit(const AuditWatchOptions& opt, audit::Engine& engine, ContainerFeed& feed, ResumeTracker& resume,
                  audit::InputReport& input, const std::atomic<bool>& stop, const AuditWatchCallbacks& cb);

}  // namespace tocsin::runtime
