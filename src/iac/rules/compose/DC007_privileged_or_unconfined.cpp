// DC007 privileged-or-unconfined: privileged services, CAP_SYS_ADMIN/ALL, unconfined AppArmor/seccomp.
#include <fmt/format.h>

#include <cctype>

#include "iac/rules/compose/check.hpp"

namespace tocsin::iac::compose {
namespace {

class DC007 final : public Check {
 public:
  std::string_view id() const override { return "DC007"; }
  void run(const Context& ctx) const override {
    for (const auto& s : ctx.project.services) {
      if (s.privileged)
        ctx.report("DC007", s.privileged->at,
                   fmt::format("service '{}' is privileged: a container race (symlink swap, /proc tricks) "
                               "reaches the host", s.name));
      if (s.build_privileged)
        ctx.report("DC007", s.build_privileged->at,
                   fmt::format("service '{}' is built privileged (`build.privileged`): every RUN step of its "
                               "Dockerfile can reach the builder host", s.name));
      for (const auto& c : s.cap_add) {
        std::string cap = c.value;
        for (auto& ch : cap) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (cap.rfind("CAP_", 0) == 0) cap = cap.substr(4);
        if (cap == "SYS_ADMIN" || cap == "ALL")
          ctx.report("DC007", c.at,
                     fmt::format("service '{}' adds capability {}: it can mount, and remount paths "
                                 "other processes have checked", s.name, c.value));
      }
      for (const auto& o : s.security_opt) {
        std::string v = o.value;
        for (auto& ch : v) if (ch == '=') ch = ':';
        if (v == "apparmor:unconfined" || v == "seccomp:unconfined" || v == "systempaths:unconfined")
          ctx.report("DC007", o.at,
                     fmt::format("service '{}' runs with `{}`: the confinement that blocks mount and "
                                 "/proc-based escapes is off", s.name, o.value));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_dc007() { return std::make_unique<DC007>(); }

}  // namespace tocsin::iac::compose
