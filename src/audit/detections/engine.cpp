// The hunt engine: copy and loop tracking, rule dispatch, alert filtering and statistics.
#include "audit/detections/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "audit/event.hpp"

namespace tocsin::audit {

// ---------------------------------------------------------------------------------------------
// Shared helpers

AlertUser user_of(const Event& ev) {
  AlertUser u;
  u.auid = ev.auid();
  u.uid = ev.uid();
  u.euid = ev.euid();
  u.ses = ev.ses();
  u.tty = ev.tty();
  return u;
}

bool is_runtime_exe(std::string_view exe) {
  auto b = base_name(exe);
  return b == "dockerd" || b == "containerd" || b == "runc" || b.rfind("containerd-shim", 0) == 0 ||
         b == "crun" || b == "podman" || b == "conmon";
}

bool is_write_access(const Event& ev) {
  std::string_view sc = ev.syscall_name();
  if (sc.empty()) return false;
  constexpr uint64_t kWriteFlags = 0x243;  // O_WRONLY|O_RDWR|O_CREAT|O_TRUNC
  if (sc == "open") return (ev.arg(1).value_or(0) & kWriteFlags) != 0;
  if (sc == "openat") return (ev.arg(2).value_or(0) & kWriteFlags) != 0;
  if (sc == "openat2") {
    // The flags are inside struct open_how (not logged): a created name is the evidence.
    for (const auto& p : ev.paths())
      if (p.nametype == "CREATE") return true;
    return false;
  }
  static constexpr std::string_view kWrites[] = {
      "creat", "mkdir", "mkdirat", "rename", "renameat", "renameat2", "link", "linkat",
      "symlink", "symlinkat", "unlink", "unlinkat", "rmdir", "chmod", "fchmodat", "fchmodat2",
      "chown", "lchown", "fchownat", "truncate", "mknod", "mknodat", "setxattr", "lsetxattr",
      "removexattr", "lremovexattr", "utimensat"};
  return std::find(std::begin(kWrites), std::end(kWrites), sc) != std::end(kWrites);
}

std::vector<std::string> touched_paths(const Event& ev) {
  std::vector<std::string> out;
  const auto& items = ev.paths();
  std::string_view cwd = ev.cwd_view().value_or(std::string_view());
  std::string parent;
  for (const auto& p : items)
    if (p.nametype == "PARENT" && p.name && !p.name->empty() && p.name->front() == '/') {
      parent = *p.name;
      break;
    }
  for (const auto& p : items) {
    if (p.nametype == "PARENT" || !p.name || p.name->empty()) continue;
    const std::string& n = *p.name;
    if (n.front() == '/') out.push_back(normalize_path(n));
    else if (!parent.empty()) out.push_back(join_path(parent, base_name(n)));
    else out.push_back(join_path(cwd, n));
  }
  return out;
}

Alert Context::alert_at(std::string_view rule, const Event& ev, std::string message) const {
  Alert a;
  a.rule = std::string(rule);
  a.severity = rule_severity(rule, Severity::medium);
  a.time_ms = ev.time_ms();
  if (!ev.node().empty()) a.host = std::string(ev.node());
  a.event_ids.push_back(event_id(ev));
  a.message = std::move(message);
  a.file = std::string(ev.file());
  a.line = ev.line();
  a.pid = ev.pid();
  a.exe = std::string(ev.exe_view());
  return a;
}

Alert copy_alert(std::string_view rule, const Copy& c, std::string message) {
  Alert a;
  a.rule = std::string(rule);
  a.severity = rule_severity(rule, Severity::medium);
  a.time_ms = c.start_ms;
  if (!c.node.empty()) a.host = c.node;
  a.event_ids.push_back(c.client_event);
  if (!c.helper_event.empty()) a.event_ids.push_back(c.helper_event);
  a.message = std::move(message);
  a.user = c.user;
  a.docker_cp = AlertCopy{c.cmd.direction, c.cmd.container, c.cmd.path, std::nullopt};
  a.copy_id = c.id;
  a.command = c.command_line;
  a.pid = c.client_pid;
  a.exe = c.client_exe;
  a.file = c.file;
  a.line = c.line;
  return a;
}

std::vector<Copy*> Context::copies_active_at(std::string_view node, uint64_t t_ms) {
  std::vector<Copy*> out;
  for (auto& c : copies) {
    if (c.node != node) continue;
    uint64_t begin = c.start_ms > kCopySlackMs ? c.start_ms - kCopySlackMs : 0;
    uint64_t end = std::max(c.end_ms, c.helper_ms) + kCopySlackMs;
    if (t_ms >= begin && t_ms <= end) out.push_back(&c);
  }
  return out;
}

Copy* Context::copy_of_process(std::string_view node, int64_t pid, uint64_t t_ms) {
  Copy* best = nullptr;
  for (auto& c : copies) {
    if (c.node != node) continue;
    uint64_t begin = c.start_ms > kCopySlackMs ? c.start_ms - kCopySlackMs : 0;
    uint64_t end = std::max(c.end_ms, c.helper_ms) + kCopySlackMs;
    if (t_ms < begin || t_ms > end) continue;
    bool mine = (c.helper_pid && processes.descends_from(node, pid, *c.helper_pid)) ||
                (c.client_pid && processes.descends_from(node, pid, c.client_pid));
    if (mine && (!best || c.start_ms > best->start_ms)) best = &c;  // pids are reused: the newest
  }
  return best;
}

std::vector<const LoopEpisode*> Context::loops_racing(const Copy& c) {
  std::vector<const LoopEpisode*> out;
  std::string path = normalize_path(c.cmd.path.empty() || c.cmd.path.front() != '/'
                                        ? "/" + c.cmd.path
                                        : c.cmd.path);
  uint64_t begin = c.start_ms > kCopySlackMs ? c.start_ms - kCopySlackMs : 0;
  uint64_t end = std::max(c.end_ms, c.helper_ms) + kCopySlackMs;
  for (const auto& ep : loops) {
    if (!ep.confirmed || ep.node != c.node) continue;
    if (ep.first_ms > end || ep.last_ms < begin) continue;
    bool on_path = false;
    for (const auto* n : {&ep.a, &ep.b})
      if (!n->empty() && n->front() == '/' &&
          (is_same_or_ancestor(*n, path) || is_same_or_ancestor(path, *n)))
        on_path = true;
    if (!on_path) continue;
    if (containers.same(c.container_alias, ep.container) == Same::No) continue;
    out.push_back(&ep);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Engine

struct Engine::LoopState {
  uint64_t count = 0;
  uint64_t first_ms = 0, last_ms = 0;
  std::string first_event;
  // The latest event's id, formatted only when the episode is reported (a loop logs thousands).
  uint64_t last_sec = 0, last_serial = 0;
  uint32_t last_msec = 0;
  std::string last_event() const { return event_id(last_sec, last_msec, last_serial); }
  std::string file;
  uint64_t line = 0;
  uint64_t episode_id = 0;  // set once confirmed
};

Engine::Engine(EngineOptions opt) : opt_(std::move(opt)) {
  rules_ = make_builtin_detections();
  refresh_active();
  ctx_.sink = [this](Alert&& a) { deliver(std::move(a)); };
  ctx_.rule_enabled = [this](std::string_view id) { return rule_enabled(id); };
}

Engine::~Engine() = default;

void Engine::set_sink(std::function<void(Alert&&)> sink) { sink_ = std::move(sink); }

void Engine::add_detection(std::unique_ptr<Detection> d) {
  rules_.push_back(std::move(d));
  refresh_active();
}

void Engine::refresh_active() {
  // A rule whose alerts would be dropped need not look at events (training runs with AU001
  // only); the copy and loop tracking stay, as the enabled rules build on them.
  event_rules_.clear();
  for (auto& r : rules_)
    if (rule_enabled(r->id())) event_rules_.push_back(r.get());
  loops_needed_ = rule_enabled("AU002") || rule_enabled("AU003");
}

bool Engine::rule_enabled(std::string_view id) const {
  std::string s(id);
  if (!opt_.select.empty() && !opt_.select.count(s)) return false;
  return !opt_.ignore.count(s);
}

void Engine::deliver(Alert&& a) {
  if (!rule_enabled(a.rule)) return;
  if (a.time_ms) {
    if (opt_.since_ms && *a.time_ms < *opt_.since_ms) return;
    if (opt_.until_ms && *a.time_ms > *opt_.until_ms) return;
  }
  ++stats_.alerts;
  ++stats_.by_rule[a.rule];
  if (sink_) sink_(std::move(a));
  else collected_.push_back(std::move(a));
}

std::vector<Alert> Engine::take_alerts() {
  std::stable_sort(collected_.begin(), collected_.end(), alert_less);
  return std::move(collected_);
}

void Engine::on_broken(std::string_view file, uint64_t line, std::string_view reason, uint64_t count) {
  stats_.broken += count;
  BrokenInput b{std::string(file), line, std::string(reason), count};
  for (auto& r : rules_) r->on_broken(b, ctx_);
}

void Engine::end_of_file(std::string_view file) {
  for (auto& r : rules_) r->on_end_of_file(file, ctx_);
}

void Engine::on_event(const Event& ev) {
  ++stats_.events;
  stats_.records += ev.record_count();
  uint64_t t = ev.time_ms();
  ctx_.now_ms = std::max(ctx_.now_ms, t);
  // Serial gaps: stats only (normal with filtering rules). auditd's own DAEMON_* records use
  // the daemon's sequence, not the kernel's.
  auto pt = static_cast<uint32_t>(ev.primary_type());
  if (!(pt >= 1200 && pt < 1300)) {
    auto& last = last_serial_[std::string(ev.node())];
    if (last && ev.serial() > last + 1 && ev.serial() - last < (1ULL << 32))
      stats_.serial_gaps += ev.serial() - last - 1;
    if (ev.serial() > last) last = ev.serial();
  }
  coverage_.on_event(ev, ctx_.processes.observe(ev));
  track_copies(ev);
  if (loops_needed_) track_loops(ev);
  for (Detection* r : event_rules_) r->on_event(ev, ctx_);
  if (ctx_.now_ms >= last_sweep_ms_ + 250) {
    sweep(false);
    last_sweep_ms_ = ctx_.now_ms;
  }
}

void Engine::track_copies(const Event& ev) {
  auto pid = ev.pid();
  if (!pid) return;
  std::string_view node = ev.node();
  uint64_t t = ev.time_ms();
  std::string_view sc = ev.syscall_name();
  bool exec = (sc == "execve" || sc == "execveat") && ev.success().value_or(true);
  if (exec) {
    auto argv = ev.argv();
    if (auto cmd = parse_copy_command(argv)) {
      Copy c;
      c.id = next_copy_id_++;
      c.node = std::string(node);
      c.cmd = std::move(*cmd);
      std::string line;
      for (const auto& a : argv) {
        if (!line.empty()) line += ' ';
        line += a;
      }
      c.command_line = std::move(line);
      c.client_event = event_id(ev);
      c.file = std::string(ev.file());
      c.line = ev.line();
      c.start_ms = c.end_ms = t;
      c.client_pid = *pid;
      c.client_exe = std::string(ev.exe_view());
      c.client_cwd = ev.cwd().value_or("");
      c.user = user_of(ev);
      c.container_alias = ctx_.containers.add(ContainerRegistry::name_alias(c.cmd.container));
      ctx_.copies.push_back(std::move(c));
      for (auto it = pending_helpers_.begin(); it != pending_helpers_.end(); ++it)
        if (attach_helper(*it)) {
          pending_helpers_.erase(it);
          break;
        }
      if (ctx_.copies.size() > 4096) {
        // Bounded memory: report the oldest open copy now rather than grow without end.
        Copy& old = ctx_.copies.front();
        if (!old.closed) close_copy(old);
        ctx_.copies.pop_front();
      }
      return;
    }
    std::string_view a0 = argv.empty() ? std::string_view() : std::string_view(argv[0]);
    if (a0 == "chrootuser-open" && argv.size() >= 2 && base_name(ev.exe_view()) == "podman") {
      // podman's owner lookup for a copy: `chrootuser-open <container root on the host> …`,
      // a child of the copying client. Its argv names the container root, whose inode and
      // device its chdir then shows (the container side's identity without setns records).
      for (auto& c : ctx_.copies)
        if (!c.closed && c.node == node && c.cmd.tool == "podman" && c.rootfs.empty() &&
            ctx_.processes.descends_from(node, *pid, c.client_pid)) {
          c.rootfs = argv[1];
          if (auto layer = storage_layer_of(argv[1]))
            ctx_.containers.link(c.container_alias, ctx_.containers.add(ContainerRegistry::layer_alias(*layer)));
        }
    }
    if (a0 == "docker-untar" || a0 == "docker-tar") {
      PendingHelper h{std::string(node), *pid, event_id(ev), t, argv};
      if (!attach_helper(h)) {
        // The assembler can hand out the helper before the client's execve (events complete
        // out of order): keep it until the client shows up.
        pending_helpers_.push_back(std::move(h));
        if (pending_helpers_.size() > 256) pending_helpers_.pop_front();
      }
      return;
    }
  }
  // Activity of a copy's client or helper extends the copy's span.
  bool copy_process = false;
  for (auto& c : ctx_.copies) {
    if (c.closed || c.node != node) continue;
    if (c.client_pid == *pid || (c.helper_pid && *c.helper_pid == *pid)) {
      c.end_ms = std::max(c.end_ms, t);
      copy_process = true;
    }
  }
  if (!ev.paths().empty() && (copy_process || ctx_.processes.is_copy_helper(node, *pid)))
    track_copy_access(ev, *pid);
  // Engines that copy in-process (moby 23+, pkg/chrootarchive without re-exec): a goroutine on
  // a locked thread of dockerd unshares its mount namespace, chroots into the container root
  // and opens the files itself. Its names are then container paths; without the chroot record
  // (rule sets without mount syscalls) they still are, by the engine's design, when they name
  // the copy's file. Not yet confirmed on a live engine (none installs here): derived from the
  // engine's source and the podman evidence, tested on events of that shape.
  const bool daemon_thread = base_name(ev.exe_view()) == "dockerd" && ev.comm_view() == "dockerd";
  if (daemon_thread && sc == "chdir" && ev.success().value_or(false) &&
      ctx_.processes.confinement(node, *pid, t) != nullptr) {
    // The thread's chdir("/") right after its pivot_root/chroot: the container root's inode.
    for (const auto& it : ev.paths())
      if (it.name && *it.name == "/" && it.inode) daemon_roots_[std::string(node) + '\0' + std::to_string(*pid)] = {*it.inode, t};
  }
  if ((sc == "open" || sc == "openat" || sc == "openat2" || sc == "creat") && daemon_thread) {
    const bool chrooted = ctx_.processes.confinement(node, *pid, t) != nullptr;
    std::string_view cwd = ev.cwd_view().value_or("/");
    std::optional<uint64_t> root_inode, parent_inode;
    if (auto r = daemon_roots_.find(std::string(node) + '\0' + std::to_string(*pid));
        chrooted && r != daemon_roots_.end() && t <= r->second.second + 2000)
      root_inode = r->second.first;
    for (const auto& it : ev.paths())
      if (it.nametype == "PARENT" && it.inode) parent_inode = *it.inode;
    for (Copy* c : ctx_.copies_active_at(node, t)) {
      if (c->closed || c->helper_pid || c->cmd.tool != "docker") continue;
      std::string req = normalize_path("/" + c->cmd.path);
      if (!c->cmd.path.empty() && c->cmd.path.back() == '/') continue;  // a directory target
      for (const auto& p : ev.paths()) {
        if (p.nametype == "PARENT" || !p.name || p.name->empty()) continue;
        // Coverage: the daemon's own open of the copy's file is what an in-process copy records.
        if (base_name(*p.name) == base_name(req)) ++c->daemon_opens;
        if (c->inproc_resolved) continue;
        std::string n = *p.name;
        if (auto layer = storage_layer_of(n)) {
          auto pos = n.find(*layer);
          n = n.substr(pos + layer->size());
          for (std::string_view sub : {"/merged", "/diff"})
            if (n.rfind(sub, 0) == 0) n = n.substr(sub.size());
          if (n.empty()) n = "/";
        } else if (chrooted || base_name(n) == base_name(req)) {
          n = join_path(chrooted ? cwd : std::string_view("/"), n);  // a container path
        } else {
          continue;  // a host path outside storage: AU005's business
        }
        n = normalize_path(n);
        if (base_name(n) == base_name(req) && n != req && dir_name(n) != dir_name(req)) {
          c->inproc_resolved = dir_name(n);
          c->inproc_event = event_id(ev);
          c->inproc_reason = fmt::format("the daemon itself opened the file in {} (in-process copy)", dir_name(n));
        } else if (n == req && p.nametype == "CREATE" && dir_name(req) != "/" && root_inode && parent_inode &&
                   *parent_inode == *root_inode) {
          c->inproc_resolved = "/";
          c->inproc_event = event_id(ev);
          c->inproc_reason = fmt::format(
              "the daemon itself created {} (in-process copy) but its parent directory is inode {}, the container "
              "root's (its chdir after the pivot): {} was swapped after it was resolved",
              n, *parent_inode, dir_name(req));
        }
      }
    }
  }
}

void Engine::track_copy_access(const Event& ev, int64_t pid) {
  if (!ev.success().value_or(false)) return;
  std::string_view node = ev.node();
  std::string_view sc = ev.syscall_name();
  const auto& items = ev.paths();
  for (auto& c : ctx_.copies) {
    if (c.closed || c.node != node) continue;
    const bool helper = c.helper_pid && *c.helper_pid == pid;
    // podman copies in the client's own pid (and its re-execs, children of the client).
    const bool podman = c.cmd.tool == "podman" && ctx_.processes.descends_from(node, pid, c.client_pid);
    if (!helper && !podman) continue;
    if (sc != "execve" && sc != "execveat") {  // the file syscalls, not the re-execs themselves
      ++c.side_events;
      if (std::any_of(items.begin(), items.end(), [](const PathItem& it) { return it.nametype == "CREATE"; }))
        ++c.side_creates;
    }
    if (c.landed_dir) continue;
    // The container root's inode.
    for (const auto& it : items) {
      if (!it.inode || !it.name) continue;
      bool root = (!c.rootfs.empty() && normalize_path(*it.name) == normalize_path(c.rootfs)) ||
                  (*it.name == "/" && ((helper && sc == "chdir") || (podman && sc == "setns")));
      if (root) c.root_inode = *it.inode;
      if (root && podman && !it.dev.empty()) c.root_dev = std::string(it.dev);
    }
    std::string req = normalize_path("/" + c.cmd.path);
    if (req == "/" || (!c.cmd.path.empty() && c.cmd.path.back() == '/')) continue;  // a directory target
    std::string_view req_base = base_name(req);
    std::string req_dir = dir_name(req);
    std::string_view cwd = ev.cwd_view().value_or("/");
    std::optional<uint64_t> parent_inode;
    for (const auto& it : items)
      if (it.nametype == "PARENT" && it.inode) parent_inode = *it.inode;
    const bool to = c.cmd.direction == "to-container";
    const bool open_call = sc == "open" || sc == "openat" || sc == "openat2";
    const bool check_call = sc == "newfstatat" || sc == "stat" || sc == "lstat" || sc == "statx";
    if (!to && podman && pid == c.client_pid && check_call) {
      // What the requested name is when podman checks it inside the container.
      for (const auto& it : items) {
        if (!it.name || !it.inode || it.dev.empty() || normalize_path(join_path(cwd, *it.name)) != req) continue;
        c.source_identity = std::make_pair(std::string(it.dev), *it.inode);
        if (!c.root_dev.empty() && it.dev == c.root_dev) {
          if (ctx_.genuine_files.size() > 65536) ctx_.genuine_files.clear();
          ctx_.genuine_files[c.container_alias + '\0' + req] = *c.source_identity;
        }
      }
      continue;
    }
    if (!to) {
      // Copying out, the container side only reads: podman's client opens the source itself
      // (its re-execs' reads, e.g. chrootuser-open's /etc/passwd lookups, are not the source).
      if (!podman || !open_call || pid != c.client_pid) continue;
    }
    for (const auto& it : items) {
      if (!it.name || it.name->empty()) continue;
      if (to ? it.nametype != "CREATE" : it.nametype != "NORMAL") continue;
      std::string n = join_path(cwd, *it.name);
      if (base_name(n) != req_base) continue;
      std::string d = dir_name(n);
      std::string who = helper ? fmt::format("the helper (pid {})", pid) : fmt::format("podman (pid {})", pid);
      if (d != req_dir) {
        c.landed_dir = d;
        c.landed_reason = fmt::format("{} {} {} inside the container", who, to ? "created" : "opened", n);
      } else if (to && req_dir != "/" && parent_inode && c.root_inode && *parent_inode == *c.root_inode) {
        c.landed_dir = "/";
        c.landed_reason = fmt::format(
            "{} created {} but its parent directory is inode {}, the container root's: {} was swapped "
            "after it was resolved",
            who, n, *parent_inode, req_dir);
      }
      if (c.landed_dir) {
        c.landed_event = event_id(ev);
        break;
      }
    }
  }
}

bool Engine::attach_helper(const PendingHelper& h) {
  const auto& argv = h.argv;
  std::string_view want = argv[0] == "docker-untar" ? "to-container" : "from-container";
  uint64_t t = h.ms;
  // A waiting copy of that direction, ranked: one whose requested directory is what the
  // helper got, then one whose client started no later than the helper (a live follower can
  // hand out the next copy's client execve before this helper), then the most recent (a failed
  // copy never gets a helper, and must not take the next copy's).
  Copy* best = nullptr;
  std::tuple<bool, bool, uint64_t> best_rank{false, false, 0};
  std::string a1 = argv.size() > 1 ? normalize_path(argv[1]) : std::string();
  std::string layer_alias;
  if (argv.size() > 2)
    if (auto layer = storage_layer_of(argv[2])) layer_alias = ContainerRegistry::layer_alias(*layer);
  // A storage layer seen for the first time may belong to a container re-created under a
  // name that is already linked to the old one's layer (compose --force-recreate): when no
  // copy accepts the helper strictly, a fresh layer may join a named container's copy.
  const bool fresh_layer = !layer_alias.empty() && ctx_.containers.alone(layer_alias);
  for (int pass = 0; pass < 2 && !best; ++pass) {
    if (pass == 1 && !fresh_layer) break;
    for (auto& c : ctx_.copies) {
      if (c.closed || c.helper_pid || c.node != h.node || c.cmd.tool != "docker" || c.cmd.direction != want)
        continue;
      if (c.start_ms > t + kCopySlackMs || t - std::min(t, c.start_ms) > 60000) continue;
      if (pass == 0 && !layer_alias.empty() && ctx_.containers.same(c.container_alias, layer_alias) == Same::No)
        continue;
      std::string req = normalize_path("/" + c.cmd.path);
      std::tuple<bool, bool, uint64_t> rank{a1 == req || a1 == dir_name(req), c.start_ms <= t, c.start_ms};
      if (!best || rank >= best_rank) {
        best = &c;
        best_rank = rank;
      }
    }
  }
  if (!best) return false;
  best->helper_pid = h.pid;
  best->helper_event = h.event;
  best->helper_ms = t;
  best->end_ms = std::max(best->end_ms, t);
  if (argv.size() > 1) best->resolved_dir = a1;
  if (argv.size() > 2) {
    best->rootfs = argv[2];
    if (!layer_alias.empty()) ctx_.containers.link(best->container_alias, layer_alias);
  }
  return true;
}

void Engine::track_loops(const Event& ev) {
  if (ev.syscall_name() != "renameat2") return;
  if (!ev.success().value_or(false)) return;
  auto pid = ev.pid();
  if (!pid) return;
  std::string_view cwd = ev.cwd_view().value_or(std::string_view());
  // An exchange leaves both names in place (each is removed and created again with the other's
  // object: renameat2's RENAME_EXCHANGE); a rename over an existing name removes both names
  // but creates only the target (an atomic config replacement, `mv f f~` of an editor's save,
  // log rotation). Only exchanges make a swap loop. The kernel logs the same name text in an
  // item's DELETE and CREATE records, so the raw names are compared (no copy per event).
  const auto& items = ev.paths();
  auto created = [&](const std::string& raw) {
    for (const auto& c : items)
      if (c.nametype == "CREATE" && c.name && *c.name == raw) return true;
    return false;
  };
  std::vector<std::string> names;
  for (const auto& p : items) {
    if (p.nametype != "DELETE" || !p.name || p.name->empty()) continue;
    if (!created(*p.name)) return;
    std::string n = join_path(cwd, *p.name);
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  if (names.size() != 2) return;
  std::sort(names.begin(), names.end());
  uint64_t t = ev.time_ms();
  std::string key = std::string(ev.node());
  key += '\0';
  key += std::to_string(*pid);
  key += '\0';
  key += names[0];
  key += '\0';
  key += names[1];
  auto& slot = loop_states_[key];
  auto close_episode = [&](LoopState& st) {
    if (!st.episode_id) return;
    for (auto& ep : ctx_.loops)
      if (ep.id == st.episode_id && !ep.closed) {
        ep.closed = true;
        ep.last_event = st.last_event();
        for (auto& r : rules_) r->on_loop_closed(ep, ctx_);
      }
  };
  if (slot && t > slot->last_ms + kLoopMaxGapMs) {
    close_episode(*slot);
    slot.reset();
  }
  if (!slot) {
    slot = std::make_unique<LoopState>();
    slot->first_ms = t;
    slot->first_event = event_id(ev);
    slot->file = std::string(ev.file());
    slot->line = ev.line();
  }
  LoopState& st = *slot;
  ++st.count;
  st.last_ms = std::max(st.last_ms, t);
  st.last_sec = ev.sec();
  st.last_msec = ev.msec();
  st.last_serial = ev.serial();
  if (!st.episode_id && st.count >= kLoopMinRenames) {
    LoopEpisode ep;
    ep.id = next_loop_id_++;
    ep.node = std::string(ev.node());
    ep.pid = *pid;
    ep.a = names[0];
    ep.b = names[1];
    ep.first_ms = st.first_ms;
    ep.first_event = st.first_event;
    ep.container = ctx_.processes.container_of(ev);
    ep.user = user_of(ev);
    ep.exe = ev.exe().value_or("");
    ep.file = st.file;
    ep.line = st.line;
    ep.confirmed = true;
    st.episode_id = ep.id;
    coverage_.on_loop_confirmed(ep);
    ctx_.loops.push_back(std::move(ep));
  }
  if (st.episode_id) {
    for (auto it = ctx_.loops.rbegin(); it != ctx_.loops.rend(); ++it)
      if (it->id == st.episode_id) {
        it->count = st.count;
        it->last_ms = st.last_ms;
        if (it->container.empty()) it->container = ctx_.processes.container_of(ev);
        break;
      }
  }
}

void Engine::sweep(bool all) {
  uint64_t now = ctx_.now_ms;
  // Loops first: a copy closing now sees every episode that overlapped it.
  for (auto it = loop_states_.begin(); it != loop_states_.end();) {
    LoopState& st = *it->second;
    if (all || now > st.last_ms + kLoopMaxGapMs + kReorderMs) {
      if (st.episode_id)
        for (auto& ep : ctx_.loops)
          if (ep.id == st.episode_id && !ep.closed) {
            ep.closed = true;
            ep.last_event = st.last_event();
            for (auto& r : rules_) r->on_loop_closed(ep, ctx_);
          }
      it = loop_states_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& c : ctx_.copies) {
    if (c.closed) continue;
    if (all || now > std::max(c.end_ms, c.helper_ms) + opt_.copy_settle_ms) close_copy(c);
  }
  while (!ctx_.copies.empty() && ctx_.copies.front().closed &&
         (all || now > ctx_.copies.front().end_ms + 60000))
    ctx_.copies.pop_front();
  while (!pending_helpers_.empty() && (all || now > pending_helpers_.front().ms + 60000))
    pending_helpers_.pop_front();
  while (!ctx_.loops.empty() && ctx_.loops.front().closed && now > ctx_.loops.front().last_ms + 120000)
    ctx_.loops.pop_front();
}

void Engine::close_copy(Copy& c) {
  c.closed = true;
  coverage_.on_copy_closed(c);
  for (auto& r : rules_) r->on_copy_closed(c, ctx_);
}

CoverageFacts Engine::coverage_facts() const {
  CoverageFacts f = coverage_.facts();
  auto it = stats_.by_rule.find("AU008");
  f.loss_reports = it == stats_.by_rule.end() ? 0 : it->second;
  f.serial_gaps = stats_.serial_gaps;
  return f;
}

std::vector<RuleCoverage> Engine::coverage(const CoverageOptions& opt) const {
  return coverage_verdicts(coverage_facts(), opt);
}

void Engine::advance_time(uint64_t log_ms) {
  if (log_ms <= ctx_.now_ms) return;
  ctx_.now_ms = log_ms;
  sweep(false);
  last_sweep_ms_ = ctx_.now_ms;
}

void Engine::finish() {
  sweep(true);
  for (auto& r : rules_) r->finish(ctx_);
}

std::optional<uint64_t> Engine::oldest_open_ms() const {
  std::optional<uint64_t> o;
  auto take = [&](uint64_t ms) {
    if (!o || ms < *o) o = ms;
  };
  for (const auto& c : ctx_.copies)
    if (!c.closed) take(c.start_ms);
  for (const auto& l : ctx_.loops)
    if (!l.closed) take(l.first_ms);
  for (const auto& [key, st] : loop_states_) take(st->first_ms);
  for (const auto& h : pending_helpers_) take(h.ms);
  return o;
}

}  // namespace tocsin::audit
