// Hand-over of verified bytes: atomic emit and sealed memfd (see handover.hpp).
#include "runtime/handover.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "safeio/atomic_write.hpp"

namespace tocsin::runtime {

Status emit_verified(const std::string& path, std::string_view content, mode_t mode,
                     std::vector<std::string>& notes) {
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    notes.push_back(fmt::format("{} is writable by {} (mode {:04o}): whoever can write there can replace the emitted "
                                "file after it is written; emit into a directory only the application uses",
                                dir, (st.st_mode & S_IWOTH) ? "others" : "its group", st.st_mode & 07777));
  safeio::AtomicWriteOptions o;
  o.mode = mode;
  auto w = safeio::write_file_atomic(path, content, o);
  if (!w) return w;
  // The umask may have taken bits off, never added any; make the mode exactly the one asked for
  // (readable by the application's user even under a strict umask, never more).
  if (::chmod(path.c_str(), mode) != 0)
    return Error{fmt::format("{}: chmod {:04o}: {}", path, mode, std::strerror(errno))};
  return ok_status();
}

Result<int> sealed_memfd(std::string_view content, const char* name) {
  int fd = ::memfd_create(name, MFD_ALLOW_SEALING);
  if (fd < 0) return Error{fmt::format("memfd_create: {}", std::strerror(errno))};
  auto fail = [&](const char* what) {
    int e = errno;
    ::close(fd);
    return Error{fmt::format("memfd {}: {}", what, std::strerror(e))};
  };
  for (std::string_view rest = content; !rest.empty();) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("write");
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (::lseek(fd, 0, SEEK_SET) != 0) return fail("seek");
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) return fail("seal");
  return fd;
}

std::vector<std::string> substitute_verified(const std::vector<std::string>& argv, const std::string& fd_path) {
  static constexpr std::string_view kPlaceholder = "{verified}";
  std::vector<std::string> out;
  out.reserve(argv.size());
  for (std::string a : argv) {
    for (size_t at = a.find(kPlaceholder); at != std::string::npos; at = a.find(kPlaceholder, at + fd_path.size()))
      a.replace(at, kPlaceholder.size(), fd_path);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace tocsin::runtime
