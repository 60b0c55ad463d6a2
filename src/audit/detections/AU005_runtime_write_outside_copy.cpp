// AU005: during a copy, the runtime wrote a *host* path outside container storage and outside
// the copy's host destination. Whether a path is a host path rests on evidence: a copy helper
// the engine confines by design (docker-untar/docker-tar chroot into the rootfs their argv
// names; `podman cp` works inside the container's mount namespace; podman's chrootuser-open and
// buildah-copier re-execs run chrooted) or a chroot/pivot_root/setns record makes its paths
// container paths — those are AU004's business (where the copy really went), never AU005's.
// A write is charged to a copy only through process lineage (the writer is the copy's client or
// helper, or descends from one), never to whichever copy happens to be open.
#include <fmt/format.h>

#include "audit/detections/detection.hpp"
#include "audit/event.hpp"
#include "core/host_paths.hpp"

namespace tocsin::audit {
namespace {

bool in_runtime_storage(std::string_view p) {
  static constexpr std::string_view kRoots[] = {
      "/var/lib/docker", "/var/lib/containerd", "/run/containerd", "/var/run/containerd",
      "/run/docker", "/var/run/docker", "/run/runc", "/var/run/runc", "/run/docker.sock",
      "/var/run/docker.sock", "/proc", "/sys", "/dev", "/var/lib/containers", "/run/containers",
      "/run/libpod", "/var/lib/kubelet", "/var/log/containers", "/var/log/pods", "/run/crun"};
  for (auto r : kRoots)
    if (host_paths::within(p, r)) return true;
  return false;
}

// A daemon serves every copy (dockerd and what it drives): its writes during copies matter even
// when no lineage ties them to one. A daemonless engine's other invocations (podman's container
// cleanup, `podman ps`, conmon) are not the copy: only the copy's own processes count there.
bool serves_every_copy(std::string_view exe) {
  auto b = base_name(exe);
  return b == "dockerd" || b == "containerd" || b == "runc" || b.rfind("containerd-shim", 0) == 0;
}

// moby's switch into a container root (pkg/chrootarchive and internal/mounttree.SwitchRoot: the
// docker-untar/docker-tar helpers, and the daemon's own locked thread in engines that copy
// in-process) creates `<root>/.pivot_root<digits>` with MkdirTemp, pivots into it, then unmounts
// and removes `/.pivot_root<digits>`: that name at the top level is the container's, by the
// engine's design, whether or not the pivot_root record is in the log.
bool is_engine_pivot_dir(std::string_view p) {
  constexpr std::string_view kPivot = "/.pivot_root";
  if (p.substr(0, kPivot.size()) != kPivot || p.size() == kPivot.size()) return false;
  return p.find_first_not_of("0123456789", kPivot.size()) == std::string_view::npos;
}

// containerd's runc shim writes the process spec of every `docker exec` to a temporary file and
// hands it to `runc exec --process /tmp/runc-process<digits>` (containerd pkg/process): the
// runtime's own file, whatever copy happens to be open.
bool is_shim_process_spec(std::string_view exe, std::string_view p) {
  constexpr std::string_view kSpec = "/tmp/runc-process";
  if (base_name(exe).rfind("containerd-shim", 0) != 0) return false;
  if (p.substr(0, kSpec.size()) != kSpec || p.size() == kSpec.size()) return false;
  return p.find_first_not_of("0123456789", kSpec.size()) == std::string_view::npos;
}

std::string copy_label(const Copy& c) { return fmt::format("{} cp {}:{}", c.cmd.tool, c.cmd.container, c.cmd.path); }

class Au005 final : public Detection {
 public:
  std::string_view id() const override { return "AU005"; }
  void on_event(const Event& ev, Context& ctx) override {
    if (ev.syscall_name().empty()) return;
    auto pid = ev.pid();
    if (!pid) return;
    if (!ev.success().value_or(true) || !is_write_access(ev)) return;
    std::string_view node = ev.node();
    std::string_view exe = ev.exe_view();
    bool helper = ctx.processes.is_copy_helper(node, *pid);
    if (!helper && !is_runtime_exe(exe)) return;
    uint64_t t = ev.time_ms();
    if (ctx.processes.confinement(node, *pid, t)) return;  // container paths, not host paths
    Copy* owner = ctx.copy_of_process(node, *pid, t);
    // The copies the write may belong to: its own by lineage, else every open one (named in
    // the alert, charged to none).
    std::vector<Copy*> active;
    if (owner) active.push_back(owner);
    else if (serves_every_copy(exe)) active = ctx.copies_active_at(node, t);
    if (active.empty()) return;
    for (const auto& p : touched_paths(ev)) {
      if (p.empty() || p.front() != '/' || in_runtime_storage(p) || is_engine_pivot_dir(p) ||
          is_shim_process_spec(exe, p))
        continue;
      if (is_destination(p, active)) continue;
      if (!owner && inprocess_copy_file(p, active)) continue;
      std::string message;
      Alert a = ctx.alert_at("AU005", ev, "");
      if (owner) {
        message = fmt::format("{} (pid {}) wrote {} outside container storage during {}",
                              exe.empty() ? "?" : exe, *pid, p, copy_label(*owner));
        a.user = owner->user;
        a.docker_cp = AlertCopy{owner->cmd.direction, owner->cmd.container, owner->cmd.path, std::nullopt};
        a.copy_id = owner->id;
        a.event_ids.push_back(owner->client_event);
        a.reason = fmt::format("pid {} is the copy's {} (process lineage) and no chroot, pivot_root or setns "
                               "confines it, so {} is a host path",
                               *pid, owner->helper_pid && ctx.processes.descends_from(node, *pid, *owner->helper_pid)
                                         ? "helper" : "client", p);
      } else {
        std::string list;
        for (size_t i = 0; i < active.size() && i < 3; ++i)
          list += (i ? "; " : "") + copy_label(*active[i]);
        if (active.size() > 3) list += fmt::format("; +{} more", active.size() - 3);
        message = fmt::format("{} (pid {}) wrote {} outside container storage while {} {} active ({})",
                              exe.empty() ? "?" : exe, *pid, p, active.size(),
                              active.size() == 1 ? "copy was" : "copies were", list);
        a.reason = fmt::format("pid {} is a runtime process that no chroot, pivot_root or setns confines; no "
                               "copy's client or helper leads to it, so it is not charged to a copy",
                               *pid);
      }
      a.message = std::move(message);
      ctx.emit(std::move(a));
      return;  // one alert per event
    }
  }

 private:
  // The daemon copying in-process (moby 23+) writes the copy's own file, chrooted into the
  // container: a write naming the requested file of a docker copy that has no helper.
  static bool inprocess_copy_file(const std::string& p, const std::vector<Copy*>& copies) {
    for (const Copy* c : copies)
      if (c->cmd.tool == "docker" && !c->helper_pid && c->cmd.direction == "to-container" &&
          base_name(p) == base_name(normalize_path("/" + c->cmd.path)))
        return true;
    return false;
  }
  // The host-side destination of a copy out of a container (and its directory).
  static bool is_destination(const std::string& p, const std::vector<Copy*>& copies) {
    for (const Copy* c : copies)
      if (c->cmd.direction == "from-container" && c->cmd.local != "-") {
        std::string dest = join_path(c->client_cwd, c->cmd.local);
        if (is_same_or_ancestor(dest, p) || p == dir_name(dest)) return true;
      }
    return false;
  }
};

}  // namespace

std::unique_ptr<Detection> make_au005() { return std::make_unique<Au005>(); }

}  // namespace tocsin::audit
