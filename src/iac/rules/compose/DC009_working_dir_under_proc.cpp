// DC009 working-dir-under-proc: working_dir under /proc (CVE-2024-21626 fingerprint).
#include <fmt/format.h>

#include "iac/rules/compose/check.hpp"

namespace tocsin::iac::compose {
namespace {

class DC009 final : public Check {
 public:
  std::string_view id() const override { return "DC009"; }
  void run(const Context& ctx) const override {
    for (const auto& s : ctx.project.services) {
      if (!s.working_dir) continue;
      std::string p = normalize_path(s.working_dir->value);
      if (!path_within(p, "/proc")) continue;
      ctx.report("DC009", s.working_dir->at,
                 fmt::format("service '{}' sets working_dir to '{}': a working directory under /proc "
                             "(e.g. /proc/self/fd/N) is how CVE-2024-21626 leaks a host file descriptor into "
                             "the container", s.name, s.working_dir->value));
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_dc009() { return std::make_unique<DC009>(); }

}  // namespace tocsin::iac::compose
