// Input integrity: damaged inputs built at test time from the lab recordings (bytes flipped
// mid-file, truncated, trailing garbage or zeros, CRC and length trailers altered, members
// concatenated, a file shrunk or replaced while read), directories with files that are not
// logs (README, non-audit JSON), symlinks, subdirectories and a FIFO; and the summary record.
// Each damaged case checks both that the damage is reported with its location and that the
// events before it are still delivered.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "audit/formats/json_source.hpp"
#include "audit/summary.hpp"
#include "audit/text_source.hpp"
#include "temp_dir.hpp"

namespace tocsin::audit {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string demo_gz() {
  return slurp(std::string(TOCSIN_SOURCE_DIR) + "/tests/e2e/recordings/demo.log.gz");
}

std::string gunzip(const std::string& gz) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

std::string gzip(const std::string& text) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, text.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

struct ReadResult {
  uint64_t events = 0;
  InputReport report;
};

ReadResult run_file(const std::string& path, TextSourceOptions o = {}) {
  TextSource src({path}, o);
  ReadResult r;
  EXPECT_TRUE(src.for_each([&](Event&&) {
                   ++r.events;
                   return true;
                 }).ok());
  EXPECT_EQ(src.input_reports().size(), 1u);
  if (!src.input_reports().empty()) r.report = src.input_reports().front();
  return r;
}

std::string messages(const InputReport& r) {
  std::string out;
  for (const auto& i : r.issues) out += i.message + "\n";
  return out;
}

class Integrity : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& data) {
    auto p = dir_.p / name;
    std::ofstream(p, std::ios::binary) << data;
    return p.string();
  }
  test::TempDir dir_{"tocsin-integrity"};
};

TEST_F(Integrity, IntactRecordingIsCompleteWithBytesAccounted) {
  const std::string gz = demo_gz();
  ASSERT_GT(gz.size(), 1000u);
  ReadResult r = run_file(write("demo.log.gz", gz));
  EXPECT_EQ(r.report.status, InputStatus::Ok) << messages(r.report);
  EXPECT_TRUE(r.report.issues.empty());
  EXPECT_TRUE(r.report.gzip);
  EXPECT_EQ(r.report.format, "audit-text");
  ASSERT_TRUE(r.report.bytes_on_disk);
  EXPECT_EQ(*r.report.bytes_on_disk, gz.size());
  EXPECT_EQ(r.report.bytes_read, gz.size());
  ASSERT_TRUE(r.report.bytes_decompressed);
  EXPECT_EQ(*r.report.bytes_decompressed, gunzip(gz).size());
  EXPECT_GT(r.events, 100u);
  EXPECT_EQ(r.report.events, r.events);
}

TEST_F(Integrity, FlippedBytesMidFileAreDamageWithTheEventsBeforeKept) {
  const std::string gz = demo_gz();
  const uint64_t all = run_file(write("ok.gz", gz)).events;
  std::string bad = gz;
  const size_t mid = bad.size() / 2;
  for (size_t i = mid; i < mid + 200; ++i) bad[i] = static_cast<char>(bad[i] ^ 0xa5);
  ReadResult r = run_file(write("bad.gz", bad));
  EXPECT_EQ(r.report.status, InputStatus::Damaged);
  ASSERT_FALSE(r.report.issues.empty());
  const auto& i = r.report.issues.front();
  EXPECT_NE(i.message.find("gzip"), std::string::npos) << i.message;
  // Either the deflate stream breaks (the rest is lost) or it decodes garbage up to a CRC error.
  EXPECT_TRUE(i.message.find("evidence after this point is lost") != std::string::npos ||
              i.message.find("gzip CRC error") != std::string::npos)
      << i.message;
  ASSERT_TRUE(i.offset);
  EXPECT_GE(*i.offset, mid - 16 * 1024);  // zlib notices within a block of the damage
  EXPECT_LE(*i.offset, bad.size());
  ASSERT_TRUE(i.line);
  EXPECT_GT(*i.line, 1u);
  // The events before the damage were hunted, not thrown away with the rest.
  EXPECT_GT(r.events, all / 4);
  EXPECT_LT(r.events, all);
}

