// AU007: working directory or exec through /proc/self/fd/N (CVE-2024-21626), or a write to
// the runtime binary through /proc/<pid>/exe (CVE-2019-5736).
#include <fmt/format.h>

#include <unordered_map>

#include "audit/detections/detection.hpp"
#include "audit/event.hpp"

namespace tocsin::audit {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "/proc/self/fd/7", "/proc/123/fd/7/..", "/proc/thread-self/fd/3".
bool is_proc_fd_path(std::string_view p) {
  if (p.substr(0, 6) != "/proc/") return false;
  p.remove_prefix(6);
  auto slash = p.find('/');
  if (slash == std::string_view::npos) return false;
  auto who = p.substr(0, slash);
  if (who != "self" && who != "thread-self" && !all_digits(who)) return false;
  p.remove_prefix(slash + 1);
  if (p.substr(0, 3) != "fd/") return false;
  p.remove_prefix(3);
  auto end = p.find('/');
  return all_digits(p.substr(0, end));
}

// "/proc/self/exe", "/proc/123/exe".
bool is_proc_exe_path(std::string_view p) {
  if (p.substr(0, 6) != "/proc/") return false;
  p.remove_prefix(6);
  auto slash = p.find('/');
  if (slash == std::string_view::npos) return false;
  auto who = p.substr(0, slash);
  return (who == "self" || who == "thread-self" || all_digits(who)) && p.substr(slash) == "/exe";
}

bool is_runtime_binary(std::string_view p) {
  static constexpr std::string_view kBins[] = {
      "/usr/bin/runc", "/usr/sbin/runc", "/usr/local/bin/runc", "/usr/local/sbin/runc",
      "/usr/bin/containerd-shim-runc-v2", "/usr/local/bin/containerd-shim-runc-v2",
      "/usr/bin/containerd-shim", "/usr/bin/containerd", "/usr/local/bin/containerd",
      "/usr/bin/dockerd", "/usr/sbin/dockerd", "/usr/local/bin/dockerd", "/usr/bin/crun"};
  for (auto b : kBins)
    if (p == b) return true;
  return false;
}

// Whether a name as logged may resolve to a runtime binary: its last component is one of
// their base names (or a dot entry, which only normalisation can tell). Lets the rule skip
// building absolute paths for the many writes that cannot matter.
bool may_name_runtime_binary(std::string_view name) {
  auto b = base_name(name);
  if (b.empty() || b == "." || b == "..") return true;
  for (std::string_view n : {"runc", "containerd-shim-runc-v2", "containerd-shim", "containerd", "dockerd", "crun"})
    if (b == n) return true;
  return false;
}

bool is_package_manager(std::string_view comm, std::string_view exe) {
  auto b = base_name(exe);
  for (std::string_view n : {"dpkg", "apt", "apt-get", "rpm", "dnf", "yum", "zypper", "apk",
                             "unattended-upgr", "packagekitd", "install"})
    if (comm == n || b == n) return true;
  return false;
}

class Au007 final : public Detection {
 public:
  std::string_view id() const override { return "AU007"; }
  void on_event(const Event& ev, Context& ctx) override {
    std::string_view sc = ev.syscall_name();
    if (sc.empty()) return;
    auto pid = ev.pid().value_or(0);
    std::string_view exe = ev.exe_view();
    std::string_view comm = ev.comm_view();
    bool exec = sc == "execve" || sc == "execveat";
    if (exec) {
      auto argv = ev.argv();
      std::string via;
      if (!argv.empty() && is_proc_fd_path(argv[0])) via = argv[0];
      for (const auto& p : ev.paths())
        if (via.empty() && p.name && is_proc_fd_path(*p.name)) via = *p.name;
      if (!via.empty()) {
        report(ctx, ev, pid, fmt::format("pid {} executed {} through a file descriptor path {} (CVE-2024-21626)",
                                         pid, exe.empty() ? "?" : exe, via));
        return;
      }
    }
    if (auto cwd = ev.cwd_view(); cwd && is_proc_fd_path(*cwd)) {
      report(ctx, ev, pid, fmt::format("pid {} ({}) works in {}: a leaked descriptor to the host (CVE-2024-21626)",
                                       pid, exe.empty() ? comm : exe, *cwd));
      return;
    }
    if (!is_write_access(ev) || !ev.success().value_or(true)) return;
    for (const auto& p : ev.paths()) {
      if (p.nametype == "PARENT" || !p.name) continue;
      if (is_proc_exe_path(*p.name)) {
        report(ctx, ev, pid, fmt::format("pid {} ({}) opened {} for writing: overwriting the runtime binary (CVE-2019-5736)",
                                         pid, exe.empty() ? comm : exe, *p.name));
        return;
      }
    }
    if (is_package_manager(comm, exe)) return;
    bool candidate = false;
    for (const auto& p : ev.paths())
      if (p.nametype != "PARENT" && p.name && may_name_runtime_binary(*p.name)) candidate = true;
    if (!candidate) return;
    for (const auto& p : touched_paths(ev))
      if (is_runtime_binary(p)) {
        report(ctx, ev, pid, fmt::format("pid {} ({}) wrote the runtime binary {} (CVE-2019-5736)", pid,
                                         exe.empty() ? comm : exe, p));
        return;
      }
  }

 private:
  // One alert per process and minute: a process stuck in a leaked directory logs every call.
  void report(Context& ctx, const Event& ev, int64_t pid, std::string msg) {
    std::string key = fmt::format("{}:{}", ev.node(), pid);
    uint64_t t = ev.time_ms();
    auto it = last_.find(key);
    if (it != last_.end() && t >= it->second && t - it->second < 60000) return;
    if (last_.size() > 100000) last_.clear();
    last_[key] = t;
    Alert a = ctx.alert_at("AU007", ev, std::move(msg));
    a.user = user_of(ev);
    ctx.emit(std::move(a));
  }
  std::unordered_map<std::string, uint64_t> last_;
};

}  // namespace

std::unique_ptr<Detection> make_au007() { return std::make_unique<Au007>(); }

}  // namespace tocsin::audit
