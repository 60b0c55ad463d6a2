// DC002 sensitive-host-bind: a bind mount of a sensitive host path, as the shared host-path
// policy decides (core/host_paths.hpp, docs/host-paths.md).
#include <fmt/format.h>

#include "core/host_paths.hpp"
#include "iac/rules/compose/check.hpp"

namespace tocsin::iac::compose {
namespace {

class DC002 final : public Check {
 public:
  std::string_view id() const override { return "DC002"; }
  void run(const Context& ctx) const override {
    for (const auto& s : ctx.project.services) {
      for (const auto& m : s.mounts) {
        if (m.type != MountType::Bind || m.source.empty() || m.source.front() != '/') continue;
        const auto v = host_paths::classify(m.source);
        if (!v.sensitive(m.read_only)) continue;  // sockets are DC003
        auto& f = ctx.report("DC002", m.at,
                             fmt::format("service '{}' bind-mounts the sensitive host path '{}' ({}){}", s.name,
                                         m.source, v.what,
                                         m.read_only ? ", read-only: the container still sees host files change "
                                                       "under it"
                                                     : ", writable: the container can replace host files that "
                                                       "host processes check and then use"));
        if (!m.read_only) f.severity = Severity::critical;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_dc002() { return std::make_unique<DC002>(); }

}  // namespace tocsin::iac::compose