TEST_F(Integrity, TruncatedGzipSaysWhereItEnds) {
  const std::string gz = demo_gz();
  const uint64_t all = run_file(write("ok.gz", gz)).events;
  const size_t cut = gz.size() * 6 / 10;
  ReadResult r = run_file(write("cut.gz", gz.substr(0, cut)));
  EXPECT_EQ(r.report.status, InputStatus::Damaged);
  ASSERT_EQ(r.report.issues.size(), 1u) << messages(r.report);
  EXPECT_NE(r.report.issues[0].message.find("truncated"), std::string::npos);
  EXPECT_EQ(r.report.issues[0].offset, cut);
  EXPECT_EQ(r.report.bytes_read, cut);
  EXPECT_GT(r.events, all / 3);
  EXPECT_LT(r.events, all);
}

TEST_F(Integrity, TrailingGarbageAndZerosAreDamageAfterAFullRead) {
  const std::string gz = demo_gz();
  const uint64_t all = run_file(write("ok.gz", gz)).events;
  ReadResult g = run_file(write("garbage.gz", gz + "this is not gzip\n"));
  EXPECT_EQ(g.events, all);
  EXPECT_EQ(g.report.status, InputStatus::Damaged);
  ASSERT_EQ(g.report.issues.size(), 1u);
  EXPECT_NE(g.report.issues[0].message.find("17 bytes of trailing garbage"), std::string::npos)
      << g.report.issues[0].message;
  EXPECT_EQ(g.report.issues[0].offset, gz.size());
  ReadResult z = run_file(write("zeros.gz", gz + std::string(512, '\0')));
  EXPECT_EQ(z.events, all);
  ASSERT_EQ(z.report.issues.size(), 1u);
  EXPECT_NE(z.report.issues[0].message.find("512 trailing zero bytes"), std::string::npos);
  // One byte after the member (too short to be a magic number) is garbage too.
  ReadResult one = run_file(write("one.gz", gz + "x"));
  EXPECT_EQ(one.report.status, InputStatus::Damaged);
}

TEST_F(Integrity, CrcAndLengthTrailersAreChecked) {
  const std::string gz = demo_gz();
  const uint64_t all = run_file(write("ok.gz", gz)).events;
  std::string crc = gz;
  crc[crc.size() - 8] = static_cast<char>(crc[crc.size() - 8] ^ 0x01);
  ReadResult c = run_file(write("crc.gz", crc));
  EXPECT_EQ(c.report.status, InputStatus::Damaged);
  ASSERT_EQ(c.report.issues.size(), 1u);
  EXPECT_NE(c.report.issues[0].message.find("gzip CRC error after"), std::string::npos)
      << c.report.issues[0].message;
  EXPECT_NE(c.report.issues[0].message.find("member 1"), std::string::npos);
  EXPECT_EQ(c.events, all);  // the data itself inflated: every event is still there
  std::string len = gz;
  len[len.size() - 1] = static_cast<char>(len[len.size() - 1] ^ 0x10);
  ReadResult l = run_file(write("len.gz", len));
  ASSERT_EQ(l.report.issues.size(), 1u);
  EXPECT_NE(l.report.issues[0].message.find("gzip length error"), std::string::npos)
      << l.report.issues[0].message;
}

TEST_F(Integrity, ConcatenatedMembersAreValidAndReadThrough) {
  const std::string text = gunzip(demo_gz());
  const uint64_t all = run_file(write("ok.gz", demo_gz())).events;
  size_t half = text.size() / 2 + 7;  // inside a line: members join seamlessly
  const std::string two = gzip(text.substr(0, half)) + gzip(text.substr(half));
  ReadResult r = run_file(write("two.gz", two));
  EXPECT_EQ(r.report.status, InputStatus::Ok) << messages(r.report);
  EXPECT_EQ(r.events, all);
  EXPECT_EQ(r.report.bytes_read, two.size());
  EXPECT_EQ(r.report.bytes_decompressed, text.size());
  // Damage in the second member: the first member's events are all kept.
  std::string second_cut = gzip(text.substr(0, half)) + gzip(text.substr(half)).substr(0, 100);
  ReadResult d = run_file(write("cut2.gz", second_cut));
  EXPECT_EQ(d.report.status, InputStatus::Damaged);
  ASSERT_FALSE(d.report.issues.empty());
  EXPECT_NE(d.report.issues[0].message.find("member 2"), std::string::npos)
      << d.report.issues[0].message;
  EXPECT_GT(d.events, all / 3);
}

