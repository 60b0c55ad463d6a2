// AU004's evidence (see au004_evidence.hpp): where a copy's helper, podman's client and dockerd's
// own threads really put or found the copy's file.
#include "audit/detections/au004_evidence.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "audit/event.hpp"

namespace tocsin::audit {

void Au004Evidence::on_daemon_event(const Event& ev, int64_t pid) {
  std::string_view node = ev.node();
  uint64_t t = ev.time_ms();
  std::string_view sc = ev.syscall_name();
  // Engines that copy in-process (moby 23+, pkg/chrootarchive without re-exec): a goroutine on
  // a locked thread of dockerd unshares its mount namespace, chroots into the container root
  // and opens the files itself. Its names are then container paths; without the chroot record
  // (rule sets without mount syscalls) they still are, by the engine's design, when they name
  // the copy's file. Not yet confirmed on a live engine (none installs here): derived from the
  // engine's source and the podman evidence, tested on events of that shape.
  const bool daemon_thread = base_name(ev.exe_view()) == "dockerd" && ev.comm_view() == "dockerd";
  if (daemon_thread && sc == "chdir" && ev.success().value_or(false) &&
      ctx_.processes.confinement(node, pid, t) != nullptr) {
    // The thread's chdir("/") right after its pivot_root/chroot: the container root's inode.
    for (const auto& it : ev.paths())
      if (it.name && *it.name == "/" && it.inode)
        daemon_roots_[std::string(node) + '\0' + std::to_string(pid)] = {*it.inode, t};
  }
  if ((sc == "open" || sc == "openat" || sc == "openat2" || sc == "creat") && daemon_thread) {
    const bool chrooted = ctx_.processes.confinement(node, pid, t) != nullptr;
    std::string_view cwd = ev.cwd_view().value_or("/");
    std::optional<uint64_t> root_inode, parent_inode;
    if (auto r = daemon_roots_.find(std::string(node) + '\0' + std::to_string(pid));
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

void Au004Evidence::on_copy_access(const Event& ev, int64_t pid) {
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

}  // namespace tocsin::audit
