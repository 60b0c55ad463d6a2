// open/fstat/read on one descriptor, so the file checked is the file read.
#include "safeio/safe_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace tocsin::safeio {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Result<Fd> open_regular(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return Error{fmt::format("{}: {}", path, std::strerror(errno))};
  Fd f(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error{fmt::format("{}: {}", path, std::strerror(errno))};
  if (!S_ISREG(st.st_mode)) return Error{fmt::format("{}: not a regular file", path)};
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return f;
}

Result<std::string> read_fd(int fd, size_t max_bytes, const std::string& name) {
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    if (static_cast<size_t>(st.st_size) > max_bytes)
      return Error{fmt::format("{}: file is {} bytes, over the {} byte limit", name, st.st_size, max_bytes)};
    out.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{fmt::format("{}: read error: {}", name, std::strerror(errno))};
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes)
      return Error{fmt::format("{}: over the {} byte limit", name, max_bytes)};
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  auto fd = open_regular(path);
  if (!fd) return fd.error();
  return read_fd(fd->get(), max_bytes, path);
}

}  // namespace tocsin::safeio
