// K8007 mount-propagation: volume mounts with Bidirectional or HostToContainer propagation.
#include <fmt/format.h>

#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {
namespace {

class K8007 final : public Check {
 public:
  std::string_view id() const override { return "K8007"; }
  void run(const Context& ctx) const override {
    for (const auto& w : ctx.manifest.workloads)
      for (const auto& c : w.pod.containers)
        for (const auto& m : c.mounts) {
          if (m.propagation != "Bidirectional" && m.propagation != "HostToContainer") continue;
          ctx.report("K8007", m.propagation_at,
                     fmt::format("{} mounts '{}' with `mountPropagation: {}`: mounts made {} appear under "
                                 "it later, so a path checked once can be remounted underneath", describe(w, c),
                                 m.mount_path, m.propagation,
                                 m.propagation == "Bidirectional" ? "on the host or in the container" : "on the host"));
        }
  }
};

}  // namespace

std::unique_ptr<Check> make_k8007() { return std::make_unique<K8007>(); }

}  // namespace tocsin::iac::k8s
