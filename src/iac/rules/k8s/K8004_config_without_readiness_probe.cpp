// K8004 config-without-readiness-probe: a container mounts a ConfigMap/Secret but has no
// readinessProbe, so it takes traffic before anything checked that the config it read is usable.
#include <fmt/format.h>

#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {
namespace {

class K8004 final : public Check {
 public:
  std::string_view id() const override { return "K8004"; }
  void run(const Context& ctx) const override {
    for (const auto& w : ctx.manifest.workloads) {
      if (w.kind == "Job" || w.kind == "CronJob") continue;  // no traffic, no readiness
      for (const auto& c : w.pod.containers) {
        if (c.kind != ContainerKind::Regular || c.has_readiness_probe) continue;
        for (const auto& m : c.mounts) {
          const Volume* v = w.pod.volume(m.name);
          if (!v || !v->has_config) continue;
          ctx.report("K8004", c.at,
                     fmt::format("{} mounts config volume '{}' at '{}' but has no readinessProbe: it receives "
                                 "traffic before anything checks the config it loaded (or the update it is "
                                 "reloading)", describe(w, c), m.name, m.mount_path));
          break;
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_k8004() { return std::make_unique<K8004>(); }

}  // namespace tocsin::iac::k8s
