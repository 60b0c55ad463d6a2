// One test group per audit rule (AU000–AU008), on hand-made events in the shapes of
// PRODUCT.md: each checks what must be reported and what must not.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "detect_helpers.hpp"
#include "report/report.hpp"

using namespace tocsin::audit;
using namespace tocsin::audit::testing;
using namespace tocsin::audit::testing::scenario;

// --- AU001

TEST(DetectAU001, EveryCopyOnceWithUserAndContainer) {
  LogWriter w;
  w.node = "node-1";
  std::string helper;
  std::string c1 = copy_to(w, 3001, "/w/dir/report.txt", "/w/dir", &helper);
  std::string c2 = copy_from(w, 3003, "/data/cfg/hostname", "/data/cfg/");
  w.execve(3005, 1500, {"/usr/bin/docker", "ps"}, "/usr/bin/docker", "docker", kAdmin);
  w.execve(3006, 1500, {"/usr/bin/docker", "cp", "--help"}, "/usr/bin/docker", "docker", kAdmin);
  auto r = hunt_text(w.text());
  auto a = of_rule(r, "AU001");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0]->event_ids.front(), c1);
  ASSERT_EQ(a[0]->event_ids.size(), 2u);
  EXPECT_EQ(a[0]->event_ids[1], helper);  // client correlated with the daemon's helper
  EXPECT_EQ(a[0]->severity, tocsin::Severity::info);
  EXPECT_EQ(a[0]->host.value_or(""), "node-1");
  ASSERT_TRUE(a[0]->user);
  EXPECT_EQ(a[0]->user->auid.value_or(0), 1000);
  EXPECT_EQ(a[0]->user->tty.value_or(""), "pts0");
  EXPECT_EQ(a[0]->user->ses.value_or(0), 3);
  ASSERT_TRUE(a[0]->docker_cp);
  EXPECT_EQ(a[0]->docker_cp->container, "victim");
  EXPECT_EQ(a[0]->docker_cp->direction, "to-container");
  EXPECT_EQ(a[0]->docker_cp->path, "/w/dir/report.txt");
  EXPECT_EQ(a[1]->event_ids.front(), c2);
  EXPECT_EQ(a[1]->docker_cp->direction, "from-container");
  EXPECT_EQ(a[1]->user->auid.value_or(0), 4294967295LL);
  EXPECT_TRUE(of_rule(r, "AU004").empty());
  EXPECT_TRUE(of_rule(r, "AU003").empty());
}

TEST(DetectAU001, JsonlFollowsTheContract) {
  LogWriter w;
  copy_to(w, 3001, "/w/dir/report.txt", "/w/dir");
  auto r = hunt_text(w.text());
  ASSERT_EQ(r.alerts.size(), 1u);
  auto j = nlohmann::json::parse(tocsin::report::alert_jsonl(r.alerts[0]));
  EXPECT_EQ(j["rule"], "AU001");
  EXPECT_EQ(j["severity"], "info");
  EXPECT_EQ(j["time"], "2026-11-22T07:04:40.001Z");
  EXPECT_TRUE(j["host"].is_null());
  EXPECT_EQ(j["event_ids"][0], "1795331080.001:1001");
  EXPECT_EQ(j["user"]["auid"], 1000);
  EXPECT_EQ(j["user"]["uid"], 0);
  EXPECT_EQ(j["user"]["euid"], 0);
  EXPECT_EQ(j["user"]["tty"], "pts0");
  EXPECT_EQ(j["user"]["ses"], 3);
  EXPECT_EQ(j["docker_cp"]["direction"], "to-container");
  EXPECT_EQ(j["docker_cp"]["container"], "victim");
  EXPECT_EQ(j["docker_cp"]["path"], "/w/dir/report.txt");
  EXPECT_FALSE(j["docker_cp"].contains("resolved_path"));
  EXPECT_FALSE(j.contains("swap"));
  EXPECT_FALSE(j.contains("score"));
}

// --- AU002

TEST(DetectAU002, OneAlertPerLoopEpisode) {
  LogWriter w;
  start_loop_process(w, 7601, "/w/dir", "/w/dir-link");
  std::string first = w.rename2(7601, 2010, "/w/dir", "/w/dir-link");
  loop(w, 7601, 299);
  auto r = hunt_text(w.text());
  auto a = of_rule(r, "AU002");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->event_ids.front(), first);
  ASSERT_TRUE(a[0]->swap);
  EXPECT_EQ(a[0]->swap->pid, 7601);
  EXPECT_EQ(a[0]->swap->count, 300u);
  EXPECT_EQ(a[0]->swap->paths, (std::vector<std::string>{"/w/dir", "/w/dir-link"}));
  EXPECT_EQ(a[0]->swap->duration_ms, 299u);
  EXPECT_TRUE(of_rule(r, "AU003").empty());
  EXPECT_TRUE(of_rule(r, "AU001").empty());
}

