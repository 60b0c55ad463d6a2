// Follow-up tests: AU009 (check/use mismatch), the live clock (Engine::advance_time) and
// quiet-event completion (Assembler::flush_untouched) `watch` relies on, well-formed event ids
// on every completion path, and the same AU001 alerts from every input format.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "audit/assembler.hpp"
#include "audit/formats/json_source.hpp"
#include "audit/lexer.hpp"
#include "detect_helpers.hpp"

namespace tocsin::audit {
namespace {

using testing::hunt_text;
using testing::of_rule;

// One event of a runtime process touching one name: SYSCALL, CWD, PATH (no EOE, as auditd logs).
std::string path_event(const std::string& stamp, int sc, int64_t pid, const std::string& comm,
                       const std::string& exe, const std::string& name, uint64_t inode,
                       const std::string& dev, const std::string& mode = "0100644",
                       const std::string& success = "yes", const std::string& cwd = "/") {
  std::string h = " msg=audit(" + stamp + "): ";
  return "type=SYSCALL" + h + "arch=c000003e syscall=" + std::to_string(sc) + " success=" + success +
         " exit=0 a0=ffffff9c a1=0 a2=0 a3=0 items=1 ppid=1 pid=" + std::to_string(pid) +
         " auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
         "ses=4294967295 comm=\"" + comm + "\" exe=\"" + exe + "\" key=\"k\"\n" +
         "type=CWD" + h + "cwd=\"" + cwd + "\"\n" + "type=PATH" + h + "item=0 name=\"" + name +
         "\" inode=" + std::to_string(inode) + " dev=" + dev + " mode=" + mode +
         " ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n";
}

const std::string kRuncComm = "runc:[2:INIT]", kRunc = "/usr/bin/runc";
const std::string kHosts = "/var/lib/docker/overlay2/ab/merged/etc/hosts";

EngineOptions only(const std::string& rule) {
  EngineOptions o;
  o.select = {rule};
  return o;
}

TEST(DetectAU009, CheckThenUseOfAnotherInodeFires) {
  std::string log = path_event("1795331090.100:1", 262, 2100, kRuncComm, kRunc, kHosts, 5001, "00:2f") +
                    path_event("1795331090.101:2", 257, 2100, kRuncComm, kRunc, kHosts, 77, "08:01");
  auto r = hunt_text(log, only("AU009"));
  auto a = of_rule(r, "AU009");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->severity, Severity::high);
  EXPECT_EQ(a[0]->event_ids, (std::vector<std::string>{"1795331090.100:1", "1795331090.101:2"}));
  EXPECT_NE(a[0]->message.find("inode 5001"), std::string::npos) << a[0]->message;
  EXPECT_NE(a[0]->message.find("inode 77"), std::string::npos) << a[0]->message;
}

TEST(DetectAU009, SameDeviceDifferentInodeAndRelativeNamesFire) {
  // lstat of a relative name (made absolute with the CWD), then mount of the absolute name.
  std::string log =
      path_event("1795331090.200:3", 6, 1500, "dockerd", "/usr/sbin/dockerd", "merged/data", 6001, "00:2f",
                 "040755", "yes", "/var/lib/docker/overlay2/ab") +
      path_event("1795331090.202:4", 165, 1500, "dockerd", "/usr/sbin/dockerd",
                 "/var/lib/docker/overlay2/ab/merged/data", 6002, "00:2f", "040755");
  auto r = hunt_text(log, only("AU009"));
  auto a = of_rule(r, "AU009");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->event_ids.front(), "1795331090.200:3");
}

TEST(DetectAU009, BenignPairsStayQuiet) {
  std::string log;
  // Same object at check and use.
  log += path_event("1795331090.300:10", 262, 2101, kRuncComm, kRunc, kHosts, 5002, "00:2f");
  log += path_event("1795331090.301:11", 257, 2101, kRuncComm, kRunc, kHosts, 5002, "00:2f");
  // A symlink checked without following, then opened through.
  log += path_event("1795331090.400:12", 89, 2102, kRuncComm, kRunc, "/x/etc/mtab", 5003, "00:2f", "0120777");
  log += path_event("1795331090.401:13", 257, 2102, kRuncComm, kRunc, "/x/etc/mtab", 4, "00:05");
  // Not the runtime.
  log += path_event("1795331090.600:14", 262, 3000, "cp", "/usr/bin/cp", "/tmp/x", 8001, "08:01");
  log += path_event("1795331090.601:15", 257, 3000, "cp", "/usr/bin/cp", "/tmp/x", 8002, "08:01");
  // Another process uses the name.
  log += path_event("1795331090.700:16", 262, 2104, kRuncComm, kRunc, "/x/p", 5006, "00:2f");
  log += path_event("1795331090.701:17", 257, 2105, kRuncComm, kRunc, "/x/p", 5007, "00:2f");
  // The use failed.
  log += path_event("1795331090.800:18", 21, 2106, kRuncComm, kRunc, "/x/g", 5008, "00:2f");
  log += path_event("1795331090.801:19", 257, 2106, kRuncComm, kRunc, "/x/g", 5009, "00:2f", "0100644", "no");
  // Check and use of different names.
  log += path_event("1795331090.900:20", 262, 2107, kRuncComm, kRunc, "/x/a", 5010, "00:2f");
  log += path_event("1795331090.901:21", 257, 2107, kRuncComm, kRunc, "/x/b", 5011, "00:2f");
  // The use 3 s after the check: the name may legitimately have been replaced.
  log += path_event("1795331091.000:22", 4, 2108, kRuncComm, kRunc, "/x/h", 5012, "00:2f");
  log += path_event("1795331094.000:23", 257, 2108, kRuncComm, kRunc, "/x/h", 5013, "00:2f");
  auto r = hunt_text(log, only("AU009"));
  EXPECT_TRUE(of_rule(r, "AU009").empty()) << of_rule(r, "AU009").front()->message;
  EXPECT_EQ(r.stats.events, 14u);
}

