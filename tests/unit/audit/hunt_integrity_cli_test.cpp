// `tocsin hunt` on damaged and hostile inputs, through the binary: the exit code (2 =
// incomplete evidence, alerts still printed), the located error line on stderr, the JSONL
// summary record as the last line, INCOMPLETE in text output, notes for files a log directory
// holds that are not logs. Inputs are built at test time from tests/e2e/recordings/demo.log.gz.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using J = nlohmann::json;

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Out {
  int rc = -1;
  std::string out, err;
  std::vector<J> lines;  // stdout as JSON lines
  J summary;             // the last line's "summary"
  std::set<std::string> alerts;  // "RULE first-event-id" of every alert line but AU000
};

class HuntCli : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& data) {
    auto p = dir_.p / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
    return p.string();
  }
  Out hunt(const std::string& args) {
    Out o;
    const std::string out = (dir_.p / "stdout").string(), err = (dir_.p / "stderr").string();
    const std::string cmd = std::string(TOCSIN_BINARY) + " hunt " + args + " >" + out + " 2>" + err;
    const int st = std::system(cmd.c_str());
    o.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    o.out = slurp(out);
    o.err = slurp(err);
    std::istringstream in(o.out);
    for (std::string l; std::getline(in, l);) {
      if (l.empty() || l[0] != '{') continue;
      J j = J::parse(l, nullptr, false);
      if (j.is_discarded()) continue;
      o.lines.push_back(j);
      // An alert by rule and first event: one that spans the damage (a swap loop cut short)
      // keeps its start. AU000 (garbled lines) is not evidence that can be lost.
      if (j.contains("rule") && j["rule"] != "AU000") {
        std::string key = j["rule"].get<std::string>();
        if (!j["event_ids"].empty()) key += " " + j["event_ids"][0].get<std::string>();
        o.alerts.insert(key);
      }
    }
    if (!o.lines.empty() && o.lines.back().contains("summary")) o.summary = o.lines.back()["summary"];
    return o;
  }
  static size_t count(const std::string& hay, const std::string& needle) {
    size_t n = 0;
    for (size_t i = hay.find(needle); i != std::string::npos; i = hay.find(needle, i + 1)) ++n;
    return n;
  }
  tocsin::test::TempDir dir_{"tocsin-hunt-cli"};
  const std::string demo_ = slurp(std::string(TOCSIN_SOURCE_DIR) + "/tests/e2e/recordings/demo.log.gz");
};

