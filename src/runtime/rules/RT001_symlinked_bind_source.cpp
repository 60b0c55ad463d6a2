// RT001 symlinked-bind-source: a bind mount whose source (or a parent of it) is a symlink on the
// host, as the daemon reports it or as the user wrote it (docs/rules/RT001.md).
#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "runtime/rules/check.hpp"

namespace tocsin::runtime::rules {
namespace {

class RT001 final : public Check {
 public:
  std::string_view id() const override { return "RT001"; }
  void run(const Context& ctx) const override {
    const ContainerInfo& c = ctx.container;
    // Bind sources as the daemon reports them and as the user wrote them (the daemon may have
    // resolved a symlink already in Mounts[].Source).
    std::vector<std::pair<std::string, const MountInfo*>> bind_sources;
    for (const auto& m : c.mounts)
      if (m.type == "bind") bind_sources.emplace_back(m.source, &m);
    for (const auto& spec : c.bind_specs) {
      std::string src = spec.substr(0, spec.find(':'));
      if (!src.empty() && src.front() == '/') bind_sources.emplace_back(src, nullptr);
    }
    std::vector<std::string> seen;
    for (const auto& [src, m] : bind_sources) {
      if (std::find(seen.begin(), seen.end(), src) != seen.end()) continue;
      seen.push_back(src);
      auto link = first_symlink_component(ctx.options.host_root, src);
      if (!link) continue;
      auto& a = ctx.report(
          "RT001", Severity::high,
          *link == src ? fmt::format("bind mount source {} is a symlink: whoever can rewrite it chooses what the "
                                     "container gets",
                                     src)
                       : fmt::format("bind mount source {} has a symlink parent {}: whoever can rewrite it chooses "
                                     "what the container gets",
                                     src, *link));
      a.details["mount"] = m ? mount_json(*m) : nlohmann::ordered_json{{"source", src}};
      a.details["symlink"] = *link;
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_rt001() { return std::make_unique<RT001>(); }

}  // namespace tocsin::runtime::rules
