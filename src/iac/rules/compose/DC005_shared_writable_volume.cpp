// DC005 shared-writable-volume: one named volume or host path writable by two or more services
// (a concurrent writer/reader), high when a mount is nested under such a shared mount.
#include <fmt/format.h>

#include <set>

#include "core/host_paths.hpp"
#include "iac/rules/compose/check.hpp"

namespace tocsin::iac::compose {
namespace {

struct Use {
  const Service* service;
  const Mount* mount;
  std::string key;  // "volume:NAME" or a normalised host path
  bool host;
};

std::optional<Use> use_of(const Service& s, const Mount& m) {
  if (m.source.empty() || m.source.front() == '$') return std::nullopt;
  if (m.type == MountType::Volume) return Use{&s, &m, "volume:" + m.source, false};
  if (m.type == MountType::Bind && !host_paths::is_runtime_socket(m.source))
    return Use{&s, &m, normalize_path(m.source), true};
  return std::nullopt;
}

bool same_resource(const Use& a, const Use& b) {
  if (a.host != b.host) return false;
  if (!a.host) return a.key == b.key;
  return path_within(a.key, b.key) || path_within(b.key, a.key);
}

class DC005 final : public Check {
 public:
  std::string_view id() const override { return "DC005"; }
  void run(const Context& ctx) const override {
    std::vector<Use> uses;
    for (const auto& s : ctx.project.services)
      for (const auto& m : s.mounts)
        if (auto u = use_of(s, m)) uses.push_back(*u);
    // Services other than `self` that can write the resource of `u`.
    auto other_writers = [&](const Use& u) {
      std::set<std::string> names;
      for (const auto& o : uses)
        if (o.service != u.service && !o.mount->read_only && same_resource(u, o)) names.insert(o.service->name);
      return names;
    };
    auto join = [](const std::set<std::string>& names) {
      std::string out;
      for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
      return out;
    };
    std::set<const Mount*> covered;  // writers already named in a finding
    for (const auto& u : uses) {
      // The nested shape: this mount's target lies under another mount of the same service whose
      // resource another service can write (it can swap the mount point for a symlink).
      const Use* outer = nullptr;
      std::set<std::string> outer_writers;
      for (const auto& o : uses) {
        if (o.service != u.service || o.mount == u.mount || o.mount->target == u.mount->target) continue;
        if (!path_within(normalize_path(u.mount->target), normalize_path(o.mount->target))) continue;
        auto w = other_writers(o);
        if (!w.empty()) {
          outer = &o;
          outer_writers = std::move(w);
          break;
        }
      }
      if (outer) {
        auto& f = ctx.report("DC005", u.mount->at,
                             fmt::format("service '{}' mounts '{}' inside '{}', which {} can write: a writer can "
                                         "replace the mount point with a symlink before the runtime mounts it "
                                         "(CVE-2019-19921 / CVE-2021-30465 shape)",
                                         u.service->name, u.mount->target, outer->mount->target,
                                         join(outer_writers)));
        f.severity = Severity::high;
        ctx.out.relate(f, outer->mount->at.begin, outer->mount->at.end, "the shared mount it is nested in");
        continue;
      }
      if (u.mount->read_only || covered.count(u.mount)) continue;
      auto w = other_writers(u);
      if (w.empty()) continue;
      // Once per shared resource: at its first writer, with the others as related locations
      // (their own mounts are not reported again).
      std::string what = u.host ? fmt::format("host path '{}'", u.mount->source)
                                : fmt::format("volume '{}'", u.mount->source);
      auto& f = ctx.report("DC005", u.mount->at,
                           fmt::format("service '{}' and {} can all write the {}: one can change files while "
                                       "another checks and uses them; make all but one writer `:ro`",
                                       u.service->name, join(w), what));
      for (const auto& o : uses)
        if (o.service != u.service && !o.mount->read_only && same_resource(u, o)) {
          ctx.out.relate(f, o.mount->at.begin, o.mount->at.end, fmt::format("also written by '{}'", o.service->name));
          covered.insert(o.mount);
        }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_dc005() { return std::make_unique<DC005>(); }

}  // namespace tocsin::iac::compose
