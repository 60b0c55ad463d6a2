// The copy tracker (see copy_tracker.hpp): copies opened from their client's execve, helpers
// attached, spans extended by the copy's processes, copies closed when due.
#include "audit/detections/copy_tracker.hpp"

#include <algorithm>
#include <tuple>

#include "audit/event.hpp"

namespace tocsin::audit {

void CopyTracker::on_event(const Event& ev) {
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
        if (!old.closed) close_(old);
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
    evidence_.on_copy_access(ev, *pid);
  evidence_.on_daemon_event(ev, *pid);
}

bool CopyTracker::attach_helper(const PendingHelper& h) {
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
      if (c.closed || c.helper_pid || c.node != h.node || c.cmd.tool != "docker" || c.cmd.direction != want) continue;
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
  if (argv.size() > 1) best->resolved_dir = a1;  // AU004: where the runtime resolved the path
  if (argv.size() > 2) {
    best->rootfs = argv[2];
    if (!layer_alias.empty()) ctx_.containers.link(best->container_alias, layer_alias);
  }
  return true;
}

void CopyTracker::sweep(uint64_t settle_ms, bool all) {
  uint64_t now = ctx_.now_ms;
  for (auto& c : ctx_.copies) {
    if (c.closed) continue;
    if (all || now > std::max(c.end_ms, c.helper_ms) + settle_ms) close_(c);
  }
  while (!ctx_.copies.empty() && ctx_.copies.front().closed && (all || now > ctx_.copies.front().end_ms + 60000))
    ctx_.copies.pop_front();
  while (!pending_helpers_.empty() && (all || now > pending_helpers_.front().ms + 60000)) pending_helpers_.pop_front();
}

void CopyTracker::open_starts(const std::function<void(uint64_t)>& take) const {
  for (const auto& c : ctx_.copies)
    if (!c.closed) take(c.start_ms);
  for (const auto& h : pending_helpers_) take(h.ms);
}

}  // namespace tocsin::audit
