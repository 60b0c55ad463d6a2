// Coverage verdicts: what a log lets each rule see, decided from the records it holds. One
// scenario (a benign docker copy, a container start, a swap loop) is recorded "in full" and then
// reduced the way narrower rule sets record it (execve only, no CWD, no PATH, no EXECVE, login
// sessions only): each reduction must change exactly the verdicts its missing records decide,
// and a benign log with full coverage never looks like one with none.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "audit/coverage.hpp"
#include "detect_helpers.hpp"

using namespace tocsin::audit;
using namespace tocsin::audit::testing;

namespace {

const std::string kRootfs = "/var/lib/docker/vfs/dir/7f0c2d9e4a1b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5";
const std::string kAdmin = "auid=1000 uid=0 euid=0 tty=pts0 ses=3";
const std::string kService = "auid=4294967295 uid=0 euid=0 tty=(none) ses=4294967295";
const std::string kDockerd = "/usr/sbin/dockerd";
const std::string kId = "1f2e3d4c5b6a79881726354453627180a9b8c7d6e5f403121f2e3d4c5b6a7988";

std::string item(const std::string& name, const std::string& nametype, uint64_t inode = 5,
                 const std::string& mode = "0100644") {
  return "name=\"" + name + "\" inode=" + std::to_string(inode) + " dev=fe:00 mode=" + mode +
         " ouid=0 ogid=0 rdev=00:00 nametype=" + nametype;
}

struct Scenario {
  bool loop = false;     // a swap loop in the container
  bool service = false;  // the copy runs without a login session
};

// auditd's start record, a container started (shim → runc init → its program, which checks and
// opens its config), an admin's commands, a docker cp into the container (client, docker-untar
// helper with chdir and create, dockerd's own write in storage), optionally a swap loop by the
// container's program.
std::string full_log(const Scenario& s) {
  LogWriter w;
  w.standalone("DAEMON_START", "op=start ver=3.0.9 format=raw kernel=6.1 auid=4294967295 pid=1 uid=0 ses=4294967295 res=success");
  w.execve(900, 1, {"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", kId, "-address", "/run/c.sock"},
           "/usr/bin/containerd-shim-runc-v2", "containerd-shim", kService);
  w.execve(901, 900, {"runc", "init"}, "/usr/sbin/runc", "runc:[2:INIT]", kService);
  w.execve(901, 900, {"/bin/app"}, "/bin/app", "app", kService, "/");
  w.syscall_paths(262, 901, 900, "/bin/app", "app", {item("/etc/app.conf", "NORMAL", 41)});
  w.syscall_paths(257, 901, 900, "/bin/app", "app", {item("/etc/app.conf", "NORMAL", 41)}, "/",
                  "a0=ffffff9c a1=1 a2=0 a3=0");
  w.syscall_paths(262, 812, 1, kDockerd, "dockerd", {item(kRootfs + "/etc/hosts", "NORMAL", 42)});
  w.openat_write(812, 1, "/var/lib/docker/containers/" + kId + "/hostconfig.json", kDockerd, "dockerd");
  // An admin's shell session: enough execve records to tell how execve is recorded.
  for (int i = 0; i < 10; ++i) w.execve(5000 + i, 1400, {"/usr/bin/ls", "-l"}, "/usr/bin/ls", "ls", kAdmin, "/root");
  w.advance(1000);
  w.execve(4001, 1500, {"/usr/bin/docker", "cp", "/root/report.txt", "victim:/w/dir/report.txt"}, "/usr/bin/docker",
           "docker", s.service ? kService : kAdmin);
  w.advance(3);
  w.execve(4002, 812, {"docker-untar", "/w/dir", kRootfs}, kDockerd, "exe", kService);
  w.syscall_paths(80, 4002, 812, kDockerd, "exe", {item("/", "NORMAL", 2, "040755")});
  w.syscall_paths(257, 4002, 812, kDockerd, "exe", {item("/w/dir/", "PARENT", 300, "040755"), item("/w/dir/report.txt", "CREATE", 301)},
                  "/", "a0=ffffff9c a1=c000a2b030 a2=80041 a3=1a4");
  if (s.loop) {
    w.advance(2000);
    for (int i = 0; i < 40; ++i) {
      w.syscall_paths(316, 901, 900, "/bin/app", "app",
                      {item("/w/", "PARENT", 10, "040755"), item("/w/", "PARENT", 10, "040755"),
                       item("/w/dir", "DELETE", 300, "040755"), item("/w/dir-link", "DELETE", 301, "0120777"),
                       item("/w/dir-link", "CREATE", 300, "040755"), item("/w/dir", "CREATE", 301, "0120777")});
      w.advance(2);
    }
  }
  w.advance(20000);
  w.syscall_paths(262, 812, 1, kDockerd, "dockerd", {item(kRootfs + "/etc/hosts", "NORMAL", 42)});
  return w.text();
}

std::string event_id_of(const std::string& line) {
  auto b = line.find("msg=audit(");
  if (b == std::string::npos) return {};
  auto e = line.find(')', b);
  return line.substr(b + 10, e - b - 10);
}

// What a narrower rule set would have written (as tests/e2e/lab/derive.py does on the lab's
// recordings): events of syscalls outside `keep` dropped whole, records of `types` dropped.
std::string reduce(const std::string& log, const std::set<int>& keep_syscalls, const std::set<std::string>& types,
                   bool login_execs_only = false) {
  std::set<std::string> dropped;
  std::istringstream in(log);
  std::string l;
  while (std::getline(in, l)) {
    if (l.find("type=SYSCALL ") == std::string::npos) continue;
    auto p = l.find(" syscall=");
    int sc = std::stoi(l.substr(p + 9));
    bool drop = !keep_syscalls.empty() && !keep_syscalls.count(sc);
    if (login_execs_only && l.find(" auid=1000 ") == std::string::npos) drop = true;
    if (drop) dropped.insert(event_id_of(l));
  }
  std::string out;
  std::istringstream in2(log);
  while (std::getline(in2, l)) {
    if (dropped.count(event_id_of(l))) continue;
    bool skip = false;
    for (const auto& t : types)
      if (l.find("type=" + t + " ") != std::string::npos) skip = true;
    if (!skip) out += l + "\n";
  }
  return out;
}

}  // namespace

