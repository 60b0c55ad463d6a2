// The event's fast paths give the same answers as the general lookups: per-record lazy lexing
// (records lexed in any order), the indexed SYSCALL fields (every one of them, and the
// fall-back to other records when the SYSCALL record lacks a field), decoded views, and
// prepare(); PATH items read straight from the text agree with the lexed fields; the
// assembler's last-event shortcut and header-skipping duplicate check.
#include <gtest/gtest.h>

#include <string>

#include "audit/event.hpp"
#include "core_test_util.hpp"

namespace tocsin::audit {
namespace {

using testing::one_event;
using testing::parse_text;

const char* kSyscall =
    "type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=316 success=yes exit=0 "
    "a0=ffffff9c a1=7ffd a2=ffffff9c a3=2 items=4 ppid=100 pid=200 auid=1000 uid=1 gid=2 "
    "euid=3 suid=4 fsuid=5 egid=6 sgid=7 fsgid=8 tty=pts0 ses=9 comm=\"swap\" "
    "exe=2F746D702F73776170 key=\"tocsin-lab-rename\"\n"
    "type=CWD msg=audit(1700000000.123:42): cwd=\"/w\"\n"
    "type=PATH msg=audit(1700000000.123:42): item=0 name=\"/w/\" inode=11 dev=fd:01 mode=040755 "
    "ouid=0 ogid=0 rdev=00:00 nametype=PARENT\n"
    "type=PATH msg=audit(1700000000.123:42): item=1 name=\"dir\" inode=12 dev=fd:01 mode=040755 "
    "ouid=0 ogid=0 rdev=00:00 nametype=DELETE\n"
    "type=EOE msg=audit(1700000000.123:42):\n";

TEST(CoreEventAccess, IndexedSyscallFieldsMatchTheGeneralLookup) {
  Event ev = one_event(kSyscall);
  auto sys = ev.find(RecordType::Syscall);
  ASSERT_TRUE(sys);
  EXPECT_EQ(ev.pid(), sys->num("pid"));
  EXPECT_EQ(ev.ppid(), 100);
  EXPECT_EQ(ev.auid(), 1000);
  EXPECT_EQ(ev.uid(), 1);
  EXPECT_EQ(ev.gid(), 2);
  EXPECT_EQ(ev.euid(), 3);
  EXPECT_EQ(ev.suid(), 4);
  EXPECT_EQ(ev.fsuid(), 5);
  EXPECT_EQ(ev.egid(), 6);
  EXPECT_EQ(ev.ses(), 9);
  EXPECT_EQ(ev.items(), 4);
  EXPECT_EQ(ev.syscall(), 316);
  EXPECT_EQ(ev.syscall_name(), "renameat2");
  EXPECT_EQ(ev.arch(), Arch::X86_64);
  EXPECT_EQ(ev.success(), true);
  EXPECT_EQ(ev.exit(), 0);
  EXPECT_EQ(ev.arg(0), 0xffffff9cu);
  EXPECT_EQ(ev.arg(3), 2u);
  EXPECT_EQ(ev.arg(4), std::nullopt);
  EXPECT_EQ(ev.tty(), "pts0");
  EXPECT_EQ(ev.tty_view(), "pts0");
  EXPECT_EQ(ev.comm(), "swap");
  EXPECT_EQ(ev.comm_view(), "swap");
  // Hex-encoded exe: decoded once, the same through both accessors.
  EXPECT_EQ(ev.exe(), "/tmp/swap");
  EXPECT_EQ(ev.exe_view(), "/tmp/swap");
  ASSERT_EQ(ev.keys().size(), 1u);
  EXPECT_EQ(ev.keys()[0], "tocsin-lab-rename");
}

TEST(CoreEventAccess, FieldMissingFromSyscallComesFromAnotherRecord) {
  // A SYSCALL without pid (hand-made or filtered export) and a record after it that has one.
  Event ev = one_event(
      "type=SYSCALL msg=audit(10.000:1): syscall=59 success=no\n"
      "type=OBJ_PID msg=audit(10.000:1): opid=7 pid=77 exe=\"/bin/x\"\n"
      "type=EOE msg=audit(10.000:1):\n");
  EXPECT_EQ(ev.pid(), 77);
  EXPECT_EQ(ev.exe_view(), "/bin/x");
  EXPECT_EQ(ev.success(), false);
  EXPECT_EQ(ev.auid(), std::nullopt);
  // (null) and absent values are empty views and nullopt strings.
  Event nulls = one_event("type=SYSCALL msg=audit(10.000:2): syscall=2 exe=(null) comm=\"c\"\n"
                          "type=EOE msg=audit(10.000:2):\n");
  EXPECT_EQ(nulls.exe(), std::nullopt);
  EXPECT_EQ(nulls.exe_view(), "");
  EXPECT_EQ(nulls.tty_view(), "");
}

TEST(CoreEventAccess, RecordsLexedInAnyOrderKeepTheirOwnFields) {
  Event a = one_event(kSyscall);
  Event b = one_event(kSyscall);
  // a: PATH records first, then the SYSCALL; b: the other way round.
  const auto& pa = a.paths();
  EXPECT_EQ(a.pid(), 200);
  EXPECT_EQ(b.pid(), 200);
  const auto& pb = b.paths();
  ASSERT_EQ(pa.size(), 2u);
  ASSERT_EQ(pb.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(pa[i].name, pb[i].name);
    EXPECT_EQ(pa[i].inode, pb[i].inode);
    EXPECT_EQ(pa[i].nametype, pb[i].nametype);
    EXPECT_EQ(pa[i].mode, pb[i].mode);
  }
  EXPECT_EQ(pa[1].name, "dir");
  EXPECT_EQ(pa[1].inode, 12u);
  EXPECT_EQ(pa[1].mode, 040755u);
  EXPECT_EQ(pa[1].nametype, "DELETE");
  EXPECT_EQ(pa[0].dev, "fd:01");
  EXPECT_EQ(a.cwd(), "/w");
  // Every record's field list is the record's own.
  for (size_t r = 0; r < a.record_count(); ++r) {
    auto rv = a.record(r);
    for (size_t i = 0; i < rv.field_count(); ++i)
      EXPECT_NE(rv.text().find(std::string(rv.field_at(i).key) + "="), std::string_view::npos)
          << "record " << r << " field " << i;
  }
}

TEST(CoreEventAccess, PrepareFillsCachesThatReadsThenReuse) {
  Event ev = one_event(kSyscall);
  ev.prepare();
  const auto* first = &ev.paths();
  EXPECT_EQ(&ev.paths(), first);  // cached, not rebuilt
  EXPECT_EQ(ev.syscall_name(), "renameat2");
  // A move drops the caches; the moved-to event answers the same from scratch.
  Event moved = std::move(ev);
  EXPECT_EQ(moved.paths().size(), 2u);
  EXPECT_EQ(moved.exe_view(), "/tmp/swap");
}

TEST(CoreEventAccess, InterleavedRecordsStillFindTheirEvent) {
  // The assembler's shortcut remembers the last event; records alternating between two events
  // must still land in the right one.
  auto p = parse_text(
      "type=SYSCALL msg=audit(10.000:1): syscall=59 pid=1\n"
      "type=SYSCALL msg=audit(10.000:2): syscall=59 pid=2\n"
      "type=CWD msg=audit(10.000:1): cwd=\"/one\"\n"
      "type=CWD msg=audit(10.000:2): cwd=\"/two\"\n"
      "type=PATH msg=audit(10.000:1): item=0 name=\"/a\"\n"
      "type=EOE msg=audit(10.000:1):\n"
      "type=PATH msg=audit(10.000:2): item=0 name=\"/b\"\n"
      "type=EOE msg=audit(10.000:2):\n");
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.events[0].pid(), 1);
  EXPECT_EQ(p.events[0].cwd(), "/one");
  EXPECT_EQ(p.events[0].paths().at(0).name, "/a");
  EXPECT_EQ(p.events[1].pid(), 2);
  EXPECT_EQ(p.events[1].cwd(), "/two");
  EXPECT_EQ(p.events[1].paths().at(0).name, "/b");
}

TEST(CoreEventAccess, DuplicateCheckComparesFieldsNotJustHeaders) {
  // Same key, type and length, different field text: two records. Exactly equal: one.
  auto p = parse_text(
      "type=PATH msg=audit(10.000:1): item=0 name=\"/a\"\n"
      "type=PATH msg=audit(10.000:1): item=1 name=\"/b\"\n"
      "type=PATH msg=audit(10.000:1): item=1 name=\"/b\"\n"
      "type=EOE msg=audit(10.000:1):\n");
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].record_count(), 2u);
  EXPECT_EQ(p.stats.duplicate_records, 1u);
}

