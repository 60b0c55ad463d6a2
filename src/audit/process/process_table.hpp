// Process model built from execve events: pid → exe, argv, parent, cwd and the container it
// runs in. Bounded: the least recently seen processes are dropped beyond a capacity, since
// pids of dead processes are never announced in audit data.
#pragma once
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audit/process/containers.hpp"
#include "core/strings.hpp"

namespace tocsin::audit {

class Event;

enum class Confinement : uint8_t { None, ByDesign, ByRecord };

struct ProcessInfo {
  int64_t pid = 0;
  int64_t ppid = 0;
  std::string exe;
  std::string comm;
  std::vector<std::string> argv;
  std::string cwd;
  std::string container;  // container alias ("id:…", "name:…", "layer:…"), empty when unknown
  uint64_t exec_ms = 0;   // time of the last execve seen
  uint64_t last_ms = 0;   // time of the last event seen
  bool copy_helper = false;  // docker-tar / docker-untar, podman's chrootuser-open / buildah-copier
  // Whether the process's paths are rooted somewhere else than the host's `/`, and how that is
  // known: by design, from its exec (a copy helper the engine confines: docker-untar chroots into
  // the rootfs in its argv; `podman cp` works inside the container's mount namespace), or from a
  // chroot/pivot_root/setns record. Its paths are then not host paths.
  Confinement confined = Confinement::None;
  std::string root;         // host path of that root when known (helper argv, chroot PATH item)
  std::string confined_by;  // one line for alert reasons: "exec of docker-untar (argv names the rootfs)"
  uint64_t confined_ms = 0;  // when the confining record was seen (by-record only)
};

class ProcessTable {
 public:
  explicit ProcessTable(ContainerRegistry& containers, size_t capacity = 65536)
      : containers_(containers), capacity_(capacity) {}

  // Updates the model from one event (execve, or any syscall naming pid/ppid); returns the
  // event's process (valid until the next observe), null when the event names no pid.
  const ProcessInfo* observe(const Event& ev);
  const ProcessInfo* find(std::string_view node, int64_t pid) const;
  // Container of a process: its own attribution or the nearest ancestor's; empty if unknown.
  std::string container_of(std::string_view node, int64_t pid) const;
  // Same for the process behind an event (uses the event's ppid when the pid is unknown, and
  // its cwd/exe when they are under container storage).
  std::string container_of(const Event& ev) const;
  // True when pid or one of its ancestors (up to a few levels) is a copy helper.
  bool is_copy_helper(std::string_view node, int64_t pid) const;
  // The process (pid or an ancestor: children inherit the root) whose confinement applies to
  // pid at `t_ms`, or null when its paths are host paths as far as the log shows. A daemon's
  // by-record confinement (an in-process copy chroots one thread of dockerd) holds only briefly.
  const ProcessInfo* confinement(std::string_view node, int64_t pid, uint64_t t_ms) const;
  // True when `anc` is pid itself or one of its ancestors (a few levels).
  bool descends_from(std::string_view node, int64_t pid, int64_t anc) const;
  size_t size() const { return map_.size(); }

 private:
  struct Key {
    std::string node;
    int64_t pid;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string>()(k.node) * 31 + std::hash<int64_t>()(k.pid);
    }
  };
  struct Entry {
    ProcessInfo info;
    std::list<Key>::iterator lru;
  };
  ProcessInfo& touch(std::string_view node, int64_t pid, uint64_t now_ms);
  const ProcessInfo* lookup(std::string_view node, int64_t pid) const;
  void attribute_exec(std::string_view node, ProcessInfo& p, uint64_t now_ms);

  ContainerRegistry& containers_;
  size_t capacity_;
  std::unordered_map<Key, Entry, KeyHash> map_;
  std::list<Key> lru_;  // front = most recently seen
  // Last docker client command naming a container (exec/run/start…), to link the name with
  // the id that containerd-shim/runc show right after it.
  struct Pending {
    std::string node;
    std::string name;
    uint64_t ms = 0;
  };
  std::vector<Pending> named_;
};

// basename of a path ("/usr/bin/docker" → "docker"): the one in core/strings.hpp.
using tocsin::base_name;
// The container a `docker|podman|nerdctl run/exec/start/…` command line names, if any.
std::optional<std::string> container_named_by_client(const std::vector<std::string>& argv);

}  // namespace tocsin::audit
