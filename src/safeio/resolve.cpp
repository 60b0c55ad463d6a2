// openat2-based resolution with a safe walking fallback (see resolve.hpp).
#include "safeio/resolve.hpp"

#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <vector>

namespace tocsin::safeio {
namespace {

constexpr int kAlwaysFlags = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;

// openat2 rejects O_PATH combined with anything but O_DIRECTORY/O_NOFOLLOW/O_CLOEXEC (EINVAL).
int with_always(int flags) {
  return (flags & O_PATH) ? (flags | O_CLOEXEC | O_NOFOLLOW) : (flags | kAlwaysFlags);
}

long sys_openat2(int dirfd, const char* path, struct open_how* how) {
  return ::syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

// Splits into components, dropping empty ones and "."; reports whether ".." occurs.
std::vector<std::string> split_components(std::string_view p, bool& has_dotdot) {
  std::vector<std::string> out;
  has_dotdot = false;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view c = p.substr(i, j - i);
    if (c == "..") has_dotdot = true;
    if (!c.empty() && c != ".") out.emplace_back(c);
    i = j + 1;
  }
  return out;
}

Opened fail(ResolveFailure kind, std::string msg) {
  Opened o;
  o.error = {kind, std::move(msg)};
  return o;
}

ResolveFailure classify(int err) {
  switch (err) {
    case ELOOP:
    case EXDEV:
    case ENOTDIR:
      return ResolveFailure::Unsafe;
    case ENOENT:
      return ResolveFailure::NotFound;
    default:
      return ResolveFailure::Other;
  }
}

std::string describe(int err, std::string_view path) {
  switch (err) {
    case ELOOP:
      return fmt::format("{}: refused: a symlink is on the path", path);
    case EXDEV:
      return fmt::format("{}: refused: the path escapes the root", path);
    case ENOTDIR:
      return fmt::format("{}: refused: a path component is not a directory (or is a symlink)", path);
    default:
      return fmt::format("{}: {}", path, std::strerror(err));
  }
}

Opened walk(int root_fd, const std::vector<std::string>& comps, int flags, std::string_view shown) {
  Opened o;
  o.used_fallback = true;
  if (comps.empty()) {
    int fd = ::openat(root_fd, ".", with_always(flags));
    if (fd < 0) return fail(classify(errno), describe(errno, shown));
    o.fd = Fd(fd);
    return o;
  }
  Fd cur(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  if (!cur.valid()) return fail(ResolveFailure::Other, describe(errno, shown));
  for (size_t i = 0; i + 1 < comps.size(); ++i) {
    int fd = ::openat(cur.get(), comps[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      struct stat st {};
      if (::fstatat(cur.get(), comps[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        err = ELOOP;
      return fail(classify(err), describe(err, shown));
    }
    cur = Fd(fd);
  }
  int fd = ::openat(cur.get(), comps.back().c_str(), with_always(flags));
  if (fd < 0) {
    int err = errno;
    return fail(classify(err), describe(err, shown));
  }
  // O_PATH | O_NOFOLLOW opens a symlink itself instead of failing: refuse it here.
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
    ::close(fd);
    return fail(ResolveFailure::Unsafe, describe(ELOOP, shown));
  }
  o.fd = Fd(fd);
  return o;
}

Opened resolve(int dirfd, std::string_view relpath, int flags, const ResolveOptions& opt,
               uint64_t resolve_flags) {
  bool dotdot = false;
  auto comps = split_components(relpath, dotdot);
  if (dotdot) return fail(ResolveFailure::Unsafe, fmt::format("{}: refused: '..' in the path", relpath));
  std::string rel(comps.empty() ? std::string_view(".") : std::string_view());
  for (size_t i = 0; i < comps.size(); ++i) {
    if (i > 0) rel.push_back('/');
    rel.append(comps[i].data(), comps[i].size());
  }
  if (!opt.force_fallback && openat2_available()) {
    struct open_how how {};
    how.flags = static_cast<uint64_t>(with_always(flags));
    how.resolve = resolve_flags | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    for (int attempt = 0; attempt <= opt.max_retries; ++attempt) {
      long fd = sys_openat2(dirfd, rel.c_str(), &how);
      if (fd >= 0) {
        Opened o;
        o.fd = Fd(static_cast<int>(fd));
        struct stat st {};
        if (::fstat(o.fd.get(), &st) == 0 && S_ISLNK(st.st_mode))
          return fail(ResolveFailure::Unsafe, describe(ELOOP, relpath));
        return o;
      }
      if (errno == EAGAIN || errno == EINTR) continue;
      if (errno == ENOSYS) break;  // fall through to the walk
      return fail(classify(errno), describe(errno, relpath));
    }
    if (errno != ENOSYS)
      return fail(ResolveFailure::Unsafe,
                  fmt::format("{}: refused: resolution kept racing with renames ({} retries)",
                              relpath, opt.max_retries));
  }
  Opened r = walk(dirfd, comps, flags, relpath);
  r.used_fallback = true;
  return r;
}

}  // namespace

ResolveOptions resolve_options_from_env() {
  ResolveOptions o;
  const char* v = std::getenv("TOCSIN_NO_OPENAT2");
  o.force_fallback = v && *v && std::string_view(v) != "0";
  return o;
}

bool openat2_available() {
  static const bool available = [] {
    struct open_how how {};
    how.flags = O_PATH | O_CLOEXEC;
    long fd = sys_openat2(AT_FDCWD, "/", &how);
    if (fd >= 0) {
      ::close(static_cast<int>(fd));
      return true;
    }
    return errno != ENOSYS && errno != EPERM;  // EPERM: some seccomp profiles deny it
  }();
  return available;
}

Result<Fd> open_root(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{fmt::format("{}: {}", dir, std::strerror(errno))};
  return Fd(fd);
}

Opened open_in_root(int root_fd, std::string_view relpath, int open_flags, const ResolveOptions& opt) {
  return resolve(root_fd, relpath, open_flags, opt, RESOLVE_IN_ROOT);
}

Opened open_no_symlinks(const std::string& path, int open_flags, const ResolveOptions& opt) {
  if (path.empty()) return fail(ResolveFailure::NotFound, "empty path");
  bool absolute = path.front() == '/';
  Fd base(::open(absolute ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!base.valid()) return fail(ResolveFailure::Other, describe(errno, path));
  // From "/" RESOLVE_BENEATH changes nothing for absolute paths; from "." it keeps a relative
  // path where it was written.
  return resolve(base.get(), path, open_flags, opt, RESOLVE_BENEATH);
}

Opened open_regular_beneath(int root_fd, std::string_view relpath, const ResolveOptions& opt) {
  if (relpath.empty() || relpath.front() == '/')
    return fail(ResolveFailure::Unsafe, fmt::format("{}: refused: not a path relative to the walked directory", relpath));
  Opened o = resolve(root_fd, relpath, O_RDONLY | O_NONBLOCK, opt, RESOLVE_BENEATH);
  if (!o.ok()) return o;
  struct stat st {};
  if (::fstat(o.fd.get(), &st) != 0) return fail(ResolveFailure::Other, describe(errno, relpath));
  if (!S_ISREG(st.st_mode)) return fail(ResolveFailure::Other, fmt::format("{}: not a regular file", relpath));
  int flags = ::fcntl(o.fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(o.fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  return o;
}

Result<std::string> read_file_in_root(int root_fd, std::string_view relpath, size_t max_bytes,
                                      const ResolveOptions& opt) {
  auto o = open_in_root(root_fd, relpath, O_RDONLY | O_NONBLOCK, opt);
  if (!o.ok()) return Error{o.error.message};
  struct stat st {};
  if (::fstat(o.fd.get(), &st) != 0) return Error{describe(errno, relpath)};
  if (!S_ISREG(st.st_mode)) return Error{fmt::format("{}: not a regular file", relpath)};
  return read_fd(o.fd.get(), max_bytes, std::string(relpath));
}

}  // namespace tocsin::safeio
