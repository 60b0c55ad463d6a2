// Alert destinations for `watch` (see alert_output.hpp).
#include "runtime/alert_output.hpp"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <memory>

#include "core/text_sanitize.hpp"

namespace tocsin::runtime {

Result<std::unique_ptr<AlertOutput>> AlertOutput::open(const std::string& target, AlertFormat fmt) {
  std::unique_ptr<AlertOutput> o(new AlertOutput());
  o->format_ = fmt;
  if (target.empty() || target == "-") return o;
  if (target == "syslog") {
    o->syslog_ = true;
    ::openlog("tocsin", LOG_PID | LOG_NDELAY, LOG_DAEMON);
    return o;
  }
  int fd = ::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Error{fmt::format("{}: {}", target, std::strerror(errno))};
  o->fd_ = fd;
  o->own_fd_ = true;
  return o;
}

AlertOutput::~AlertOutput() {
  if (own_fd_) ::close(fd_);
  if (syslog_) ::closelog();
}

void AlertOutput::write(const std::string& rendered_in, Severity sev) {
  // Alerts carry log- and Engine-derived strings (argv, paths, container names): text is one
  // line with no control byte, JSONL gets C1/bidi controls as \u escapes too.
  std::string rendered = format_ == AlertFormat::Text ? sanitize_for_terminal(rendered_in) : rendered_in;
  if (format_ == AlertFormat::Jsonl) escape_json_for_terminal(rendered);
  std::lock_guard<std::mutex> lock(mu_);
  ++written_;
  if (syslog_) {
    int pri = sev >= Severity::critical ? LOG_CRIT
              : sev >= Severity::high   ? LOG_ERR
              : sev >= Severity::medium ? LOG_WARNING
                                        : LOG_NOTICE;
    ::syslog(pri, "%s", rendered.c_str());
    return;
  }
  std::string line = rendered + "\n";
  size_t done = 0;
  while (done < line.size()) {  // one write per alert: lines from two threads never interleave
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace tocsin::runtime
