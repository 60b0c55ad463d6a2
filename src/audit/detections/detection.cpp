// The state every audit rule shares (detection.hpp): the Context's queries over the copies and
// loop episodes in flight, alerts anchored at an event or a copy, and the small event helpers
// several rules use.
#include "audit/detections/detection.hpp"

#include <algorithm>

#include "audit/event.hpp"

namespace tocsin::audit {

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
  return b == "dockerd" || b == "containerd" || b == "runc" || b.rfind("containerd-shim", 0) == 0 || b == "crun" ||
         b == "podman" || b == "conmon";
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
      "creat",    "mkdir",     "mkdirat",   "rename",      "renameat",     "renameat2", "link",
      "linkat",   "symlink",   "symlinkat", "unlink",      "unlinkat",     "rmdir",     "chmod",
      "fchmodat", "fchmodat2", "chown",     "lchown",      "fchownat",     "truncate",  "mknod",
      "mknodat",  "setxattr",  "lsetxattr", "removexattr", "lremovexattr", "utimensat"};
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
  std::string path = normalize_path(c.cmd.path.empty() || c.cmd.path.front() != '/' ? "/" + c.cmd.path : c.cmd.path);
  uint64_t begin = c.start_ms > kCopySlackMs ? c.start_ms - kCopySlackMs : 0;
  uint64_t end = std::max(c.end_ms, c.helper_ms) + kCopySlackMs;
  for (const auto& ep : loops) {
    if (!ep.confirmed || ep.node != c.node) continue;
    if (ep.first_ms > end || ep.last_ms < begin) continue;
    bool on_path = false;
    for (const auto* n : {&ep.a, &ep.b})
      if (!n->empty() && n->front() == '/' && (is_same_or_ancestor(*n, path) || is_same_or_ancestor(path, *n)))
        on_path = true;
    if (!on_path) continue;
    if (containers.same(c.container_alias, ep.container) == Same::No) continue;
    out.push_back(&ep);
  }
  return out;
}

}  // namespace tocsin::audit
