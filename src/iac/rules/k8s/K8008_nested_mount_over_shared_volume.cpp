// K8008 nested-mount-over-shared-volume: a mountPath nested under another mountPath whose volume
// another container can write; the writer replaces the inner mount point with a symlink before
// the runtime mounts it (CVE-2021-30465 shape).
#include <fmt/format.h>

#include "iac/parse/compose_model.hpp"
#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {
namespace {

class K8008 final : public Check {
 public:
  std::string_view id() const override { return "K8008"; }
  void run(const Context& ctx) const override {
    for (const auto& w : ctx.manifest.workloads)
      for (const auto& c : w.pod.containers)
        for (const auto& inner : c.mounts) {
          std::string ip = compose::normalize_path(inner.mount_path);
          for (const auto& outer : c.mounts) {
            if (&outer == &inner || outer.name == inner.name) continue;
            std::string op = compose::normalize_path(outer.mount_path);
            if (ip == op || !compose::path_within(ip, op)) continue;
            auto writers = writers_of(w.pod, outer.name, &c);
            if (writers.empty()) continue;
            auto& f = ctx.report("K8008", inner.mount_path_at,
                                 fmt::format("{} mounts '{}' inside '{}' (volume '{}'), which {} can write: "
                                             "the writer can swap the mount point for a symlink before the "
                                             "runtime mounts it (CVE-2021-30465 shape)",
                                             describe(w, c), inner.mount_path, outer.mount_path, outer.name,
                                             describe(w, *writers.front())));
            ctx.relate(f, outer.mount_path_at, "the shared mount it is nested in");
            break;
          }
        }
  }
};

}  // namespace

std::unique_ptr<Check> make_k8008() { return std::make_unique<K8008>(); }

}  // namespace tocsin::iac::k8s
