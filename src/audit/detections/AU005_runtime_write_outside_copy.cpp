// AU005: during a copy, the runtime wrote outside container storage and outside the copy's
// host destination. Helpers that pivot_root/chroot into the container are confined from then
// on: their paths are container paths.
#include <fmt/format.h>

#include <unordered_set>

#include "audit/detections/detection.hpp"
#include "audit/event.hpp"

namespace tocsin::audit {
namespace {

bool under(std::string_view p, std::string_view root) {
  if (root.back() == '/') return p.substr(0, root.size()) == root || p == root.substr(0, root.size() - 1);
  return p == root || (p.substr(0, root.size()) == root && p.size() > root.size() && p[root.size()] == '/');
}

bool in_runtime_storage(std::string_view p) {
  static constexpr std::string_view kRoots[] = {
      "/var/lib/docker", "/var/lib/containerd", "/run/containerd", "/var/run/containerd",
      "/run/docker", "/var/run/docker", "/run/runc", "/var/run/runc", "/run/docker.sock",
      "/var/run/docker.sock", "/proc", "/sys", "/dev", "/var/lib/containers", "/run/containers",
      "/run/libpod", "/var/lib/kubelet", "/var/log/containers", "/var/log/pods"};
  for (auto r : kRoots)
    if (under(p, r)) return true;
  return false;
}

class Au005 final : public Detection {
 public:
  std::string_view id() const override { return "AU005"; }
  void on_event(const Event& ev, Context& ctx) override {
    std::string_view sc = ev.syscall_name();
    if (sc.empty()) return;
    auto pid = ev.pid();
    if (!pid) return;
    auto key = [&] { return fmt::format("{}:{}", ev.node(), *pid); };
    if ((sc == "chroot" || sc == "pivot_root") && ev.success().value_or(false)) {
      if (rooted_.size() > 100000) rooted_.clear();
      rooted_.insert(key());
      return;
    }
    if ((sc == "execve" || sc == "execveat") && ev.success().value_or(false)) {
      if (!rooted_.empty()) rooted_.erase(key());  // a new image starts from its own root again
      return;
    }
    if (!ev.success().value_or(true) || !is_write_access(ev)) return;
    std::string_view exe = ev.exe_view();
    bool helper = ctx.processes.is_copy_helper(ev.node(), *pid);
    if (!helper && !is_runtime_exe(exe)) return;
    if (!rooted_.empty() && rooted_.count(key())) return;
    auto active = ctx.copies_active_at(ev.node(), ev.time_ms());
    if (active.empty()) return;
    for (const auto& p : touched_paths(ev)) {
      if (p.empty() || p.front() != '/' || in_runtime_storage(p)) continue;
      bool destination = false;
      for (const Copy* c : active)
        if (c->cmd.direction == "from-container" && c->cmd.local != "-") {
          std::string dest = join_path(c->client_cwd, c->cmd.local);
          if (is_same_or_ancestor(dest, p) || p == dir_name(dest)) destination = true;
        }
      if (destination) continue;
      const Copy& c = *active.front();
      Alert a = ctx.alert_at("AU005", ev,
                             fmt::format("{} (pid {}) wrote {} outside container storage during {} cp {}:{}",
                                         exe.empty() ? "?" : exe, *pid, p, c.cmd.tool,
                                         c.cmd.container, c.cmd.path));
      a.user = c.user;
      a.docker_cp = AlertCopy{c.cmd.direction, c.cmd.container, c.cmd.path, std::nullopt};
      a.copy_id = c.id;
      ctx.emit(std::move(a));
      return;  // one alert per event
    }
  }

 private:
  std::unordered_set<std::string> rooted_;
};

}  // namespace

std::unique_ptr<Detection> make_au005() { return std::make_unique<Au005>(); }

}  // namespace tocsin::audit
