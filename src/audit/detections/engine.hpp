// The hunt engine: feeds audit events through the process model, the copy and loop trackers
// (copy_tracker.hpp, loop_tracker.hpp) and every enabled detection of the registry, and hands
// alerts to a sink (collected for `hunt`, streamed for `watch`). Also keeps the input
// statistics printed at the end of a hunt.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/coverage.hpp"
#include "audit/detections/copy_tracker.hpp"
#include "audit/detections/detection.hpp"
#include "audit/detections/loop_tracker.hpp"

namespace tocsin::audit {

struct EngineOptions {
  std::set<std::string> select;  // when not empty, only these rules report
  std::set<std::string> ignore;
  std::optional<uint64_t> since_ms, until_ms;  // alerts outside are dropped (events still feed the model)
  // How far past a copy's last activity the clock must move before it is reported. Live
  // watching uses less than an offline hunt: an alert seconds late is worth more than the
  // little activity that shows up that late.
  uint64_t copy_settle_ms = kCopySettleMs;
  // Early verdicts (`watch`): AU001 at the copy client's exec, AU002 at a loop's establishment,
  // AU003 when a copy and an established loop on its path overlap, AU004 when the helper's
  // resolved path is known — each an early record followed by the final one (docs/live.md).
  bool early = false;
};

struct HuntStats {
  uint64_t events = 0;
  uint64_t records = 0;
  uint64_t broken = 0;        // broken records/lines (AU000 material)
  uint64_t serial_gaps = 0;   // serial numbers never seen (normal with filtering rules)
  uint64_t lost_reports = 0;  // AU008-type reports
  uint64_t alerts = 0;        // final alerts (hunt and watch agree on these)
  std::map<std::string, uint64_t> by_rule;
  uint64_t early = 0;  // early records (watch), each followed by a final alert
};

class Engine {
 public:
  explicit Engine(EngineOptions opt = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Alerts go to the sink as soon as they are final; without one they are collected.
  void set_sink(std::function<void(Alert&&)> sink);
  // Extra rules (e.g. AU010 from the baseline); they see the same state.
  void add_detection(std::unique_ptr<Detection> d);

  void on_event(const Event& ev);
  // `count` broken records in `file`, the first at `line` (sources report them per file).
  void on_broken(std::string_view file, uint64_t line, std::string_view reason, uint64_t count = 1);
  void end_of_file(std::string_view file);
  // Moves the clock to `log_ms` (log time) without an event, closing what is due: a live
  // watcher calls it while the log is quiet so a finished copy is reported without waiting
  // for the next event. Never moves the clock back.
  void advance_time(uint64_t log_ms);
  // Closes everything still open (end of input).
  void finish();
  // Log time at which the oldest correlation still open began (a copy, a swap loop or a
  // candidate, a helper waiting for its copy): what a restarted watcher must read again.
  std::optional<uint64_t> oldest_open_ms() const;

  // Collected alerts, sorted (empty when a sink is set).
  std::vector<Alert> take_alerts();
  const HuntStats& stats() const { return stats_; }
  Context& context() { return ctx_; }
  // What the data read so far shows each rule can see (audit/coverage.hpp), and the counts
  // behind it (with the engine's loss reports and serial gaps filled in).
  CoverageFacts coverage_facts() const;
  std::vector<RuleCoverage> coverage(const CoverageOptions& opt = {}) const;

 private:
  void sweep(bool all);
  void close_copy(Copy& c);
  void deliver(Alert&& a);
  bool rule_enabled(std::string_view id) const;
  void refresh_active();
  void tell_copy_progress();

  EngineOptions opt_;
  Context ctx_;
  std::vector<std::unique_ptr<Detection>> rules_;
  // The rules whose alerts can be delivered (--select/--ignore): only they see every event.
  std::vector<Detection*> event_rules_;
  bool loops_needed_ = true;  // AU002 or AU003 enabled
  std::function<void(Alert&&)> sink_;
  std::vector<Alert> collected_;
  HuntStats stats_;
  CoverageTracker coverage_;
  std::map<std::string, uint64_t> last_serial_;  // per node
  CopyTracker copies_;
  LoopTracker loops_;
  uint64_t last_sweep_ms_ = 0;
  uint64_t copies_opened_ = 0;  // early verdicts: the newest copy id the rules were told of
};

}  // namespace tocsin::audit
