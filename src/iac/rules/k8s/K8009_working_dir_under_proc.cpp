// K8009 working-dir-under-proc: workingDir under /proc (CVE-2024-21626 fingerprint).
#include <fmt/format.h>

#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {
namespace {

class K8009 final : public Check {
 public:
  std::string_view id() const override { return "K8009"; }
  void run(const Context& ctx) const override {
    for (const auto& w : ctx.manifest.workloads)
      for (const auto& c : w.pod.containers) {
        if (!c.working_dir) continue;
        const std::string& p = *c.working_dir;
        if (!(p == "/proc" || p.rfind("/proc/", 0) == 0)) continue;
        ctx.report("K8009", c.working_dir_at,
                   fmt::format("{} sets workingDir to '{}': a working directory under /proc (e.g. "
                               "/proc/self/fd/N) is how CVE-2024-21626 leaks a host file descriptor into the "
                               "container", describe(w, c), p));
      }
  }
};

}  // namespace

std::unique_ptr<Check> make_k8009() { return std::make_unique<K8009>(); }

}  // namespace tocsin::iac::k8s
