// AuditStream event completion: auditd logs no EOE, so live events complete when they get no
// record for a while: after kQuietMs of steady time (tick), or once kQuietRecords records of
// other events came in (so a fast stream does not hold seconds of finished events), and
// never earlier than either.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "audit/detections/engine.hpp"
#include "audit/hunt.hpp"
#include "audit/text_source.hpp"
#include "runtime/audit_stream.hpp"
#include "runtime/follower.hpp"

using namespace tocsin;
using namespace tocsin::runtime;

namespace {

std::string syscall_record(uint64_t serial, int pid) {
  return "type=SYSCALL msg=audit(1795332947.962:" + std::to_string(serial) +
         "): arch=c000003e syscall=2 success=yes exit=3 items=1 ppid=1 pid=" + std::to_string(pid) +
         " auid=1000 uid=0 comm=\"cat\" exe=\"/usr/bin/cat\"";
}
std::string path_record(uint64_t serial) {
  return "type=PATH msg=audit(1795332947.962:" + std::to_string(serial) +
         "): item=0 name=\"/etc/hosts\" inode=1 dev=fe:00 mode=0100644 nametype=NORMAL";
}

}  // namespace

TEST(AuditStream, FastStreamCompletesEventsByRecordCount) {
  audit::Engine engine;
  AuditStream s(engine);
  uint64_t line = 0;
  s.line(syscall_record(1, 10), "f", ++line);
  s.line(path_record(1), "f", ++line);
  // Fewer other records than the window: nothing completes without a tick.
  for (uint64_t i = 2; i < 1000; ++i) s.line(syscall_record(i, 11), "f", ++line);
  EXPECT_EQ(s.events(), 0u);
  EXPECT_EQ(s.in_flight(), 999u);
  // Past the window: the first event (and the others as old) reach the engine, complete.
  for (uint64_t i = 1000; i < 2 * AuditStream::kQuietRecords; ++i) s.line(syscall_record(i, 11), "f", ++line);
  EXPECT_GT(s.events(), 0u);
  EXPECT_LE(s.in_flight(), AuditStream::kQuietRecords + AuditStream::kQuietRecords / 2);
  // The first event went out whole, with its PATH record (one more record than events).
  EXPECT_EQ(engine.stats().records, s.events() + 1);
}

TEST(AuditStream, SlowStreamCompletesOnTheQuietTimer) {
  audit::Engine engine;
  AuditStream s(engine);
  s.line(syscall_record(1, 10), "f", 1);
  s.tick(1000);  // marks what was added by now
  EXPECT_EQ(s.events(), 0u);
  s.line(path_record(1), "f", 2);  // the same event gets a record: still open
  s.tick(1000 + AuditStream::kQuietMs);
  EXPECT_EQ(s.events(), 0u);
  s.tick(1000 + 2 * AuditStream::kQuietMs);  // quiet for a whole period: complete
  EXPECT_EQ(s.events(), 1u);
  EXPECT_EQ(s.in_flight(), 0u);
}

