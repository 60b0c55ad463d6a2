// Assembly of records into events: EXECVE arguments, PROCTITLE, interleaving, completion rules,
// late and duplicate records, serial gaps, memory bounds, garbage input; and the builder.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "audit/text_source.hpp"
#include "core_test_util.hpp"

namespace tocsin::audit {
namespace {

using testing::one_event;
using testing::parse_text;

TEST(CoreAssembler, ExecveArgumentsSplitAcrossRecords) {
  // a1 is split in pieces (a1_len, a1[0], a1[1]); a2 hex; the args continue in a second
  // EXECVE record as the kernel does for long command lines.
  auto ev = one_event(
      "type=SYSCALL msg=audit(10.000:5): arch=c000003e syscall=59 success=yes exit=0 pid=7\n"
      "type=EXECVE msg=audit(10.000:5): argc=4 a0=\"docker\" a1_len=10 a1[0]=\"abcde\" "
      "a1[1]=6667686920\n"
      "type=EXECVE msg=audit(10.000:5): a2=6374723A2F7372632F66696C65 a3=\"/dst\"\n"
      "type=EOE msg=audit(10.000:5):\n");
  EXPECT_EQ(ev.completion(), Completion::Eoe);
  EXPECT_EQ(ev.argc(), 4);
  EXPECT_EQ(ev.argv(),
            (std::vector<std::string>{"docker", "abcdefghi ", "ctr:/src/file", "/dst"}));
  EXPECT_EQ(ev.record_count(), 3u);  // EOE is not kept as a record
}

TEST(CoreAssembler, ExecveMissingArgumentsStayEmpty) {
  auto ev = one_event("type=EXECVE msg=audit(10.000:6): argc=3 a0=\"ls\" a2=(null)\n"
                      "type=EOE msg=audit(10.000:6):\n");
  EXPECT_EQ(ev.argv(), (std::vector<std::string>{"ls", "", ""}));
  // A hostile argc does not make us allocate billions of strings.
  auto big = one_event("type=EXECVE msg=audit(10.000:7): argc=99999999999 a0=\"x\"\n"
                       "type=EOE msg=audit(10.000:7):\n");
  EXPECT_LE(big.argv().size(), 4096u);
  EXPECT_EQ(big.argv().at(0), "x");
}

TEST(CoreAssembler, ProctitleNulSeparatedAndTruncated) {
  // "runc\0init" and a 128-byte-cut title ending mid-argument.
  auto ev = one_event(
      "type=SYSCALL msg=audit(10.000:8): arch=c000003e syscall=59 success=yes\n"
      "type=PROCTITLE msg=audit(10.000:8): proctitle=72756E6300696E697400\n"
      "type=EOE msg=audit(10.000:8):\n");
  EXPECT_EQ(ev.proctitle_argv(), (std::vector<std::string>{"runc", "init"}));
  EXPECT_EQ(ev.proctitle(), "runc init");
  auto q = one_event("type=PROCTITLE msg=audit(10.000:9): proctitle=\"/usr/sbin/chronyd\"\n"
                     "type=EOE msg=audit(10.000:9):\n");
  EXPECT_EQ(q.proctitle(), "/usr/sbin/chronyd");
  auto cut = one_event("type=PROCTITLE msg=audit(10.000:10): proctitle=6C73002D6C002F7573722F6C\n"
                       "type=EOE msg=audit(10.000:10):\n");
  EXPECT_EQ(cut.proctitle_argv(), (std::vector<std::string>{"ls", "-l", "/usr/l"}));
}

TEST(CoreAssembler, InterleavedEventsAndNodes) {
  auto p = parse_text(
      "type=SYSCALL msg=audit(10.000:1): syscall=59 pid=1\n"
      "type=SYSCALL msg=audit(10.000:2): syscall=82 pid=2\n"
      "node=b type=SYSCALL msg=audit(10.000:1): syscall=2 pid=3\n"
      "type=CWD msg=audit(10.000:1): cwd=\"/one\"\n"
      "type=CWD msg=audit(10.000:2): cwd=\"/two\"\n"
      "type=EOE msg=audit(10.000:2):\n"
      "node=b type=EOE msg=audit(10.000:1):\n"
      "type=EOE msg=audit(10.000:1):\n");
  // Events leave in the order they began, whatever order their EOEs came in.
  ASSERT_EQ(p.events.size(), 3u);
  EXPECT_EQ(p.events[0].node(), "");
  EXPECT_EQ(p.events[0].cwd(), "/one");
  EXPECT_EQ(p.events[0].pid(), 1);
  EXPECT_EQ(p.events[1].serial(), 2u);
  EXPECT_EQ(p.events[1].cwd(), "/two");
  EXPECT_EQ(p.events[2].node(), "b");
  EXPECT_EQ(p.events[2].pid(), 3);
  EXPECT_FALSE(p.events[2].cwd().has_value());
  EXPECT_EQ(p.stats.events, 3u);
  EXPECT_EQ(p.stats.records, 8u);
}

TEST(CoreAssembler, StandaloneTypesCompleteAtOnce) {
  auto p = parse_text(
      "type=SYSCALL msg=audit(10.000:1): syscall=59\n"
      "type=USER_LOGIN msg=audit(10.000:2): pid=1 msg='op=login res=success'\n"
      "type=DAEMON_START msg=audit(10.000:3): op=start ver=3.0 res=success\n");
  ASSERT_EQ(p.events.size(), 3u);
  // The SYSCALL without EOE is completed at end of input, and the single-record events, complete
  // at once, wait behind it: events leave in the order they began.
  EXPECT_EQ(p.events[0].primary_type(), RecordType::Syscall);
  EXPECT_EQ(p.events[0].completion(), Completion::EndOfInput);
  EXPECT_EQ(p.events[1].primary_type(), RecordType::UserLogin);
  EXPECT_EQ(p.events[1].completion(), Completion::Standalone);
  EXPECT_EQ(p.events[2].primary_type(), RecordType::DaemonStart);
  EXPECT_EQ(p.events[2].completion(), Completion::Standalone);
  EXPECT_EQ(p.stats.max_in_flight, 3u);
  // With nothing open they never enter the in-flight set.
  auto q = parse_text(
      "type=USER_LOGIN msg=audit(10.000:2): pid=1 msg='op=login res=success'\n"
      "type=DAEMON_START msg=audit(10.000:3): op=start ver=3.0 res=success\n");
  ASSERT_EQ(q.events.size(), 2u);
  EXPECT_EQ(q.stats.max_in_flight, 0u);
}

TEST(CoreAssembler, ProctitleCompletesAnEventInTheOrderEventsBegan) {
  // auditd logs no EOE: PROCTITLE, the kernel's last record of a syscall event, completes it.
  // #2 is complete first but waits for #1 (still open) so the detections see log order; the EOE
  // after a PROCTITLE is neither late nor a new event.
  auto p = parse_text(
      "type=SYSCALL msg=audit(10.000:1): syscall=59 pid=1\n"
      "type=SYSCALL msg=audit(10.001:2): syscall=82 pid=2\n"
      "type=PROCTITLE msg=audit(10.001:2): proctitle=\"mv\"\n"
      "type=CWD msg=audit(10.000:1): cwd=\"/one\"\n"
      "type=PROCTITLE msg=audit(10.000:1): proctitle=\"ls\"\n"
      "type=EOE msg=audit(10.000:1):\n"
      "type=SYSCALL msg=audit(10.002:3): syscall=2 pid=3\n"
      "type=PROCTITLE msg=audit(10.002:3): proctitle=\"cat\"\n"
      "type=SYSCALL msg=audit(10.003:4): syscall=2 pid=4\n");
  ASSERT_EQ(p.events.size(), 4u);
  EXPECT_EQ(p.events[0].serial(), 1u);
  EXPECT_EQ(p.events[0].cwd(), "/one");
  EXPECT_EQ(p.events[0].completion(), Completion::Terminal);
  EXPECT_EQ(p.events[1].serial(), 2u);
  EXPECT_EQ(p.events[1].completion(), Completion::Terminal);
  EXPECT_EQ(p.events[2].serial(), 3u);
  EXPECT_EQ(p.events[2].completion(), Completion::Terminal);
  EXPECT_EQ(p.events[3].serial(), 4u);
  EXPECT_EQ(p.events[3].completion(), Completion::EndOfInput);
  EXPECT_EQ(p.stats.late_records, 0u);
  EXPECT_EQ(p.stats.records, 9u);
  EXPECT_EQ(p.stats.max_in_flight, 2u);
}

TEST(CoreAssembler, WatermarkCompletesEventsWithoutEoe) {
  TextSourceOptions o;
  o.assembler.watermark_ms = 2000;
  auto p = parse_text(
      "type=SYSCALL msg=audit(10.000:1): syscall=59\n"
      "type=SYSCALL msg=audit(11.000:2): syscall=59\n"
      "type=SYSCALL msg=audit(12.500:3): syscall=59\n"  // 2.5 s after #1: #1 is done
      "type=PATH msg=audit(11.000:2): item=0 name=\"/x\"\n",
      o);
  ASSERT_EQ(p.events.size(), 3u);
  EXPECT_EQ(p.events[0].serial(), 1u);
  EXPECT_EQ(p.events[0].completion(), Completion::Watermark);
  EXPECT_EQ(p.events[1].serial(), 2u);  // still open when its PATH came
  EXPECT_EQ(p.events[1].record_count(), 2u);
  EXPECT_EQ(p.stats.watermark_events, 1u);
  EXPECT_EQ(p.stats.late_records, 0u);
}

TEST(CoreAssembler, LateAndDuplicateRecords) {
  auto p = parse_text(
      "type=SYSCALL msg=audit(10.000:1): syscall=59 pid=5\n"
      "type=CWD msg=audit(10.000:1): cwd=\"/\"\n"
      "type=CWD msg=audit(10.000:1): cwd=\"/\"\n"  // exact duplicate: dropped
      "type=EOE msg=audit(10.000:1):\n"
      "type=PATH msg=audit(10.000:1): item=0 name=\"/late\"\n"  // after EOE: late
      "type=EOE msg=audit(10.000:1):\n");
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.stats.duplicate_records, 1u);
  EXPECT_EQ(p.events[0].record_count(), 2u);
  EXPECT_FALSE(p.events[0].late());
  EXPECT_TRUE(p.events[1].late());
  EXPECT_EQ(p.events[1].paths().at(0).name, "/late");
  EXPECT_EQ(p.stats.late_records, 1u);
}

TEST(CoreAssembler, SerialGapsAreCountedNotReported) {
  auto p = parse_text(
      "type=USER_CMD msg=audit(10.000:100): pid=1\n"
      "type=USER_CMD msg=audit(10.000:101): pid=1\n"
      "type=USER_CMD msg=audit(10.000:150): pid=1\n"
      "node=z type=USER_CMD msg=audit(10.000:7): pid=1\n"  // other node: own sequence
      "type=USER_CMD msg=audit(10.000:160): pid=1\n");
  EXPECT_EQ(p.stats.serial_gaps, 2u);
  EXPECT_EQ(p.stats.bad_lines, 0u);
  EXPECT_TRUE(p.issues.empty());
}

TEST(CoreAssembler, InFlightCapEvictsOldest) {
  TextSourceOptions o;
  o.assembler.max_in_flight = 10;
  std::string text;
  for (int i = 1; i <= 100; ++i)
    text += "type=SYSCALL msg=audit(10.000:" + std::to_string(i) + "): syscall=59\n";
  auto p = parse_text(text, o);
  EXPECT_EQ(p.events.size(), 100u);
  EXPECT_EQ(p.stats.evicted_events, 90u);
  EXPECT_LE(p.stats.max_in_flight, 11u);
  EXPECT_EQ(p.events.front().serial(), 1u);  // the oldest goes first
}

TEST(CoreAssembler, TruncatedLastLineAndGarbage) {
  auto p = parse_text(
      "\x7f" "ELF\x01\x02\x03 garbage\n"
      "type=SYSCALL msg=audit(10.000:1): syscall=59 pid=9\n"
      "this is not audit\n"
      "type=CWD msg=audit(10.000:1): cwd=\"/tr");  // no newline, cut mid-value
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].cwd(), "/tr");
  EXPECT_EQ(p.stats.bad_lines, 2u);
  ASSERT_EQ(p.issues.size(), 2u);
  EXPECT_EQ(p.issues[0].line, 1u);
  EXPECT_EQ(p.issues[0].file, "mem.log");
  EXPECT_EQ(p.issues[1].line, 3u);
  EXPECT_EQ(p.issues[1].excerpt, "this is not audit");
}

