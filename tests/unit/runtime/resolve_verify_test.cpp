// safeio::open_in_root / open_no_symlinks / open_regular_beneath (openat2 and the fallback walk)
// and runtime::verify.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime/verify.hpp"
#include "safeio/resolve.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace tocsin;

namespace {
using tocsin::test::TempDir;
void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }

class Resolve : public ::testing::TestWithParam<bool> {};
}  // namespace

TEST_P(Resolve, OpensPlainFileInRoot) {
  TempDir t;
  fs::create_directories(t.p / "a/b");
  write(t.p / "a/b/f", "hello");
  auto root = safeio::open_root(t.p);
  ASSERT_TRUE(root);
  safeio::ResolveOptions o;
  o.force_fallback = GetParam();
  auto data = safeio::read_file_in_root(root->get(), "a/b/f", 100, o);
  ASSERT_TRUE(data) << data.error().message;
  EXPECT_EQ(*data, "hello");
  // Absolute paths are taken relative to the root.
  auto abs = safeio::read_file_in_root(root->get(), "/a/b/f", 100, o);
  ASSERT_TRUE(abs);
}

TEST_P(Resolve, RefusesSymlinksAnywhereAndDotDot) {
  TempDir t;
  fs::create_directories(t.p / "a/b");
  write(t.p / "a/b/f", "x");
  fs::create_directory_symlink("b", t.p / "a/link");
  fs::create_symlink("f", t.p / "a/b/flink");
  fs::create_symlink("/etc/hostname", t.p / "escape");
  auto root = safeio::open_root(t.p);
  ASSERT_TRUE(root);
  safeio::ResolveOptions o;
  o.force_fallback = GetParam();
  for (const char* bad : {"a/link/f", "a/b/flink", "escape", "a/b/../b/f", "../x"}) {
    auto r = safeio::open_in_root(root->get(), bad, O_RDONLY, o);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error.kind, safeio::ResolveFailure::Unsafe) << bad << ": " << r.error.message;
  }
  auto missing = safeio::open_in_root(root->get(), "a/nope", O_RDONLY, o);
  EXPECT_EQ(missing.error.kind, safeio::ResolveFailure::NotFound);
  EXPECT_EQ(missing.used_fallback || !GetParam(), true);
}

TEST_P(Resolve, NoSymlinksFromSlash) {
  TempDir t;
  write(t.p / "f", "x");
  fs::create_directory_symlink(t.p, t.p.string() + "-link");
  safeio::ResolveOptions o;
  o.force_fallback = GetParam();
  EXPECT_TRUE(safeio::open_no_symlinks((t.p / "f").string(), O_RDONLY, o).ok());
  auto r = safeio::open_no_symlinks(t.p.string() + "-link/f", O_RDONLY, o);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error.kind, safeio::ResolveFailure::Unsafe);
  fs::remove(t.p.string() + "-link");
}

// The layer scan and hunt open walked files through: beneath the walked directory, no
// symlink anywhere, regular files only.
TEST_P(Resolve, RegularBeneathOpensOnlyRealRegularFilesUnderTheRoot) {
  TempDir t;
  fs::create_directories(t.p / "root/a/b");
  write(t.p / "root/a/b/f", "inside");
  write(t.p / "outside", "outside");
  fs::create_symlink(t.p / "outside", t.p / "root/out");     // out of the tree
  fs::create_symlink("a/b/f", t.p / "root/in");              // inside, still a symlink
  fs::create_directory_symlink(t.p, t.p / "root/up");        // a directory out of the tree
  ASSERT_EQ(::mkfifo((t.p / "root/fifo").c_str(), 0600), 0);
  auto root = safeio::open_root(t.p / "root");
  ASSERT_TRUE(root);
  safeio::ResolveOptions o;
  o.force_fallback = GetParam();

  auto ok = safeio::open_regular_beneath(root->get(), "a/b/f", o);
  ASSERT_TRUE(ok.ok()) << ok.error.message;
  auto data = safeio::read_fd(ok.fd.get(), 100, "f");
  ASSERT_TRUE(data);
  EXPECT_EQ(*data, "inside");
  EXPECT_EQ(::fcntl(ok.fd.get(), F_GETFL) & O_NONBLOCK, 0);  // cleared after the open

  for (const char* bad : {"out", "in", "up/outside", "a/../out", "../outside", "/a/b/f"}) {
    auto r = safeio::open_regular_beneath(root->get(), bad, o);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error.kind, safeio::ResolveFailure::Unsafe) << bad << ": " << r.error.message;
  }
  // Not regular: refused without blocking on the FIFO.
  for (const char* other : {"fifo", "a/b"}) {
    auto r = safeio::open_regular_beneath(root->get(), other, o);
    EXPECT_FALSE(r.ok()) << other;
    EXPECT_EQ(r.error.kind, safeio::ResolveFailure::Other) << other << ": " << r.error.message;
    EXPECT_NE(r.error.message.find("not a regular file"), std::string::npos) << r.error.message;
  }
  EXPECT_EQ(safeio::open_regular_beneath(root->get(), "a/nope", o).error.kind, safeio::ResolveFailure::NotFound);
}

