// Text inputs: files, rotated-log directories in order, gzip (single and concatenated members,
// corrupt), stdin, symlinks, missing files, format sniffing, progress and counters.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <random>
#include <fstream>
#include <sstream>
#include <string>

#include "audit/text_source.hpp"

namespace tocsin::audit {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CoreSource : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tocsin-core-src-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& data) {
    auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << data;
    return p.string();
  }
  std::string write_gz(const std::string& name, const std::string& data, int members = 1) {
    auto p = (dir_ / name).string();
    std::string out;
    size_t per = data.size() / static_cast<size_t>(members);
    for (int m = 0; m < members; ++m) {
      std::string part = data.substr(static_cast<size_t>(m) * per,
                                     m == members - 1 ? std::string::npos : per);
      auto tmp = p + ".part";
      gzFile g = gzopen(tmp.c_str(), "wb");
      gzwrite(g, part.data(), static_cast<unsigned>(part.size()));
      gzclose(g);
      out += slurp(tmp);
      fs::remove(tmp);
    }
    std::ofstream(p, std::ios::binary) << out;
    return p;
  }
  static std::string event(int serial) {
    std::string s = std::to_string(serial);
    return "type=SYSCALL msg=audit(100.000:" + s + "): syscall=59 pid=" + s +
           "\ntype=EOE msg=audit(100.000:" + s + "):\n";
  }
  static std::vector<uint64_t> serials(TextSource& src) {
    std::vector<uint64_t> out;
    auto st = src.for_each([&](Event&& ev) {
      out.push_back(ev.serial());
      return true;
    });
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    return out;
  }
  fs::path dir_;
};

TEST_F(CoreSource, RotatedDirectoryOldestFirst) {
  write("audit.log", "type=USER_CMD msg=audit(100.000:5): pid=1\n");
  write("audit.log.1", "type=USER_CMD msg=audit(100.000:4): pid=1\n");
  write("audit.log.2", "type=USER_CMD msg=audit(100.000:3): pid=1\n");
  write_gz("audit.log.10.gz", "type=USER_CMD msg=audit(100.000:1): pid=1\n");
  write("audit.log.9", "type=USER_CMD msg=audit(100.000:2): pid=1\n");
  write(".hidden", "type=USER_CMD msg=audit(100.000:99): pid=1\n");
  auto ex = expand_inputs({dir_.string()});
  ASSERT_TRUE(ex.ok());
  ASSERT_EQ(ex->size(), 5u);
  EXPECT_EQ(fs::path(ex->front().path).filename(), "audit.log.10.gz");
  EXPECT_EQ(ex->front().dir, dir_.string());
  EXPECT_EQ(ex->front().name, "audit.log.10.gz");
  EXPECT_EQ(fs::path(ex->back().path).filename(), "audit.log");
  TextSource src({dir_.string()});
  EXPECT_EQ(serials(src), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(src.stats().files, 5u);
}

TEST_F(CoreSource, GzipSingleAndConcatenatedMembers) {
  std::string text;
  for (int i = 1; i <= 2000; ++i) text += event(i);
  auto one = write_gz("a.gz", text);
  auto many = write_gz("b.gz", text, 3);  // cut inside lines: members join seamlessly
  TextSource s1({one});
  EXPECT_EQ(serials(s1).size(), 2000u);
  EXPECT_EQ(s1.stats().bytes, text.size());
  TextSource s2({many});
  EXPECT_EQ(serials(s2).size(), 2000u);
  EXPECT_EQ(s2.stats().bad_lines, 0u);
  // Gzip detected by content, not name.
  auto renamed = dir_ / "plain-name.log";
  fs::copy_file(one, renamed);
  TextSource s3({renamed.string()});
  EXPECT_EQ(serials(s3).size(), 2000u);
}

TEST_F(CoreSource, CorruptAndTruncatedGzipIsAnIssueNotACrash) {
  std::string text;
  for (int i = 1; i <= 500; ++i) text += event(i);
  auto p = write_gz("c.gz", text);
  std::string bytes = slurp(p);
  auto trunc = write("t.gz", bytes.substr(0, bytes.size() / 2));
  TextSource s({trunc});
  auto got = serials(s);
  EXPECT_LT(got.size(), 500u);
  // Damage to the bytes is an input error on the file's report, not an AU000 issue.
  bool said_gzip = false;
  for (const auto& r : s.input_reports())
    for (const auto& i : r.issues) said_gzip |= i.message.find("gzip") != std::string::npos;
  EXPECT_TRUE(said_gzip);
  ASSERT_EQ(s.input_reports().size(), 1u);
  EXPECT_EQ(s.input_reports()[0].status, InputStatus::Damaged);
  std::string bad = bytes;
  for (size_t i = 20; i < 60 && i < bad.size(); ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
  auto corrupt = write("x.gz", bad);
  TextSource s2({corrupt});
  (void)serials(s2);
  ASSERT_EQ(s2.input_reports().size(), 1u);
  EXPECT_EQ(s2.input_reports()[0].status, InputStatus::Damaged);
  EXPECT_FALSE(s2.input_reports()[0].issues.empty());
}

TEST_F(CoreSource, StdinDash) {
  auto p = write("in.log", event(1) + event(2));
  int saved = dup(0);
  int fd = open(p.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  dup2(fd, 0);
  close(fd);
  TextSource src({"-"});
  auto got = serials(src);
  dup2(saved, 0);
  close(saved);
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 2}));
}

