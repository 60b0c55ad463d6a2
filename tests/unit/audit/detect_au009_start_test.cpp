// AU009 at a container's start: the process `runc init` executes when a container starts (and
// its children) checks a name and then uses it while another process replaces it. Events are
// shaped after a real Docker 20.10 start recorded in the lab (runc create -> runc:[2:INIT] ->
// execve of the entrypoint by the same pid, whose parent is then containerd-shim).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "detect_helpers.hpp"

namespace tocsin::audit {
namespace {

using testing::hunt_text;
using testing::of_rule;

const std::string kId = "a41a0efc51ccfcbc01a617d2fd6dbfb82d88cb0de6c46ae409e784234b49fa9f";
const std::string kId2 = "b52b1f0d62ddfdcd12b728e3fe7ecc86e93ee9c4dd7d57bf51a895345c5a0bf0";
const std::string kRootfs = "/var/lib/docker/vfs/dir/74705e64975ce33119ed375f18dcc75d796b0ec85e4f99d730155c45c62c95fa";

// Writes audit records the way auditd logs them (no EOE), one event per call.
std::string hex8(unsigned v) {
  static const char* kDigits = "0123456789abcdef";
  std::string s(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = kDigits[v & 15];
  return s;
}

class StartLog {
 public:
  void advance(uint64_t ms) { ms_ += ms; }
  // Milliseconds between two events (0: a burst within one millisecond).
  void set_step(uint64_t ms) { step_ = ms; }
  const std::string& text() const { return out_; }

  std::string execve(int64_t pid, int64_t ppid, const std::string& comm, const std::string& exe,
                     const std::vector<std::string>& argv, const std::string& proctitle_hex = "",
                     uint64_t inode = 1000, const std::string& cwd = "/") {
    std::string id = next();
    line("SYSCALL", id, sys(59, pid, ppid, comm, exe, 2));
    std::string ex = "argc=" + std::to_string(argv.size());
    for (size_t i = 0; i < argv.size(); ++i) ex += " a" + std::to_string(i) + "=\"" + argv[i] + "\"";
    line("EXECVE", id, ex);
    line("CWD", id, "cwd=\"" + cwd + "\"");
    line("PATH", id, "item=0 name=\"" + (argv.empty() ? exe : argv[0]) + "\" inode=" + std::to_string(inode) +
                         " dev=fe:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL");
    if (!proctitle_hex.empty()) line("PROCTITLE", id, "proctitle=" + proctitle_hex);
    return id;
  }
  // One call on one name (check or use), success unless told.
  std::string call(int sc, int64_t pid, int64_t ppid, const std::string& comm, const std::string& exe,
                   const std::string& name, uint64_t inode, const std::string& mode = "0100644",
                   const std::string& nametype = "NORMAL", const std::string& cwd = "/",
                   const std::string& success = "yes") {
    std::string id = next();
    line("SYSCALL", id, sys(sc, pid, ppid, comm, exe, 1, success));
    line("CWD", id, "cwd=\"" + cwd + "\"");
    line("PATH", id, "item=0 name=\"" + name + "\" inode=" + std::to_string(inode) + " dev=fe:00 mode=" + mode +
                         " ouid=0 ogid=0 rdev=00:00 nametype=" + nametype);
    return id;
  }
  // renameat(tmp -> name) in one directory: the name now is the tmp file's inode.
  std::string rename(int64_t pid, int64_t ppid, const std::string& comm, const std::string& exe,
                     const std::string& dir, const std::string& tmp, const std::string& name, uint64_t old_inode,
                     uint64_t new_inode) {
    std::string id = next();
    line("SYSCALL", id, sys(264, pid, ppid, comm, exe, 4));
    line("CWD", id, "cwd=\"/\"");
    line("PATH", id, "item=0 name=\"" + dir + "\" inode=20 dev=fe:00 mode=040755 nametype=PARENT");
    line("PATH", id, "item=1 name=\"" + tmp + "\" inode=" + std::to_string(new_inode) +
                         " dev=fe:00 mode=0100644 nametype=DELETE");
    line("PATH", id, "item=2 name=\"" + name + "\" inode=" + std::to_string(old_inode) +
                         " dev=fe:00 mode=0100644 nametype=DELETE");
    line("PATH", id, "item=3 name=\"" + name + "\" inode=" + std::to_string(new_inode) +
                         " dev=fe:00 mode=0100644 nametype=CREATE");
    return id;
  }

  // A container start up to the entrypoint's execve: containerd-shim (pid shim), runc create
  // (shim+1), runc init (shim+2: runc:[2:INIT] checks in the rootfs), then the entrypoint
  // executed by the runc init pid. Returns the entrypoint's pid.
  int64_t start(int64_t shim, const std::string& id, const std::string& entry = "/bin/checkuse") {
    execve(shim, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
           {"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", id, "-address",
            "/var/run/docker/containerd/containerd.sock"});
    execve(shim + 1, shim, "runc", "/usr/sbin/runc",
           {"runc", "--root", "/var/run/docker/runtime-runc/moby", "--log-format", "json", "create", "--bundle",
            "/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/" + id, id});
    call(262, shim + 2, shim + 1, "runc:[2:INIT]", "/", kRootfs + "/etc/hosts", 700);
    call(257, shim + 2, shim + 1, "runc:[2:INIT]", "/", kRootfs + "/etc/hosts", 700);
    call(439, shim + 2, shim + 1, "runc:[2:INIT]", "/", entry, 701);
    execve(shim + 2, shim, base(entry), entry, {entry, "/au9/conf"}, "72756E6300696E6974", 701);
    return shim + 2;
  }

 private:
  static std::string base(const std::string& p) { return p.substr(p.rfind('/') + 1); }
  std::string next() {
    ms_ += step_;
    ++serial_;
    std::string ms = std::to_string(ms_ % 1000);
    while (ms.size() < 3) ms = "0" + ms;
    return std::to_string(ms_ / 1000) + "." + ms + ":" + std::to_string(serial_);
  }
  static std::string sys(int sc, int64_t pid, int64_t ppid, const std::string& comm, const std::string& exe,
                         int items, const std::string& success = "yes") {
    return "arch=c000003e syscall=" + std::to_string(sc) + " success=" + success +
           " exit=0 a0=ffffff9c a1=1 a2=0 a3=0 items=" + std::to_string(items) + " ppid=" + std::to_string(ppid) +
           " pid=" + std::to_string(pid) +
           " auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
           "ses=4294967295 comm=\"" + comm + "\" exe=\"" + exe + "\" key=\"t\"";
  }
  void line(const std::string& type, const std::string& id, const std::string& body) {
    out_ += "type=" + type + " msg=audit(" + id + "): " + body + "\n";
  }
  uint64_t ms_ = 1795343340000;
  uint64_t step_ = 1;
  uint64_t serial_ = 270000;
  std::string out_;
};

EngineOptions only_au009() {
  EngineOptions o;
  o.select = {"AU009"};
  return o;
}

// The AU009 alerts of a hunt over the log (copies: the hunt's result does not outlive the call).
std::vector<Alert> au009(const StartLog& log) {
  auto r = hunt_text(log.text(), only_au009());
  std::vector<Alert> out;
  for (const Alert* a : of_rule(r, "AU009")) out.push_back(*a);
  return out;
}

TEST(DetectAU009Start, EntrypointCheckThenUseOfASwappedFileFires) {
  StartLog l;
  int64_t p = l.start(2400, kId);
  std::string chk = l.call(262, p, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5001);
  l.advance(300);  // meanwhile `docker exec` replaces /au9/conf by a symlink to /secret
  std::string use = l.call(257, p, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5090);
  auto a = au009(l);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].event_ids, (std::vector<std::string>{chk, use}));
  EXPECT_EQ(a[0].severity, Severity::high);
  const std::string& m = a[0].message;
  for (const char* want : {"/au9/conf", "inode 5001", "inode 5090", "newfstatat", "openat", "a41a0efc51cc",
                           "first process pid 2402"})
    EXPECT_NE(m.find(want), std::string::npos) << want << " not in: " << m;
}

TEST(DetectAU009Start, AChildOfTheFirstProcessUsingTheNameFires) {
  // `[ -f /etc/app.conf ] && cat /etc/app.conf` in an entrypoint script: the shell checks,
  // its child opens.
  StartLog l;
  int64_t sh = l.start(2400, kId, "/bin/sh");
  std::string chk = l.call(262, sh, 2400, "sh", "/bin/busybox", "/etc/app.conf", 6001);
  l.advance(50);
  l.execve(2500, sh, "cat", "/bin/busybox", {"cat", "/etc/app.conf"});
  l.advance(400);
  std::string use = l.call(257, 2500, sh, "cat", "/bin/busybox", "/etc/app.conf", 6002);
  auto a = au009(l);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].event_ids, (std::vector<std::string>{chk, use}));
  EXPECT_NE(a[0].message.find("pid 2402"), std::string::npos) << a[0].message;
  EXPECT_NE(a[0].message.find("pid 2500"), std::string::npos) << a[0].message;
}