TEST(CoreEventAccess, PathItemsFromTheTextMatchTheLexedFields) {
  // paths() reads PATH records without lexing them; forcing the lexer first takes the general
  // path. Both must agree on every record shape: ENRICHED, hex and (null) names, fields in an
  // unusual order or repeated (the first wins), missing fields, objtype, a field after the
  // stop point, a single-quoted value (the scanner hands that record to the lexer).
  const std::string h = "type=PATH msg=audit(1700000000.123:42): ";
  const std::vector<std::string> records = {
      "item=0 name=\"/w/\" inode=11 dev=fd:01 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT "
      "cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\x1dOUID=\"root\" OGID=\"root\"",
      "item=1 name=2F746D702F6120622063 inode=12 dev=fd:01 mode=0100644 ouid=1000 ogid=1000 "
      "rdev=00:00 nametype=DELETE",
      "item=2 name=(null) inode=13 dev=00:2d mode=0120777 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL",
      "nametype=CREATE item=3 name=\"late-order\" item=9 name=\"second\"",
      "item=4 name=\"x\" objtype=UNKNOWN",
      "item=5 name=\"y\" inode=1 dev=a:b mode=01 ouid=2 ogid=3 rdev=0:0 nametype=NORMAL name=\"z\"",
      "item=6 odd='quoted value' name=\"q\" nametype=NORMAL",
      "item=7 name=\"sep\"\x1dname=\"enriched-not-raw\" NAMETYPE=x",
      "   item=8    name=\"spaces\"   bare word inode=5",
      "item=9 name=\"new\" nametype=CREATE cap_fp=0 cap_fi=0",
      "item=10 name=\"o\" inode=1 dev=a:b mode=01 ouid=0 ogid=0 rdev=0:0 obj=system_u:object_r:x "
      "nametype=NORMAL",
      "item=11 name=\"e\" inode=",
  };
  std::string text;
  for (const auto& r : records) text += h + r + "\n";
  text += "type=EOE msg=audit(1700000000.123:42):\n";
  Event scanned = one_event(text);
  Event lexed = one_event(text);
  for (size_t i = 0; i < lexed.record_count(); ++i) (void)lexed.record(i).field_count();
  const auto& a = scanned.paths();
  const auto& b = lexed.paths();
  ASSERT_EQ(a.size(), records.size());
  ASSERT_EQ(b.size(), records.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(records[i]);
    EXPECT_EQ(a[i].item, b[i].item);
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_EQ(a[i].inode, b[i].inode);
    EXPECT_EQ(a[i].dev, b[i].dev);
    EXPECT_EQ(a[i].mode, b[i].mode);
    EXPECT_EQ(a[i].nametype, b[i].nametype);
    EXPECT_EQ(a[i].ouid, b[i].ouid);
    EXPECT_EQ(a[i].ogid, b[i].ogid);
    EXPECT_EQ(a[i].rdev, b[i].rdev);
    EXPECT_EQ(a[i].line, b[i].line);
  }
  // And the values themselves, so both paths cannot be wrong together.
  EXPECT_EQ(a[0].name, "/w/");
  EXPECT_EQ(a[0].ouid, 0);
  EXPECT_EQ(a[1].name, "/tmp/a b c");
  EXPECT_EQ(a[1].mode, 0100644u);
  EXPECT_FALSE(a[2].name.has_value());
  EXPECT_EQ(a[3].item, 3);
  EXPECT_EQ(a[3].name, "late-order");
  EXPECT_EQ(a[3].nametype, "CREATE");
  EXPECT_EQ(a[4].nametype, "UNKNOWN");
  EXPECT_EQ(a[5].name, "y");
  EXPECT_EQ(a[6].name, "q");
  EXPECT_EQ(a[7].name, "sep");
  EXPECT_EQ(a[7].nametype, "");
  EXPECT_EQ(a[8].name, "spaces");
  EXPECT_EQ(a[8].inode, 5u);
  EXPECT_EQ(a[9].name, "new");
  EXPECT_FALSE(a[9].inode.has_value());
  EXPECT_EQ(a[9].nametype, "CREATE");
  EXPECT_EQ(a[10].nametype, "NORMAL");
  EXPECT_EQ(a[10].rdev, "0:0");
  EXPECT_EQ(a[11].name, "e");
  EXPECT_FALSE(a[11].inode.has_value());
}

