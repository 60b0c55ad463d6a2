// LogFollower: byte-exact delivery across rename rotation, copy-truncate, partial lines and a
// restart from a saved position (also when the log rotated while stopped).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime/follower.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace tocsin::runtime;

namespace {
using tocsin::test::TempDir;
void append(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::app) << s << std::flush; }
std::string line(int i) { return "type=SYSCALL msg=audit(1.000:" + std::to_string(i) + "): n=" + std::to_string(i); }

struct Collector {
  std::vector<std::string> lines;
  LineFn fn() {
    return [this](std::string_view l, const LinePos&) { lines.emplace_back(l); };
  }
};
std::vector<std::string> expected(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; ++i) v.push_back(line(i));
  return v;
}
}  // namespace

TEST(LineSplitter, PartialAndLongLines) {
  LineSplitter s(10);
  std::vector<std::string> got;
  auto fn = [&](std::string_view l, const LinePos&) { got.emplace_back(l); };
  s.feed("abc", 0, {}, fn);
  s.feed("de\n0123456789ABC", 3, {}, fn);
  s.feed("DEF\nok\n", 18, {}, fn);
  EXPECT_EQ(got, (std::vector<std::string>{"abcde", "ok"}));
  EXPECT_EQ(s.long_lines(), 1u);
}

TEST(LineSplitter, ReportsLongLinesWhenAsked) {
  // watch asks, so an over-long line is AU000 as in hunt: delivered as its start, flagged, in
  // its place among the lines (the line numbers stay those of the file).
  LineSplitter s(10, true);
  std::vector<std::string> got;
  auto fn = [&](std::string_view l, const LinePos& p) { got.push_back((p.too_long ? "long:" : "") + std::string(l)); };
  s.feed("abc", 0, {}, fn);
  s.feed("de\n0123456789ABC", 3, {}, fn);
  s.feed("DEF\nok\n0123456789ABCDEF\nxyz0123", 18, {}, fn);
  s.feed("456789", 50, {}, fn);
  s.finish({}, fn);
  EXPECT_EQ(got, (std::vector<std::string>{"abcde", "long:0123456789ABC", "ok", "long:0123456789ABCDEF",
                                           "long:xyz0123456789"}));
  EXPECT_EQ(s.long_lines(), 3u);
}

TEST(Follower, FromEndThenAppends) {
  TempDir t;
  auto log = t.p / "audit.log";
  append(log, line(0) + "\n");
  LogFollower f({log.string()});
  ASSERT_TRUE(f.start(std::nullopt));
  Collector c;
  append(log, line(1) + "\n" + line(2).substr(0, 10));
  ASSERT_TRUE(f.poll(c.fn()));
  EXPECT_EQ(c.lines, expected(1, 2));
  append(log, line(2).substr(10) + "\n");
  ASSERT_TRUE(f.poll(c.fn()));
  EXPECT_EQ(c.lines, expected(1, 3));
}

TEST(Follower, RenameRotationLosesNothing) {
  TempDir t;
  auto log = t.p / "audit.log";
  append(log, "");
  FollowerOptions o{log.string()};
  o.read_chunk = 64;  // many small reads
  LogFollower f(o);
  ASSERT_TRUE(f.start(std::nullopt));
  Collector c;
  int n = 0;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 20; ++i) append(log, line(n++) + "\n");
    ASSERT_TRUE(f.poll(c.fn()));
    for (int i = 0; i < 7; ++i) append(log, line(n++) + "\n");  // written after our read, before rotation
    fs::rename(log, t.p / "audit.log.1");
    append(log, line(n++) + "\n");
  }
  ASSERT_TRUE(f.poll(c.fn()));
  EXPECT_EQ(c.lines, expected(0, n));
  EXPECT_EQ(f.rotations(), 5u);
}

TEST(Follower, CopyTruncateRecoversFromCopy) {
  TempDir t;
  auto log = t.p / "audit.log";
  append(log, "");
  LogFollower f({log.string()});
  ASSERT_TRUE(f.start(std::nullopt));
  Collector c;
  for (int i = 0; i < 10; ++i) append(log, line(i) + "\n");
  ASSERT_TRUE(f.poll(c.fn()));
  for (int i = 10; i < 15; ++i) append(log, line(i) + "\n");  // not yet read when copied
  fs::copy_file(log, t.p / "audit.log.1");
  fs::resize_file(log, 0);
  append(log, line(15) + "\n");
  ASSERT_TRUE(f.poll(c.fn()));
  EXPECT_EQ(c.lines, expected(0, 16));
  EXPECT_EQ(f.truncations(), 1u);
}

