// Report writing and atomic file replacement.
#include "cli/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>

#include "core/rule_catalog.hpp"

namespace tocsin::cli {

static Status write_all(int fd, std::string_view text, const std::string& name) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{fmt::format("{}: write error: {}", name, std::strerror(errno))};
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
  return ok_status();
}

Status write_output(const std::string& path, std::string_view text) {
  if (path.empty() || path == "-") {
    std::fflush(stdout);
    return write_all(1, text, "stdout");
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Error{fmt::format("cannot write {}: {}", path, std::strerror(errno))};
  auto st = write_all(fd, text, path);
  ::close(fd);
  return st;
}

Status write_file_atomically(const std::string& path, std::string_view text) {
  struct stat st {};
  mode_t mode = 0644;
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  std::string tmp = path + ".tocsin-fix.XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return Error{fmt::format("{}: {}", path, std::strerror(errno))};
  auto w = write_all(fd, text, tmp);
  ::fchmod(fd, mode);
  if (w && ::fsync(fd) != 0) w = Error{fmt::format("{}: fsync: {}", tmp, std::strerror(errno))};
  ::close(fd);
  if (!w) {
    ::unlink(tmp.c_str());
    return w;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return Error{fmt::format("{}: {}", path, std::strerror(e))};
  }
  return ok_status();
}

bool rule_or_family_known(std::string_view id) {
  if (find_rule(id)) return true;
  for (const auto& r : rule_catalog())
    if (r.id.rfind(id, 0) == 0) return true;
  return false;
}

}  // namespace tocsin::cli
