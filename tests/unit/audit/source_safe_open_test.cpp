// How the hunt opens its inputs: files found in a directory input are listed without symlinks
// and opened beneath the directory (safeio::open_regular_beneath), so a log swapped for a
// symlink between the listing and the read is refused; a file the user names is opened as
// given (a symlink named on the command line is followed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "audit/event.hpp"
#include "audit/text_source.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace tocsin::audit;

namespace {

using tocsin::test::TempDir;

std::string log_with(int events, uint64_t first_serial) {
  std::string s;
  for (int i = 0; i < events; ++i)
    s += "type=SYSCALL msg=audit(1795332947.962:" + std::to_string(first_serial + static_cast<uint64_t>(i)) +
         "): arch=c000003e syscall=2 success=yes exit=3 items=1 ppid=1 pid=42 auid=1000 uid=0 comm=\"cat\" "
         "exe=\"/usr/bin/cat\"\n";
  return s;
}

void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }

// Events read from `inputs`, or -1 when the source failed (message in `err`).
int count_events(const std::vector<InputFile>& inputs, std::string& err) {
  TextSource src(inputs);
  int n = 0;
  auto st = src.for_each([&n](Event&&) {
    ++n;
    return true;
  });
  if (!st) {
    err = st.error().message;
    return -1;
  }
  return n;
}

}  // namespace

TEST(HuntInputOpen, DirectoryListingSkipsSymlinks) {
  TempDir t;
  fs::create_directories(t.p / "logs");
  write(t.p / "logs/audit.log", log_with(2, 100));
  write(t.p / "outside.log", log_with(5, 200));
  fs::create_symlink(t.p / "outside.log", t.p / "logs/audit.log.1");
  auto ex = expand_inputs({(t.p / "logs").string()});
  ASSERT_TRUE(ex) << ex.error().message;
  ASSERT_EQ(ex->size(), 1u);
  EXPECT_EQ((*ex)[0].path, (t.p / "logs/audit.log").string());
  EXPECT_EQ((*ex)[0].name, "audit.log");
  std::string err;
  EXPECT_EQ(count_events(*ex, err), 2) << err;
  // The directory given directly to the source: the same.
  EXPECT_EQ(count_events({(t.p / "logs").string()}, err), 2) << err;
}

TEST(HuntInputOpen, LogSwappedForASymlinkAfterTheListingIsRefused) {
  TempDir t;
  fs::create_directories(t.p / "logs");
  write(t.p / "logs/audit.log", log_with(2, 100));
  write(t.p / "secret.log", log_with(5, 200));
  auto ex = expand_inputs({(t.p / "logs").string()});
  ASSERT_TRUE(ex);
  ASSERT_EQ(ex->size(), 1u);
  fs::remove(t.p / "logs/audit.log");
  fs::create_symlink(t.p / "secret.log", t.p / "logs/audit.log");
  std::string err;
  EXPECT_EQ(count_events(*ex, err), -1);
  EXPECT_NE(err.find("refused"), std::string::npos) << err;
  EXPECT_EQ(err.rfind((t.p / "logs/audit.log").string(), 0), 0u) << err;  // names the path
}

TEST(HuntInputOpen, FileNamedByTheUserIsOpenedAsGiven) {
  TempDir t;
  write(t.p / "real.log", log_with(3, 100));
  fs::create_symlink(t.p / "real.log", t.p / "audit.log");
  std::string err;
  EXPECT_EQ(count_events({(t.p / "audit.log").string()}, err), 3) << err;
}