TEST_F(CoreSource, SymlinkIsFollowedMissingFileIsError) {
  auto p = write("real.log", event(7));
  fs::create_symlink(p, dir_ / "link.log");
  TextSource s({(dir_ / "link.log").string()});
  EXPECT_EQ(serials(s), (std::vector<uint64_t>{7}));
  TextSource missing({(dir_ / "nope.log").string()});
  auto st = missing.for_each([](Event&&) { return true; });
  EXPECT_FALSE(st.ok());
}

TEST_F(CoreSource, EventsSpanRotatedFilesAndKeepLocations) {
  // An event cut by rotation: its SYSCALL in the older file, its EOE in the newer.
  write("audit.log.1", "type=SYSCALL msg=audit(100.000:1): syscall=59 pid=1\n");
  write("audit.log", "\ngarbage\ntype=CWD msg=audit(100.000:1): cwd=\"/x\"\n"
                     "type=EOE msg=audit(100.000:1):\n");
  TextSource src({dir_.string()});
  std::vector<Event> evs;
  ASSERT_TRUE(src.for_each([&](Event&& e) {
                   evs.push_back(std::move(e));
                   return true;
                 }).ok());
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].cwd(), "/x");
  EXPECT_EQ(fs::path(std::string(evs[0].file())).filename(), "audit.log.1");
  EXPECT_EQ(evs[0].record(1).line(), 3u);
  ASSERT_EQ(src.issues().size(), 1u);
  EXPECT_EQ(fs::path(src.issues()[0].file).filename(), "audit.log");
  EXPECT_EQ(src.issues()[0].line, 2u);
}

TEST_F(CoreSource, ProgressIsReported) {
  std::string text;
  for (int i = 1; i <= 20000; ++i) text += event(i);
  auto p = write("big.log", text);
  for (size_t map_min : {size_t{0}, size_t{1} << 20}) {  // read(), then mapped (the file is 2 MB)
  SCOPED_TRACE(map_min);
  TextSourceOptions o;
  o.progress_every = 64 * 1024;
  o.read_chunk = 64 * 1024;
  o.map_min_bytes = map_min;
  TextSource src({p}, o);
  uint64_t last = 0, total = 0;
  int calls = 0;
  src.set_progress([&](uint64_t done, uint64_t t) {
    EXPECT_GE(done, last);
    last = done;
    total = t;
    ++calls;
  });
  EXPECT_EQ(serials(src).size(), 20000u);
  EXPECT_GT(calls, 3);
  EXPECT_EQ(last, text.size());
  EXPECT_EQ(total, text.size());
  EXPECT_EQ(src.stats().bytes, text.size());
  }
}

TEST(CoreSniff, TextJsonUnknown) {
  EXPECT_EQ(sniff_format("type=SYSCALL msg=audit(1.2:3): x=1\n"), InputFormat::AuditText);
  EXPECT_EQ(sniff_format("node=a type=EOE msg=audit(1.2:3):\n"), InputFormat::AuditText);
  EXPECT_EQ(sniff_format("\xEF\xBB\xBF  {\"a\":1}\n"), InputFormat::Json);
  EXPECT_EQ(sniff_format("\n[{\"_source\":{}}]"), InputFormat::Json);
  EXPECT_EQ(sniff_format("hello"), InputFormat::Unknown);
  EXPECT_EQ(sniff_format(""), InputFormat::Unknown);
  EXPECT_TRUE(sniff_enriched("type=SYSCALL msg=audit(1.2:3): x=1\x1dX=1"));
  EXPECT_FALSE(sniff_enriched("type=SYSCALL msg=audit(1.2:3): x=1"));
}

}  // namespace
}  // namespace tocsin::audit

