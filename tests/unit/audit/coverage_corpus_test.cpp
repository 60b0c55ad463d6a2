// Coverage verdicts on audit logs written by other projects (../shared/corpus/audit/): each
// verdict must follow from what the log holds, counted here line by line, independently of the
// hunt's parser — no syscall records, PATH records missing from events that announce them,
// PATH without CWD, execve without its EXECVE record, auditd's own DAEMON_* records — and none
// of these host logs, which have no container client and no container, may look covered for
// the container rules.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "detect_helpers.hpp"

using namespace tocsin::audit;
using namespace tocsin::audit::testing;

namespace {

const std::filesystem::path kCorpus =
    std::filesystem::path(TOCSIN_SOURCE_DIR) / ".." / "shared" / "corpus" / "audit";

struct LineCounts {
  size_t syscalls = 0, execve_syscalls = 0, execve_records = 0, path = 0, cwd = 0, daemon = 0;
  size_t announcing = 0;  // SYSCALL lines with items > 0
  bool client = false;    // a container client's executable appears
};

LineCounts count_lines(const std::string& text) {
  LineCounts c;
  static const std::regex items(R"( items=([0-9]+))"), sc(R"( syscall=([0-9]+))");
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    std::smatch m;
    if (l.find("type=SYSCALL ") != std::string::npos) {
      ++c.syscalls;
      if (std::regex_search(l, m, items) && std::stoul(m[1]) > 0) ++c.announcing;
      if (std::regex_search(l, m, sc) && (m[1] == "59" || m[1] == "322")) ++c.execve_syscalls;
    }
    if (l.find("type=EXECVE ") != std::string::npos) ++c.execve_records;
    if (l.find("type=PATH ") != std::string::npos) ++c.path;
    if (l.find("type=CWD ") != std::string::npos) ++c.cwd;
    if (l.find("type=DAEMON_") != std::string::npos) ++c.daemon;
    for (const char* exe : {"/docker\"", "/podman\"", "/kubectl\"", "/nerdctl\""})
      if (l.find(exe) != std::string::npos) c.client = true;
  }
  return c;
}

}  // namespace

TEST(CoverageCorpus, VerdictsFollowFromWhatEachLogHolds) {
  if (!std::filesystem::exists(kCorpus)) {
    if (std::getenv("CI")) FAIL() << "CI=true: corpus missing: " << kCorpus;
    GTEST_SKIP() << "no corpus at " << kCorpus;
  }
  size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(kCorpus)) {
    if (!e.is_regular_file() || e.path().extension() != ".log") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const LineCounts c = count_lines(text);
    auto r = hunt_text(text, {}, e.path().filename().string());
    const std::string where = e.path().string();
    ++files;
    ASSERT_EQ(r.coverage.size(), 10u) << where;
    for (const auto& v : r.coverage) EXPECT_FALSE(v.reason.empty()) << where << " " << v.rule;
    // AU008: auditd's own records.
    EXPECT_EQ(r.verdict("AU008"), c.daemon ? Verdict::Covered : Verdict::Partial) << where;
    if (c.syscalls == 0) {
      for (const char* id : {"AU001", "AU002", "AU003", "AU004", "AU005", "AU006", "AU007", "AU009"})
        EXPECT_EQ(r.verdict(id), Verdict::Blind) << where << " " << id << ": " << r.reason(id);
      continue;
    }
    // No container client, no container: nothing container-specific is covered.
    ASSERT_FALSE(c.client) << where << ": the corpus now has container clients; revisit this test";
    EXPECT_NE(r.verdict("AU001"), Verdict::Covered) << where;
    EXPECT_NE(r.verdict("AU002"), Verdict::Covered) << where;
    EXPECT_EQ(r.verdict("AU004"), Verdict::Unknown) << where << ": " << r.reason("AU004");
    // Direct evidence of missing records.
    const Verdict au001 = (c.execve_syscalls == 0 || c.execve_records == 0) ? Verdict::Blind : Verdict::Unknown;
    EXPECT_EQ(r.verdict("AU001"), au001) << where << ": " << r.reason("AU001");
    if (c.announcing > 0 && c.path == 0) {
      EXPECT_EQ(r.verdict("AU002"), Verdict::Blind) << where << ": " << r.reason("AU002");
    }
    if (c.announcing > 0 && c.cwd == 0) {
      EXPECT_EQ(r.verdict("AU007"), Verdict::Blind) << where << ": " << r.reason("AU007");
    }
  }
  EXPECT_GE(files, 10u);
}