TEST(Coverage, FullBenignLogCoversWhatItsActivityShows) {
  auto r = hunt_text(full_log({}));
  ASSERT_EQ(r.coverage.size(), 10u);
  for (size_t i = 0; i < r.coverage.size(); ++i) EXPECT_EQ(r.coverage[i].rule, "AU0" + std::string(i == 9 ? "10" : "0" + std::to_string(i + 1)));
  EXPECT_EQ(r.verdict("AU001"), Verdict::Covered) << r.reason("AU001");
  // No loop ran and no container process renamed anything: the log cannot tell.
  EXPECT_EQ(r.verdict("AU002"), Verdict::Unknown) << r.reason("AU002");
  EXPECT_EQ(r.verdict("AU003"), Verdict::Unknown) << r.reason("AU003");
  EXPECT_EQ(r.verdict("AU004"), Verdict::Covered) << r.reason("AU004");
  EXPECT_EQ(r.verdict("AU005"), Verdict::Covered) << r.reason("AU005");
  EXPECT_EQ(r.verdict("AU007"), Verdict::Covered) << r.reason("AU007");
  EXPECT_EQ(r.verdict("AU008"), Verdict::Covered) << r.reason("AU008");
  EXPECT_EQ(r.verdict("AU009"), Verdict::Covered) << r.reason("AU009");
  EXPECT_EQ(r.verdict("AU010"), Verdict::Covered);
  EXPECT_NE(r.reason("AU010").find("--baseline"), std::string::npos);
  for (const auto& c : r.coverage) {
    EXPECT_FALSE(c.reason.empty()) << c.rule;
    EXPECT_EQ(c.fix.empty(), c.verdict == Verdict::Covered) << c.rule << ": " << c.fix;
  }
  EXPECT_EQ(r.facts.docker_to.copies, 1u);
  EXPECT_EQ(r.facts.docker_to.with_helper, 1u);
  EXPECT_EQ(r.facts.docker_to.with_create, 1u);
  EXPECT_EQ(r.facts.daemon_records, 1u);
}

