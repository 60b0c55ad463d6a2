// RT004 privileged-container: a container that runs privileged or with CAP_SYS_ADMIN
// (docs/rules/RT004.md).
#include <algorithm>

#include "core/strings.hpp"
#include "runtime/rules/check.hpp"

namespace tocsin::runtime::rules {
namespace {

class RT004 final : public Check {
 public:
  std::string_view id() const override { return "RT004"; }
  void run(const Context& ctx) const override {
    const ContainerInfo& c = ctx.container;
    const bool sys_admin = std::any_of(c.cap_add.begin(), c.cap_add.end(), [](const std::string& cap) {
      std::string u = ascii_lower(cap);
      return u == "sys_admin" || u == "cap_sys_admin" || u == "all";
    });
    if (!c.privileged && !sys_admin) return;
    auto& a = ctx.report(
        "RT004", Severity::high,
        c.privileged ? std::string("the container runs privileged") : std::string("the container has CAP_SYS_ADMIN"));
    a.details["privileged"] = c.privileged;
    a.details["cap_add"] = c.cap_add;
  }
};

}  // namespace

std::unique_ptr<Check> make_rt004() { return std::make_unique<RT004>(); }

}  // namespace tocsin::runtime::rules