TEST(DetectAU009Start, RuncInitCheckingTheEntrypointThenExecutingAnotherFires) {
  // runc init's faccessat2 of the entrypoint, then the execve that finds another file.
  StartLog l;
  l.execve(2400, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
           {"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", kId});
  l.execve(2401, 2400, "runc", "/usr/sbin/runc", {"runc", "create", "--bundle", "/b", kId});
  std::string chk = l.call(439, 2402, 2401, "runc:[2:INIT]", "/", "/bin/app", 801);
  std::string use = l.execve(2402, 2400, "app", "/bin/app", {"/bin/app"}, "", 802);
  auto a = au009(l);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].event_ids, (std::vector<std::string>{chk, use}));
}

TEST(DetectAU009Start, QuietStartsStayQuiet) {
  StartLog l;
  // The same object at check and use, by the first process and by a child.
  int64_t p = l.start(2400, kId);
  l.call(262, p, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5001);
  l.advance(300);
  l.call(257, p, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5001);
  l.execve(2500, p, "cat", "/bin/busybox", {"cat", "/au9/conf"});
  l.call(257, 2500, p, "cat", "/bin/busybox", "/au9/conf", 5001);
  // Check and use of different names.
  l.call(262, p, 2400, "checkuse", "/bin/checkuse", "/au9/a", 5010);
  l.call(257, p, 2400, "checkuse", "/bin/checkuse", "/au9/b", 5011);
  // A checked symlink (no-follow) and its target.
  l.call(6, p, 2400, "checkuse", "/bin/checkuse", "/etc/localtime", 5020, "0120777");
  l.call(257, p, 2400, "checkuse", "/bin/checkuse", "/etc/localtime", 5021);
  // A failed use.
  l.call(262, p, 2400, "checkuse", "/bin/checkuse", "/au9/g", 5030);
  l.call(257, p, 2400, "checkuse", "/bin/checkuse", "/au9/g", 5031, "0100644", "NORMAL", "/", "no");
  // A use that creates the name (O_CREAT after the old one was removed): a new object.
  l.call(262, p, 2400, "checkuse", "/bin/checkuse", "/run/app.pid", 5040);
  l.call(257, p, 2400, "checkuse", "/bin/checkuse", "/run/app.pid", 5041, "0100644", "CREATE");
  // /proc/self means another process in each pid: not compared across processes.
  l.call(262, p, 2400, "checkuse", "/bin/checkuse", "/proc/self/status", 9001, "0100444");
  l.call(257, 2500, p, "cat", "/bin/busybox", "/proc/self/status", 9002, "0100444");
  EXPECT_TRUE(au009(l).empty()) << au009(l).front().message;
}

