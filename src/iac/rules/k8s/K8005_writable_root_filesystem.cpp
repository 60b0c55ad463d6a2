// K8005 writable-root-filesystem: containers whose root filesystem is writable.
#include <fmt/format.h>

#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {
namespace {

class K8005 final : public Check {
 public:
  std::string_view id() const override { return "K8005"; }
  void run(const Context& ctx) const override {
    for (const auto& w : ctx.manifest.workloads)
      for (const auto& c : w.pod.containers) {
        if (!runs_workload(c) || c.security.read_only_root_fs.value_or(false)) continue;
        yaml::Span at = c.security.read_only_root_fs ? c.security.read_only_root_fs_at
                        : c.security.present         ? c.security.at
                                                     : c.at;
        ctx.report("K8005", at,
                   fmt::format("{}: `readOnlyRootFilesystem` is not true, so code and configuration in the "
                               "image can be rewritten after they were checked", describe(w, c)));
      }
  }
};

}  // namespace

std::unique_ptr<Check> make_k8005() { return std::make_unique<K8005>(); }

}  // namespace tocsin::iac::k8s
