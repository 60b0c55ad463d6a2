// K8011 privileged-container: containers that run privileged or with CAP_SYS_ADMIN/ALL, and pods
// that share the node's PID or IPC namespace — the Kubernetes counterpart of DC007/RT004: any race
// such a container wins (a symlink swap, a /proc trick, a remount) lands on the node.
#include <fmt/format.h>

#include <cctype>

#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {
namespace {

std::string capability_name(std::string_view raw) {
  std::string cap(raw);
  for (auto& ch : cap) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (cap.rfind("CAP_", 0) == 0) cap.erase(0, 4);
  return cap;
}

class K8011 final : public Check {
 public:
  std::string_view id() const override { return "K8011"; }
  void run(const Context& ctx) const override {
    for (const auto& w : ctx.manifest.workloads) {
      if (w.pod.host_pid)
        ctx.report("K8011", *w.pod.host_pid,
                   fmt::format("{} '{}' shares the node's PID namespace (`hostPID: true`): through "
                               "/proc/<pid>/root, /cwd and /fd of node processes it may trace, a path it checks "
                               "resolves in the node's file system, and it can swap what node processes "
                               "open", w.kind, w.name));
      if (w.pod.host_ipc) {
        auto& f = ctx.report("K8011", *w.pod.host_ipc,
                             fmt::format("{} '{}' shares the node's IPC namespace (`hostIPC: true`): it can "
                                         "change System V and POSIX shared memory of node processes between "
                                         "their check and their use of it", w.kind, w.name));
        f.severity = Severity::medium;
      }
      for (const auto& c : w.pod.containers) {
        // Every container, ephemeral debug containers too (`kubectl debug --profile=sysadmin`).
        if (c.security.privileged.value_or(false))
          ctx.report("K8011", c.security.privileged_at,
                     fmt::format("{} is privileged: it has every capability and the node's devices, so a race it "
                                 "wins (symlink swap, /proc trick, remount) reaches the node", describe(w, c)));
        for (const auto& cap : c.security.capabilities_add) {
          const std::string n = capability_name(cap.name);
          if (n != "SYS_ADMIN" && n != "ALL") continue;
          ctx.report("K8011", cap.at,
                     fmt::format("{} adds capability {}: it can mount, and remount paths other processes have "
                                 "checked", describe(w, c), cap.name));
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_k8011() { return std::make_unique<K8011>(); }

}  // namespace tocsin::iac::k8s