TEST_P(Resolve, RegularBeneathRefusesAFileSwappedForASymlink) {
  TempDir t;
  fs::create_directories(t.p / "root/logs");
  write(t.p / "root/logs/audit.log", "inside");
  write(t.p / "secret", "outside");
  auto root = safeio::open_root(t.p / "root");
  ASSERT_TRUE(root);
  safeio::ResolveOptions o;
  o.force_fallback = GetParam();
  ASSERT_TRUE(safeio::open_regular_beneath(root->get(), "logs/audit.log", o).ok());
  // The walk saw a regular file; now it is a symlink to outside the tree.
  fs::remove(t.p / "root/logs/audit.log");
  fs::create_symlink(t.p / "secret", t.p / "root/logs/audit.log");
  auto r = safeio::open_regular_beneath(root->get(), "logs/audit.log", o);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error.kind, safeio::ResolveFailure::Unsafe) << r.error.message;
  // And a directory on the way swapped for a symlink to a tree holding the same name.
  fs::create_directories(t.p / "elsewhere");
  write(t.p / "elsewhere/audit.log", "outside");
  fs::rename(t.p / "root/logs", t.p / "root/logs.old");
  fs::create_directory_symlink(t.p / "elsewhere", t.p / "root/logs");
  auto d = safeio::open_regular_beneath(root->get(), "logs/audit.log", o);
  EXPECT_FALSE(d.ok());
  EXPECT_EQ(d.error.kind, safeio::ResolveFailure::Unsafe) << d.error.message;
}

INSTANTIATE_TEST_SUITE_P(OpenatAndWalk, Resolve, ::testing::Values(false, true));

TEST(Verify, IntactMismatchModeOwner) {
  TempDir t;
  write(t.p / "cfg", "key: value\n");
  ::chmod((t.p / "cfg").c_str(), 0640);
  runtime::VerifyOptions o;
  o.root = t.p.string();
  o.file = "cfg";
  auto r = runtime::verify_file(o);
  ASSERT_TRUE(r.ok()) << runtime::to_json(r);
  EXPECT_EQ(*r.sha256, runtime::sha256_hex("key: value\n"));
  EXPECT_EQ(*r.size, 11u);
  EXPECT_EQ(*r.mode, 0640u);
  o.sha256 = *r.sha256;
  o.max_mode = 0644;
  o.owner = ::geteuid();
  EXPECT_TRUE(runtime::verify_file(o).ok());
  o.sha256 = std::string(64, 'a');
  auto bad = runtime::verify_file(o);
  EXPECT_EQ(bad.status, runtime::VerifyStatus::Problem);
  o.sha256.reset();
  o.max_mode = 0600;
  EXPECT_EQ(runtime::verify_file(o).status, runtime::VerifyStatus::Problem);
  o.max_mode.reset();
  o.owner = ::geteuid() + 1;
  EXPECT_EQ(runtime::verify_file(o).status, runtime::VerifyStatus::Problem);
}

TEST(Verify, SymlinkIsUnsafeMissingIsError) {
  TempDir t;
  fs::create_symlink("/etc/hostname", t.p / "cfg");
  runtime::VerifyOptions o;
  o.root = t.p.string();
  o.file = "cfg";
  auto r = runtime::verify_file(o);
  EXPECT_EQ(r.status, runtime::VerifyStatus::Problem);
  EXPECT_FALSE(r.sha256);
  o.file = "nope";
  EXPECT_EQ(runtime::verify_file(o).status, runtime::VerifyStatus::Error);
  fs::create_directory(t.p / "dir");
  o.file = "dir";
  EXPECT_EQ(runtime::verify_file(o).status, runtime::VerifyStatus::Problem);
}

TEST(Verify, KnownDigestAndJsonShape) {
  EXPECT_EQ(runtime::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(runtime::is_sha256_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  EXPECT_FALSE(runtime::is_sha256_hex("xyz"));
  runtime::VerifyReport r;
  r.file = "f";
  r.problems.push_back("p");
  EXPECT_EQ(runtime::to_json(r), R"({"file":"f","ok":false,"sha256":null,"size":null,"owner":null,"mode":null,"problems":["p"]})");
}