TEST(CoreAssembler, RandomBytesNeverCrash) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 50; ++round) {
    std::string s;
    size_t n = rng() % 20000;
    for (size_t i = 0; i < n; ++i) {
      // Bias towards the characters the lexer cares about.
      static const char kAlpha[] = "type=msg=audit(1.2:3):'\" \n\x1d=aA0(null)[]_";
      s.push_back(rng() % 3 ? kAlpha[rng() % (sizeof kAlpha - 1)] : static_cast<char>(rng()));
    }
    auto p = parse_text(s);
    for (auto& ev : p.events) {
      (void)ev.argv();
      (void)ev.paths();
      (void)ev.proctitle_argv();
      (void)ev.keys();
      (void)ev.syscall_name();
      for (size_t i = 0; i < ev.record_count(); ++i) {
        auto r = ev.record(i);
        for (size_t f = 0; f < r.field_count(); ++f) (void)r.str(r.field_at(f).key);
      }
    }
    EXPECT_EQ(p.stats.events, p.events.size());
  }
}

TEST(CoreAssembler, HugeLineIsSkippedWithBoundedMemory) {
  // 50 MB without a newline between two good events; the reader buffer is max_line+chunk,
  // so the line can never be held whole.
  TextSourceOptions o;
  o.max_line = 1u << 20;
  o.read_chunk = 1u << 20;
  std::string text = "type=USER_CMD msg=audit(10.000:1): pid=1\n";
  text += "type=SYSCALL msg=audit(10.000:2): a0=";
  text.append(50u << 20, 'A');
  text += "\ntype=USER_CMD msg=audit(10.000:3): pid=3\n";
  auto p = parse_text(std::move(text), o);
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.events[0].serial(), 1u);
  EXPECT_EQ(p.events[1].serial(), 3u);
  EXPECT_EQ(p.stats.long_lines, 1u);
  EXPECT_EQ(p.stats.bad_lines, 1u);
  ASSERT_EQ(p.issues.size(), 1u);
  EXPECT_EQ(p.issues[0].line, 2u);
  EXPECT_EQ(p.events[1].line(), 3u);  // line numbers continue after the skipped line
}