TEST(DetectAU002, PauseSplitsEpisodesRelativeNamesUseCwd) {
  LogWriter w;
  loop(w, 7601, 40);
  w.advance(5000);
  for (int i = 0; i < 40; ++i) w.rename2(7601, 2010, "dir", "dir-link", "/w");
  auto hunted = hunt_text(w.text());
  auto a = of_rule(hunted, "AU002");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[1]->swap->paths, (std::vector<std::string>{"/w/dir", "/w/dir-link"}));
}

TEST(DetectAU002, RenamesOverAnExistingNameAreNotExchanges) {
  // One process replacing a config atomically hundreds of times (write conf.tmp, renameat2 it
  // over conf: both names DELETE, only conf CREATE), and an editor saving with `mv f f~`.
  LogWriter w;
  for (int i = 0; i < 300; ++i) {
    w.syscall_paths(316, 8100, 1, "/usr/bin/python3", "python3",
                    {"name=\"/etc/app/\" inode=20 dev=08:01 mode=040755 nametype=PARENT",
                     "name=\"/etc/app/\" inode=20 dev=08:01 mode=040755 nametype=PARENT",
                     "name=\"/etc/app/conf.tmp\" inode=" + std::to_string(9000 + i) +
                         " dev=08:01 mode=0100644 nametype=DELETE",
                     "name=\"/etc/app/conf\" inode=" + std::to_string(8999 + i) + " dev=08:01 mode=0100644 nametype=DELETE",
                     "name=\"/etc/app/conf\" inode=" + std::to_string(9000 + i) + " dev=08:01 mode=0100644 nametype=CREATE"},
                    "/", "a0=ffffff9c a1=1 a2=ffffff9c a3=2");
  }
  for (int i = 0; i < 50; ++i)
    w.syscall_paths(316, 8200, 1, "/usr/bin/vim.basic", "vim",
                    {"name=\"/srv/\" inode=30 dev=08:01 mode=040755 nametype=PARENT",
                     "name=\"/srv/\" inode=30 dev=08:01 mode=040755 nametype=PARENT",
                     "name=\"/srv/notes\" inode=" + std::to_string(7000 + i) + " dev=08:01 mode=0100644 nametype=DELETE",
                     "name=\"/srv/notes~\" inode=" + std::to_string(6999 + i) + " dev=08:01 mode=0100644 nametype=DELETE",
                     "name=\"/srv/notes~\" inode=" + std::to_string(7000 + i) + " dev=08:01 mode=0100644 nametype=CREATE"});
  auto r = hunt_text(w.text());
  EXPECT_TRUE(of_rule(r, "AU002").empty()) << of_rule(r, "AU002").front()->message;
}

TEST(DetectAU002, SlowRotatingAndFailingRenamesAreNotLoops) {
  LogWriter w;
  for (int i = 0; i < 40; ++i) {  // slow: 2 s apart
    w.rename2(7700, 1, "/srv/a", "/srv/b");
    w.advance(2000);
  }
  for (int i = 0; i < 100; ++i)  // always new names
    w.rename2(7800, 1, "/var/log/app.log." + std::to_string(i), "/var/log/app.log." + std::to_string(i + 1));
  for (int i = 0; i < 100; ++i) w.rename2(7900, 1, "/x/a", "/x/b", "/", "no");
  for (int i = 0; i < 31; ++i) w.rename2(7950, 1, "/y/a", "/y/b");  // one short of the threshold
  EXPECT_TRUE(of_rule(hunt_text(w.text()), "AU002").empty());
}

// --- AU003