TEST_F(Integrity, FileReplacedWhileReadIsReported) {
  const std::string text = gunzip(demo_gz());
  const std::string p = write("audit.log", text);
  const std::string other = write("new.log", "type=EOE msg=audit(1.000:1):\n");
  TextSourceOptions o;
  o.map_min_bytes = 0;
  o.read_chunk = 4096;
  TextSource src({p}, o);
  bool swapped = false;
  ASSERT_TRUE(src.for_each([&](Event&&) {
                   if (!swapped) fs::rename(other, p);  // rotation under the reader
                   swapped = true;
                   return true;
                 }).ok());
  ASSERT_EQ(src.input_reports().size(), 1u);
  const auto& r = src.input_reports()[0];
  EXPECT_EQ(r.status, InputStatus::Damaged);
  EXPECT_NE(messages(r).find("replaced while it was read"), std::string::npos) << messages(r);
  EXPECT_EQ(r.bytes_read, text.size());  // the opened file was still read to its end

  // Untouched: no such issue.
  ReadResult ok = run_file(write("quiet.log", text), o);
  EXPECT_EQ(ok.report.status, InputStatus::Ok) << messages(ok.report);
}

TEST_F(Integrity, FileShrunkWhileReadIsReportedWithBytes) {
  const std::string text = gunzip(demo_gz());
  const std::string p = write("audit.log", text);
  for (bool mapped : {false, true}) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    TextSourceOptions o;
    o.map_min_bytes = mapped ? 1 : 0;
    o.read_chunk = 4096;
    TextSource src({p}, o);
    bool cut = false;
    ASSERT_TRUE(src.for_each([&](Event&&) {
                     if (!cut) {
                       EXPECT_EQ(::truncate(p.c_str(), 8192), 0);
                     }
                     cut = true;
                     return true;
                   }).ok());
    ASSERT_EQ(src.input_reports().size(), 1u);
    const auto& r = src.input_reports()[0];
    EXPECT_EQ(r.status, InputStatus::Damaged) << "mapped=" << mapped;
    EXPECT_NE(messages(r).find("shrank while it was read"), std::string::npos) << messages(r);
    EXPECT_EQ(r.bytes_on_disk, text.size());
    EXPECT_LT(r.bytes_read, text.size());
  }
}