TEST(Coverage, ALoopMakesTheLoopRulesCovered) {
  auto r = hunt_text(full_log({.loop = true}));
  EXPECT_EQ(r.verdict("AU002"), Verdict::Covered) << r.reason("AU002");
  EXPECT_EQ(r.verdict("AU003"), Verdict::Covered) << r.reason("AU003");
  EXPECT_EQ(r.facts.loops, 1u);
  EXPECT_GE(r.facts.renames_named_container, 32u);
}

TEST(Coverage, ContainerRenamesWithoutALoopCoverAU002) {
  LogWriter w;
  w.execve(900, 1, {"/usr/bin/containerd-shim-runc-v2", "-id", kId}, "/usr/bin/containerd-shim-runc-v2",
           "containerd-shim", kService);
  w.execve(901, 900, {"/bin/app"}, "/bin/app", "app", kService);
  w.rename2(901, 900, "/tmp/a.new", "/tmp/a");  // one atomic replacement, no loop
  auto r = hunt_text(w.text());
  EXPECT_EQ(r.verdict("AU002"), Verdict::Covered) << r.reason("AU002");
  EXPECT_TRUE(of_rule(r, "AU002").empty());
}

TEST(Coverage, HostRenamesOnlyLeaveAU002Unknown) {
  LogWriter w;
  w.execve(700, 1, {"/usr/sbin/logrotate", "/etc/logrotate.conf"}, "/usr/sbin/logrotate", "logrotate", kService);
  w.rename2(700, 1, "/var/log/syslog", "/var/log/syslog.1");
  auto r = hunt_text(w.text());
  EXPECT_EQ(r.verdict("AU002"), Verdict::Unknown) << r.reason("AU002");
  EXPECT_NE(r.reason("AU002").find("none by a process known to be in a container"), std::string::npos);
}

TEST(Coverage, ExecveOnlyLogIsBlindToFileActivity) {
  const std::string full = full_log({.loop = true});
  auto r = hunt_text(reduce(full, {59, 322}, {}));
  EXPECT_EQ(r.verdict("AU001"), Verdict::Covered);
  EXPECT_EQ(r.verdict("AU002"), Verdict::Blind) << r.reason("AU002");
  EXPECT_EQ(r.verdict("AU003"), Verdict::Blind) << r.reason("AU003");
  // The helper's argv still shows a win at resolution time; its creates are gone.
  EXPECT_EQ(r.verdict("AU004"), Verdict::Partial) << r.reason("AU004");
  EXPECT_EQ(r.verdict("AU005"), Verdict::Blind) << r.reason("AU005");
  EXPECT_EQ(r.verdict("AU009"), Verdict::Blind) << r.reason("AU009");
  // The execve records keep their CWD.
  EXPECT_EQ(r.verdict("AU007"), Verdict::Covered) << r.reason("AU007");
  EXPECT_TRUE(of_rule(r, "AU002").empty());
}

// Every login (sshd, cron, su) writes /proc/self/loginuid, and the kernel logs that write's
// SYSCALL record with the LOGIN record whatever the rules: an execve-only log with logins in it
// (the lab's execve-only cell has one) is still execve-only.
TEST(Coverage, LoginEventsDoNotMakeAnExecveOnlyLogLookWider) {
  const std::string reduced = reduce(full_log({.loop = true}), {59, 322}, {});
  const auto b = reduced.find("msg=audit(");
  ASSERT_NE(b, std::string::npos);
  const std::string stamp = reduced.substr(b + 10, reduced.find(':', b) - b - 10);
  const std::string login =
      "type=LOGIN msg=audit(" + stamp + ":1): pid=900 uid=0 old-auid=4294967295 auid=1000 tty=(none) "
      "old-ses=4294967295 ses=200 res=1\n"
      "type=SYSCALL msg=audit(" + stamp + ":1): arch=c000003e syscall=1 success=yes exit=4 a0=3 a1=5596354cace0 "
      "a2=4 a3=0 items=0 ppid=1 pid=900 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
      "tty=(none) ses=200 comm=\"sshd\" exe=\"/usr/sbin/sshd\" key=(null)\n"
      "type=PROCTITLE msg=audit(" + stamp + ":1): proctitle=73736864\n";
  auto r = hunt_text(login + reduced);
  EXPECT_EQ(r.verdict("AU002"), Verdict::Blind) << r.reason("AU002");
  EXPECT_EQ(r.verdict("AU005"), Verdict::Blind) << r.reason("AU005");
  // A write some rule did record (a key, no LOGIN record) is evidence of a wider rule set.
  std::string recorded = login.substr(login.find("type=SYSCALL"));
  recorded.replace(recorded.find(":1)"), 3, ":2)");
  recorded.replace(recorded.find(":1)"), 3, ":2)");
  recorded.replace(recorded.find("key=(null)"), 10, "key=\"writes\"");
  auto w = hunt_text(recorded + reduced);
  EXPECT_NE(w.reason("AU002"), r.reason("AU002"));
}

