// The detection interface and the shared state every audit rule sees (processes,
// containers, copies, loop episodes: kept by copy_tracker.hpp and loop_tracker.hpp, queried
// through detection.cpp). One rule per file (AU00N_<name>.cpp), registered in registry.cpp; the
// engine (engine.hpp) drives them.
#pragma once
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/alert.hpp"
#include "audit/detections/model.hpp"
#include "audit/process/containers.hpp"
#include "audit/process/process_table.hpp"

namespace tocsin::audit {

class Event;

// Thresholds of the loop inference (documented in docs/rules/AU002.md).
inline constexpr uint64_t kLoopMinRenames = 32;
inline constexpr uint64_t kLoopMaxGapMs = 1000;
// A copy is closed (reported) once the log has moved this far past its last activity.
inline constexpr uint64_t kCopySettleMs = 8000;
// Events reach the engine out of time order by up to the assembler's watermark (records of
// interleaved events complete late): state is only closed once the log is this far past it.
inline constexpr uint64_t kReorderMs = 5000;
// Slack around a copy's time span when matching it with other activity (ms resolution of
// audit timestamps, records of the daemon that are not logged).
inline constexpr uint64_t kCopySlackMs = 250;

// Broken input (AU000 material): `count` broken records in `file`, the first at `line`.
struct BrokenInput {
  std::string file;
  uint64_t line = 0;
  std::string reason;
  uint64_t count = 1;
};

class Context {
 public:
  Context() : processes(containers) {}
  ContainerRegistry containers;
  ProcessTable processes;
  std::deque<Copy> copies;        // open copies and recently closed ones
  std::deque<LoopEpisode> loops;  // confirmed loop episodes, open and recently closed
  uint64_t now_ms = 0;            // newest event time seen
  // The file a container path really is, as seen on the container root's own device (podman's
  // checks of the requested name): container alias + path → (dev, inode). A copy whose check
  // saw another file there was resolved elsewhere. Bounded.
  std::map<std::string, std::pair<std::string, uint64_t>> genuine_files;

  // Set by the engine: filters by rule selection and time window, then delivers.
  std::function<void(Alert&&)> sink;
  std::function<bool(std::string_view)> rule_enabled;

  void emit(Alert&& a) const {
    if (sink) sink(std::move(a));
  }
  bool enabled(std::string_view rule) const { return !rule_enabled || rule_enabled(rule); }
  // An alert anchored at an event: rule, severity from the catalogue, time, host, id, location.
  Alert alert_at(std::string_view rule, const Event& ev, std::string message) const;
  // Copies whose span (with slack) contains `t_ms` on `node`.
  std::vector<Copy*> copies_active_at(std::string_view node, uint64_t t_ms);
  // The copy a process works for, by lineage: pid (or an ancestor) is the copy's client or
  // its helper, and the copy is open at `t_ms`. Null when no copy's processes lead to it.
  Copy* copy_of_process(std::string_view node, int64_t pid, uint64_t t_ms);
  // Confirmed loop episodes that overlap the copy in time, on the copy's path or an ancestor,
  // and are not known to be in another container.
  std::vector<const LoopEpisode*> loops_racing(const Copy& c);
};

class Detection {
 public:
  virtual ~Detection() = default;
  virtual std::string_view id() const = 0;
  virtual void on_event(const Event&, Context&) {}
  virtual void on_copy_closed(const Copy&, Context&) {}
  virtual void on_loop_closed(const LoopEpisode&, Context&) {}
  // Early verdicts (EngineOptions::early, `watch`; docs/live.md): a copy opened (its client's
  // execve), a copy learned something (its helper, where it went), a swap loop reached the
  // establishment threshold (kLoopMinRenames exchanges, each within kLoopMaxGapMs of the last).
  // A rule that reports early sets Alert::early and still reports the final record when the
  // copy or loop closes.
  virtual void on_copy_opened(const Copy&, Context&) {}
  virtual void on_copy_progress(const Copy&, Context&) {}
  virtual void on_loop_established(const LoopEpisode&, Context&) {}
  // Every later exchange of an established loop.
  virtual void on_loop_progress(const LoopEpisode&, Context&) {}
  virtual void on_broken(const BrokenInput&, Context&) {}
  // An input file (or stream) ended: per-file summaries (AU000).
  virtual void on_end_of_file(std::string_view /*file*/, Context&) {}
  virtual void finish(Context&) {}
};

// The built-in rules, sorted by id. Later rules (AU010 baseline scoring) are added to the
// engine with Engine::add_detection.
std::vector<std::unique_ptr<Detection>> make_builtin_detections();
// Ids of the built-in rules.
std::vector<std::string> builtin_detection_ids();

// Factories, one per rule file.
std::unique_ptr<Detection> make_au000();
std::unique_ptr<Detection> make_au001();
std::unique_ptr<Detection> make_au002();
std::unique_ptr<Detection> make_au003();
std::unique_ptr<Detection> make_au004();
std::unique_ptr<Detection> make_au005();
std::unique_ptr<Detection> make_au006();
std::unique_ptr<Detection> make_au007();
std::unique_ptr<Detection> make_au008();
std::unique_ptr<Detection> make_au009();

// An alert about a copy: anchored at the client's execve, with user and docker_cp filled in.
Alert copy_alert(std::string_view rule, const Copy& c, std::string message);

// Small event helpers shared by rules.
AlertUser user_of(const Event& ev);
bool is_write_access(const Event& ev);  // write-open, creat, mkdir, rename, link, chmod, chown…
// Paths an event touched (PATH items that are not PARENT), made absolute with the CWD record.
std::vector<std::string> touched_paths(const Event& ev);
bool is_runtime_exe(std::string_view exe);  // dockerd, containerd, containerd-shim*, runc

}  // namespace tocsin::audit