TEST(AuditStream, LiveClockRunsOnOnlyWhileTheLogIsQuiet) {
  // The live clock is the newest log time plus the steady time since the last record was read.
  // Records older than the newest (logs replayed out of order, a node catching up) keep coming:
  // the clock must not run on meanwhile, or it would close swap loops and copies in the middle
  // of their events.
  audit::Engine engine;
  AuditStream s(engine);
  auto steady = [] {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  };
  auto rec = [](uint64_t sec, uint64_t serial) {
    return "type=SYSCALL msg=audit(" + std::to_string(sec) + ".000:" + std::to_string(serial) +
           "): arch=c000003e syscall=2 success=yes exit=3 items=0 ppid=1 pid=7 auid=1000 uid=0 "
           "comm=\"cat\" exe=\"/usr/bin/cat\"";
  };
  // PROCTITLE completes each event at once: nothing held back holds the clock either.
  auto title = [](uint64_t sec, uint64_t serial) {
    return "type=PROCTITLE msg=audit(" + std::to_string(sec) + ".000:" + std::to_string(serial) +
           "): proctitle=\"cat\"";
  };
  const uint64_t newest_ms = 1795332990ull * 1000;
  s.line(rec(1795332990, 1), "f", 1);
  s.line(title(1795332990, 1), "f", 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  s.line(rec(1795332900, 2), "f", 3);  // older than the newest, read 300 ms later
  s.line(title(1795332900, 2), "f", 4);
  ASSERT_EQ(s.events(), 2u);
  ASSERT_EQ(s.in_flight(), 0u);
  ASSERT_EQ(engine.context().now_ms, newest_ms);
  s.tick(steady());
  EXPECT_LT(engine.context().now_ms, newest_ms + 200) << "the clock ran on while records came in";
  // Quiet after an older record: the clock starts from that record's time, so it stays behind
  // the newest until the log itself moves on (as hunt, which never sweeps while time goes back).
  s.tick(steady() + 10000);
  EXPECT_EQ(engine.context().now_ms, newest_ms);
  // A record at the newest time, then quiet: the clock follows the steady time from it.
  s.line(rec(1795332990, 3), "f", 5);
  s.line(title(1795332990, 3), "f", 6);
  const uint64_t t = steady();
  s.tick(t + 2000);
  EXPECT_GE(engine.context().now_ms, newest_ms + 2000);
  EXPECT_LT(engine.context().now_ms, newest_ms + 2400);
}

TEST(AuditStream, BrokenInputIsAu000AsInHunt) {
  // The same bytes through hunt's text source and through watch's line splitter and stream: the
  // same AU000 (count, first line, reason) for lines that are not audit data, over-long lines
  // and records dropped from an oversized event, since both read lines with audit::LineReader.
  audit::TextSourceOptions to;
  to.max_line = 200;
  to.assembler.max_event_bytes = 400;
  std::string data;
  auto add = [&](const std::string& l) { data += l + "\n"; };
  add(syscall_record(1, 10));
  add(path_record(1));
  add(std::string(300, 'x'));  // over-long: skipped
  add("just some text");       // no type=
  add(syscall_record(2, 11));
  add(path_record(2));
  add(path_record(2));  // a duplicate: dropped, not broken
  add("type=PATH msg=audit(1795332947.962:2): item=1 name=\"" + std::string(150, 'a') + "\"");  // over the event's size
  add("");
  add("type=SYSCALL msg=audit(17953x): arch=c000003e");  // malformed header
  add(syscall_record(3, 12));

  auto au000 = [](audit::Engine& e) {
    std::vector<std::string> out;
    for (const auto& a : e.take_alerts())
      if (a.rule == "AU000") out.push_back(a.message);
    return out;
  };
  audit::Engine hunt;
  auto src = audit::TextSource::from_memory(data, "f", to);
  ASSERT_TRUE(src.for_each([&](audit::Event&& ev) {
    hunt.on_event(ev);
    return true;
  }));
  audit::report_broken(hunt, src, "f");
  hunt.end_of_file("f");
  hunt.finish();

  audit::Engine watch;
  AuditStream s(watch, to.assembler);
  LineSplitter split(to.max_line, true);
  uint64_t n = 0;
  auto fn = [&](std::string_view l, const LinePos& p) {
    if (p.too_long) s.long_line(l, "f", ++n, to.max_line);
    else s.line(l, "f", ++n);
  };
  split.feed(data, 0, {}, fn);
  split.finish({}, fn);
  s.flush();
  watch.finish();

  EXPECT_EQ(hunt.stats().broken, 4u);
  EXPECT_EQ(watch.stats().broken, hunt.stats().broken);
  EXPECT_EQ(watch.stats().events, hunt.stats().events);
  EXPECT_EQ(s.bad_lines(), 4u);
  const auto h = au000(hunt);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0], "4 broken records in f (first at line 3: line longer than 200 bytes skipped)");
  EXPECT_EQ(au000(watch), h);
}
