// Test helpers for the audit detections: run the engine over audit text held in memory.
#pragma once
#include <string>
#include <vector>

#include "audit/alert.hpp"
#include "audit/detections/engine.hpp"
#include "audit/text_source.hpp"

namespace tocsin::audit::testing {

struct HuntResult {
  std::vector<Alert> alerts;
  HuntStats stats;
  std::vector<RuleCoverage> coverage;  // AU001..AU010
  CoverageFacts facts;
  Verdict verdict(const std::string& rule) const {
    for (const auto& c : coverage)
      if (c.rule == rule) return c.verdict;
    return Verdict::Unknown;
  }
  std::string reason(const std::string& rule) const {
    for (const auto& c : coverage)
      if (c.rule == rule) return c.reason;
    return {};
  }
  std::string fix(const std::string& rule) const {
    for (const auto& c : coverage)
      if (c.rule == rule) return c.fix;
    return {};
  }
};

inline HuntResult hunt_text(const std::string& log, EngineOptions opt = {}, std::string name = "t.log") {
  Engine engine(std::move(opt));
  auto src = TextSource::from_memory(log, name);
  Status st = src.for_each([&](Event&& ev) {
    engine.on_event(ev);
    return true;
  });
  (void)st;
  if (src.stats().bad_lines) {
    const auto& iss = src.issues();
    engine.on_broken(name, iss.empty() ? 0 : iss.front().line,
                     iss.empty() ? "broken" : iss.front().message, src.stats().bad_lines);
  }
  engine.end_of_file(name);
  engine.finish();
  HuntResult r;
  r.alerts = engine.take_alerts();
  r.stats = engine.stats();
  r.coverage = engine.coverage();
  r.facts = engine.coverage_facts();
  return r;
}

inline std::vector<const Alert*> of_rule(const HuntResult& r, const std::string& rule) {
  std::vector<const Alert*> out;
  for (const auto& a : r.alerts)
    if (a.rule == rule) out.push_back(&a);
  return out;
}

// A small writer of audit text in the shapes dockerd/auditd produce (PRODUCT.md).
class LogWriter {
 public:
  explicit LogWriter(uint64_t sec = 1795331080, uint64_t serial = 1000) : ms_(sec * 1000), serial_(serial) {}
  std::string node;
  void advance(uint64_t ms) { ms_ += ms; }
  // Returns the event id.
  std::string execve(int64_t pid, int64_t ppid, const std::vector<std::string>& argv, const std::string& exe,
                     const std::string& comm, const std::string& who = "auid=1000 uid=0 euid=0 tty=pts0 ses=3",
                     const std::string& cwd = "/") {
    std::string id = next();
    line("SYSCALL", id, fmt_sys(59, pid, ppid, comm, exe, who, 2));
    std::string ex = "argc=" + std::to_string(argv.size());
    for (size_t i = 0; i < argv.size(); ++i) ex += " a" + std::to_string(i) + "=\"" + argv[i] + "\"";
    line("EXECVE", id, ex);
    line("CWD", id, "cwd=\"" + cwd + "\"");
    line("PATH", id, "item=0 name=\"" + exe + "\" inode=1 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL");
    line("EOE", id, "");
    return id;
  }
  std::string rename2(int64_t pid, int64_t ppid, const std::string& a, const std::string& b,
                      const std::string& cwd = "/", const std::string& success = "yes") {
    std::string id = next();
    line("SYSCALL", id, fmt_sys(316, pid, ppid, "swap", "/bin/swap", "auid=4294967295 uid=0 euid=0 tty=(none) ses=4294967295", 6, success));
    line("CWD", id, "cwd=\"" + cwd + "\"");
    line("PATH", id, "item=0 name=\"/\" inode=2 dev=00:2e mode=040755 nametype=PARENT");
    line("PATH", id, "item=1 name=\"/\" inode=2 dev=00:2e mode=040755 nametype=PARENT");
    line("PATH", id, "item=2 name=\"" + a + "\" inode=3 dev=00:2e mode=040755 nametype=DELETE");
    line("PATH", id, "item=3 name=\"" + b + "\" inode=4 dev=00:2e mode=0120777 nametype=DELETE");
    line("PATH", id, "item=4 name=\"" + b + "\" inode=3 dev=00:2e mode=040755 nametype=CREATE");
    line("PATH", id, "item=5 name=\"" + a + "\" inode=4 dev=00:2e mode=0120777 nametype=CREATE");
    line("EOE", id, "");
    return id;
  }
  std::string openat_write(int64_t pid, int64_t ppid, const std::string& path, const std::string& exe,
                           const std::string& comm, const std::string& cwd = "/", const std::string& flags = "241") {
    std::string id = next();
    std::string s = fmt_sys(257, pid, ppid, comm, exe, "auid=4294967295 uid=0 euid=0 tty=(none) ses=4294967295", 2);
    s.replace(s.find("a2=0"), 4, "a2=" + flags);
    line("SYSCALL", id, s);
    line("CWD", id, "cwd=\"" + cwd + "\"");
    line("PATH", id, "item=0 name=\"" + path + "\" inode=5 dev=08:01 mode=0100644 nametype=CREATE");
    line("EOE", id, "");
    return id;
  }
  std::string syscall_cwd(int sc, int64_t pid, const std::string& cwd, const std::string& exe = "/bin/sh",
                          const std::string& comm = "sh") {
    std::string id = next();
    line("SYSCALL", id, fmt_sys(sc, pid, 1, comm, exe, "auid=4294967295 uid=0 euid=0 tty=(none) ses=4294967295", 1));
    line("CWD", id, "cwd=\"" + cwd + "\"");
    line("EOE", id, "");
    return id;
  }
  // Any syscall with its PATH items ("name=… inode=… nametype=…" bodies, item= added), in the
  // service session; `args` replaces "a0=ffffff9c a1=1 a2=0 a3=0".
  std::string syscall_paths(int sc, int64_t pid, int64_t ppid, const std::string& exe, const std::string& comm,
                            const std::vector<std::string>& items, const std::string& cwd = "/",
                            const std::string& args = "", const std::string& success = "yes") {
    std::string id = next();
    std::string s = fmt_sys(sc, pid, ppid, comm, exe, "auid=4294967295 uid=0 euid=0 tty=(none) ses=4294967295",
                            static_cast<int>(items.size()), success);
    if (!args.empty()) s.replace(s.find("a0=ffffff9c a1=1 a2=0 a3=0"), 26, args);
    line("SYSCALL", id, s);
    if (!cwd.empty()) line("CWD", id, "cwd=\"" + cwd + "\"");
    for (size_t i = 0; i < items.size(); ++i) line("PATH", id, "item=" + std::to_string(i) + " " + items[i]);
    line("EOE", id, "");
    return id;
  }
  std::string standalone(const std::string& type, const std::string& body) {
    std::string id = next();
    line(type, id, body);
    return id;
  }
  void raw(const std::string& l) { text_ += l + "\n"; }
  const std::string& text() const { return text_; }

