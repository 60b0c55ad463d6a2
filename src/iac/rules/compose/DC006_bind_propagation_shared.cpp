// DC006 bind-propagation-shared: bind mounts with shared or slave mount propagation.
#include <fmt/format.h>

#include "iac/rules/compose/check.hpp"

namespace tocsin::iac::compose {
namespace {

class DC006 final : public Check {
 public:
  std::string_view id() const override { return "DC006"; }
  void run(const Context& ctx) const override {
    for (const auto& s : ctx.project.services) {
      for (const auto& m : s.mounts) {
        const auto& p = m.propagation;
        if (p != "shared" && p != "rshared" && p != "slave" && p != "rslave") continue;
        ctx.report("DC006", m.propagation_at,
                   fmt::format("service '{}' mounts '{}' with `{}` propagation: mounts made later on the "
                               "{} appear inside the mounted tree, so a path checked once can be remounted under "
                               "its user",
                               s.name, m.target, p,
                               (p == "shared" || p == "rshared") ? "host or in the container" : "host"));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_dc006() { return std::make_unique<DC006>(); }

}  // namespace tocsin::iac::compose
