// K8002 subpath-on-shared-volume: subPath/subPathExpr into a volume another container can write
// (CVE-2017-1002101 / CVE-2021-25741: the writer swaps a path component for a symlink and the
// kubelet mounts the host path it points to). Low on ConfigMap/Secret volumes: safe, but a
// subPath mount never receives updates, so the pod keeps the config it started with.
#include <fmt/format.h>

#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {
namespace {

class K8002 final : public Check {
 public:
  std::string_view id() const override { return "K8002"; }
  void run(const Context& ctx) const override {
    for (const auto& w : ctx.manifest.workloads)
      for (const auto& c : w.pod.containers)
        for (const auto& m : c.mounts) {
          if (m.sub_path.empty()) continue;
          const Volume* v = w.pod.volume(m.name);
          if (!v) continue;
          if (v->source == VolumeSource::ConfigMap || v->source == VolumeSource::Secret ||
              (v->source == VolumeSource::Projected && v->has_config)) {
            auto& f = ctx.report("K8002", m.sub_path_at,
                                 fmt::format("{} mounts '{}' of config volume '{}' with subPath: subPath mounts "
                                             "of ConfigMaps/Secrets are never updated, so this pod keeps old "
                                             "config while others get the new one",
                                             describe(w, c), m.sub_path, m.name));
            f.severity = Severity::low;
            continue;
          }
          auto writers = writers_of(w.pod, m.name, &c);
          if (writers.empty()) continue;
          auto& f = ctx.report("K8002", m.sub_path_at,
                               fmt::format("{} mounts subPath '{}' of volume '{}', which {} can write: a "
                                           "symlink swapped in before the mount makes the kubelet mount a host "
                                           "path (CVE-2017-1002101 / CVE-2021-25741)",
                                           describe(w, c), m.sub_path, m.name,
                                           describe(w, *writers.front())));
          for (const auto& wm : writers.front()->mounts)
            if (wm.name == m.name) {
              ctx.relate(f, wm.at, "writable mount of the same volume");
              break;
            }
        }
  }
};

}  // namespace

std::unique_ptr<Check> make_k8002() { return std::make_unique<K8002>(); }

}  // namespace tocsin::iac::k8s
