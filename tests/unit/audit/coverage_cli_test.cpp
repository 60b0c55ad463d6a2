// Where the coverage verdicts show: the hunt's text report and stderr line, the JSONL summary
// record, and watch's periodic {"coverage": …} lines and its summary at exit (the binary run on
// a log written here).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "detect_helpers.hpp"

using namespace tocsin::audit::testing;

namespace {

int run(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l))
    if (!l.empty()) out.push_back(l);
  return out;
}

// A small log: an admin's commands and a docker cp with its helper (full records).
std::string write_log(const std::string& dir) {
  LogWriter w;
  w.standalone("DAEMON_START", "op=start ver=3.0.9 format=raw kernel=6.1 auid=4294967295 pid=1 uid=0 ses=4294967295 res=success");
  w.execve(4001, 1500, {"/usr/bin/docker", "cp", "/root/x", "victim:/w/dir/x"}, "/usr/bin/docker", "docker");
  w.execve(4002, 812, {"docker-untar", "/w/dir", "/var/lib/docker/vfs/dir/abc"}, "/usr/sbin/dockerd", "exe",
           "auid=4294967295 uid=0 euid=0 tty=(none) ses=4294967295");
  w.syscall_paths(257, 4002, 812, "/usr/sbin/dockerd", "exe",
                  {"name=\"/w/dir/\" inode=3 dev=fe:00 mode=040755 nametype=PARENT",
                   "name=\"/w/dir/x\" inode=4 dev=fe:00 mode=0100644 nametype=CREATE"},
                  "/", "a0=ffffff9c a1=1 a2=241 a3=1a4");
  w.advance(30000);
  w.execve(4100, 1500, {"/usr/bin/true"}, "/usr/bin/true", "true");
  std::string path = dir + "/audit.log";
  std::ofstream(path) << w.text();
  return path;
}

}  // namespace

TEST(CoverageCli, HuntShowsItInEveryFormat) {
  const std::string dir = ::testing::TempDir();
  const std::string log = write_log(dir), bin = TOCSIN_BINARY;
  ASSERT_EQ(run(bin + " hunt --format jsonl " + log + " >" + dir + "/h.jsonl 2>" + dir + "/h.err"), 0);
  auto out = lines(slurp(dir + "/h.jsonl"));
  ASSERT_FALSE(out.empty());
  auto summary = nlohmann::json::parse(out.back());
  const auto& cov = summary["summary"]["coverage"];
  ASSERT_EQ(cov["rules"].size(), 10u) << out.back();
  EXPECT_EQ(cov["rules"]["AU001"]["verdict"], "covered");
  EXPECT_EQ(cov["rules"]["AU004"]["verdict"], "covered") << cov["rules"]["AU004"].dump();
  EXPECT_EQ(cov["evidence"]["copies"]["docker"]["to-container"]["with_create"], 1);
  EXPECT_NE(slurp(dir + "/h.err").find("tocsin hunt: coverage: covered AU001"), std::string::npos) << slurp(dir + "/h.err");

  ASSERT_EQ(run(bin + " hunt --format text " + log + " >" + dir + "/h.txt 2>/dev/null"), 0);
  std::string text = slurp(dir + "/h.txt");
  EXPECT_NE(text.find("coverage (what this log lets each rule see"), std::string::npos) << text;
  EXPECT_NE(text.find("  AU002 unknown  no rename record at all"), std::string::npos) << text;
  EXPECT_NE(text.find("fix: "), std::string::npos);
  // --quiet drops the stderr line with the statistics.
  ASSERT_EQ(run(bin + " hunt -q --format text " + log + " >/dev/null 2>" + dir + "/q.err"), 0);
  EXPECT_EQ(slurp(dir + "/q.err").find("coverage"), std::string::npos);
}

TEST(CoverageCli, WatchWritesItPeriodicallyAndAtExit) {
  const std::string dir = ::testing::TempDir();
  const std::string log = write_log(dir), bin = TOCSIN_BINARY;
  // Every 0.3 s (0.005 minutes) for 3 s: at least one periodic line before the summary.
  ASSERT_EQ(run(bin + " watch --audit-log " + log + " --from-start --exit-after 3 --coverage-every 0.005 --poll-ms 20 >" +
                dir + "/w.jsonl 2>/dev/null"),
            0);
  auto out = lines(slurp(dir + "/w.jsonl"));
  size_t periodic = 0;
  for (size_t i = 0; i + 1 < out.size(); ++i) {
    auto j = nlohmann::json::parse(out[i]);
    if (!j.contains("coverage")) continue;
    ++periodic;
    EXPECT_EQ(j["coverage"]["rules"].size(), 10u);
    EXPECT_TRUE(j["coverage"]["time"].is_string());
  }
  EXPECT_GE(periodic, 1u) << slurp(dir + "/w.jsonl");
  ASSERT_FALSE(out.empty());
  auto summary = nlohmann::json::parse(out.back());
  EXPECT_EQ(summary["summary"]["coverage"]["rules"]["AU001"]["verdict"], "covered") << out.back();
  // 0 = only at exit; text format ends with the one-line form.
  ASSERT_EQ(run(bin + " watch --audit-log " + log + " --from-start --exit-after 1 --coverage-every 0 --format text >" +
                dir + "/w.txt 2>/dev/null"),
            0);
  auto text = lines(slurp(dir + "/w.txt"));
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back().rfind("coverage: covered AU001", 0), 0u) << slurp(dir + "/w.txt");
  size_t n = 0;
  for (const auto& l : text) n += l.rfind("coverage:", 0) == 0;
  EXPECT_EQ(n, 1u);
}
