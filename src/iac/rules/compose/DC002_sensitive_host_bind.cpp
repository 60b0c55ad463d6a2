// DC002 sensitive-host-bind: a bind mount of a sensitive host directory.
#include <fmt/format.h>

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
        if (!is_sensitive_host_path(m.source) || is_runtime_socket(m.source)) continue;
        if (m.read_only && is_benign_host_file(m.source)) continue;
        auto& f = ctx.report("DC002", m.at,
                             fmt::format("service '{}' bind-mounts the sensitive host path '{}'{}", s.name,
                                         m.source,
                                         m.read_only ? " (read-only: the container still sees host files change "
                                                       "under it)"
                                                     : " writable: the container can replace host files that "
                                                       "host processes check and then use"));
        if (!m.read_only) f.severity = Severity::critical;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_dc002() { return std::make_unique<DC002>(); }

}  // namespace tocsin::iac::compose
