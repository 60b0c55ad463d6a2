// Where a restarted `watch --state` starts reading again, and which alerts it must not repeat.
//
// Correlations span events: a copy's client exec, then the helper that resolves its path, then
// the loop that races it. A watcher stopped between them (a restart, an upgrade) would lose the
// copy if it resumed exactly where it stopped: the restarted run would see a helper with no
// copy. So the saved state carries a rewind point — an event boundary before the oldest
// correlation still open at the stop — and the keys of the alerts already emitted from there.
// The restarted run reads again from the rewind point, rebuilds what was open, and drops an
// alert whose key it already emitted: nothing lost, nothing doubled.
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/alert.hpp"
#include "runtime/follower.hpp"

namespace tocsin::runtime {

// An alert's identity across runs: the rule and the first event it rests on (its input
// location when it rests on none, e.g. a broken line).
std::string alert_key(const Alert& a);

class ResumeTracker {
 public:
  // Rewinding is bounded: never further back than this much log time before the newest record.
  static constexpr uint64_t kMaxRewindMs = 300'000;
  // Margin before the oldest open correlation (records of an event come up to a few ms apart,
  // the process model wants the exec before the copy).
  static constexpr uint64_t kMarginMs = 2'000;
  static constexpr size_t kMaxPoints = 16'384;
  static constexpr size_t kMaxKeys = 20'000;

  // A line that starts at an event boundary (no event half-read before it), at `at`, whose
  // record has log time `log_ms`.
  void boundary(const LogPoint& at, uint64_t log_ms);
  // An alert written in this run.
  void emitted(const Alert& a);
  // Fills `p.rewind`/`p.emitted` for a save at `p` (the current position), when correlations
  // opened at `oldest_open_ms` (log time; nullopt: none) are still open.
  void fill(FollowPosition& p, std::optional<uint64_t> oldest_open_ms) const;

  // Alerts of a resumed run: the saved keys are suppressed, once each.
  void suppress(const std::vector<std::string>& keys) { suppressed_.insert(keys.begin(), keys.end()); }
  bool is_repeat(const Alert& a);
  uint64_t repeats_dropped() const { return dropped_; }

 private:
  struct Point {
    LogPoint at;
    uint64_t log_ms = 0;
  };
  std::deque<Point> points_;
  struct Key {
    std::string key;
    uint64_t ms = 0;
  };
  std::deque<Key> keys_;
  std::set<std::string> suppressed_;
  uint64_t newest_ms_ = 0, dropped_ = 0;
};

}  // namespace tocsin::runtime
