// The copy tracker: the container copies in flight (Context::copies), the state AU001, AU003,
// AU004, AU005 and the coverage verdicts share about a copy. A copy opens at its client's
// execve (`docker cp`, `podman cp`, … as container_cli parses them), takes the runtime's copy
// helper (docker-untar/docker-tar) when one starts for it, grows while its processes are active,
// and closes once the log has moved past it; what its file access shows about where the copy
// went is AU004's evidence (au004_evidence.hpp), gathered from the events handed over here.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/detections/au004_evidence.hpp"
#include "audit/detections/detection.hpp"

namespace tocsin::audit {

class CopyTracker {
 public:
  // `close` is called once for every copy that is done (the engine tells the coverage and the
  // rules).
  CopyTracker(Context& ctx, std::function<void(Copy&)> close) : ctx_(ctx), close_(std::move(close)), evidence_(ctx) {}
  void on_event(const Event& ev);
  // Closes the copies the log has moved `settle_ms` past their last activity (every open copy
  // with `all`), and forgets closed copies and waiting helpers a minute old.
  void sweep(uint64_t settle_ms, bool all);
  // Calls `take` with the log time each open copy and waiting helper began.
  void open_starts(const std::function<void(uint64_t)>& take) const;

 private:
  // A copy helper seen before its copy's client (events complete out of order).
  struct PendingHelper {
    std::string node;
    int64_t pid = 0;
    std::string event;
    uint64_t ms = 0;
    std::vector<std::string> argv;
  };
  bool attach_helper(const PendingHelper& h);

  Context& ctx_;
  std::function<void(Copy&)> close_;
  Au004Evidence evidence_;
  std::deque<PendingHelper> pending_helpers_;
  uint64_t next_copy_id_ = 1;
};

}  // namespace tocsin::audit
