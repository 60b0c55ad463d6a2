// Process and container attribution from execve events.
#include "audit/process/process_table.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "audit/alert.hpp"
#include "audit/event.hpp"
#include "core/strings.hpp"

namespace tocsin::audit {

namespace {

// How long a chroot/unshare/setns record of a multi-threaded daemon (an in-process copy chroots
// one of dockerd's threads; audit records name the process, not the thread) vouches for its paths.
constexpr uint64_t kDaemonConfinementMs = 2000;

// chroot/pivot_root that succeeded, or setns into a mount namespace (nstype CLONE_NEWNS or 0).
bool is_confining_call(const Event& ev) {
  std::string_view sc = ev.syscall_name();
  if (sc != "chroot" && sc != "pivot_root" && sc != "setns") return false;
  if (!ev.success().value_or(false)) return false;
  if (sc == "setns") {
    uint64_t nstype = ev.arg(1).value_or(0);
    return nstype == 0 || (nstype & 0x20000) != 0;
  }
  return true;
}

bool is_client_tool(std::string_view b) {
  return b == "docker" || b == "podman" || b == "nerdctl";
}

// Global options of the container clients that take a value (`--context prod`).
bool global_option_takes_value(std::string_view o) {
  static constexpr std::string_view kOpts[] = {
      "--config", "-c", "--context", "-H", "--host", "-l", "--log-level", "--tlscacert",
      "--tlscert", "--tlskey", "--namespace", "-n", "--address", "-a", "--snapshotter",
      "--root", "--runroot", "--url", "--connection", "--storage-driver", "--cgroup-manager",
      "--data-root", "--cni-path", "--identity"};
  return std::find(std::begin(kOpts), std::end(kOpts), o) != std::end(kOpts);
}

// Options of run/exec/create that take a value (enough to find the container argument).
bool sub_option_takes_value(std::string_view o) {
  static constexpr std::string_view kOpts[] = {
      "--name", "-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys",
      "-v", "--volume", "--network", "--net", "-p", "--publish", "--mount", "--entrypoint",
      "-h", "--hostname", "-l", "--label", "--cap-add", "--cap-drop", "--security-opt",
      "--ulimit", "--restart", "-m", "--memory", "--cpus", "--device", "--pid", "--ipc",
      "--platform", "--pull", "--log-driver", "--log-opt", "--tmpfs", "--add-host", "--dns",
      "--runtime", "--stop-signal", "--health-cmd", "--shm-size", "--userns", "--uts",
      "--group-add", "--label-file", "--cidfile", "--gpus", "--init-path", "--ip", "--link",
      "--volumes-from", "--workdir", "-t", "--time", "-s", "--signal"};
  // -t is --tty for run/exec (boolean) but --time for stop: treat boolean below.
  if (o == "-t") return false;
  return std::find(std::begin(kOpts), std::end(kOpts), o) != std::end(kOpts);
}

// `podman [global opts] [container] cp …`
bool is_podman_cp(const std::vector<std::string>& argv) {
  size_t i = 1;
  while (i < argv.size() && !argv[i].empty() && argv[i][0] == '-') {
    if (argv[i].find('=') == std::string::npos && global_option_takes_value(argv[i])) ++i;
    ++i;
  }
  if (i < argv.size() && argv[i] == "container") ++i;
  return i < argv.size() && argv[i] == "cp";
}

}  // namespace

std::optional<std::string> container_named_by_client(const std::vector<std::string>& argv) {
  if (argv.empty() || !is_client_tool(base_name(argv[0]))) return std::nullopt;
  size_t i = 1;
  while (i < argv.size() && !argv[i].empty() && argv[i][0] == '-') {
    if (argv[i].find('=') == std::string::npos && global_option_takes_value(argv[i])) ++i;
    ++i;
  }
  if (i < argv.size() && argv[i] == "container") ++i;
  if (i >= argv.size()) return std::nullopt;
  std::string_view sub = argv[i];
  bool names_first_positional = sub == "exec" || sub == "start" || sub == "restart" ||
                                sub == "stop" || sub == "kill" || sub == "attach" || sub == "pause" ||
                                sub == "unpause";
  bool run = sub == "run" || sub == "create";
  if (!names_first_positional && !run) return std::nullopt;
  for (++i; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    if (run) {
      if (a == "--name" && i + 1 < argv.size()) return argv[i + 1];
      if (a.rfind("--name=", 0) == 0) return std::string(a.substr(7));
      if (!a.empty() && a[0] != '-') return std::nullopt;  // the image: no --name given
    } else {
      if (a == "--") continue;
      if (!a.empty() && a[0] == '-') {
        if (a.find('=') == std::string_view::npos && sub_option_takes_value(a)) ++i;
        continue;
      }
      return std::string(a);
    }
    if (a.find('=') == std::string_view::npos && sub_option_takes_value(a)) ++i;
  }
  return std::nullopt;
}

ProcessInfo& ProcessTable::touch(std::string_view node, int64_t pid, uint64_t now_ms) {
  Key k{std::string(node), pid};
  auto it = map_.find(k);
  if (it != map_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    it->second.info.last_ms = std::max(it->second.info.last_ms, now_ms);
    return it->second.info;
  }
  if (map_.size() >= capacity_ && !lru_.empty()) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(k);
  auto& e = map_[k];
  e.lru = lru_.begin();
  e.info.pid = pid;
  e.info.last_ms = now_ms;
  return e.info;
}

const ProcessInfo* ProcessTable::lookup(std::string_view node, int64_t pid) const {
  auto it = map_.find(Key{std::string(node), pid});
  return it == map_.end() ? nullptr : &it->second.info;
}

const ProcessInfo* ProcessTable::find(std::string_view node, int64_t pid) const {
  return lookup(node, pid);
}

void ProcessTable::attribute_exec(std::string_view node, ProcessInfo& p, uint64_t now_ms) {
  const auto& argv = p.argv;
  std::string_view b0 = argv.empty() ? std::string_view() : base_name(argv[0]);
  std::string_view be = base_name(p.exe);
  std::string id;
  // containerd-shim-runc-v2 -namespace moby -id <id> -address …
  if (be.rfind("containerd-shim", 0) == 0 || b0.rfind("containerd-shim", 0) == 0) {
    for (size_t i = 1; i + 1 < argv.size(); ++i)
      if (argv[i] == "-id" || argv[i] == "--id") id = argv[i + 1];
  }
  // runc [global opts] create|start|exec|run|kill|delete … <id>: the id is the last argument.
  if (id.empty() && (be == "runc" || b0 == "runc") && argv.size() >= 2) {
    bool verb = false;
    for (size_t i = 1; i < argv.size(); ++i)
      if (argv[i] == "create" || argv[i] == "start" || argv[i] == "exec" || argv[i] == "run")
        verb = true;
    if (verb && is_container_id(argv.back())) id = argv.back();
  }
  if (!id.empty()) {
    p.container = containers_.add(ContainerRegistry::id_alias(id));
    // Link with the name a client command just used (docker exec/run right before) — only when
    // that is unambiguous: one name pending (clients naming two containers at once, a busy
    // host, leave it unknown rather than merge two containers into one).
    auto pending = named_.end();
    bool ambiguous = false;
    for (auto it = named_.begin(); it != named_.end(); ++it) {
      if (it->node != node || now_ms < it->ms || now_ms - it->ms > 3000) continue;
      if (pending != named_.end() && pending->name != it->name) ambiguous = true;
      pending = it;
    }
    if (pending != named_.end() && !ambiguous) {
      containers_.link(ContainerRegistry::name_alias(pending->name), p.container);
      named_.erase(pending);
    }
    return;
  }
  if (b0 == "docker-untar" || b0 == "docker-tar" || p.comm == "docker-untar" || p.comm == "docker-tar") {
    p.copy_helper = true;
    // docker-untar DEST ROOT / docker-tar SRC ROOT: the helper chroots (pivot_root) into ROOT
    // before it touches DEST (moby pkg/chrootarchive); ROOT defaults to DEST.
    p.confined = Confinement::ByDesign;
    p.root = argv.size() >= 3 ? argv[2] : argv.size() >= 2 ? argv[1] : std::string();
    p.confined_by = fmt::format("{} runs chrooted into the container root its argv names", b0);
    if (argv.size() >= 3)
      if (auto layer = storage_layer_of(argv[2]))
        p.container = containers_.add(ContainerRegistry::layer_alias(*layer));
    return;
  }
  // podman re-executes itself for the copy: `chrootuser-open MERGED /etc/passwd` (chroot into
  // the container's merged dir) and `buildah-copier` (request on stdin; copy out: chrooted into
  // the host destination directory). Both work below a root that is not the host's `/`.
  if ((b0 == "chrootuser-open" || b0 == "buildah-copier") && be == "podman") {
    p.copy_helper = true;
    p.confined = Confinement::ByDesign;
    p.root = b0 == "chrootuser-open" && argv.size() >= 2 ? argv[1] : std::string();
    p.confined_by = fmt::format("podman's {} re-exec runs chrooted", b0);
    return;
  }
  if (be == "podman" && is_podman_cp(argv)) {
    // `podman cp` copies in its own pid after setns into the container's mount namespace.
    p.confined = Confinement::ByDesign;
    p.confined_by = "podman cp copies inside the container's mount namespace (setns)";
  }
  if (auto layer = storage_layer_of(p.exe)) {
    p.container = containers_.add(ContainerRegistry::layer_alias(*layer));
    return;
  }
  if (auto layer = storage_layer_of(p.cwd)) {
    p.container = containers_.add(ContainerRegistry::layer_alias(*layer));
    return;
  }
  if (auto name = container_named_by_client(argv)) {
    named_.push_back({std::string(node), *name, now_ms});
    if (named_.size() > 64) named_.erase(named_.begin());
  }
}

const ProcessInfo* ProcessTable::observe(const Event& ev) {
  auto pid = ev.pid();
  if (!pid) return nullptr;
  uint64_t now = ev.time_ms();
  std::string_view node = ev.node();
  auto ppid = ev.ppid();
  ProcessInfo& p = touch(node, *pid, now);
  if (ppid && *ppid != p.ppid) {
    // A new parent after an exec-less fork is the same process image; keep what we know but
    // inherit the parent's container when ours is unknown.
    p.ppid = *ppid;
  }
  if (ev.syscall_name() == "execve" || ev.syscall_name() == "execveat") {
    if (ev.success().value_or(true)) {
      p.argv = ev.argv();
      p.exe = ev.exe().value_or("");
      p.comm = ev.comm().value_or("");
      p.cwd = ev.cwd().value_or(p.cwd);
      p.exec_ms = now;
      p.copy_helper = false;
      // A chroot survives exec; a confinement by design belongs to the image that had it.
      if (p.confined == Confinement::ByDesign) {
        p.confined = Confinement::None;
        p.root.clear();
        p.confined_by.clear();
      }
      std::string keep = p.container;  // same pid keeps its container across exec (runc init)
      p.container.clear();
      attribute_exec(node, p, now);
      if (p.container.empty()) p.container = keep;
    }
  } else if (is_confining_call(ev)) {
    p.confined = Confinement::ByRecord;
    p.confined_ms = now;
    std::string_view sc = ev.syscall_name();
    p.confined_by = fmt::format("{} record {}", sc, event_id(ev));
    if (sc != "setns" && p.root.empty())
      for (const auto& it : ev.paths())
        if (it.name && !it.name->empty() && it.name->front() == '/') {
          p.root = *it.name;
          break;
        }
    if (auto cwd = ev.cwd()) p.cwd = *cwd;
  } else {
    if (auto cwd = ev.cwd()) p.cwd = *cwd;
    if (p.exe.empty()) p.exe = ev.exe().value_or("");
    if (p.comm.empty()) p.comm = ev.comm().value_or("");
  }
  if (p.container.empty() && p.ppid) {
    std::string c = container_of(node, p.ppid);
    if (!c.empty()) p.container = c;
  }
  return &p;
}

std::string ProcessTable::container_of(std::string_view node, int64_t pid) const {
  for (int depth = 0; depth < 16 && pid > 1; ++depth) {
    const ProcessInfo* p = lookup(node, pid);
    if (!p) return {};
    if (!p->container.empty()) return p->container;
    if (p->ppid == pid) return {};
    pid = p->ppid;
  }
  return {};
}

std::string ProcessTable::container_of(const Event& ev) const {
  std::string_view node = ev.node();
  if (auto pid = ev.pid()) {
    std::string c = container_of(node, *pid);
    if (!c.empty()) return c;
  }
  if (auto ppid = ev.ppid()) {
    std::string c = container_of(node, *ppid);
    if (!c.empty()) return c;
  }
  for (auto s : {ev.cwd(), ev.exe()})
    if (s)
      if (auto layer = storage_layer_of(*s)) return ContainerRegistry::layer_alias(*layer);
  return {};
}

const ProcessInfo* ProcessTable::confinement(std::string_view node, int64_t pid, uint64_t t_ms) const {
  for (int depth = 0; depth < 4 && pid > 1; ++depth) {
    const ProcessInfo* p = lookup(node, pid);
    if (!p) return nullptr;
    if (p->confined == Confinement::ByDesign) return p;
    if (p->confined == Confinement::ByRecord) {
      bool daemon = base_name(p->exe) == "dockerd" || base_name(p->exe) == "containerd";
      if (!daemon || t_ms <= p->confined_ms + kDaemonConfinementMs) return p;
    }
    if (p->ppid == pid) return nullptr;
    pid = p->ppid;
  }
  return nullptr;
}

bool ProcessTable::descends_from(std::string_view node, int64_t pid, int64_t anc) const {
  for (int depth = 0; depth < 6 && pid > 1; ++depth) {
    if (pid == anc) return true;
    const ProcessInfo* p = lookup(node, pid);
    if (!p || p->ppid == pid) return false;
    pid = p->ppid;
  }
  return false;
}

bool ProcessTable::is_copy_helper(std::string_view node, int64_t pid) const {
  for (int depth = 0; depth < 4 && pid > 1; ++depth) {
    const ProcessInfo* p = lookup(node, pid);
    if (!p) return false;
    if (p->copy_helper) return true;
    pid = p->ppid;
  }
  return false;
}

}  // namespace tocsin::audit
