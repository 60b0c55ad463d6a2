// The swap-loop tracker: symlink-exchange loops (renameat2 RENAME_EXCHANGE of the same two
// names by one process, again and again), counted per process and pair of names, confirmed as a
// LoopEpisode (Context::loops) once they reach the threshold (kLoopMinRenames) and closed after
// a quiet gap (kLoopMaxGapMs). AU002 reports the episodes, AU003 the copies they raced.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "audit/detections/detection.hpp"

namespace tocsin::audit {

class LoopTracker {
 public:
  // `confirmed` is called when an episode reaches the threshold, `closed` when it ends.
  LoopTracker(Context& ctx, std::function<void(const LoopEpisode&)> confirmed,
              std::function<void(const LoopEpisode&)> closed);
  ~LoopTracker();
  LoopTracker(const LoopTracker&) = delete;
  LoopTracker& operator=(const LoopTracker&) = delete;

  // The established episode the event's exchange extended, if any (early verdicts re-check
  // the open copies against it: under a loaded kernel backlog a copy's exec can be read before
  // the exchanges that preceded it).
  const LoopEpisode* on_event(const Event& ev);
  // Closes the loops quiet for longer than the gap (every one with `all`).
  void close_quiet(bool all);
  // Forgets closed episodes two minutes old.
  void forget_old();
  // Calls `take` with the log time each open loop began (confirmed or not).
  void open_starts(const std::function<void(uint64_t)>& take) const;

 private:
  struct LoopState;
  void close_episode(const LoopState& st);

  Context& ctx_;
  std::function<void(const LoopEpisode&)> confirmed_, closed_;
  // Per node, pid and pair of names.
  std::map<std::string, std::unique_ptr<LoopState>> states_;
  uint64_t next_loop_id_ = 1;
};

}  // namespace tocsin::audit