TEST(DetectAU003, CopiesDuringTheLoopOnTheirPath) {
  LogWriter w;
  start_loop_process(w, 7601, "/w/dir", "/w/dir-link");
  loop(w, 7601, 40);
  std::string c1 = copy_to(w, 4001, "/w/dir/payload1", "/w/dir");
  loop(w, 7601, 40);
  std::string c2 = copy_to(w, 4003, "/tmp/elsewhere", "/tmp");   // other path: no
  loop(w, 7601, 40);
  std::string c3 = copy_to(w, 4005, "/w/dir/sub/deep", "/w/dir/sub");  // ancestor swapped: yes
  loop(w, 7601, 40);
  w.advance(10000);
  std::string c4 = copy_to(w, 4007, "/w/dir/payload3", "/w/dir");  // after the loop: no
  auto r = hunt_text(w.text());
  auto a = of_rule(r, "AU003");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0]->event_ids.front(), c1);
  EXPECT_EQ(a[1]->event_ids.front(), c3);
  EXPECT_EQ(a[0]->severity, tocsin::Severity::critical);
  ASSERT_TRUE(a[0]->swap);
  EXPECT_EQ(a[0]->swap->pid, 7601);
  ASSERT_TRUE(a[0]->docker_cp);
  EXPECT_EQ(a[0]->docker_cp->container, "victim");
  EXPECT_EQ(of_rule(r, "AU002").size(), 1u);
  EXPECT_EQ(of_rule(r, "AU001").size(), 4u);
}

TEST(DetectAU003, LoopInAnotherContainerDoesNotCount) {
  LogWriter w;
  const std::string other(64, 'e');
  w.execve(2000, 1, {"/usr/bin/docker", "exec", "-d", "web", "/bin/swap"}, "/usr/bin/docker", "docker", kAdmin);
  w.execve(2010, 1900, {"runc", "exec", "--process", "/tmp/p", other}, "/usr/sbin/runc", "runc", kService);
  w.execve(7601, 2010, {"/bin/swap"}, "/bin/swap", "swap", kService);
  w.advance(5000);  // far from the docker exec: no name link by proximity
  // victim is a different container: its name is linked to its own id
  w.execve(2100, 1, {"/usr/bin/docker", "exec", "victim", "true"}, "/usr/bin/docker", "docker", kAdmin);
  w.execve(2110, 1900, {"runc", "exec", "--process", "/tmp/q", kCid}, "/usr/sbin/runc", "runc", kService);
  loop(w, 7601, 40);
  copy_to(w, 4001, "/w/dir/payload1", "/w/dir");
  loop(w, 7601, 40);
  auto r = hunt_text(w.text());
  EXPECT_EQ(of_rule(r, "AU002").size(), 1u);
  EXPECT_TRUE(of_rule(r, "AU003").empty());
}

// --- AU004

TEST(DetectAU004, HelperResolvedElsewhere) {
  LogWriter w;
  copy_to(w, 4001, "/w/dir/payload1", "/w/dir");
  std::string won = copy_to(w, 4003, "/w/dir/payload2", "/");
  copy_to(w, 4005, "/tmp", "/tmp");            // a directory target extracts into itself
  copy_to(w, 4007, "/w/dir/", "/w/dir");
  std::string from = copy_from(w, 4009, "/data/cfg/hostname", "/etc/");
  copy_from(w, 4011, "/data/cfg/hostname", "/data/cfg/");
  auto r = hunt_text(w.text());
  auto a = of_rule(r, "AU004");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0]->event_ids.front(), won);
  EXPECT_EQ(a[0]->docker_cp->resolved_path.value_or(""), "/");
  EXPECT_EQ(a[0]->docker_cp->path, "/w/dir/payload2");
  EXPECT_EQ(a[1]->event_ids.front(), from);
  EXPECT_EQ(a[1]->docker_cp->resolved_path.value_or(""), "/etc");
  auto j = nlohmann::json::parse(tocsin::report::alert_jsonl(*a[0]));
  EXPECT_EQ(j["docker_cp"]["resolved_path"], "/");
  EXPECT_EQ(j["severity"], "critical");
}

TEST(DetectAU004, InProcessEngineOpensElsewhere) {
  LogWriter w;
  std::string c = w.execve(4001, 1500, {"/usr/bin/docker", "cp", "/root/p", "victim:/w/dir/payload2"},
                           "/usr/bin/docker", "docker", kAdmin);
  w.openat_write(812, 1, kRootfs + "/payload2", "/usr/sbin/dockerd", "dockerd");
  std::string ok = w.execve(4003, 1500, {"/usr/bin/docker", "cp", "/root/p", "victim:/w/dir/payload3"},
                            "/usr/bin/docker", "docker", kAdmin);
  w.openat_write(812, 1, kRootfs + "/w/dir/payload3", "/usr/sbin/dockerd", "dockerd");
  auto hunted = hunt_text(w.text());
  auto a = of_rule(hunted, "AU004");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->event_ids.front(), c);
  EXPECT_EQ(a[0]->docker_cp->resolved_path.value_or(""), "/");
}

// --- AU005

