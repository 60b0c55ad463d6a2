// AU006: a docker-tar/docker-untar copy helper started another program (CVE-2019-14271).
#include <fmt/format.h>

#include <unordered_map>

#include "audit/detections/detection.hpp"
#include "audit/event.hpp"

namespace tocsin::audit {
namespace {

bool is_helper_name(std::string_view s) { return s == "docker-tar" || s == "docker-untar"; }

class Au006 final : public Detection {
 public:
  std::string_view id() const override { return "AU006"; }
  void on_event(const Event& ev, Context& ctx) override {
    std::string_view sc = ev.syscall_name();
    if (sc != "execve" && sc != "execveat") return;
    if (!ev.success().value_or(true)) return;
    auto pid = ev.pid();
    if (!pid) return;
    auto argv = ev.argv();
    std::string a0 = argv.empty() ? std::string() : argv[0];
    std::string comm = ev.comm().value_or("");
    std::string node(ev.node());
    auto key = [&](int64_t p) { return node + ":" + std::to_string(p); };
    if (is_helper_name(base_name(a0)) || is_helper_name(comm)) {
      if (helpers_.size() > 100000) helpers_.clear();
      helpers_[key(*pid)] = Helper{a0.empty() ? comm : a0, ev.ppid().value_or(0), ev.time_ms()};
      return;
    }
    // Pids are reused: a helper entry only counts for a while, and the same pid only counts
    // when it still has the daemon as its parent.
    std::string parent_kind;
    uint64_t t = ev.time_ms();
    auto fresh = [&](const Helper& h) { return t >= h.ms && t - h.ms <= kHelperLifetimeMs; };
    if (auto it = helpers_.find(key(*pid)); it != helpers_.end()) {
      if (fresh(it->second) && ev.ppid().value_or(-1) == it->second.ppid)
        parent_kind = it->second.name;  // the helper itself replaced its image
      helpers_.erase(it);
    } else if (auto ppid = ev.ppid()) {
      if (auto jt = helpers_.find(key(*ppid)); jt != helpers_.end() && fresh(jt->second))
        parent_kind = jt->second.name;
    }
    if (parent_kind.empty()) return;
    std::string exe = ev.exe().value_or(a0);
    Alert a = ctx.alert_at("AU006", ev,
                           fmt::format("copy helper {} started {} (pid {}): {}", parent_kind, exe, *pid,
                                       fmt::join(argv, " ")));
    a.user = user_of(ev);
    ctx.emit(std::move(a));
  }

 private:
  struct Helper {
    std::string name;
    int64_t ppid = 0;
    uint64_t ms = 0;
  };
  static constexpr uint64_t kHelperLifetimeMs = 600000;
  std::unordered_map<std::string, Helper> helpers_;
};

}  // namespace

std::unique_ptr<Detection> make_au006() { return std::make_unique<Au006>(); }

}  // namespace tocsin::audit
