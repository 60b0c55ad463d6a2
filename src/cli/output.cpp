// Report writing (stdout, or an atomic replacement of the file through safeio) and --fix writes.
#include "cli/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>

#include "core/rule_catalog.hpp"
#include "core/suggest.hpp"
#include "core/text_sanitize.hpp"
#include "safeio/atomic_write.hpp"

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
  // A FIFO or a device (-o /dev/null, a pipe to another tool) is written into; anything else
  // is replaced atomically, and a symlink at the path is replaced, never followed.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0) return Error{fmt::format("cannot write {}: {}", path, std::strerror(errno))};
    auto w = write_all(fd, text, path);
    ::close(fd);
    return w;
  }
  return safeio::write_file_atomic(path, text);
}

Status write_file_atomically(const std::string& path, std::string_view text) {
  safeio::AtomicWriteOptions o;
  o.keep_mode = true;
  return safeio::write_file_atomic(path, text, o);
}

bool check_rule_ids(const std::vector<std::string>& ids, std::string_view cmd, std::string_view flag) {
  for (const auto& id : ids)
    if (!rule_or_family_known(id)) {
      fmt::print(stderr, "tocsin {}: unknown rule '{}' in {}{} (see `tocsin rules`)\n", cmd, sanitize_for_terminal(id),
                 flag, did_you_mean(closest_rule_id(id)));
      return false;
    }
  return true;
}

std::vector<std::string> split_rule_ids(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    size_t i = 0;
    while (i <= s.size()) {
      size_t c = s.find(',', i);
      if (c == std::string::npos) c = s.size();
      std::string id = s.substr(i, c - i);
      while (!id.empty() && id.front() == ' ') id.erase(id.begin());
      while (!id.empty() && id.back() == ' ') id.pop_back();
      for (auto& ch : id) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (!id.empty()) out.push_back(id);
      i = c + 1;
    }
  }
  return out;
}

}  // namespace tocsin::cli
