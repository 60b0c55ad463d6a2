// `tocsin scan` over a tree with an unreadable file, through the binary: exit 2 and the error
// in every format (SARIF invocations, JSON errors, github ::error, text INCOMPLETE), while the
// readable files' findings are still reported. As root no mode bit stops open(), so the scan
// then runs as nobody (setpriv), for whom a mode-000 file is really unreadable.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ScanCli : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::permissions(dir_.p, fs::perms(0755));
    fs::create_directories(dir_.p / "tree" / "locked");
    std::ofstream(dir_.p / "tree" / "Dockerfile") << "FROM alpine\nCOPY app /app\nRUN chmod 755 /app\n";
    std::ofstream(dir_.p / "tree" / "locked" / "Dockerfile") << "FROM alpine\n";
    fs::permissions(dir_.p / "tree" / "locked" / "Dockerfile", fs::perms::none);
    fs::create_directories(dir_.p / "out");
    fs::permissions(dir_.p / "out", fs::perms(0777));
  }
  // Runs scan in the tree's parent directory; returns the exit code, the report in `out`.
  int scan(const std::string& args, std::string& out, std::string& err) {
    const std::string o = (dir_.p / "out" / "stdout").string(), e = (dir_.p / "out" / "stderr").string();
    const std::string who = ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
    const std::string cmd = "cd " + dir_.p.string() + " && " + who + TOCSIN_BINARY +
                            " scan --no-config --no-progress " + args + " >" + o + " 2>" + e;
    const int st = std::system(cmd.c_str());
    out = slurp(o);
    err = slurp(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  tocsin::test::TempDir dir_{"tocsin-scan-cli"};
};

TEST_F(ScanCli, UnreadableFileIsAnErrorInEveryFormat) {
  std::string out, err;
  EXPECT_EQ(scan("--format json tree", out, err), 2) << err;
  auto j = json::parse(out);
  ASSERT_EQ(j["errors"].size(), 1u) << out;
  EXPECT_EQ(j["errors"][0]["file"], "tree/locked/Dockerfile");
  bool df001 = false;
  for (const auto& f : j["findings"]) df001 |= f["rule"] == "DF001" && f["file"] == "tree/Dockerfile";
  EXPECT_TRUE(df001) << out;  // the readable file was still scanned
  EXPECT_NE(err.find("tree/locked/Dockerfile"), std::string::npos) << err;

  EXPECT_EQ(scan("--format sarif tree", out, err), 2);
  auto s = json::parse(out);
  const auto& inv = s["runs"][0]["invocations"][0];
  EXPECT_EQ(inv["executionSuccessful"], false);
  ASSERT_EQ(inv["toolExecutionNotifications"].size(), 1u);
  EXPECT_EQ(inv["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "tree/locked/Dockerfile");

  EXPECT_EQ(scan("--format github tree", out, err), 2);
  EXPECT_NE(out.find("::error file=tree/locked/Dockerfile,title=tocsin input error::"), std::string::npos) << out;
  EXPECT_EQ(scan("--format text tree", out, err), 2);
  EXPECT_NE(out.find("INCOMPLETE: 1 input could not be read"), std::string::npos) << out;

  // Readable again: a clean invocation, exit by the findings.
  fs::permissions(dir_.p / "tree" / "locked" / "Dockerfile", fs::perms(0644));
  EXPECT_EQ(scan("--format sarif tree", out, err), 1) << err;
  auto c = json::parse(out);
  EXPECT_EQ(c["runs"][0]["invocations"][0]["executionSuccessful"], true);
  EXPECT_TRUE(c["runs"][0]["invocations"][0]["toolExecutionNotifications"].empty());
  EXPECT_EQ(scan("--format json tree", out, err), 1);
  EXPECT_TRUE(json::parse(out)["errors"].empty());
}

TEST_F(ScanCli, NothingReadableStillWritesTheReport) {
  std::string out, err;
  EXPECT_EQ(scan("--format json tree/locked/Dockerfile", out, err), 2);
  auto j = json::parse(out);  // a report, not an empty stdout a CI job could take as clean
  EXPECT_EQ(j["files_scanned"], 0);
  ASSERT_EQ(j["errors"].size(), 1u);
}

}  // namespace
