// safeio::write_file_atomic: never writes through a symlink (at the target or at a temporary
// name), a crash before the rename leaves the old file, modes are kept when asked.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "safeio/atomic_write.hpp"
#include "temp_dir.hpp"

using namespace tocsin;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

size_t entries(const fs::path& dir) {
  size_t n = 0;
  for (auto it = fs::directory_iterator(dir); it != fs::directory_iterator(); ++it) ++n;
  return n;
}

}  // namespace

TEST(AtomicWrite, CreatesAndReplaces) {
  test::TempDir d;
  auto p = d.p / "out.txt";
  ASSERT_TRUE(safeio::write_file_atomic(p.string(), "one\n"));
  EXPECT_EQ(slurp(p), "one\n");
  ASSERT_TRUE(safeio::write_file_atomic(p.string(), "two\n"));
  EXPECT_EQ(slurp(p), "two\n");
  EXPECT_EQ(entries(d.p), 1u);  // no temporary left behind
}

TEST(AtomicWrite, SymlinkAtTargetIsReplacedNotFollowed) {
  test::TempDir d;
  auto victim = d.p / "victim";
  spit(victim, "precious\n");
  auto link = d.p / "report.sarif";
  fs::create_symlink(victim, link);
  ASSERT_TRUE(safeio::write_file_atomic(link.string(), "report\n"));
  EXPECT_EQ(slurp(victim), "precious\n");  // the file the link pointed to is untouched
  EXPECT_FALSE(fs::is_symlink(fs::symlink_status(link)));
  EXPECT_EQ(slurp(link), "report\n");
}

TEST(AtomicWrite, PlantedTemporaryNamesAreNeverFollowed) {
  test::TempDir d;
  auto victim = d.p / "victim";
  spit(victim, "precious\n");
  auto target = d.p / "state";
  // The old implementations' predictable names, as symlinks to the victim.
  for (const char* n : {"state.tmp", ".state.tmp", "state.tocsin-fix.XXXXXX"})
    fs::create_symlink(victim, d.p / n);
  ASSERT_TRUE(safeio::write_file_atomic(target.string(), "new\n"));
  EXPECT_EQ(slurp(victim), "precious\n");
  EXPECT_EQ(slurp(target), "new\n");
  for (const char* n : {"state.tmp", ".state.tmp", "state.tocsin-fix.XXXXXX"})
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(d.p / n))) << n;
}

namespace {
std::string g_seen_temp;
void remember_temp(const std::string& tmp) { g_seen_temp = tmp; }
void crash_now(const std::string&) { ::_exit(42); }
}  // namespace

TEST(AtomicWrite, TemporaryIsCreatedExclusivelyInTheTargetDirectory) {
  test::TempDir d;
  auto target = d.p / "model";
  safeio::AtomicWriteOptions o;
  o.before_rename = remember_temp;
  ASSERT_TRUE(safeio::write_file_atomic(target.string(), "m\n", o));
  ASSERT_FALSE(g_seen_temp.empty());
  EXPECT_EQ(fs::path(g_seen_temp).parent_path(), d.p);
  EXPECT_NE(fs::path(g_seen_temp).filename().string(), "model.tmp");
  EXPECT_FALSE(fs::exists(g_seen_temp));  // renamed away
}

TEST(AtomicWrite, CrashBeforeRenameLeavesTheOldFile) {
  test::TempDir d;
  auto target = d.p / "watch.state";
  spit(target, "old state\n");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    safeio::AtomicWriteOptions o;
    o.before_rename = crash_now;  // "crash" after write + fsync, before the rename
    (void)safeio::write_file_atomic(target.string(), std::string(1 << 20, 'n'), o);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42);
  EXPECT_EQ(slurp(target), "old state\n");
  // What is left is one stray temporary, never the target half-written.
  size_t temps = 0;
  for (const auto& e : fs::directory_iterator(d.p))
    if (e.path().filename().string().find(".tocsin-") != std::string::npos) ++temps;
  EXPECT_EQ(temps, 1u);
}

TEST(AtomicWrite, KeepModeKeepsTheModeAndRefusesNonFiles) {
  test::TempDir d;
  auto script = d.p / "run.sh";
  spit(script, "#!/bin/sh\n");
  ::chmod(script.c_str(), 0750);
  safeio::AtomicWriteOptions keep;
  keep.keep_mode = true;
  ASSERT_TRUE(safeio::write_file_atomic(script.string(), "#!/bin/sh\necho\n", keep));
  struct stat st {};
  ASSERT_EQ(::stat(script.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  safeio::AtomicWriteOptions fresh;
  fresh.mode = 0600;
  auto state = d.p / "new.state";
  ASSERT_TRUE(safeio::write_file_atomic(state.string(), "x", fresh));
  ASSERT_EQ(::stat(state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
  // A directory at the target is refused, and stays a directory.
  fs::create_directory(d.p / "dir");
  auto r = safeio::write_file_atomic((d.p / "dir").string(), "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a regular file"), std::string::npos) << r.error().message;
  EXPECT_TRUE(fs::is_directory(d.p / "dir"));
  // A missing directory is an error naming the path.
  auto m = safeio::write_file_atomic((d.p / "nope" / "x").string(), "x");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("nope"), std::string::npos);
}