TEST(Follower, RestartFromStateNeitherMissesNorRepeats) {
  TempDir t;
  auto log = t.p / "audit.log";
  auto state = (t.p / "state.json").string();
  for (int i = 0; i < 5; ++i) append(log, line(i) + "\n");
  Collector c;
  {
    LogFollower f({log.string(), true});
    ASSERT_TRUE(f.start(std::nullopt));
    append(log, line(5) + "\n" + "type=PARTIAL");
    ASSERT_TRUE(f.poll(c.fn()));
    auto p = f.position();
    p.last_event_id = "1.000:5";
    ASSERT_TRUE(save_position(state, p, log.string()));
  }
  // While stopped: the partial line completes, more lines, a rotation, more lines.
  append(log, " msg=audit(1.000:6): x\n");
  for (int i = 7; i < 9; ++i) append(log, line(i) + "\n");
  fs::rename(log, t.p / "audit.log.1");
  for (int i = 9; i < 12; ++i) append(log, line(i) + "\n");
  auto loaded = load_position(state);
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->last_event_id, "1.000:5");
  LogFollower g({log.string()});
  ASSERT_TRUE(g.start(*loaded));
  ASSERT_TRUE(g.poll(c.fn()));
  auto want = expected(0, 6);
  want.push_back("type=PARTIAL msg=audit(1.000:6): x");
  for (int i = 7; i < 12; ++i) want.push_back(line(i));
  EXPECT_EQ(c.lines, want);
}

TEST(Follower, CorruptStateIsAnError) {
  TempDir t;
  auto state = t.p / "s";
  EXPECT_TRUE(load_position(state.string()));  // missing: fine, nullopt
  append(state, "{nope");
  EXPECT_FALSE(load_position(state.string()));
}

// The rewind point and the emitted alert keys survive a save and a load.
TEST(Follower, StateKeepsTheRewindPointAndEmittedKeys) {
  TempDir t;
  auto state = (t.p / "state.json").string();
  FollowPosition p;
  p.dev = 7;
  p.ino = 42;
  p.offset = 9000;
  p.rewind = LogPoint{7, 41, 120, "type=SYSCALL \x01\xff"};
  p.head = "type=DAEMON_START";
  p.emitted = {"AU001|1.000:5", "AU003|1.000:5"};
  ASSERT_TRUE(save_position(state, p, "/var/log/audit/audit.log"));
  auto l = load_position(state);
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->has_value());
  ASSERT_TRUE((*l)->rewind);
  EXPECT_EQ((*l)->rewind->ino, 41u);
  EXPECT_EQ((*l)->rewind->offset, 120u);
  EXPECT_EQ((*l)->rewind->head, p.rewind->head);  // any bytes (hex in the file)
  EXPECT_EQ((*l)->head, p.head);
  EXPECT_EQ((*l)->emitted, p.emitted);
  EXPECT_EQ((*l)->offset, 9000u);
  // A state without a rewind point (nothing open at the save) loads without one.
  p.rewind.reset();
  ASSERT_TRUE(save_position(state, p, "x"));
  EXPECT_FALSE((*load_position(state))->rewind);
  // A malformed rewind point is an error, not a silent resume from somewhere else.
  std::ofstream(state, std::ios::trunc) << R"({"inode":1,"offset":2,"rewind":{"inode":"x"}})";
  EXPECT_FALSE(load_position(state));
}

namespace {
// The position a follower saves after reading all of `log` from the start.
FollowPosition position_after_reading(const fs::path& log) {
  LogFollower f({log.string(), true});
  EXPECT_TRUE(f.start(std::nullopt));
  Collector c;
  EXPECT_TRUE(f.poll(c.fn()));
  return f.position();
}
}  // namespace

// An inode number is reused once a rotated file is deleted: a saved point is found again only
// in the file whose first bytes are the saved ones, never in another that got its inode
// (which read from the saved offset gave a broken record and lost or split correlations).
TEST(Follower, ASavedPointIsNotResumedInAFileThatReusedItsInode) {
  TempDir t;
  auto log = t.p / "audit.log";
  for (int i = 0; i < 5; ++i) append(log, line(i) + "\n");
  FollowPosition p = position_after_reading(log);
  EXPECT_EQ(p.head, (line(0) + "\n" + line(1)).substr(0, kHeadBytes));
  // Same inode, other content (what a reused inode looks like): not this file.
  std::ofstream(log, std::ios::trunc) << "type=OTHER msg=audit(2.000:1): " << std::string(200, 'x') << "\n";
  Collector c;
  LogFollower g({log.string()});
  ASSERT_TRUE(g.start(p));
  ASSERT_TRUE(g.poll(c.fn()));
  ASSERT_EQ(c.lines.size(), 1u);  // read from the start, not from the old offset
  EXPECT_EQ(c.lines[0].substr(0, 10), "type=OTHER");
  auto notes = g.take_notes();
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes.back().find("is gone"), std::string::npos);
  // A rewind point whose file is gone falls back to the saved position.
  for (int i = 0; i < 3; ++i) append(log, line(i) + "\n");
  FollowPosition at_end = position_after_reading(log);
  append(log, line(3) + "\n");
  FollowPosition gone = p;  // inode of the live file, head of the old one
  Collector d;
  LogFollower h({log.string()});
  ASSERT_TRUE(h.start(gone, at_end));
  ASSERT_TRUE(h.poll(d.fn()));
  EXPECT_EQ(d.lines, expected(3, 4));
}
