// DC001 relative-bind-mount: a bind mount whose host path is relative to the project directory.
#include <fmt/format.h>

#include "iac/rules/compose/check.hpp"

namespace tocsin::iac::compose {
namespace {

class DC001 final : public Check {
 public:
  std::string_view id() const override { return "DC001"; }
  void run(const Context& ctx) const override {
    for (const auto& s : ctx.project.services) {
      for (const auto& m : s.mounts) {
        if (m.type != MountType::Bind || m.source.empty()) continue;
        char c = m.source.front();
        bool relative = c == '.' || c == '~' || (c != '/' && c != '$' && c != '\\' &&
                        !(m.source.size() > 1 && m.source[1] == ':'));
        if (!relative) continue;
        auto& f = ctx.report("DC001", m.at,
                             fmt::format("service '{}' bind-mounts the relative host path '{}'{}: it resolves "
                                         "against wherever compose runs, and the checkout can be changed or "
                                         "swapped for a symlink while the container reads it",
                                         s.name, m.source, m.read_only ? " read-only" : " writable"));
        if (m.read_only) f.severity = Severity::low;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_dc001() { return std::make_unique<DC001>(); }

}  // namespace tocsin::iac::compose