TEST(CoreEventAccess, CwdViewMatchesTheDecodedCwd) {
  auto quoted = one_event("type=CWD msg=audit(1.000:1): cwd=\"/w/dir\"\ntype=EOE msg=audit(1.000:1):\n");
  EXPECT_EQ(quoted.cwd_view(), std::optional<std::string_view>("/w/dir"));
  EXPECT_EQ(quoted.cwd(), "/w/dir");
  // Hex-encoded (a space in the name), decoded once and kept.
  auto hex = one_event("type=CWD msg=audit(1.000:2): cwd=2F746D702F6120622063\ntype=EOE msg=audit(1.000:2):\n");
  EXPECT_EQ(hex.cwd_view(), std::optional<std::string_view>("/tmp/a b c"));
  EXPECT_EQ(hex.cwd_view()->data(), hex.cwd_view()->data());
  EXPECT_EQ(hex.cwd(), "/tmp/a b c");
  auto null = one_event("type=CWD msg=audit(1.000:3): cwd=(null)\ntype=EOE msg=audit(1.000:3):\n");
  EXPECT_FALSE(null.cwd_view().has_value());
  EXPECT_FALSE(null.cwd().has_value());
  auto none = one_event("type=SYSCALL msg=audit(1.000:4): syscall=2\ntype=EOE msg=audit(1.000:4):\n");
  EXPECT_FALSE(none.cwd_view().has_value());
  // A copy starts over: its view points into its own buffer.
  Event copy = quoted;
  EXPECT_EQ(copy.cwd_view(), std::optional<std::string_view>("/w/dir"));
  EXPECT_NE(copy.cwd_view()->data(), quoted.cwd_view()->data());
}