TEST(Coverage, BenignFullAndBenignEmptyNeverLookTheSame) {
  const std::string full = full_log({});
  std::vector<std::vector<RuleCoverage>> runs = {
      hunt_text(full).coverage,
      hunt_text(reduce(full, {59, 322}, {})).coverage,                          // execve only
      hunt_text(reduce(full, {59, 322}, {}, /*login_execs_only=*/true)).coverage,  // root commands of admins
      hunt_text(reduce(full, {}, {"SYSCALL", "EXECVE", "PATH", "CWD", "PROCTITLE", "EOE"})).coverage,  // no kernel records
      hunt_text("").coverage,
  };
  for (size_t i = 0; i < runs.size(); ++i)
    for (size_t j = i + 1; j < runs.size(); ++j) {
      bool differ = false;
      for (size_t k = 0; k < runs[i].size(); ++k)
        differ |= runs[i][k].verdict != runs[j][k].verdict || runs[i][k].reason != runs[j][k].reason;
      EXPECT_TRUE(differ) << "runs " << i << " and " << j << " look the same";
    }
  // Nothing from the kernel: every syscall-based rule is blind, the empty input too.
  for (size_t i : {3u, 4u})
    for (const auto& c : runs[i])
      if (c.rule != "AU008" || i == 4) {
        EXPECT_EQ(c.verdict, Verdict::Blind) << i << " " << c.rule << ": " << c.reason;
      }
}

TEST(Coverage, CwdExcluded) {
  auto r = hunt_text(reduce(full_log({.loop = true}), {}, {"CWD"}));
  EXPECT_EQ(r.verdict("AU007"), Verdict::Blind) << r.reason("AU007");
  EXPECT_NE(r.fix("AU007"), "");
  EXPECT_EQ(r.verdict("AU005"), Verdict::Partial) << r.reason("AU005");
  // The loop's names are absolute: AU002/AU003 still work.
  EXPECT_EQ(r.verdict("AU002"), Verdict::Covered);
  EXPECT_EQ(r.verdict("AU003"), Verdict::Covered);
}

TEST(Coverage, PathExcluded) {
  auto r = hunt_text(reduce(full_log({}), {}, {"PATH"}));
  EXPECT_EQ(r.verdict("AU002"), Verdict::Blind) << r.reason("AU002");
  EXPECT_EQ(r.verdict("AU005"), Verdict::Blind) << r.reason("AU005");
  EXPECT_EQ(r.verdict("AU009"), Verdict::Blind) << r.reason("AU009");
  EXPECT_GT(r.facts.path_short, 0u);
}

TEST(Coverage, ExecveArgvExcluded) {
  auto r = hunt_text(reduce(full_log({}), {}, {"EXECVE"}));
  EXPECT_EQ(r.verdict("AU001"), Verdict::Blind) << r.reason("AU001");
  EXPECT_EQ(r.verdict("AU006"), Verdict::Blind) << r.reason("AU006");
  EXPECT_EQ(r.verdict("AU010"), Verdict::Blind);
}

