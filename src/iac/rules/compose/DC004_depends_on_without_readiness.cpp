// DC004 depends-on-without-readiness: depends_on that waits only for the dependency to start.
#include <fmt/format.h>

#include "iac/rules/compose/check.hpp"

namespace tocsin::iac::compose {
namespace {

class DC004 final : public Check {
 public:
  std::string_view id() const override { return "DC004"; }
  void run(const Context& ctx) const override {
    for (const auto& s : ctx.project.services) {
      for (const auto& d : s.depends_on) {
        if (!d.short_form && !d.condition.empty() && d.condition != "service_started") continue;
        const Service* target = ctx.project.find(d.service);
        std::string advice;
        if (target && target->has_healthcheck) {
          advice = fmt::format("'{}' has a healthcheck: use `condition: service_healthy`", d.service);
        } else if (target) {
          advice = fmt::format("'{}' has no healthcheck in this file: add one and use `condition: "
                               "service_healthy` (or `service_completed_successfully` for one-shot jobs)",
                               d.service);
        } else {
          advice = "use `condition: service_healthy` with a healthcheck on the dependency";
        }
        ctx.report("DC004", d.at,
                   fmt::format("service '{}' depends on '{}' {} only waits until its container has "
                               "started, not until it is ready: '{}' can read files or state that '{}' is "
                               "still writing; {}",
                               s.name, d.service, d.short_form ? "(short form)" : "with `service_started`",
                               s.name, d.service, advice));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_dc004() { return std::make_unique<DC004>(); }

}  // namespace tocsin::iac::compose
