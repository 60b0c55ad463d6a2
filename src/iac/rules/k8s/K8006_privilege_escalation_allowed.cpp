// K8006 privilege-escalation-allowed: containers that may gain privileges (setuid binaries, file capabilities).
#include <fmt/format.h>

#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {
namespace {

class K8006 final : public Check {
 public:
  std::string_view id() const override { return "K8006"; }
  void run(const Context& ctx) const override {
    for (const auto& w : ctx.manifest.workloads)
      for (const auto& c : w.pod.containers) {
        if (!runs_workload(c)) continue;
        bool privileged = c.security.privileged.value_or(false);
        if (!privileged && c.security.allow_privilege_escalation == std::optional<bool>(false)) continue;
        yaml::Span at = c.security.allow_privilege_escalation ? c.security.allow_privilege_escalation_at
                        : c.security.present                  ? c.security.at
                                                              : c.at;
        ctx.report("K8006", at,
                   fmt::format("{}: `allowPrivilegeEscalation` is not false{}: a process can gain root through "
                               "setuid binaries, turning a race on a writable path into root in the container",
                               describe(w, c), privileged ? " (and the container is privileged)" : ""));
      }
  }
};

}  // namespace

std::unique_ptr<Check> make_k8006() { return std::make_unique<K8006>(); }

}  // namespace tocsin::iac::k8s
