// K8001 rollout-mixed-config: a surge-only rolling update (maxUnavailable 0, maxSurge > 0) of pods
// that mount ConfigMaps/Secrets that are not immutable: old and new pods run side by side on
// different config versions, and the old ones see the volume change under them.
#include <fmt/format.h>

#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {
namespace {

bool is_zero(const std::string& v) { return v == "0" || v == "0%"; }

class K8001 final : public Check {
 public:
  std::string_view id() const override { return "K8001"; }
  void run(const Context& ctx) const override {
    for (const auto& w : ctx.manifest.workloads) {
      const bool deployment = w.kind == "Deployment" || w.kind == "DeploymentConfig";
      if (!deployment && w.kind != "DaemonSet") continue;
      if (!w.strategy_type.empty() && w.strategy_type != "RollingUpdate") continue;
      // Defaults: Deployment (and OpenShift's DeploymentConfig) 25%/25%, DaemonSet maxSurge 0 /
      // maxUnavailable 1.
      std::string unavailable = w.max_unavailable.value_or(deployment ? "25%" : "1");
      std::string surge = w.max_surge.value_or(deployment ? "25%" : "0");
      if (!is_zero(unavailable) || is_zero(surge)) continue;
      std::vector<const Volume*> mutable_cfg;
      bool unknown = false;
      for (const auto& v : w.pod.volumes) {
        if (!v.has_config) continue;
        bool all_immutable = !v.config_refs.empty();
        for (const auto& ref : v.config_refs) {
          auto slash = ref.find('/');
          const ConfigObject* obj = ctx.manifest.config(ref.substr(0, slash), ref.substr(slash + 1));
          if (!obj) unknown = true;
          if (!obj || !obj->immutable) all_immutable = false;
        }
        if (!all_immutable) mutable_cfg.push_back(&v);
      }
      if (mutable_cfg.empty()) continue;
      std::string names;
      for (const auto* v : mutable_cfg) names += (names.empty() ? "'" : ", '") + v->name + "'";
      auto& f = ctx.report("K8001", w.max_unavailable_at,
                           fmt::format("{} '{}' rolls out with maxUnavailable {} and maxSurge {} while mounting "
                                       "config volume(s) {} that are not immutable{}: old and new pods serve "
                                       "side by side on different config versions, and the old pods see the "
                                       "files change under them; use immutable, versioned ConfigMaps/Secrets "
                                       "(name-hash suffix)",
                                       w.kind, w.name, unavailable, surge, names,
                                       unknown ? " (not defined in this file: assumed mutable)" : ""));
      ctx.relate(f, mutable_cfg.front()->source_at, "config volume mounted here");
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_k8001() { return std::make_unique<K8001>(); }

}  // namespace tocsin::iac::k8s