TEST(DetectAU005, RuntimeWritesOutsideStorageDuringACopy) {
  LogWriter w;
  std::string helper;
  copy_to(w, 5001, "/w/dir/x", "/w/dir", &helper);
  w.openat_write(812, 1, "/var/lib/docker/containers/x/config.v2.json", "/usr/sbin/dockerd", "dockerd");
  w.syscall_cwd(161, 5002, "/", "/usr/sbin/dockerd", "exe");  // helper chroots: confined from now on
  w.openat_write(5002, 812, "/w/dir/x", "/usr/sbin/dockerd", "exe");
  std::string bad = w.openat_write(812, 1, "/etc/cron.d/evil", "/usr/sbin/dockerd", "dockerd");
  w.openat_write(5001, 1500, "/root/elsewhere", "/usr/bin/docker", "docker");  // the client is not the runtime
  w.openat_write(812, 1, "/etc/passwd", "/usr/sbin/dockerd", "dockerd", "/", "0");  // read-only open
  w.advance(30000);
  w.openat_write(812, 1, "/etc/docker/key.json", "/usr/sbin/dockerd", "dockerd");  // no copy running
  auto hunted = hunt_text(w.text());
  auto a = of_rule(hunted, "AU005");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->event_ids.front(), bad);
  // dockerd's own write: no lineage leads to the copy, so it is named, not charged to it.
  EXPECT_FALSE(a[0]->docker_cp);
  EXPECT_NE(a[0]->message.find("1 copy was active (docker cp victim:/w/dir/x)"), std::string::npos) << a[0]->message;
}

TEST(DetectAU005, CopyDestinationIsAllowed) {
  LogWriter w;
  w.execve(5001, 1500, {"/usr/bin/docker", "cp", "victim:/etc/hostname", "/srv/out/h"}, "/usr/bin/docker",
           "docker", kAdmin, "/root");
  w.openat_write(812, 1, "/srv/out/h", "/usr/sbin/dockerd", "dockerd");
  EXPECT_TRUE(of_rule(hunt_text(w.text()), "AU005").empty());
}

// --- AU006

TEST(DetectAU006, HelperStartsAProgram) {
  LogWriter w;
  copy_from(w, 6001, "/etc/passwd", "/etc/");  // helper pid 6002
  std::string bad = w.execve(6003, 6002, {"/bin/sh", "-c", "id"}, "/bin/sh", "sh", kService);
  w.execve(6004, 1500, {"/bin/ls"}, "/bin/ls", "ls", kAdmin);
  copy_to(w, 6010, "/tmp/x", "/tmp");  // helper 6011, no child
  auto hunted = hunt_text(w.text());
  auto a = of_rule(hunted, "AU006");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->event_ids.front(), bad);
}

TEST(DetectAU006, HelperReplacingItsOwnImage) {
  LogWriter w;
  copy_from(w, 6001, "/etc/passwd", "/etc/");  // helper pid 6002, ppid 812
  std::string bad = w.execve(6002, 812, {"/tmp/evil"}, "/tmp/evil", "evil", kService);
  auto hunted = hunt_text(w.text());
  auto a = of_rule(hunted, "AU006");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->event_ids.front(), bad);
}

// --- AU007

TEST(DetectAU007, ProcFdAndProcExe) {
  LogWriter w;
  std::string a1 = w.syscall_cwd(80, 8001, "/proc/self/fd/7", "/usr/sbin/runc", "runc:[2:INIT]");
  w.syscall_cwd(80, 8001, "/proc/self/fd/7/..", "/usr/sbin/runc", "runc:[2:INIT]");  // same pid: once
  std::string a2 = w.execve(8002, 1, {"/proc/self/fd/7/../../../bin/sh"}, "/bin/sh", "sh", kService);
  std::string a3 = w.openat_write(8003, 1, "/proc/1920/exe", "/exploit", "exploit", "/", "1");
  w.openat_write(8004, 1, "/proc/1920/exe", "/exploit", "exploit", "/", "0");  // read-only
  w.syscall_cwd(80, 8005, "/proc/1/cwd");
  w.syscall_cwd(80, 8006, "/home/fd/7");
  std::string a4 = w.openat_write(8007, 1, "/usr/sbin/runc", "/tmp/x", "x");
  w.openat_write(8008, 1, "/usr/sbin/runc", "/usr/bin/dpkg", "dpkg");  // package upgrade
  auto hunted = hunt_text(w.text());
  auto a = of_rule(hunted, "AU007");
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0]->event_ids.front(), a1);
  EXPECT_EQ(a[1]->event_ids.front(), a2);
  EXPECT_EQ(a[2]->event_ids.front(), a3);
  EXPECT_EQ(a[3]->event_ids.front(), a4);
}