TEST(DetectAU009, OnlyTheLastCheckPairsAndOnlyOnce) {
  // check (5001), check again (77: now the real object), use (77): no alert; a second use of
  // the same name without a new check is not paired either.
  std::string log = path_event("1795331090.100:1", 262, 2100, kRuncComm, kRunc, kHosts, 5001, "00:2f") +
                    path_event("1795331090.101:2", 262, 2100, kRuncComm, kRunc, kHosts, 77, "08:01") +
                    path_event("1795331090.102:3", 257, 2100, kRuncComm, kRunc, kHosts, 77, "08:01") +
                    path_event("1795331090.103:4", 257, 2100, kRuncComm, kRunc, kHosts, 99, "08:01");
  EXPECT_TRUE(of_rule(hunt_text(log, only("AU009")), "AU009").empty());
}

// --- the live clock

std::string docker_cp_client(testing::LogWriter& w) {
  return w.execve(4242, 4100, {"docker", "cp", "payload", "victim:/w/payload"}, "/usr/bin/docker", "docker");
}

TEST(EngineLiveClock, AdvanceTimeClosesACopyWithoutANewEvent) {
  testing::LogWriter w;
  std::string id = docker_cp_client(w);
  EngineOptions o;
  o.copy_settle_ms = 1000;
  Engine engine(o);
  std::vector<Alert> got;
  engine.set_sink([&](Alert&& a) { got.push_back(std::move(a)); });
  auto src = TextSource::from_memory(w.text(), "live.log");
  uint64_t t = 0;
  ASSERT_TRUE(src.for_each([&](Event&& ev) {
    t = ev.time_ms();
    engine.on_event(ev);
    return true;
  }));
  EXPECT_TRUE(got.empty());
  engine.advance_time(t + 500);
  EXPECT_TRUE(got.empty()) << "reported before the settle time";
  engine.advance_time(t + 400);  // never backwards
  engine.advance_time(t + 1001);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].rule, "AU001");
  EXPECT_EQ(got[0].event_ids.front(), id);
  engine.finish();
  EXPECT_EQ(got.size(), 1u) << "reported twice";
}

TEST(EngineLiveClock, OfflineSettleTimeIsUnchanged) {
  testing::LogWriter w;
  docker_cp_client(w);
  Engine engine;  // hunt's defaults
  std::vector<Alert> got;
  engine.set_sink([&](Alert&& a) { got.push_back(std::move(a)); });
  auto src = TextSource::from_memory(w.text(), "h.log");
  uint64_t t = 0;
  ASSERT_TRUE(src.for_each([&](Event&& ev) {
    t = ev.time_ms();
    engine.on_event(ev);
    return true;
  }));
  engine.advance_time(t + 5000);
  EXPECT_TRUE(got.empty());
  engine.advance_time(t + kCopySettleMs + 1);
  EXPECT_EQ(got.size(), 1u);
}

// --- quiet-event completion and event ids

struct Fed {
  SourceStats stats;
  std::vector<std::string> ids;
  std::vector<Event::FieldRef> fields;
  LexedRecord rec;
  std::shared_ptr<const std::string> file = std::make_shared<const std::string>("f");
  Assembler as;
  explicit Fed(AssemblerOptions o = {})
      : as(o, stats, [this](Event&& ev) {
          ids.push_back(event_id(ev));
          return true;
        }) {}
  void add(const std::string& line) {
    ASSERT_EQ(lex_line(line, rec, fields), LexStatus::Ok) << line;
    as.add(line, rec, fields, file, 1);
  }
};

