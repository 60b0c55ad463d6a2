// write_file_atomic: exclusive no-follow temporary file, fsync, rename, fsync of the directory.
#include "safeio/atomic_write.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "safeio/safe_file.hpp"

namespace tocsin::safeio {
namespace {

constexpr int kMaxNameAttempts = 16;

std::string random_suffix() {
  unsigned char r[4] = {};
  if (::getrandom(r, sizeof r, 0) != static_cast<ssize_t>(sizeof r)) {
    // No entropy source: the O_EXCL retry loop still never follows a planted name.
    auto v = static_cast<uint32_t>(::getpid()) ^ static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&r));
    std::memcpy(r, &v, sizeof r);
  }
  return fmt::format("{:02x}{:02x}{:02x}{:02x}", r[0], r[1], r[2], r[3]);
}

Status write_all(int fd, std::string_view bytes, const std::string& name) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{fmt::format("{}: write error: {}", name, std::strerror(errno))};
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return ok_status();
}

}  // namespace

Status write_file_atomic(const std::string& path, std::string_view bytes, const AtomicWriteOptions& opt) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty() || base == "." || base == "..")
    return Error{fmt::format("{}: not a file name", path)};

  // The directory is the caller's choice (it may be reached through symlinks); everything
  // below happens relative to this one descriptor, so it cannot be swapped halfway.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Error{fmt::format("cannot write {}: {}: {}", path, dir, std::strerror(errno))};
  Fd dir_fd(dfd);

  mode_t mode = opt.mode;
  struct stat old {};
  bool have_old = false;
  if (::fstatat(dfd, base.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISREG(old.st_mode) && !S_ISLNK(old.st_mode))
      return Error{fmt::format("cannot write {}: exists and is not a regular file", path)};
    have_old = S_ISREG(old.st_mode);
    if (have_old && opt.keep_mode) mode = old.st_mode & 07777;
  }

  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < kMaxNameAttempts && fd < 0; ++attempt) {
    tmp = fmt::format(".{}.tocsin-{}.tmp", base.size() > 200 ? base.substr(0, 200) : base, random_suffix());
    fd = ::openat(dfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                  mode & 0777);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0)
    return Error{fmt::format("cannot write {}: temporary file in {}: {}", path, dir, std::strerror(errno))};
  Fd file(fd);
  std::string shown_tmp = dir == "." ? tmp : (dir == "/" ? "/" + tmp : dir + "/" + tmp);
  auto fail = [&](const std::string& what) -> Status {
    int e = errno;
    ::unlinkat(dfd, tmp.c_str(), 0);
    return Error{fmt::format("cannot write {}: {}: {}", path, what, std::strerror(e))};
  };

  if (auto w = write_all(fd, bytes, shown_tmp); !w) {
    ::unlinkat(dfd, tmp.c_str(), 0);
    return Error{fmt::format("cannot write {}: {}", path, w.error().message)};
  }
  if (have_old && opt.keep_mode) {
    // The replacement belongs to whoever owned the original (root running --fix on a user's
    // file); without the privilege to give it away, the mode is still kept.
    if (::fchown(fd, old.st_uid, old.st_gid) != 0 && errno != EPERM) return fail("fchown");
    if (::fchmod(fd, mode) != 0) return fail("fchmod");
  }
  if (::fsync(fd) != 0) return fail("fsync");
  file = Fd();  // close before the rename: the data is on disk
  if (opt.before_rename) opt.before_rename(shown_tmp);
  if (::renameat(dfd, tmp.c_str(), dfd, base.c_str()) != 0) return fail("rename");
  // The rename is durable only once the directory is; a filesystem that cannot fsync a
  // directory (EINVAL) has nothing more to flush.
  if (::fsync(dfd) != 0 && errno != EINVAL)
    return Error{fmt::format("cannot write {}: fsync of {}: {}", path, dir, std::strerror(errno))};
  return ok_status();
}

}  // namespace tocsin::safeio
