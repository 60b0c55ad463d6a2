// DC008 writable-root-filesystem: services whose root filesystem is writable.
#include <fmt/format.h>

#include "iac/rules/compose/check.hpp"

namespace tocsin::iac::compose {
namespace {

class DC008 final : public Check {
 public:
  std::string_view id() const override { return "DC008"; }
  void run(const Context& ctx) const override {
    for (const auto& s : ctx.project.services) {
      if (s.read_only.value_or(false)) continue;
      ctx.report("DC008", s.name_at,
                 fmt::format("service '{}' has a writable root filesystem (no `read_only: true`): code "
                             "and configuration in the image can be rewritten after they were checked",
                             s.name));
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_dc008() { return std::make_unique<DC008>(); }

}  // namespace tocsin::iac::compose