TEST(CoreAssemblerLive, FlushUntouchedEmitsOnlyQuietEvents) {
  Fed f;
  f.add("type=SYSCALL msg=audit(1795332953.394:100): arch=c000003e syscall=59 success=yes exit=0 pid=7");
  f.add("type=SYSCALL msg=audit(1795332953.395:101): arch=c000003e syscall=59 success=yes exit=0 pid=8");
  uint64_t mark = f.as.records_added();
  f.add("type=CWD msg=audit(1795332953.395:101): cwd=\"/\"");  // 101 is still being written
  ASSERT_TRUE(f.as.flush_untouched(mark));
  EXPECT_EQ(f.ids, (std::vector<std::string>{"1795332953.394:100"}));
  EXPECT_EQ(f.as.in_flight(), 1u);
  ASSERT_TRUE(f.as.flush_untouched(f.as.records_added()));
  EXPECT_EQ(f.ids, (std::vector<std::string>{"1795332953.394:100", "1795332953.395:101"}));
  EXPECT_EQ(f.as.in_flight(), 0u);
  // A record of an emitted event is late: it does not resurrect the event silently.
  f.add("type=PATH msg=audit(1795332953.394:100): item=0 name=\"/x\" nametype=NORMAL");
  EXPECT_EQ(f.stats.late_records, 1u);
}

TEST(CoreAssemblerLive, EveryCompletionPathKeepsTheRecordStamp) {
  // Reported from watch: ids like "0.1795332953:93930934763914". Every way an event leaves the
  // assembler must carry the stamp of its records.
  const std::regex kId(R"(^1795332[0-9]{3}\.[0-9]{3}:[0-9]{1,9}$)");
  AssemblerOptions o;
  o.max_in_flight = 2;
  o.watermark_ms = 1000;
  Fed f(o);
  f.add("type=SYSCALL msg=audit(1795332953.394:200): arch=c000003e syscall=59 success=yes exit=0 pid=7");
  f.add("type=EOE msg=audit(1795332953.394:200):");                                     // EOE
  f.add("type=USER_START msg=audit(1795332953.400:201): pid=1 uid=0 msg='op=x res=success'");  // standalone
  f.add("type=SYSCALL msg=audit(1795332953.401:202): arch=c000003e syscall=2 success=yes exit=0 pid=7");
  f.add("type=SYSCALL msg=audit(1795332953.402:203): arch=c000003e syscall=2 success=yes exit=0 pid=7");
  f.add("type=SYSCALL msg=audit(1795332953.403:204): arch=c000003e syscall=2 success=yes exit=0 pid=7");  // evicts 202
  f.add("type=CWD msg=audit(1795332953.401:202): cwd=\"/\"");                          // late
  f.add("type=SYSCALL msg=audit(1795332960.000:205): arch=c000003e syscall=2 success=yes exit=0 pid=7");  // watermark
  ASSERT_TRUE(f.as.flush_untouched(f.as.records_added()));
  ASSERT_TRUE(f.as.flush_all());
  ASSERT_GE(f.ids.size(), 7u);
  for (const auto& id : f.ids) EXPECT_TRUE(std::regex_match(id, kId)) << id;
  for (const char* want : {"1795332953.394:200", "1795332953.400:201", "1795332953.401:202",
                           "1795332953.402:203", "1795332953.403:204", "1795332960.000:205"})
    EXPECT_NE(std::find(f.ids.begin(), f.ids.end(), want), f.ids.end()) << want;
}

// --- formats: the same AU001 from every hand-made sample

std::vector<std::string> au001_of(const std::string& file, const std::string& format) {
  auto src = open_event_source({std::string(TOCSIN_SOURCE_DIR) + "/tests/data/audit/" + file}, format);
  EXPECT_TRUE(src) << file << " " << format;
  if (!src) return {};
  Engine engine(only("AU001"));
  Status st = (*src)->for_each([&](Event&& ev) {
    engine.on_event(ev);
    return true;
  });
  EXPECT_TRUE(st) << file;
  engine.finish();
  std::vector<std::string> out;
  for (const auto& a : engine.take_alerts())
    out.push_back(a.event_ids.front() + " " + a.docker_cp->direction + " " + a.docker_cp->container + ":" +
                  a.docker_cp->path + " auid=" + (a.user && a.user->auid ? std::to_string(*a.user->auid) : "?"));
  return out;
}

TEST(HuntFormats, SameAU001FromEveryFormatExplicitOrSniffed) {
  const std::vector<std::string> want = au001_of("handmade-docker-cp.log", "text");
  ASSERT_EQ(want.size(), 1u);
  EXPECT_EQ(want[0], "1795331084.708:289942 to-container victim:/w/dir/payload2 auid=1000");
  EXPECT_EQ(au001_of("handmade-docker-cp.log", "auto"), want);
  for (const auto& [file, fmt_name] : std::vector<std::pair<std::string, std::string>>{
           {"handmade-laurel.jsonl", "laurel"},
           {"handmade-es-export.ndjson", "es-export"},
           {"handmade-es-search.json", "es-export"},
           {"handmade-auditbeat.ndjson", "auditbeat"}}) {
    EXPECT_EQ(au001_of(file, fmt_name), want) << file << " as " << fmt_name;
    EXPECT_EQ(au001_of(file, "auto"), want) << file << " sniffed";
  }
}

}  // namespace
}  // namespace tocsin::audit