TEST_F(Integrity, LogDirectoryNotesWhatItDoesNotRead) {
  const std::string gz = demo_gz();
  fs::create_directory(dir_.p / "logs");
  write("logs/audit.log.1", gz);  // gzip under a rotated name: read by content
  write("logs/audit.log", "type=SYSCALL msg=audit(100.000:1): syscall=59 pid=1\ntype=EOE msg=audit(100.000:1):\n");
  write("logs/README.md", "# Logs\n\nThese are audit logs, e.g.\n\n    type=SYSCALL msg=audit(1.0:1):\n");
  write("logs/package.json", "{\"name\": \"not-audit\", \"version\": \"1.0\"}\n");
  write("logs/empty.log", "");
  fs::create_symlink(dir_.p / "logs" / "audit.log.1", dir_.p / "logs" / "link.log");
  fs::create_directory(dir_.p / "logs" / "archive");
  ASSERT_EQ(::mkfifo((dir_.p / "logs" / "pipe.log").c_str(), 0600), 0);
  const std::string logs = (dir_.p / "logs").string();

  std::vector<InputReport> skipped;
  auto ex = expand_inputs({logs}, &skipped);
  ASSERT_TRUE(ex.ok());
  std::vector<std::string> names;
  for (const auto& in : *ex) names.push_back(in.name);
  EXPECT_EQ(names, (std::vector<std::string>{"README.md", "audit.log.1", "audit.log", "empty.log",
                                             "package.json", "pipe.log"}));
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_EQ(skipped[0].file, logs + "/archive");
  EXPECT_NE(skipped[0].issues.at(0).message.find("directory"), std::string::npos);
  EXPECT_EQ(skipped[1].file, logs + "/link.log");
  EXPECT_NE(skipped[1].issues.at(0).message.find("symbolic link, not followed"), std::string::npos);
  for (const auto& s : skipped) EXPECT_EQ(s.status, InputStatus::Skipped);

  std::map<std::string, InputReport> by;
  uint64_t events = 0;
  for (const auto& in : *ex) {
    auto src = open_event_source({in}, "auto");
    ASSERT_TRUE(src.ok());
    Status st = (*src)->for_each([&](Event&&) {
      ++events;
      return true;
    });
    ASSERT_EQ((*src)->input_reports().size(), 1u) << in.path;
    by[in.name] = (*src)->input_reports()[0];
    EXPECT_EQ(st.ok(), in.name != "pipe.log") << in.path;
  }
  EXPECT_EQ(by["README.md"].status, InputStatus::Skipped);
  EXPECT_NE(messages(by["README.md"]).find("not audit data"), std::string::npos);
  EXPECT_EQ(by["package.json"].status, InputStatus::Skipped);
  EXPECT_NE(messages(by["package.json"]).find("JSON, but not an audit format"), std::string::npos);
  EXPECT_EQ(by["pipe.log"].status, InputStatus::Unreadable);
  EXPECT_EQ(by["audit.log.1"].status, InputStatus::Ok);
  EXPECT_TRUE(by["audit.log.1"].gzip);
  EXPECT_EQ(by["audit.log"].status, InputStatus::Ok);
  EXPECT_EQ(by["audit.log"].events, 1u);
  EXPECT_EQ(by["empty.log"].status, InputStatus::Ok);  // a freshly rotated log is a log
  EXPECT_GT(events, 100u);

  // A file named on the command line is read whatever it holds (AU000 material, not skipped).
  auto named = open_event_source({logs + "/README.md"}, "auto");
  ASSERT_TRUE(named.ok());
  ASSERT_TRUE((*named)->for_each([](Event&&) { return true; }).ok());
  EXPECT_EQ((*named)->input_reports().at(0).status, InputStatus::Ok);
  EXPECT_GT((*named)->stats().bad_lines, 0u);
}

TEST_F(Integrity, JsonInputsReportGzipDamageToo) {
  const std::string laurel =
      slurp(std::string(TOCSIN_SOURCE_DIR) + "/tests/data/audit/handmade-laurel.jsonl");
  ASSERT_FALSE(laurel.empty());
  const std::string gz = gzip(laurel);
  auto read = [&](const std::string& name, const std::string& data) {
    JsonSource src({write(name, data)});
    uint64_t n = 0;
    EXPECT_TRUE(src.for_each([&](Event&&) {
                     ++n;
                     return true;
                   }).ok());
    EXPECT_EQ(src.input_reports().size(), 1u);
    return std::make_pair(n, src.input_reports().at(0));
  };
  auto [all, ok] = read("ok.jsonl.gz", gz);
  EXPECT_EQ(ok.status, InputStatus::Ok) << messages(ok);
  EXPECT_EQ(ok.format, "json");
  EXPECT_TRUE(ok.gzip);
  EXPECT_GT(all, 0u);
  auto [n1, garbage] = read("g.jsonl.gz", gz + "garbage");
  EXPECT_EQ(n1, all);
  EXPECT_EQ(garbage.status, InputStatus::Damaged);
  EXPECT_NE(messages(garbage).find("trailing garbage"), std::string::npos);
  auto [n2, cut] = read("c.jsonl.gz", gz.substr(0, gz.size() - 12));
  EXPECT_EQ(cut.status, InputStatus::Damaged);
  EXPECT_NE(messages(cut).find("truncated"), std::string::npos) << messages(cut);
  (void)n2;
}