TEST_F(HuntCli, IntactRecordingEndsWithACompleteSummary) {
  ASSERT_GT(demo_.size(), 1000u);
  const std::string p = write("demo.log.gz", demo_);
  Out o = hunt("--format jsonl " + p);
  EXPECT_EQ(o.rc, 1) << o.err;
  ASSERT_TRUE(o.summary.is_object()) << o.out;
  EXPECT_EQ(o.summary["complete"], true);
  EXPECT_EQ(o.summary["errors"].size(), 0u);
  size_t alert_lines = 0;
  for (const auto& l : o.lines) alert_lines += l.contains("rule");
  EXPECT_EQ(o.summary["alerts"], alert_lines);
  EXPECT_EQ(alert_lines, o.alerts.size());  // intact: no AU000
  EXPECT_GT(o.summary["events"].get<int>(), 0);
  ASSERT_EQ(o.summary["inputs"].size(), 1u);
  const J& in = o.summary["inputs"][0];
  EXPECT_EQ(in["status"], "ok");
  EXPECT_EQ(in["format"], "audit-text+gzip");
  EXPECT_EQ(in["bytes_on_disk"], demo_.size());
  EXPECT_EQ(in["bytes_read"], demo_.size());
  EXPECT_GT(in["bytes_decompressed"].get<uint64_t>(), demo_.size());
  EXPECT_EQ(o.err.find("INCOMPLETE"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("error:"), std::string::npos) << o.err;
  // Every line but the last is an alert.
  for (size_t i = 0; i + 1 < o.lines.size(); ++i) EXPECT_TRUE(o.lines[i].contains("rule"));
}

TEST_F(HuntCli, FlippedBytesAreIncompleteEvidenceNotClean) {
  Out ok = hunt("--format jsonl " + write("ok.log.gz", demo_));
  std::string bad = demo_;
  for (size_t i = bad.size() / 2; i < bad.size() / 2 + 200; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
  const std::string p = write("bad.log.gz", bad);
  Out o = hunt("--format jsonl " + p);
  EXPECT_EQ(o.rc, 2);
  ASSERT_TRUE(o.summary.is_object()) << o.out;
  EXPECT_EQ(o.summary["complete"], false);
  ASSERT_EQ(o.summary["errors"].size(), 1u) << o.summary.dump();
  EXPECT_EQ(o.summary["errors"][0]["file"], p);
  EXPECT_TRUE(o.summary["errors"][0]["offset"].is_number());
  EXPECT_TRUE(o.summary["errors"][0]["line"].is_number());
  EXPECT_EQ(o.summary["inputs"][0]["status"], "damaged");
  EXPECT_GT(o.summary["events"].get<int>(), 0);  // what precedes the damage was hunted
  EXPECT_LT(o.summary["events"].get<int>(), ok.summary["events"].get<int>());
  // Located error line, and the statistics line does not look clean.
  EXPECT_NE(o.err.find("tocsin hunt: error: " + p + ": "), std::string::npos) << o.err;
  EXPECT_TRUE(o.err.find("evidence after this point is lost") != std::string::npos ||
              o.err.find("gzip CRC error after") != std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("tocsin hunt: INCOMPLETE"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("1 damaged"), std::string::npos) << o.err;
  for (const auto& a : o.alerts) EXPECT_TRUE(ok.alerts.count(a)) << "alert not in the intact run: " << a;
  // Text output says so too.
  Out t = hunt("--format text " + p);
  EXPECT_EQ(t.rc, 2);
  EXPECT_NE(t.out.find("INCOMPLETE: 1 input could not be read completely"), std::string::npos) << t.out;
}

TEST_F(HuntCli, AlertsBeforeTheDamageAreStillReported) {
  Out ok = hunt("--format jsonl " + write("ok.log.gz", demo_));
  ASSERT_FALSE(ok.alerts.empty());
  // A second, broken member after the whole recording: every alert precedes the damage.
  std::string second = demo_.substr(0, demo_.size() / 3);
  for (size_t i = 40; i < second.size(); i += 7) second[i] = static_cast<char>(second[i] ^ 0xff);
  for (const auto& [name, data] : std::vector<std::pair<std::string, std::string>>{
           {"member.log.gz", demo_ + second},
           {"garbage.log.gz", demo_ + "trailing garbage\n"},
           {"cut.log.gz", demo_ + demo_.substr(0, demo_.size() / 2)}}) {
    Out o = hunt("--format jsonl " + write(name, data));
    EXPECT_EQ(o.rc, 2) << name;
    EXPECT_EQ(o.summary["complete"], false) << name;
    for (const auto& a : ok.alerts) EXPECT_TRUE(o.alerts.count(a)) << name << ": lost " << a;
  }
  // Concatenated intact members are valid gzip: complete, exit as for the alerts.
  Out two = hunt("--format jsonl " + write("two.log.gz", demo_ + demo_));
  EXPECT_EQ(two.rc, 1) << two.err;
  EXPECT_EQ(two.summary["complete"], true);
}

TEST_F(HuntCli, LogDirectoryNotesNonLogsOnceAndReadsTheLogs) {
  write("logs/audit.log.1", demo_);
  write("logs/README.md", "# Audit logs\n\nRotated by logrotate; see docs.\n");
  write("logs/export-meta.json", "{\"exported\": \"2026-11-22\", \"count\": 3}\n");
  fs::create_symlink(dir_.p / "logs" / "audit.log.1", dir_.p / "logs" / "audit.log.2");
  const std::string logs = (dir_.p / "logs").string();
  Out o = hunt("--format jsonl " + logs);
  EXPECT_EQ(o.rc, 1) << o.err;  // notes do not change the exit code: the alerts do
  EXPECT_EQ(o.summary["complete"], true);
  EXPECT_EQ(o.summary["broken"], 0);  // the README and JSON were not parsed as audit records
  ASSERT_EQ(o.summary["notes"].size(), 3u) << o.summary.dump();
  for (const std::string f : {"README.md", "export-meta.json", "audit.log.2"}) {
    EXPECT_EQ(count(o.err, "tocsin hunt: note: " + logs + "/" + f + ": "), 1u) << f << "\n" << o.err;
  }
  EXPECT_NE(o.err.find("symbolic link, not followed"), std::string::npos);
  EXPECT_NE(o.err.find("3 skipped"), std::string::npos) << o.err;
  size_t skipped = 0, ok = 0;
  for (const auto& in : o.summary["inputs"]) {
    skipped += in["status"] == "skipped";
    ok += in["status"] == "ok";
  }
  EXPECT_EQ(skipped, 3u);
  EXPECT_EQ(ok, 1u);
  EXPECT_FALSE(o.alerts.empty());
}

TEST_F(HuntCli, UnreadableEntryInADirectoryIsAnError) {
  write("logs/audit.log", slurp(std::string(TOCSIN_SOURCE_DIR) + "/tests/data/audit/handmade-docker-cp.log"));
  // As root no mode bit stops open(): a FIFO is a directory entry that cannot be read as a log.
  ASSERT_EQ(::mkfifo((dir_.p / "logs" / "audit.log.1").c_str(), 0600), 0);
  Out o = hunt("--format jsonl --fail-on none " + (dir_.p / "logs").string());
  EXPECT_EQ(o.rc, 2) << o.err;
  EXPECT_EQ(o.summary["complete"], false);
  ASSERT_EQ(o.summary["errors"].size(), 1u) << o.summary.dump();
  EXPECT_NE(o.summary["errors"][0]["file"].get<std::string>().find("audit.log.1"), std::string::npos);
  bool unreadable = false, read_ok = false;
  for (const auto& in : o.summary["inputs"]) {
    unreadable |= in["status"] == "unreadable";
    read_ok |= in["status"] == "ok" && in["events"].get<int>() > 0;
  }
  EXPECT_TRUE(unreadable);
  EXPECT_TRUE(read_ok);  // the readable log was still hunted
  EXPECT_NE(o.err.find("1 unreadable"), std::string::npos) << o.err;
  // A missing file named on the command line: the same, with a summary still written.
  Out m = hunt("--format jsonl " + (dir_.p / "nope.log").string());
  EXPECT_EQ(m.rc, 2);
  EXPECT_EQ(m.summary["complete"], false);
  EXPECT_EQ(m.summary["inputs"][0]["status"], "unreadable");
}

}  // namespace