TEST(DetectAU009Start, TheStartsOwnReplacementIsNotARace) {
  // `sed -i` in the entrypoint: check, rename of the edited copy over the name, open.
  StartLog l;
  int64_t sh = l.start(2400, kId, "/bin/sh");
  l.call(262, sh, 2400, "sh", "/bin/busybox", "/etc/app.conf", 6001);
  l.execve(2500, sh, "sed", "/bin/busybox", {"sed", "-i", "s/a/b/", "/etc/app.conf"});
  l.rename(2500, sh, "sed", "/bin/busybox", "/etc/", "/etc/sedAbc123", "/etc/app.conf", 6001, 6002);
  l.call(257, sh, 2400, "sh", "/bin/busybox", "/etc/app.conf", 6002);
  EXPECT_TRUE(au009(l).empty()) << au009(l).front().message;
}

TEST(DetectAU009Start, UseraddInABuildStepReplacesItsOwnFilesWithoutARenameRecord) {
  // `RUN groupadd app && useradd -g app app` (a docker build step, seen in the lab): groupadd
  // checks /etc/group, writes /etc/group+ and renames it over /etc/group; useradd (the shell's
  // last command, exec'd by its pid) then opens /etc/group. Under rules that record opens but
  // not renames (the container_start rule) only the CREATE of /etc/group+ shows the start made
  // the object useradd opened: not a race.
  StartLog l;
  int64_t sh = l.start(2400, kId, "/bin/sh");
  l.execve(2551, sh, "groupadd", "/usr/sbin/groupadd", {"groupadd", "app"});
  l.call(262, 2551, sh, "groupadd", "/usr/sbin/groupadd", "/etc/group", 7001);
  l.call(257, 2551, sh, "groupadd", "/usr/sbin/groupadd", "/etc/group+", 7002, "0100644", "CREATE");
  l.advance(20);
  l.execve(sh, 2400, "useradd", "/usr/sbin/useradd", {"useradd", "-g", "app", "app"});
  l.call(257, sh, 2400, "useradd", "/usr/sbin/useradd", "/etc/group", 7002);
  EXPECT_TRUE(au009(l).empty()) << au009(l).front().message;
  // The same pair where the object used is not one the start created: a race.
  StartLog r;
  sh = r.start(2400, kId, "/bin/sh");
  r.execve(2551, sh, "groupadd", "/usr/sbin/groupadd", {"groupadd", "app"});
  std::string chk = r.call(262, 2551, sh, "groupadd", "/usr/sbin/groupadd", "/etc/group", 7001);
  r.call(257, 2551, sh, "groupadd", "/usr/sbin/groupadd", "/etc/group+", 7002, "0100644", "CREATE");
  r.advance(20);
  r.execve(sh, 2400, "useradd", "/usr/sbin/useradd", {"useradd", "-g", "app", "app"});
  std::string use = r.call(257, sh, 2400, "useradd", "/usr/sbin/useradd", "/etc/group", 7099);
  auto a = au009(r);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].event_ids, (std::vector<std::string>{chk, use}));
}