TEST(HuntSummary, RecordCarriesCompletenessInputsErrorsAndNotes) {
  HuntStats hs;
  hs.events = 10;
  hs.records = 40;
  hs.alerts = 2;
  hs.by_rule = {{"AU001", 1}, {"AU004", 1}};
  InputReport ok;
  ok.file = "a.log";
  ok.format = "audit-text";
  ok.bytes_on_disk = 100;
  ok.bytes_read = 100;
  ok.events = 10;
  InputReport skipped;
  skipped.file = "logs/README.md";
  skipped.status = InputStatus::Skipped;
  skipped.issues.push_back({std::nullopt, std::nullopt, "not audit data"});
  auto j = hunt_summary_json(hs, {ok, skipped});
  EXPECT_EQ(j["complete"], true);
  EXPECT_EQ(j["tool"], "tocsin");
  EXPECT_EQ(j["events"], 10);
  EXPECT_EQ(j["alerts"], 2);
  EXPECT_EQ(j["by_rule"]["AU004"], 1);
  EXPECT_EQ(j["errors"].size(), 0u);
  ASSERT_EQ(j["notes"].size(), 1u);
  EXPECT_EQ(j["notes"][0]["file"], "logs/README.md");
  ASSERT_EQ(j["inputs"].size(), 2u);
  EXPECT_EQ(j["inputs"][0]["status"], "ok");
  EXPECT_EQ(j["inputs"][0]["format"], "audit-text");
  EXPECT_FALSE(j["inputs"][0].contains("bytes_decompressed"));
  EXPECT_EQ(j["inputs"][1]["status"], "skipped");
  EXPECT_TRUE(j["inputs"][1]["bytes_on_disk"].is_null());

  InputReport bad;
  bad.file = "b.log.gz";
  bad.format = "audit-text";
  bad.gzip = true;
  bad.bytes_on_disk = 5000;
  bad.bytes_read = 5000;
  bad.bytes_decompressed = 20000;
  bad.status = InputStatus::Damaged;
  bad.issues.push_back({12, 2400, "corrupt gzip data"});
  InputReport stdin_in;
  stdin_in.file = "-";
  stdin_in.format = "audit-text";
  auto k = hunt_summary_json(hs, {ok, bad, stdin_in}, {{"coverage", {{"AU003", "covered"}}}});
  EXPECT_EQ(k["complete"], false);
  ASSERT_EQ(k["errors"].size(), 1u);
  EXPECT_EQ(k["errors"][0]["file"], "b.log.gz");
  EXPECT_EQ(k["errors"][0]["line"], 12);
  EXPECT_EQ(k["errors"][0]["offset"], 2400);
  EXPECT_EQ(k["inputs"][1]["format"], "audit-text+gzip");
  EXPECT_EQ(k["inputs"][1]["bytes_decompressed"], 20000);
  EXPECT_TRUE(k["inputs"][2]["bytes_on_disk"].is_null());
  EXPECT_EQ(k["coverage"]["AU003"], "covered");  // the extension point for other members
  const std::string line = hunt_summary_jsonl(hs, {ok, bad});
  EXPECT_EQ(line.rfind("{\"summary\":{\"tool\":\"tocsin\"", 0), 0u) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto errs = input_error_lines({ok, bad, skipped});
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0], "b.log.gz: corrupt gzip data");
  EXPECT_EQ(errs[1], "b.log.gz: 5000 of 5000 bytes on disk read (20000 bytes decompressed)");
  EXPECT_EQ(input_note_lines({ok, bad, skipped}),
            (std::vector<std::string>{"logs/README.md: not audit data"}));
  EXPECT_EQ(inputs_stats_text({ok, bad, skipped}),
            "inputs: 1 ok, 1 damaged, 0 unreadable, 1 skipped; 5100 bytes of 5100 bytes on disk read");
  EXPECT_EQ(inputs_stats_text({ok, stdin_in}),
            "inputs: 2 ok, 0 damaged, 0 unreadable, 0 skipped; 100 bytes of 100 bytes (+ stdin/pipes) on disk read");
}

}  // namespace
}  // namespace tocsin::audit
