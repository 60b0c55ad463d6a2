// RT005 config-digest-mismatch: the config file a container was promised (label
// `tocsin.config` or env CONFIG_FILE, digest in CONFIG_HASH / `tocsin.config.sha256` / the
// watch options) checked race-free on the host side of its mount (docs/rules/RT005.md).
#include <fcntl.h>
#include <fmt/format.h>

#include <optional>

#include "core/host_paths.hpp"
#include "runtime/rules/check.hpp"
#include "runtime/verify.hpp"

namespace tocsin::runtime::rules {
namespace {

// The bind or volume mount that holds `path` in the container (the deepest one), with the
// rest of the path below its destination ("" when the mount is the file itself).
std::optional<std::pair<const MountInfo*, std::string>> mount_holding(const ContainerInfo& c, std::string path) {
  if (path.empty() || path.front() != '/') path.insert(0, "/");
  path = host_paths::normalize(path);
  const MountInfo* best = nullptr;
  std::string best_dest, rest;
  for (const auto& m : c.mounts) {
    if (m.type != "bind" && m.type != "volume") continue;
    std::string dest = host_paths::normalize(m.destination.empty() || m.destination.front() != '/' ? "/" + m.destination
                                                                                                   : m.destination);
    // Both hold the path, so the longer destination is the deeper mount.
    if (!host_paths::within(path, dest) || (best && dest.size() <= best_dest.size())) continue;
    best = &m;
    best_dest = dest;
    rest = path == dest ? "" : path.substr(dest == "/" ? 1 : dest.size() + 1);
  }
  if (!best) return std::nullopt;
  return std::make_pair(best, rest);
}

class RT005 final : public Check {
 public:
  std::string_view id() const override { return "RT005"; }
  void run(const Context& ctx) const override {
    const ContainerInfo& c = ctx.container;
    const CheckOptions& opt = ctx.options;
    std::string cfg;
    if (auto it = c.labels.find("tocsin.config"); it != c.labels.end()) cfg = it->second;
    else if (auto e = c.env.find("CONFIG_FILE"); e != c.env.end()) cfg = e->second;
    std::string expected;
    if (auto e = c.env.find("CONFIG_HASH"); e != c.env.end()) expected = e->second;
    if (auto l = c.labels.find("tocsin.config.sha256"); l != c.labels.end()) expected = l->second;
    if (auto d = opt.expected_digests.find(cfg); !cfg.empty() && d != opt.expected_digests.end()) expected = d->second;
    // The same digest forms as `verify --sha256`: bare hex, sha256:HEX, a sha256sum line.
    if (auto d = parse_sha256_digest(expected)) expected = *d;
    if (cfg.empty() || expected.empty()) return;
    nlohmann::ordered_json detail;
    detail["path"] = cfg;
    detail["expected_sha256"] = expected;
    std::optional<std::string> problem;
    const auto held = mount_holding(c, cfg);
    if (!is_sha256_hex(expected)) {
      problem = fmt::format("CONFIG_HASH '{}' is not a SHA-256", expected);
    } else if (held) {
      const auto& [best, rest] = *held;
      std::string hostsrc = (opt.host_root == "/" ? "" : opt.host_root) + best->source;
      std::string root_dir = hostsrc, rel = rest;
      if (rest.empty()) {  // the mount is the file itself: open its parent as the root
        size_t slash = hostsrc.find_last_of('/');
        root_dir = slash == 0 ? "/" : hostsrc.substr(0, slash);
        rel = hostsrc.substr(slash + 1);
      }
      detail["host_path"] = best->source + (rest.empty() ? "" : "/" + rest);
      auto root = safeio::open_no_symlinks(root_dir, O_PATH | O_DIRECTORY, opt.resolve);
      if (!root.ok()) {
        problem = fmt::format("the config file cannot be checked race-free: {}", root.error.message);
      } else {
        VerifyOptions vo;
        vo.file = rel;
        vo.sha256 = expected;
        vo.resolve = opt.resolve;
        auto rep = verify_in_root(root.fd.get(), rel, vo);
        if (rep.sha256) detail["actual_sha256"] = *rep.sha256;
        if (!rep.ok())
          problem = rep.sha256 ? fmt::format("{} (host {}) has sha256 {}, the container expects {}", cfg,
                                             detail["host_path"].get<std::string>(), *rep.sha256, expected)
                               : fmt::format("{} cannot be verified: {}", cfg,
                                             rep.problems.empty() ? std::string("error") : rep.problems.front());
      }
    } else {
      detail["host_path"] = nullptr;
    }
    if (!problem) return;
    auto& a = ctx.report("RT005", Severity::high, *problem);
    a.details["config"] = detail;
  }
};

}  // namespace

std::unique_ptr<Check> make_rt005() { return std::make_unique<RT005>(); }

}  // namespace tocsin::runtime::rules
