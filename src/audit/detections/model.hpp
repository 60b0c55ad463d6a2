// What the detections reason about beyond single events: container copies (a client command
// correlated with the daemon's helper) and symlink-exchange loop episodes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/alert.hpp"

namespace tocsin::audit {

class Event;

// A parsed copy command line: `docker [global opts] [container] cp [opts] SRC DST`,
// `podman cp`, `nerdctl cp`, `docker compose cp`, `kubectl cp`.
struct CopyCommand {
  std::string tool;       // docker | podman | nerdctl | kubectl
  std::string direction;  // to-container | from-container
  std::string container;  // as written (kubectl: "ns/pod")
  std::string path;       // the path inside the container
  std::string local;      // the host-side argument ("-" for a tar stream)
};
std::optional<CopyCommand> parse_copy_command(const std::vector<std::string>& argv);

struct Copy {
  uint64_t id = 0;
  std::string node;
  CopyCommand cmd;
  std::string command_line;
  std::string client_event;
  std::string file;
  uint64_t line = 0;
  uint64_t start_ms = 0;
  uint64_t end_ms = 0;  // last activity seen from the client or the helper
  int64_t client_pid = 0;
  std::string client_exe;
  std::string client_cwd;
  AlertUser user;
  std::string container_alias;  // "name:…" (or "id:…")
  // The daemon's copy helper (docker-untar / docker-tar re-exec), when seen.
  std::optional<int64_t> helper_pid;
  std::string helper_event;
  uint64_t helper_ms = 0;
  std::optional<std::string> resolved_dir;  // helper a1, normalised
  std::string rootfs;                       // helper a2
  // Engines copying in-process (moby 28+): where the daemon's own file access went.
  std::optional<std::string> inproc_resolved;
  std::string inproc_event;
  std::string inproc_reason;
  // Where the copy's own container-side file access really went (the helper, or podman's client
  // inside the container's mount namespace): the container root's inode (the helper's
  // chdir("/") after pivot_root, a PATH item naming the rootfs, podman's mount setns "/"), and
  // the directory a file of the copy was created (or, copying out, opened) in when that is not
  // the requested one — by its name, or by its parent's inode being the container root's.
  std::optional<uint64_t> root_inode;
  std::string root_dev;  // the container root's device (podman's mount setns "/")
  // Copying out with podman: the file the requested path named when the client last checked
  // it (stat-class record of the requested name): device and inode.
  std::optional<std::pair<std::string, uint64_t>> source_identity;
  std::optional<std::string> landed_dir;
  std::string landed_event;
  std::string landed_reason;
  // For the coverage verdict (audit/coverage.hpp): which of the copy's own records the log holds.
  uint32_t side_events = 0;   // successful file syscalls (with PATH) of the helper / podman's client
  uint32_t side_creates = 0;  // … of them creating a name
  uint32_t daemon_opens = 0;  // dockerd's own opens while the copy ran (in-process engines)
  bool closed = false;
  uint32_t progress_told = 0;  // early verdicts: what the rules were last told of (engine.cpp)
};

struct LoopEpisode {
  uint64_t id = 0;
  std::string node;
  int64_t pid = 0;
  std::string a, b;  // the two names, absolute when the cwd was known
  uint64_t count = 0;
  uint64_t first_ms = 0, last_ms = 0;
  std::string first_event, last_event;  // last_event: set when the episode closes
  std::string established_event;        // the exchange that reached the threshold
  std::string container;                // alias, empty when unknown
  AlertUser user;
  std::string exe;
  std::string file;
  uint64_t line = 0;
  bool confirmed = false;  // reached the loop threshold
  bool closed = false;
};

// Path helpers (pure text, no filesystem access).
std::string normalize_path(std::string_view p);  // collapses //, ., trailing /; keeps ".."
std::string join_path(std::string_view cwd, std::string_view p);
std::string dir_name(std::string_view p);
// True when `anc` equals `p` or is one of its ancestors, component-wise.
bool is_same_or_ancestor(std::string_view anc, std::string_view p);

}  // namespace tocsin::audit
