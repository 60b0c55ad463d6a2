// AU009: check/use mismatch. A privileged process (the runtime, `runc init`) checks a name
// (stat/lstat/access/readlink) and then uses the same name (open/exec/chown/mount), and the
// PATH records of the two calls show different objects: the name was swapped in between.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "audit/detections/detection.hpp"
#include "audit/event.hpp"

namespace tocsin::audit {
namespace {

// A use later than this after its check is not paired with it (a runtime checks and uses a
// name within microseconds; seconds apart the name may legitimately have been replaced).
constexpr uint64_t kCheckUseWindowMs = 1000;
// Checks remembered at once (all processes); the oldest go first.
constexpr size_t kMaxChecks = 16384;
constexpr uint32_t kModeTypeMask = 0170000, kModeSymlink = 0120000;

bool is_check_syscall(std::string_view sc) {
  static constexpr std::string_view kChecks[] = {
      "stat",   "lstat",      "newfstatat", "stat64",    "lstat64",  "fstatat64",
      "statx",  "access",     "faccessat",  "faccessat2", "readlink", "readlinkat"};
  return std::find(std::begin(kChecks), std::end(kChecks), sc) != std::end(kChecks);
}

bool is_use_syscall(std::string_view sc) {
  static constexpr std::string_view kUses[] = {"open",   "openat",   "openat2", "creat",
                                               "execve", "execveat", "chown",   "lchown",
                                               "fchownat", "mount"};
  return std::find(std::begin(kUses), std::end(kUses), sc) != std::end(kUses);
}

// Whose checks count: the runtime's own executables (runc init runs as runc, its comm is
// "runc:[2:INIT]"), and anything named runc:[...].
bool is_privileged_runtime(const Event& ev) {
  if (is_runtime_exe(ev.exe().value_or(""))) return true;
  return ev.comm().value_or("").rfind("runc:", 0) == 0;
}

// The name as the process gave it, made absolute with the CWD record when relative (for *at
// calls on another directory descriptor this is wrong, but wrong the same way for the check
// and the use of one process, which is all the comparison needs).
std::string name_key(const Event& ev, const PathItem& p, const std::string& cwd) {
  const std::string& n = *p.name;
  std::string path = n.front() == '/' ? normalize_path(n) : join_path(cwd, n);
  return fmt::format("{}\n{}\n{}", ev.node(), ev.pid().value_or(0), path);
}

class Au009 final : public Detection {
 public:
  std::string_view id() const override { return "AU009"; }

  void on_event(const Event& ev, Context& ctx) override {
    std::string_view sc = ev.syscall_name();
    if (sc.empty()) return;
    bool check = is_check_syscall(sc), use = is_use_syscall(sc);
    if (!check && !use) return;
    if (!ev.pid() || !ev.success().value_or(false)) return;
    if (!is_privileged_runtime(ev)) return;
    std::string cwd = ev.cwd().value_or("/");
    const uint64_t t = ev.time_ms();
    for (const auto& p : ev.paths()) {
      if (p.nametype == "PARENT" || !p.name || p.name->empty() || !p.inode) continue;
      std::string key = name_key(ev, p, cwd);
      if (check) {
        // A symlink seen by a no-follow check is legitimately another inode than the target
        // a later open follows to.
        if (p.mode && (*p.mode & kModeTypeMask) == kModeSymlink) {
          checks_.erase(key);
          continue;
        }
        remember(std::move(key), Check{*p.inode, std::string(p.dev), t, event_id(ev), std::string(sc)});
        continue;
      }
      auto it = checks_.find(key);
      if (it == checks_.end()) continue;
      Check c = std::move(it->second);
      checks_.erase(it);
      if (t < c.ms || t - c.ms > kCheckUseWindowMs) continue;
      bool same_dev = c.dev.empty() || p.dev.empty() || c.dev == p.dev;
      if (c.inode == *p.inode && same_dev) continue;
      std::string exe = ev.exe().value_or(ev.comm().value_or("?"));
      std::string msg = fmt::format(
          "pid {} ({}) checked {} with {} (inode {}{}{}) and then used it with {} (inode {}{}{}) "
          "{} ms later: the name was replaced between check and use",
          *ev.pid(), exe, *p.name, c.syscall, c.inode, c.dev.empty() ? "" : ", dev ", c.dev, sc,
          *p.inode, p.dev.empty() ? "" : ", dev ", p.dev, t - c.ms);
      Alert a = ctx.alert_at("AU009", ev, std::move(msg));
      a.event_ids.insert(a.event_ids.begin(), c.event);
      a.user = user_of(ev);
      ctx.emit(std::move(a));
    }
  }

 private:
  struct Check {
    uint64_t inode = 0;
    std::string dev;
    uint64_t ms = 0;
    std::string event;
    std::string syscall;
  };

  void remember(std::string key, Check c) {
    if (checks_.size() >= kMaxChecks && !checks_.count(key)) {
      // Drop what is too old to pair; if everything is recent, the oldest half.
      uint64_t now = c.ms;
      std::erase_if(checks_, [now](const auto& kv) { return now > kv.second.ms + kCheckUseWindowMs; });
      if (checks_.size() >= kMaxChecks) {
        std::vector<uint64_t> times;
        times.reserve(checks_.size());
        for (const auto& kv : checks_) times.push_back(kv.second.ms);
        std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2), times.end());
        uint64_t median = times[times.size() / 2];
        std::erase_if(checks_, [median](const auto& kv) { return kv.second.ms <= median; });
      }
    }
    checks_[std::move(key)] = std::move(c);
  }

  std::unordered_map<std::string, Check> checks_;
};

}  // namespace

std::unique_ptr<Detection> make_au009() { return std::make_unique<Au009>(); }

}  // namespace tocsin::audit