// --- AU008

TEST(DetectAU008, LossReportsButNotSerialGaps) {
  LogWriter w;
  w.standalone("CONFIG_CHANGE", "op=set audit_backlog_limit=8192 old=64 auid=0 ses=4294967295 res=1");
  std::string e1 = w.standalone("DAEMON_ERR", "op=dispatch-err auid=0 pid=900 res=failed");
  w.advance(5);
  std::string e2 = w.standalone("CONFIG_CHANGE", "op=set audit_lost=310 old=0 auid=0 ses=4294967295 res=1");
  w.standalone("CONFIG_CHANGE", "op=set audit_lost=310 old=0 auid=0 ses=4294967295 res=1");  // not grown
  w.standalone("DAEMON_RESUME", "op=resume auditd=4.0 pid=900 res=success");
  w.advance(2000);
  std::string e3 = w.standalone("DAEMON_ABORT", "op=abort auid=0 pid=900 res=failed");
  auto r = hunt_text(w.text());
  auto a = of_rule(r, "AU008");
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0]->event_ids.front(), e1);
  EXPECT_EQ(a[1]->event_ids.front(), e2);
  EXPECT_EQ(a[2]->event_ids.front(), e3);
}

TEST(DetectAU008, SerialGapsOnlyInStats) {
  LogWriter w;
  w.syscall_cwd(80, 1, "/");
  w.raw("type=SYSCALL msg=audit(1795331099.000:5000): arch=c000003e syscall=80 success=yes exit=0 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 tty=(none) ses=1 comm=\"x\" exe=\"/x\" key=(null)");
  auto r = hunt_text(w.text());
  EXPECT_TRUE(of_rule(r, "AU008").empty());
  EXPECT_EQ(r.stats.serial_gaps, 5000u - 1001u - 1u);
}

// --- AU000

TEST(DetectAU000, OneSummaryPerFile) {
  LogWriter w;
  w.syscall_cwd(80, 1, "/");
  w.raw("this is not audit data");
  w.raw("type=SYSCALL msg=audit(garbage");
  w.raw(std::string("\x01\x02\xff binary", 10));
  w.syscall_cwd(80, 1, "/");
  auto r = hunt_text(w.text());
  auto a = of_rule(r, "AU000");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_NE(a[0]->message.find("3 broken records"), std::string::npos) << a[0]->message;
  EXPECT_EQ(a[0]->line, 4u);  // after SYSCALL, CWD, EOE of the first event
  EXPECT_EQ(r.stats.events, 2u);
}

TEST(DetectAU000, CleanInputNoAlert) {
  LogWriter w;
  w.syscall_cwd(80, 1, "/");
  EXPECT_TRUE(of_rule(hunt_text(w.text()), "AU000").empty());
}

// --- engine options

TEST(DetectEngine, SelectIgnoreAndTimeWindow) {
  LogWriter w;
  copy_to(w, 4003, "/w/dir/payload2", "/");
  EngineOptions only4;
  only4.select = {"AU004"};
  auto r = hunt_text(w.text(), only4);
  ASSERT_EQ(r.alerts.size(), 1u);
  EXPECT_EQ(r.alerts[0].rule, "AU004");
  EngineOptions no1;
  no1.ignore = {"AU001"};
  EXPECT_EQ(hunt_text(w.text(), no1).alerts.size(), 1u);
  EngineOptions later;
  later.since_ms = 1795331081000ULL;
  EXPECT_TRUE(hunt_text(w.text(), later).alerts.empty());
  EngineOptions earlier;
  earlier.until_ms = 1795331081000ULL;
  EXPECT_EQ(hunt_text(w.text(), earlier).alerts.size(), 2u);
}

TEST(DetectEngine, GarbageNeverCrashes) {
  std::string junk;
  for (int i = 0; i < 2000; ++i) junk += static_cast<char>((i * 7919) % 256);
  junk += "\ntype=EXECVE msg=audit(1.1:1): argc=99999 a0=\"docker\" a1=\"cp\"\n";
  junk += "type=SYSCALL msg=audit(1.1:1): syscall=316 pid=-1 ppid=99999999999999999999 success=yes\n";
  junk += "type=PATH msg=audit(1.1:1): item=0 name=(null) nametype=DELETE\n";
  auto r = hunt_text(junk);
  EXPECT_GE(r.stats.broken, 1u);
}
