// AU004's evidence: where a copy's own container-side file access really went, gathered while
// the copy is open from the records of the processes that do the copy, and read by AU004
// (AU004_copy_path_resolved_elsewhere.cpp) when it closes. The copy tracker (copy_tracker.hpp)
// hands over the events of a copy's helper or podman client and of dockerd's own threads; this
// fills the copy's root_inode/root_dev, landed_*, source_identity and inproc_* fields, the
// context's genuine_files, and the counts the coverage verdict reads (side_events,
// side_creates, daemon_opens). The helper's own argv (its a1, resolved_dir) is taken when the
// tracker attaches the helper.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "audit/detections/detection.hpp"

namespace tocsin::audit {

class Au004Evidence {
 public:
  explicit Au004Evidence(Context& ctx) : ctx_(ctx) {}
  // A file syscall (with PATH records) of `pid`, a copy's helper or podman client or one of its
  // re-execs: the container root's inode, and the directory the copy's file landed in (copying
  // out with podman: the file the requested name was when the client checked it).
  void on_copy_access(const Event& ev, int64_t pid);
  // Any event of `pid`: when it is a dockerd thread that copies in-process (moby 23+), its
  // container root (its chdir("/") after a pivot_root/chroot) and where its opens went.
  void on_daemon_event(const Event& ev, int64_t pid);

 private:
  Context& ctx_;
  // A dockerd thread's container root: inode and when it was seen, per node + pid.
  std::map<std::string, std::pair<uint64_t, uint64_t>> daemon_roots_;
};

}  // namespace tocsin::audit