namespace tocsin::audit {
namespace {

// Mapped files (no read() copy) must read exactly as read() does, bad input included, and a
// file that shrinks while mapped must be reported, not crash the process.
class MappedSource : public CoreSource {
 protected:
  struct Run {
    std::vector<uint64_t> serials;
    SourceStats stats;
    std::vector<std::string> issues;  // "line: message"
  };
  Run run(const std::string& path, size_t map_min, size_t max_line = 4096) {
    TextSourceOptions o;
    o.map_min_bytes = map_min;
    o.max_line = max_line;
    o.read_chunk = 4096;
    TextSource src({path}, o);
    Run r;
    r.serials = serials(src);
    r.stats = src.stats();
    for (const auto& i : src.issues()) r.issues.push_back(std::to_string(i.line) + ": " + i.message + " | " + i.excerpt);
    return r;
  }
};

TEST_F(MappedSource, ReadsExactlyAsReadDoes) {
  std::mt19937 rng(7);
  std::string garbage;
  for (int i = 0; i < 3000; ++i) garbage.push_back(static_cast<char>(rng() & 0xff));
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"plain", event(1) + event(2) + event(3)},
      {"no-final-newline", event(1) + "type=SYSCALL msg=audit(100.000:9): syscall=2 pid=9"},
      {"long-lines", event(1) + "type=PATH msg=audit(100.000:2): name=\"" + std::string(9000, 'a') +
                         "\"\n" + event(3) + std::string(5000, 'z')},
      {"garbage", event(1) + garbage + "\n" + event(2) + "\n\n  \n" + garbage},
      {"crlf-and-nul", "type=USER_CMD msg=audit(100.000:4): pid=1\r\n" + std::string("\0\0x\n", 4) + event(5)},
  };
  for (const auto& [name, text] : inputs) {
    SCOPED_TRACE(name);
    auto p = write(name + ".log", text);
    Run a = run(p, 0), b = run(p, 1);
    EXPECT_EQ(a.serials, b.serials);
    EXPECT_EQ(a.issues, b.issues);
    EXPECT_EQ(a.stats.bytes, b.stats.bytes);
    EXPECT_EQ(a.stats.lines, b.stats.lines);
    EXPECT_EQ(a.stats.bad_lines, b.stats.bad_lines);
    EXPECT_EQ(a.stats.long_lines, b.stats.long_lines);
    EXPECT_EQ(a.stats.records, b.stats.records);
    EXPECT_EQ(a.stats.events, b.stats.events);
    EXPECT_FALSE(a.serials.empty());
  }
  // gzip is never mapped: read through zlib either way.
  auto gz = write_gz("g.log.gz", event(1) + event(2));
  EXPECT_EQ(run(gz, 1).serials, (std::vector<uint64_t>{1, 2}));
}

TEST_F(MappedSource, FileTruncatedWhileMappedIsReportedNotACrash) {
  std::string text;
  for (int i = 1; i <= 40000; ++i) text += event(i);  // about 4 MB
  auto p = write("shrinking.log", text);
  TextSourceOptions o;
  o.map_min_bytes = 1;
  o.progress_every = 256 * 1024;
  TextSource src({p}, o);
  bool cut = false;
  // At the first progress report, another party truncates the file to 1 MB (copy-truncate
  // rotation): the pages past the new end fault.
  src.set_progress([&](uint64_t, uint64_t) {
    if (!cut) {
      cut = true;
      ASSERT_EQ(truncate(p.c_str(), 1 << 20), 0);
    }
  });
  auto got = serials(src);
  ASSERT_TRUE(cut);
  EXPECT_GT(got.size(), 1000u);          // what was there before the cut was read
  EXPECT_LT(got.size(), 40000u);         // the rest was not there
  bool reported = false;
  ASSERT_EQ(src.input_reports().size(), 1u);
  EXPECT_EQ(src.input_reports()[0].status, InputStatus::Damaged);
  for (const auto& i : src.input_reports()[0].issues)
    reported |= i.message.find("shrank") != std::string::npos;
  EXPECT_TRUE(reported);
  EXPECT_LT(src.input_reports()[0].bytes_read, text.size());
  // The guard is per mapping: the next file maps and reads normally.
  auto q = write("after.log", event(1) + event(2));
  TextSourceOptions o2;
  o2.map_min_bytes = 1;
  TextSource again({q}, o2);
  EXPECT_EQ(serials(again), (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(again.issues().empty());
  EXPECT_EQ(again.input_reports().at(0).status, InputStatus::Ok);
}

}  // namespace
}  // namespace tocsin::audit
