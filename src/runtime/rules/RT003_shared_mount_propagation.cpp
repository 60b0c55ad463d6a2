// RT003 shared-mount-propagation: a bind mount with shared/rshared propagation, so mounts made
// in the container appear on the host (docs/rules/RT003.md).
#include <fmt/format.h>

#include "runtime/rules/check.hpp"

namespace tocsin::runtime::rules {
namespace {

class RT003 final : public Check {
 public:
  std::string_view id() const override { return "RT003"; }
  void run(const Context& ctx) const override {
    for (const auto& m : ctx.container.mounts) {
      if (m.type != "bind" || (m.propagation != "shared" && m.propagation != "rshared")) continue;
      auto& a = ctx.report("RT003", Severity::high,
                           fmt::format("bind mount {} -> {} uses {} propagation: mounts made in the container appear "
                                       "on the host",
                                       m.source, m.destination, m.propagation));
      a.details["mount"] = mount_json(m);
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_rt003() { return std::make_unique<RT003>(); }

}  // namespace tocsin::runtime::rules
