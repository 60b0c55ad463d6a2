// AU004: the runtime resolved a copy path somewhere else than requested — the helper's a1
// (docker-untar/docker-tar), where the copy's own container-side file access went (the name
// podman opened or created inside the container, or a created file whose parent is the
// container root's inode while the helper was given another directory), or, for in-process
// engines, the daemon's own opens.
#include <fmt/format.h>

#include <set>

#include "audit/detections/detection.hpp"

namespace tocsin::audit {
namespace {

// The helper works in the directory that holds the requested path, or in the path itself
// when it is a directory (`docker cp f ctr:/tmp` extracts into /tmp).
bool ends_with_path(const std::string& p, const std::string& tail) {
  return p == tail || (p.size() > tail.size() && p.compare(p.size() - tail.size(), tail.size(), tail) == 0 &&
                       p[p.size() - tail.size() - 1] == '/');
}

bool resolved_as_requested(const std::string& requested, const std::string& resolved) {
  std::string res = normalize_path(resolved);
  if (requested.empty() || requested.front() != '/') {
    // Relative to the container's working directory, which the log does not show: only the
    // tail can be compared.
    std::string rel = normalize_path(requested.empty() ? "." : requested);
    std::string d = dir_name(rel);
    if (rel == "." || d == ".") return true;
    return ends_with_path(res, rel) || ends_with_path(res, d);
  }
  std::string req = normalize_path(requested);
  return res == req || res == dir_name(req);
}

class Au004 final : public Detection {
 public:
  std::string_view id() const override { return "AU004"; }
  // Early: once the helper's directory (argv a1) or where its file access landed shows the copy
  // went elsewhere — the facts that stay true; the other evidence waits for the copy's close.
  void on_copy_progress(const Copy& c, Context& ctx) override {
    if (early_.count(c.id)) return;
    if (report(c, ctx, true)) early_.insert(c.id);
  }
  void on_copy_closed(const Copy& c, Context& ctx) override {
    report(c, ctx, false);
    early_.erase(c.id);
  }

 private:
  static bool report(const Copy& c, Context& ctx, bool early) {
    std::optional<std::string> where;
    std::string evidence, reason;
    if (c.resolved_dir && !resolved_as_requested(c.cmd.path, *c.resolved_dir)) {
      where = c.resolved_dir;
      reason = fmt::format("the engine started its copy helper with {} as the directory (argv a1)", *c.resolved_dir);
    } else if (c.landed_dir) {
      where = c.landed_dir;
      evidence = c.landed_event;
      reason = c.landed_reason;
    } else if (early) {
      return false;
    } else if (c.source_identity && c.cmd.direction == "from-container") {
      std::string req = normalize_path("/" + c.cmd.path);
      auto g = ctx.genuine_files.find(c.container_alias + '\0' + req);
      if (g != ctx.genuine_files.end() && g->second != *c.source_identity) {
        where = fmt::format("another file (inode {}, dev {})", c.source_identity->second, c.source_identity->first);
        reason = fmt::format("podman's last check of {} inside the container found inode {} on dev {}, but that path "
                             "is inode {} on the container's own device {}",
                             req, c.source_identity->second, c.source_identity->first, g->second.second,
                             g->second.first);
      }
    } else if (!c.helper_pid && c.inproc_resolved) {
      where = c.inproc_resolved;
      evidence = c.inproc_event;
      reason = c.inproc_reason;
    }
    if (!where) return false;
    Alert a = copy_alert("AU004", c,
                         fmt::format("{} cp {} {}:{} {} resolved to {} instead of {}", c.cmd.tool,
                                     c.cmd.direction == "to-container" ? "into" : "out of", c.cmd.container, c.cmd.path,
                                     early ? "is" : "was", *where, dir_name(normalize_path("/" + c.cmd.path))));
    a.early = early;
    if (!evidence.empty()) a.event_ids.push_back(evidence);
    a.reason = std::move(reason);
    a.docker_cp->resolved_path = *where;
    ctx.emit(std::move(a));
    return true;
  }

  std::set<uint64_t> early_;  // copies whose early record was written (until they close)
};

}  // namespace

std::unique_ptr<Detection> make_au004() { return std::make_unique<Au004>(); }

}  // namespace tocsin::audit