TEST(Coverage, ExecveOnlyInLoginSessionsIsPartialForCopies) {
  // Like the community set's "euid=0 auid>=1000" execve rule: a service's copy leaves nothing.
  auto r = hunt_text(reduce(full_log({}), {59, 322}, {}, true));
  EXPECT_EQ(r.verdict("AU001"), Verdict::Partial) << r.reason("AU001");
  EXPECT_NE(r.reason("AU001").find("auid unset"), std::string::npos);
  EXPECT_EQ(r.verdict("AU006"), Verdict::Blind) << r.reason("AU006");
  // A service's copy under the same rules: nothing at all.
  auto s = hunt_text(reduce(full_log({.service = true}), {59, 322}, {}, true));
  EXPECT_TRUE(of_rule(s, "AU001").empty());
  EXPECT_NE(s.verdict("AU001"), Verdict::Covered);
}

TEST(Coverage, DockerCopiesWithoutTheirHelperAreBlindForAU004) {
  LogWriter w;
  w.execve(4001, 1500, {"/usr/bin/docker", "cp", "/root/x", "victim:/w/dir/x"}, "/usr/bin/docker", "docker", kAdmin);
  w.openat_write(812, 1, "/var/lib/docker/containers/x/config.v2.json", kDockerd, "dockerd");
  w.advance(20000);
  w.openat_write(812, 1, "/var/lib/docker/containers/x/config.v2.json", kDockerd, "dockerd");
  auto r = hunt_text(w.text());
  EXPECT_EQ(r.verdict("AU004"), Verdict::Blind) << r.reason("AU004");
  EXPECT_EQ(r.verdict("AU006"), Verdict::Blind) << r.reason("AU006");
  EXPECT_EQ(r.verdict("AU005"), Verdict::Covered) << r.reason("AU005");
}

TEST(Coverage, InProcessEngineOpensAreTheOnlyAU004EvidenceWithoutAHelper) {
  // moby 23+ copies in dockerd's own pid (derived from the engine's source, not yet confirmed
  // on a live engine): its open of the copied file is what is left to read.
  LogWriter w;
  w.execve(4001, 1500, {"/usr/bin/docker", "cp", "/root/x", "victim:/w/dir/x"}, "/usr/bin/docker", "docker", kAdmin);
  w.openat_write(812, 1, "/w/dir/x", kDockerd, "dockerd");
  w.advance(20000);
  w.openat_write(812, 1, "/var/lib/docker/containers/x/config.v2.json", kDockerd, "dockerd");
  auto r = hunt_text(w.text());
  EXPECT_EQ(r.verdict("AU004"), Verdict::Partial) << r.reason("AU004");
  EXPECT_NE(r.reason("AU004").find("not yet confirmed on a live engine"), std::string::npos);
  EXPECT_EQ(r.facts.docker_to.with_daemon_opens, 1u);
}

TEST(Coverage, PodmanCopies) {
  const std::string podman = "/usr/bin/podman";
  for (bool in_ns : {true, false}) {
    LogWriter w;
    w.execve(7001, 1500, {podman, "cp", "/root/p", "victim:/w/dir/p"}, podman, "podman", kAdmin);
    if (in_ns)
      w.syscall_paths(257, 7001, 1500, podman, "podman",
                      {item("/w/dir/", "PARENT", 300, "040755"), item("/w/dir/p", "CREATE", 802)}, "/",
                      "a0=ffffff9c a1=c0001 a2=800c1 a3=1a4");
    w.advance(20000);
    w.execve(7100, 1500, {"/usr/bin/true"}, "/usr/bin/true", "true", kAdmin);
    auto r = hunt_text(w.text());
    EXPECT_EQ(r.verdict("AU004"), in_ns ? Verdict::Covered : Verdict::Blind) << r.reason("AU004");
    EXPECT_EQ(r.facts.podman_to.copies, 1u);
  }
}

TEST(Coverage, LossReportsTurnCoveredIntoPartial) {
  std::string log = full_log({});
  LogWriter w(1795331200, 9000);
  w.standalone("DAEMON_ERR", "op=queue-full auid=4294967295 pid=1 uid=0 ses=4294967295 res=failed");
  auto r = hunt_text(log + w.text());
  EXPECT_EQ(r.verdict("AU008"), Verdict::Covered) << r.reason("AU008");
  EXPECT_EQ(r.verdict("AU001"), Verdict::Partial) << r.reason("AU001");
  EXPECT_NE(r.reason("AU001").find("AU008"), std::string::npos);
}

