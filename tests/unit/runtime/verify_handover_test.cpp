// verify's locks and hand-over: digest forms, --lock shared/exclusive/none against a writer's
// flock, the emitted file (atomic, exact mode, never through a planted symlink), the sealed
// memfd (nothing can change the bytes), the {verified} placeholder.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime/handover.hpp"
#include "runtime/verify.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace tocsin::runtime;
using tocsin::test::TempDir;

namespace {
const std::string kHelloSha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";  // "hello"

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

TEST(VerifyDigest, AcceptsTheFormsPeopleWrite) {
  EXPECT_EQ(parse_sha256_digest(kHelloSha), kHelloSha);
  EXPECT_EQ(parse_sha256_digest("sha256:" + kHelloSha), kHelloSha);
  std::string upper = kHelloSha;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(parse_sha256_digest(upper), kHelloSha);
  EXPECT_EQ(parse_sha256_digest(kHelloSha + "  /etc/app/app.yaml\n"), kHelloSha);  // sha256sum FILE
  EXPECT_EQ(parse_sha256_digest(kHelloSha + " *app.bin"), kHelloSha);              // sha256sum -b
  EXPECT_EQ(parse_sha256_digest("  " + kHelloSha + "\n"), kHelloSha);
  EXPECT_FALSE(parse_sha256_digest(kHelloSha.substr(1)));
  EXPECT_FALSE(parse_sha256_digest(kHelloSha + "0"));
  EXPECT_FALSE(parse_sha256_digest(kHelloSha + " x"));  // one space: not sha256sum's format
  EXPECT_FALSE(parse_sha256_digest("md5:" + kHelloSha));
  EXPECT_FALSE(parse_sha256_digest(""));
}

TEST(VerifyLock, WaitsForAnExclusiveWriterAndReportsATimeout) {
  TempDir t;
  auto f = t.p / "app.conf";
  std::ofstream(f) << "hello";
  int writer = ::open(f.c_str(), O_RDONLY);
  ASSERT_GE(writer, 0);
  ASSERT_EQ(::flock(writer, LOCK_EX), 0);
  VerifyOptions o;
  o.file = f.string();
  o.lock_timeout_ms = 100;
  for (auto mode : {VerifyLock::Shared, VerifyLock::Exclusive}) {
    o.lock = mode;
    auto r = verify_file(o);
    EXPECT_EQ(r.status, VerifyStatus::Problem);
    ASSERT_FALSE(r.problems.empty());
    EXPECT_NE(r.problems[0].find("locked by a writer"), std::string::npos);
    EXPECT_FALSE(r.sha256);  // nothing read
  }
  o.lock = VerifyLock::None;  // not waiting: reads at once
  EXPECT_TRUE(verify_file(o).ok());
  ::flock(writer, LOCK_UN);
  o.lock = VerifyLock::Exclusive;
  auto r = verify_file(o);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.sha256, kHelloSha);
  // A shared reader does not block another shared reader.
  ASSERT_EQ(::flock(writer, LOCK_SH), 0);
  o.lock = VerifyLock::Shared;
  EXPECT_TRUE(verify_file(o).ok());
  o.lock = VerifyLock::Exclusive;
  EXPECT_FALSE(verify_file(o).ok());
  ::close(writer);
}

TEST(VerifyHandover, EmitWritesExactlyTheVerifiedBytesWithTheMode) {
  TempDir t;
  fs::create_directory(t.p / "out");
  fs::permissions(t.p / "out", fs::perms::owner_all);
  std::vector<std::string> notes;
  auto target = (t.p / "out" / "app.conf").string();
  ::umask(077);
  ASSERT_TRUE(emit_verified(target, "hello", 0640, notes));
  ::umask(022);
  EXPECT_EQ(slurp(target), "hello");
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);  // exactly, whatever the umask
  EXPECT_TRUE(notes.empty());
  // A symlink planted at the target is replaced, the file it points to is not written.
  std::ofstream(t.p / "victim") << "keep";
  fs::remove(target);
  fs::create_symlink(t.p / "victim", target);
  ASSERT_TRUE(emit_verified(target, "new", 0600, notes));
  EXPECT_EQ(slurp(t.p / "victim"), "keep");
  EXPECT_FALSE(fs::is_symlink(target));
  EXPECT_EQ(slurp(target), "new");
  // A directory others can write to is named in a note.
  fs::permissions(t.p / "out", fs::perms::all);
  ASSERT_TRUE(emit_verified(target, "x", 0600, notes));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("writable by others"), std::string::npos);
}

TEST(VerifyHandover, SealedMemfdHoldsTheBytesAndCannotChange) {
  auto fd = sealed_memfd("hello world");
  ASSERT_TRUE(fd) << fd.error().message;
  char buf[32] = {};
  EXPECT_EQ(::read(*fd, buf, sizeof buf), 11);
  EXPECT_EQ(std::string(buf), "hello world");
  EXPECT_LT(::pwrite(*fd, "X", 1, 0), 0);      // F_SEAL_WRITE
  EXPECT_NE(::ftruncate(*fd, 0), 0);           // F_SEAL_SHRINK
  EXPECT_NE(::ftruncate(*fd, 100), 0);         // F_SEAL_GROW
  EXPECT_NE(::fcntl(*fd, F_ADD_SEALS, 0), 0);  // F_SEAL_SEAL: no change to the seals either
  EXPECT_EQ(::mmap(nullptr, 11, PROT_WRITE, MAP_SHARED, *fd, 0), MAP_FAILED);
  // Reopened through /proc, as the exec'd command does: the same bytes, from the start.
  std::string path = "/proc/self/fd/" + std::to_string(*fd);
  EXPECT_EQ(slurp(path), "hello world");
  EXPECT_EQ(::fcntl(*fd, F_GETFD) & FD_CLOEXEC, 0);  // inherited by the command
  ::close(*fd);
}

TEST(VerifyHandover, PlaceholderIsReplacedEverywhere) {
  auto v = substitute_verified({"/app", "--config={verified}", "{verified}", "x{verified}{verified}", "{}"},
                               "/proc/self/fd/3");
  EXPECT_EQ(v, (std::vector<std::string>{"/app", "--config=/proc/self/fd/3", "/proc/self/fd/3",
                                         "x/proc/self/fd/3/proc/self/fd/3", "{}"}));
}