 private:
  std::string next() {
    ms_ += 1;
    ++serial_;
    return std::to_string(ms_ / 1000) + "." + pad3(ms_ % 1000) + ":" + std::to_string(serial_);
  }
  static std::string pad3(uint64_t v) {
    std::string s = std::to_string(v);
    while (s.size() < 3) s = "0" + s;
    return s;
  }
  static std::string fmt_sys(int sc, int64_t pid, int64_t ppid, const std::string& comm, const std::string& exe,
                             const std::string& who, int items, const std::string& success = "yes") {
    return "arch=c000003e syscall=" + std::to_string(sc) + " success=" + success + " exit=0 a0=ffffff9c a1=1 a2=0 a3=0 items=" +
           std::to_string(items) + " ppid=" + std::to_string(ppid) + " pid=" + std::to_string(pid) + " " + who +
           " gid=0 comm=\"" + comm + "\" exe=\"" + exe + "\" key=\"t\"";
  }
  void line(const std::string& type, const std::string& id, const std::string& body) {
    text_ += (node.empty() ? "" : "node=" + node + " ") + "type=" + type + " msg=audit(" + id + "):" +
             (body.empty() ? "" : " " + body) + "\n";
  }
  uint64_t ms_;
  uint64_t serial_;
  std::string text_;
};

// The lab's scenario in hand-made events: a container `victim` (runc exec'd swap loop) and
// docker cp copies into / out of it (shared by the rule tests and the early-verdict tests).
namespace scenario {

inline const std::string kCid = "3f1c0a9d2b7e4c5f8a6b1d0e9f2c3b4a5d6e7f8091a2b3c4d5e6f708192a3b4c";
inline const std::string kRootfs =
    "/var/lib/docker/vfs/dir/9a8b7c6d5e4f30211f2e3d4c5b6a79881726354453627180a9b8c7d6e5f40312";
inline const std::string kAdmin = "auid=1000 uid=0 euid=0 tty=pts0 ses=3";
inline const std::string kService = "auid=4294967295 uid=0 euid=0 tty=(none) ses=4294967295";

// docker exec -d victim /bin/swap …: client, then runc exec <id>, then the swap process.
inline void start_loop_process(LogWriter& w, int64_t pid, const std::string& a, const std::string& b) {
  w.execve(2000, 1, {"/usr/bin/docker", "exec", "-d", "victim", "/bin/swap", a, b}, "/usr/bin/docker", "docker",
           kAdmin);
  w.execve(2010, 1900, {"runc", "--root", "/var/run/docker/runtime-runc/moby", "exec", "--process", "/tmp/p", kCid},
           "/usr/sbin/runc", "runc", kService);
  w.execve(pid, 2010, {"/bin/swap", a, b}, "/bin/swap", "swap", kService);
}

inline void loop(LogWriter& w, int64_t pid, int n, const std::string& a = "/w/dir",
                 const std::string& b = "/w/dir-link") {
  for (int i = 0; i < n; ++i) w.rename2(pid, 2010, a, b);
}

inline std::string copy_to(LogWriter& w, int64_t pid, const std::string& path, const std::string& resolved,
                           std::string* helper_id = nullptr) {
  std::string id = w.execve(pid, 1500, {"/usr/bin/docker", "cp", "/root/payload", "victim:" + path}, "/usr/bin/docker",
                            "docker", kAdmin);
  w.advance(4);
  std::string h = w.execve(pid + 1, 812, {"docker-untar", resolved, kRootfs}, "/usr/sbin/dockerd", "exe", kService);
  if (helper_id) *helper_id = h;
  return id;
}

inline std::string copy_from(LogWriter& w, int64_t pid, const std::string& path, const std::string& resolved) {
  std::string id = w.execve(pid, 1500, {"/usr/bin/docker", "cp", "victim:" + path, "/root/out/x"}, "/usr/bin/docker",
                            "docker", kService);
  w.advance(4);
  w.execve(pid + 1, 812, {"docker-tar", resolved, kRootfs}, "/usr/sbin/dockerd", "exe", kService);
  return id;
}

}  // namespace scenario

}  // namespace tocsin::audit::testing