TEST(CoreAssembler, EventSizeIsCapped) {
  TextSourceOptions o;
  o.assembler.max_event_bytes = 4096;
  std::string text = "type=SYSCALL msg=audit(10.000:1): syscall=59\n";
  for (int i = 0; i < 100; ++i)
    text += "type=PATH msg=audit(10.000:1): item=" + std::to_string(i) + " name=\"" +
            std::string(100, 'x') + "\"\n";
  text += "type=EOE msg=audit(10.000:1):\n";
  auto p = parse_text(text, o);
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_LT(p.events[0].record_count(), 100u);
  EXPECT_GT(p.stats.bad_lines, 0u);
}

TEST(CoreAssembler, SinkCanStopEarly) {
  std::string text;
  for (int i = 1; i <= 10; ++i)
    text += "type=USER_CMD msg=audit(10.000:" + std::to_string(i) + "): pid=1\n";
  TextSource src = TextSource::from_memory(text);
  int n = 0;
  ASSERT_TRUE(src.for_each([&](Event&&) { return ++n < 3; }).ok());
  EXPECT_EQ(n, 3);
}

TEST(CoreAssembler, EventOutlivesTheReadBufferAndMoves) {
  std::vector<Event> kept;
  {
    TextSourceOptions o;
    o.read_chunk = 4096;  // force many buffer refills
    std::string text;
    for (int i = 1; i <= 500; ++i)
      text += "type=SYSCALL msg=audit(10.000:" + std::to_string(i) +
              "): syscall=59 comm=\"c" + std::to_string(i) + "\"\ntype=EOE msg=audit(10.000:" +
              std::to_string(i) + "):\n";
    kept = parse_text(text, o).events;
  }
  ASSERT_EQ(kept.size(), 500u);
  std::vector<Event> moved;
  for (auto& e : kept) moved.push_back(std::move(e));
  EXPECT_EQ(moved[0].comm(), "c1");
  EXPECT_EQ(moved[499].comm(), "c500");
  EXPECT_EQ(moved[499].record(0).text(),
            "type=SYSCALL msg=audit(10.000:500): syscall=59 comm=\"c500\"");
}