TEST(DetectAU009Start, DockerExecProcessesAndHostProcessesAreNotAContainerStart) {
  StartLog l;
  l.start(2400, kId);
  // `docker exec`: runc exec -> runc init -> the program; it checks and uses a replaced name.
  l.execve(2600, 2400, "runc", "/usr/sbin/runc", {"runc", "--root", "/r", "exec", "--process", "/p.json", kId});
  l.call(262, 2602, 2600, "runc:[2:INIT]", "/", "/bin/sh", 700);
  l.execve(2602, 2400, "sh", "/bin/busybox", {"/bin/sh", "-c", "x"}, "72756E6300696E6974", 700);
  l.call(262, 2602, 2400, "sh", "/bin/busybox", "/au9/conf", 5001);
  l.call(257, 2602, 2400, "sh", "/bin/busybox", "/au9/conf", 5002);
  // A host process (not from runc) doing the same.
  l.execve(3000, 1, "cp", "/usr/bin/cp", {"cp", "/tmp/x", "/tmp/y"});
  l.call(262, 3000, 1, "cp", "/usr/bin/cp", "/tmp/x", 8001);
  l.call(257, 3000, 1, "cp", "/usr/bin/cp", "/tmp/x", 8002);
  EXPECT_TRUE(au009(l).empty()) << au009(l).front().message;
}

