// K8010 runs-as-root: containers that run as root, or as a non-root user in the root group.
#include <fmt/format.h>

#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {
namespace {

class K8010 final : public Check {
 public:
  std::string_view id() const override { return "K8010"; }
  void run(const Context& ctx) const override {
    for (const auto& w : ctx.manifest.workloads)
      for (const auto& c : w.pod.containers) {
        if (!runs_workload(c)) continue;
        // The container's securityContext overrides the pod's, field by field.
        const auto& cs = c.security;
        const auto& ps = w.pod.security;
        auto user = cs.run_as_user ? cs.run_as_user : ps.run_as_user;
        auto non_root = cs.run_as_non_root ? cs.run_as_non_root : ps.run_as_non_root;
        if (user && *user == 0) {
          yaml::Span at = cs.run_as_user ? cs.run_as_user_at : ps.run_as_user_at;
          ctx.report("K8010", at, fmt::format("{} runs as root (`runAsUser: 0`): any race it loses or wins "
                                              "acts with root's rights", describe(w, c)));
          continue;
        }
        if (user || non_root.value_or(false)) {
          // A non-root user whose primary group is root (`runAsGroup: 0`) still owns, through
          // the group, whatever the image made group-root writable.
          const bool own_group = cs.run_as_group.has_value();
          auto group = own_group ? cs.run_as_group : ps.run_as_group;
          if (group && *group == 0)
            ctx.report("K8010", own_group ? cs.run_as_group_at : ps.run_as_group_at,
                       fmt::format("{} runs with the root group (`runAsGroup: 0`): files the image leaves writable "
                                   "by group root can be rewritten after they were checked, as if by root",
                                   describe(w, c)));
          continue;
        }
        yaml::Span at = cs.run_as_non_root ? cs.run_as_non_root_at
                        : cs.present       ? cs.at
                                           : c.at;
        ctx.report("K8010", at,
                   fmt::format("{} may run as root: `runAsNonRoot` is not true and no non-zero `runAsUser` is "
                               "set (at pod or container level)", describe(w, c)));
      }
  }
};

}  // namespace

std::unique_ptr<Check> make_k8010() { return std::make_unique<K8010>(); }

}  // namespace tocsin::iac::k8s