TEST(CoreEventAccess, SpareEventsComeBackEmptyAndThePoolIsBounded) {
  // A spare keeps its buffers' capacity but nothing of the event it was.
  Event used = one_event(kSyscall);
  (void)used.paths();
  (void)used.pid();
  (void)used.cwd_view();
  const size_t before = Event::spare_pool_size().first;
  Event::give_spare(std::move(used));
  ASSERT_EQ(Event::spare_pool_size().first, before + 1);
  Event e = Event::take_spare();
  EXPECT_EQ(e.record_count(), 0u);
  EXPECT_TRUE(e.paths().empty());
  EXPECT_FALSE(e.pid().has_value());
  EXPECT_FALSE(e.cwd_view().has_value());
  EXPECT_EQ(e.serial(), 0u);
  EXPECT_TRUE(e.file().empty());
  // Bounded in bytes: a flood of events with 40 KB buffers keeps at most 16 MB of them.
  // (Made first, then given: parsing itself takes spares from this pool.)
  const std::string big = "type=EXECVE msg=audit(1.000:1): argc=1 a0=\"" + std::string(40000, 'x') +
                          "\"\ntype=EOE msg=audit(1.000:1):\n";
  std::vector<Event> flood;
  for (int i = 0; i < 600; ++i) flood.push_back(one_event(big));
  for (auto& ev : flood) Event::give_spare(std::move(ev));
  EXPECT_LE(Event::spare_pool_size().second, 16u << 20);
  EXPECT_GT(Event::spare_pool_size().second, 8u << 20);
  while (Event::spare_pool_size().first > 0) (void)Event::take_spare();
  EXPECT_EQ(Event::spare_pool_size().second, 0u);
}

}  // namespace
}  // namespace tocsin::audit
