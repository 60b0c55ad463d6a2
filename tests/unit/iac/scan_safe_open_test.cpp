// The scan's safe-open rule: files found by the directory walk are opened beneath the walked
// root with no symlink on the way (safeio::open_regular_beneath), so a symlink out of the tree
// is never followed and a file swapped for a symlink between the walk and the open is
// refused; files named on the command line are opened as given. Runs with openat2 and with
// the O_NOFOLLOW fallback walk.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "iac/scan.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace tocsin::iac {
namespace {

// DF010 fires on the outside file only: reading it would show as a finding.
constexpr const char* kClean = "FROM alpine:3.19\nUSER 1000:1000\n";
constexpr const char* kOutside = "FROM alpine:3.19\nRUN mkdir /data && chmod 777 /data\nUSER 1000:1000\n";

using tocsin::test::TempDir;

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << s;
}

ScanOptions options(const std::vector<std::string>& paths, bool fallback) {
  ScanOptions o;
  o.paths = paths;
  o.no_config = true;
  o.select = {"DF010"};
  o.resolve.force_fallback = fallback;
  return o;
}

bool has_error(const ScanResult& r, const std::string& path, const std::string& text) {
  return std::any_of(r.errors.begin(), r.errors.end(), [&](const FileError& e) {
    return e.path == path && e.message.find(text) != std::string::npos;
  });
}

std::string errors_of(const ScanResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += e.path + ": " + e.message + "\n";
  return s;
}

class ScanSafeOpen : public ::testing::TestWithParam<bool> {};

TEST_P(ScanSafeOpen, SymlinkOutOfTheTreeIsNotFollowedInsideOneIs) {
  TempDir t;
  const fs::path root = t.p / "repo", outside = t.p / "outside";
  write(root / "Dockerfile", kClean);
  write(root / "sub/Dockerfile", kOutside);  // inside the tree: must be found
  write(outside / "Dockerfile", kOutside);
  fs::create_symlink(outside / "Dockerfile", root / "evil.Dockerfile");  // file out of the tree
  fs::create_directory_symlink(outside, root / "evil-dir");             // directory out of the tree
  fs::create_symlink("sub/Dockerfile", root / "alias.Dockerfile");       // inside: followed

  auto r = scan(options({root.string()}, GetParam()));
  EXPECT_TRUE(r.errors.empty()) << errors_of(r);
  // Dockerfile, alias.Dockerfile (read at its real path sub/Dockerfile), sub/Dockerfile.
  EXPECT_EQ(r.files_scanned, 3u);
  std::vector<std::string> files;
  for (const auto& f : r.findings) files.push_back(f.file);
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{(root / "alias.Dockerfile").string(), (root / "sub/Dockerfile").string()}));
}

TEST_P(ScanSafeOpen, FileSwappedForASymlinkAfterTheWalkIsRefused) {
  TempDir t;
  const fs::path root = t.p / "repo", outside = t.p / "outside";
  write(root / "a/Dockerfile", kClean);
  write(root / "victim/Dockerfile", kClean);
  write(outside / "Dockerfile", kOutside);
  const std::string victim = (root / "victim/Dockerfile").string();
  int swaps = 0;
  auto o = options({root.string()}, GetParam());
  o.before_open = [&](const std::string& path) {
    if (path != victim) return;
    ++swaps;
    fs::remove(path);
    fs::create_symlink(outside / "Dockerfile", path);
  };
  auto r = scan(o);
  EXPECT_EQ(swaps, 1);
  EXPECT_TRUE(r.findings.empty()) << "read the outside file through " << r.findings.front().file;
  EXPECT_TRUE(has_error(r, victim, "refused")) << errors_of(r);
  EXPECT_EQ(r.files_scanned, 1u);  // a/Dockerfile only
}

TEST_P(ScanSafeOpen, DirectorySwappedForASymlinkAfterTheWalkIsRefused) {
  TempDir t;
  const fs::path root = t.p / "repo", outside = t.p / "outside";
  write(root / "victim/Dockerfile", kClean);
  write(outside / "Dockerfile", kOutside);
  const std::string victim = (root / "victim/Dockerfile").string();
  auto o = options({root.string()}, GetParam());
  o.before_open = [&](const std::string& path) {
    if (path != victim) return;
    fs::rename(root / "victim", root / "victim.old");
    fs::create_directory_symlink(outside, root / "victim");
  };
  auto r = scan(o);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_TRUE(has_error(r, victim, "refused")) << errors_of(r);
  EXPECT_EQ(r.files_scanned, 0u);
}

TEST_P(ScanSafeOpen, FileNamedOnTheCommandLineIsOpenedAsGiven) {
  TempDir t;
  write(t.p / "outside/Dockerfile", kOutside);
  fs::create_symlink(t.p / "outside/Dockerfile", t.p / "Dockerfile");
  auto r = scan(options({(t.p / "Dockerfile").string()}, GetParam()));
  EXPECT_TRUE(r.errors.empty()) << errors_of(r);
  EXPECT_EQ(r.files_scanned, 1u);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "DF010");
}

TEST_P(ScanSafeOpen, FifoInTheTreeDoesNotHang) {
  TempDir t;
  write(t.p / "Dockerfile", kOutside);
  ASSERT_EQ(::mkfifo((t.p / "pipe.Dockerfile").c_str(), 0600), 0);
  auto r = scan(options({t.p.string()}, GetParam()));
  EXPECT_EQ(r.files_scanned, 1u);
  EXPECT_EQ(r.findings.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(OpenAt2AndFallback, ScanSafeOpen, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "fallback" : "openat2"; });

}  // namespace
}  // namespace tocsin::iac