// ---------------------------------------------------------------- builder

TEST(CoreBuilder, BuildsEventsForJsonInputs) {
  EventBuilder b;
  b.set_key("node-1", 1763795084, 708, 4242);
  b.set_location(std::make_shared<const std::string>("export.json"), 17);
  b.begin_record(RecordType::Syscall);
  b.add_field("arch", "c000003e").add_field("syscall", "59").add_field("success", "yes");
  b.add_value("exe", "/usr/bin/docker").add_value("comm", "a \"quoted\" name");
  b.add_field("auid", "1000").add_interp("AUID", "admin");
  b.begin_record("EXECVE");
  b.add_field("argc", "3").add_value("a0", "docker").add_value("a1", "cp");
  b.add_value("a2", "ctr:/w/dir x");
  b.begin_record(RecordType::Cwd).add_value("cwd", "/home/\x01odd");
  Event ev = std::move(b).build();
  EXPECT_EQ(ev.completion(), Completion::Built);
  EXPECT_EQ(ev.node(), "node-1");
  EXPECT_EQ(ev.time_ms(), 1763795084708u);
  EXPECT_EQ(ev.serial(), 4242u);
  EXPECT_EQ(ev.file(), "export.json");
  EXPECT_EQ(ev.line(), 17u);
  EXPECT_EQ(ev.syscall_name(), "execve");
  EXPECT_EQ(ev.exe(), "/usr/bin/docker");
  EXPECT_EQ(ev.comm(), "a \"quoted\" name");  // hex-encoded because of the quotes
  EXPECT_EQ(ev.auid(), 1000);
  EXPECT_EQ(ev.interp("AUID"), "admin");
  EXPECT_EQ(ev.argv(), (std::vector<std::string>{"docker", "cp", "ctr:/w/dir x"}));
  EXPECT_EQ(ev.cwd(), "/home/\x01odd");
  EXPECT_EQ(ev.record(1).text(),
            "type=EXECVE msg=audit(1763795084.708:4242): argc=3 a0=\"docker\" a1=\"cp\" "
            "a2=\"ctr:/w/dir x\"");
  // The synthesized text is valid audit text: it lexes back to the same fields.
  auto again = testing::parse_text(std::string(ev.record(0).text()) + "\n");
  ASSERT_EQ(again.events.size(), 1u);
  EXPECT_EQ(again.events[0].exe(), "/usr/bin/docker");
  EXPECT_EQ(again.events[0].interp("AUID"), "admin");
}

}  // namespace
}  // namespace tocsin::audit
