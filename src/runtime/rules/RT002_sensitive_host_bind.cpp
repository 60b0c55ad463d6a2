// RT002 sensitive-host-bind: the container runtime socket, or a sensitive host path mounted
// writable, by the one host-path policy DC002 and K8003 use (core/host_paths.hpp,
// docs/rules/RT002.md).
#include <fmt/format.h>

#include "core/host_paths.hpp"
#include "runtime/rules/check.hpp"

namespace tocsin::runtime::rules {
namespace {

class RT002 final : public Check {
 public:
  std::string_view id() const override { return "RT002"; }
  void run(const Context& ctx) const override {
    for (const auto& m : ctx.container.mounts) {
      if (m.type != "bind") continue;
      const auto hp = host_paths::classify(m.source);
      if (hp.kind == host_paths::Kind::RuntimeSocket) {
        auto& a = ctx.report("RT002", Severity::critical,
                             fmt::format("the container runtime socket {} is mounted at {}: full control of the host",
                                         m.source, m.destination));
        a.details["mount"] = mount_json(m);
      } else if (m.rw && hp.sensitive(/*read_only=*/false)) {
        auto& a = ctx.report("RT002", Severity::critical,
                             fmt::format("sensitive host path {} ({}) is bind-mounted writable at {}", m.source,
                                         hp.what, m.destination));
        a.details["mount"] = mount_json(m);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_rt002() { return std::make_unique<RT002>(); }

}  // namespace tocsin::runtime::rules