TEST(DetectAU009Start, FollowedOnlyDuringTheStartWindow) {
  StartLog l;
  int64_t p = l.start(2400, kId);
  l.advance(10500);  // past the start window
  l.call(262, p, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5001);
  l.advance(100);
  l.call(257, p, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5002);
  // A check inside the window and the use after it.
  int64_t q = l.start(2700, kId2);
  l.advance(100);
  l.call(262, q, 2700, "checkuse", "/bin/checkuse", "/au9/conf", 5101);
  l.advance(10000);
  l.call(257, q, 2700, "checkuse", "/bin/checkuse", "/au9/conf", 5102);
  EXPECT_TRUE(au009(l).empty()) << au009(l).front().message;
}

TEST(DetectAU009Start, WithoutRuncRecordsTheProctitleAndTheShimNameTheStart) {
  // Only the shim's execve and the entrypoint's own events are in the log; the kernel's cached
  // proctitle of the entrypoint's execve still reads "runc init".
  StartLog l;
  l.execve(2400, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
           {"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", kId});
  l.execve(2402, 2400, "checkuse", "/bin/checkuse", {"/bin/checkuse", "/au9/conf"}, "72756E6300696E6974");
  std::string chk = l.call(262, 2402, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5001);
  std::string use = l.call(257, 2402, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5002);
  auto a = au009(l);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].event_ids, (std::vector<std::string>{chk, use}));
  // Without a known container the proctitle alone does not make a start.
  StartLog m;
  m.execve(2402, 2400, "checkuse", "/bin/checkuse", {"/bin/checkuse", "/au9/conf"}, "72756E6300696E6974");
  m.call(262, 2402, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5001);
  m.call(257, 2402, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5002);
  EXPECT_TRUE(au009(m).empty());
}

// A first process that checks a huge number of files is followed for its first 20000 checks
// and uses only (kMaxStartEvents): a race after that goes unseen (documented).
StartLog flood_then_race(int flood) {
  StartLog l;
  int64_t p = l.start(2400, kId);
  l.set_step(0);  // one burst, well inside the start window
  for (int i = 0; i < flood; ++i)
    l.call(262, p, 2400, "find", "/bin/busybox", "/usr/share/f" + std::to_string(i), 10000 + i);
  l.set_step(1);
  l.call(262, p, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5001);
  l.call(257, p, 2400, "checkuse", "/bin/checkuse", "/au9/conf", 5002);
  return l;
}

TEST(DetectAU009Start, WorkPerStartIsBounded) {
  EXPECT_EQ(au009(flood_then_race(19998)).size(), 1u) << "the last two followed events";
  EXPECT_TRUE(au009(flood_then_race(19999)).empty()) << "the use is event 20001";
}

TEST(DetectAU009Start, ManyStartsKeepTheLatestFollowed) {
  // More container starts than are followed at once: the oldest are dropped, the newest caught.
  StartLog l;
  for (int i = 0; i < 1500; ++i) {
    std::string id = kId.substr(0, 56) + hex8(static_cast<unsigned>(i));
    int64_t p = l.start(10000 + 10 * i, id);
    l.call(262, p, 10000 + 10 * i, "checkuse", "/bin/checkuse", "/au9/conf", 5001);
    l.advance(2);
  }
  int64_t last = 10000 + 10 * 1499 + 2;
  std::string use = l.call(257, last, 10000 + 10 * 1499, "checkuse", "/bin/checkuse", "/au9/conf", 5002);
  auto a = au009(l);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].event_ids.back(), use);
}

}  // namespace
}  // namespace tocsin::audit