TEST(Coverage, ForwardedLogWithoutDaemonRecordsIsPartialForAU008) {
  auto r = hunt_text(reduce(full_log({}), {}, {"DAEMON_START"}));
  EXPECT_EQ(r.verdict("AU008"), Verdict::Partial) << r.reason("AU008");
}

TEST(Coverage, OurLabKeysShowEveryExecveIsRecorded) {
  LogWriter w;
  w.execve(700, 1, {"/bin/true"}, "/bin/true", "true", kService);
  std::string text = w.text();
  auto keyed = [&](const std::string& key) {
    std::string t = text;
    for (size_t p = t.find("key=\"t\""); p != std::string::npos; p = t.find("key=\"t\"", p + 1))
      t.replace(p, 7, "key=\"" + key + "\"");
    return t;
  };
  EXPECT_EQ(hunt_text(keyed("my_exec")).verdict("AU006"), Verdict::Unknown);
  LogWriter w2(1795331300, 5000);
  w2.syscall_cwd(80, 701, "/srv");
  std::string lab = keyed("tocsin_exec");
  std::string cwd = w2.text();
  cwd.replace(cwd.find("key=\"t\""), 7, "key=\"tocsin_cwd\"");
  EXPECT_EQ(hunt_text(lab + cwd).verdict("AU006"), Verdict::Covered) << hunt_text(lab + cwd).reason("AU006");
  // Our rename rule's key alone says renames of every process are recorded.
  LogWriter w3;
  w3.rename2(700, 1, "/etc/a.new", "/etc/a");
  std::string swap = w3.text();
  swap.replace(swap.find("key=\"t\""), 7, "key=\"tocsin_swap\"");
  auto r = hunt_text(swap);
  EXPECT_EQ(r.verdict("AU002"), Verdict::Covered) << r.reason("AU002");
  ASSERT_FALSE(r.facts.keys.empty());
  EXPECT_EQ(r.facts.keys.front().first, "tocsin_swap");
}

TEST(Coverage, RuleLoadsAreCounted) {
  LogWriter w;
  w.standalone("CONFIG_CHANGE", "auid=4294967295 ses=4294967295 op=add_rule key=(null) list=5 res=1");
  w.standalone("CONFIG_CHANGE", "auid=4294967295 ses=4294967295 op=add_rule key=\"tocsin_swap\" list=4 res=1");
  auto r = hunt_text(w.text());
  EXPECT_EQ(r.facts.rules_added_by_list[5], 1u);
  EXPECT_EQ(r.facts.rules_added_by_list[4], 1u);
  auto j = coverage_json(r.facts, r.coverage);
  EXPECT_EQ(j["evidence"]["rules_added"]["exclude"], 1);
}

TEST(Coverage, JsonAndTextRenderings) {
  auto r = hunt_text(full_log({.loop = true}));
  auto j = coverage_json(r.facts, r.coverage);
  ASSERT_TRUE(j["rules"].is_object());
  EXPECT_EQ(j["rules"].size(), 10u);
  EXPECT_EQ(j["rules"]["AU002"]["verdict"], "covered");
  EXPECT_TRUE(j["rules"]["AU002"]["fix"].is_null());
  EXPECT_EQ(j["evidence"]["loops"]["confirmed"], 1);
  EXPECT_EQ(j["evidence"]["copies"]["docker"]["to-container"]["with_create"], 1);
  EXPECT_GT(j["evidence"]["syscalls"]["container"]["rename"]["events"].get<int>(), 30);
  std::string text = coverage_text(r.coverage, false);
  EXPECT_NE(text.find("AU002 covered"), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(coverage_text(r.coverage, true).find('\x1b'), std::string::npos);
  std::string line = coverage_stats_line(r.coverage);
  EXPECT_EQ(line.rfind("coverage: covered AU001", 0), 0u) << line;
}
