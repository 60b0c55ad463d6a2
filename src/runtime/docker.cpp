// Docker Engine API over AF_UNIX (see docker.hpp).
#include "runtime/docker.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <fmt/format.h>

#include "safeio/safe_file.hpp"
#include "core/strings.hpp"

namespace tocsin::runtime {
namespace {

constexpr const char* kNewestApi = "1.43";
constexpr size_t kMaxHead = 64 * 1024;
constexpr size_t kMaxBody = 64u << 20;
constexpr size_t kMaxEventLine = 4u << 20;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Compares "1.41" and "1.43" numerically.
bool version_less(const std::string& a, const std::string& b) {
  unsigned a1 = 0, a2 = 0, b1 = 0, b2 = 0;
  std::sscanf(a.c_str(), "%u.%u", &a1, &a2);
  std::sscanf(b.c_str(), "%u.%u", &b1, &b2);
  return a1 != b1 ? a1 < b1 : a2 < b2;
}

Status send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{fmt::format("docker: send: {}", std::strerror(errno))};
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok_status();
}

// Reads some bytes; 0 on EOF, -1 error, -2 timeout.
ssize_t recv_some(int fd, char* buf, size_t len, int timeout_ms) {
  struct pollfd p {fd, POLLIN, 0};
  for (;;) {
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) return -2;
    break;
  }
  for (;;) {
    ssize_t n = ::recv(fd, buf, len, 0);
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

}  // namespace

bool ChunkedDecoder::feed(std::string_view in, std::string& out) {
  size_t i = 0;
  while (i < in.size() && state_ != State::Done) {
    switch (state_) {
      case State::Size:
      case State::Trailer:
      case State::DataEnd: {
        size_t nl = in.find('\n', i);
        std::string_view part = in.substr(i, nl == std::string_view::npos ? in.size() - i : nl - i);
        line_.append(part);
        if (line_.size() > 4096) return false;
        if (nl == std::string_view::npos) return true;
        i = nl + 1;
        std::string_view line = trim(line_);
        if (state_ == State::DataEnd) {
          if (!line.empty()) return false;
          state_ = State::Size;
        } else if (state_ == State::Trailer) {
          if (line.empty()) state_ = State::Done;
        } else {
          size_t semi = line.find(';');
          if (semi != std::string_view::npos) line = line.substr(0, semi);
          if (line.empty() || line.size() > 15) return false;
          size_t v = 0;
          for (char c : line) {
            if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
            v = v * 16 + static_cast<size_t>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10));
          }
          remaining_ = v;
          state_ = v == 0 ? State::Trailer : State::Data;
        }
        line_.clear();
        break;
      }
      case State::Data: {
        size_t take = std::min(remaining_, in.size() - i);
        out.append(in.substr(i, take));
        i += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::DataEnd;
        break;
      }
      case State::Done:
        break;
    }
  }
  return true;
}

Result<HttpResponse> parse_head(std::string_view head) {
  HttpResponse r;
  size_t nl = head.find('\n');
  std::string_view status_line = trim(head.substr(0, nl));
  if (status_line.substr(0, 5) != "HTTP/") return Error{"docker: not an HTTP response"};
  size_t sp = status_line.find(' ');
  if (sp == std::string_view::npos) return Error{"docker: malformed status line"};
  r.status = std::atoi(std::string(status_line.substr(sp + 1, 3)).c_str());
  if (r.status < 100 || r.status > 599) return Error{"docker: malformed status code"};
  size_t pos = nl == std::string_view::npos ? head.size() : nl + 1;
  while (pos < head.size()) {
    size_t e = head.find('\n', pos);
    std::string_view line = trim(head.substr(pos, e == std::string_view::npos ? head.size() - pos : e - pos));
    pos = e == std::string_view::npos ? head.size() : e + 1;
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    r.headers[ascii_lower(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  }
  return r;
}

std::string url_encode(std::string_view s) {
  std::string o;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      o += static_cast<char>(c);
    else
      o += fmt::format("%{:02X}", c);
  }
  return o;
}

DockerClient::DockerClient(std::string host) {
  constexpr std::string_view kUnix = "unix://";
  if (host.rfind(kUnix, 0) == 0) host = host.substr(kUnix.size());
  socket_path_ = std::move(host);
}

Result<int> DockerClient::connect_socket() const {
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(addr.sun_path)) return Error{fmt::format("docker: socket path too long: {}", socket_path_)};
  std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{fmt::format("docker: socket: {}", std::strerror(errno))};
  if (::connect(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    ::close(fd);
    return Error{fmt::format("docker: cannot connect to {}: {}", socket_path_, std::strerror(err))};
  }
  return fd;
}

namespace {
// Sends a GET and reads the head; leftover body bytes stay in `rest`.
Result<HttpResponse> request_head(int fd, const std::string& target, std::string& rest, int timeout_ms) {
  auto s = send_all(fd, fmt::format("GET {} HTTP/1.1\r\nHost: docker\r\nUser-Agent: tocsin/{}\r\n"
                                    "Accept: application/json\r\nConnection: close\r\n\r\n",
                                    target, TOCSIN_VERSION));
  if (!s) return s.error();
  std::string buf;
  char tmp[16384];
  for (;;) {
    size_t end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      auto head = parse_head(std::string_view(buf).substr(0, end + 2));
      if (!head) return head.error();
      rest = buf.substr(end + 4);
      return head;
    }
    if (buf.size() > kMaxHead) return Error{"docker: response head too large"};
    ssize_t n = recv_some(fd, tmp, sizeof tmp, timeout_ms);
    if (n == -2) return Error{"docker: timed out waiting for the daemon"};
    if (n < 0) return Error{fmt::format("docker: recv: {}", std::strerror(errno))};
    if (n == 0) return Error{"docker: connection closed before the response"};
    buf.append(tmp, static_cast<size_t>(n));
  }
}
}  // namespace

Result<HttpResponse> DockerClient::get(const std::string& path, int timeout_ms) {
  auto fdr = connect_socket();
  if (!fdr) return fdr.error();
  safeio::Fd fd(*fdr);
  std::string rest;
  std::string target = path == "/_ping" ? path : fmt::format("/v{}{}", version_, path);
  auto head = request_head(fd.get(), target, rest, timeout_ms);
  if (!head) return head.error();
  HttpResponse r = std::move(*head);
  bool chunked = ascii_lower(r.headers["transfer-encoding"]).find("chunked") != std::string::npos;
  std::optional<size_t> length;
  if (auto it = r.headers.find("content-length"); it != r.headers.end())
    length = static_cast<size_t>(std::strtoull(it->second.c_str(), nullptr, 10));
  ChunkedDecoder dec;
  auto take = [&](std::string_view data) -> bool {
    if (chunked) return dec.feed(data, r.body);
    r.body.append(data);
    return true;
  };
  if (!take(rest)) return Error{"docker: malformed chunked body"};
  char tmp[65536];
  while (!(chunked && dec.done()) && !(length && r.body.size() >= *length)) {
    if (r.body.size() > kMaxBody) return Error{"docker: response body too large"};
    ssize_t n = recv_some(fd.get(), tmp, sizeof tmp, timeout_ms);
    if (n == -2) return Error{"docker: timed out reading the response"};
    if (n < 0) return Error{fmt::format("docker: recv: {}", std::strerror(errno))};
    if (n == 0) break;
    if (!take(std::string_view(tmp, static_cast<size_t>(n)))) return Error{"docker: malformed chunked body"};
  }
  if (length && r.body.size() > *length) r.body.resize(*length);
  return r;
}

Result<nlohmann::json> DockerClient::get_json(const std::string& path, int timeout_ms) {
  auto r = get(path, timeout_ms);
  if (!r) return r.error();
  if (r->status != 200)
    return Error{fmt::format("docker: GET {} returned {}: {}", path, r->status, r->body.substr(0, 200))};
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return Error{fmt::format("docker: GET {}: response is not JSON", path)};
  return j;
}

Status DockerClient::negotiate() {
  auto r = get("/_ping", 5000);
  if (!r) return r.error();
  if (r->status != 200) return Error{fmt::format("docker: /_ping returned {}", r->status)};
  auto it = r->headers.find("api-version");
  if (it != r->headers.end() && !it->second.empty()) {
    version_ = version_less(kNewestApi, it->second) ? kNewestApi : it->second;
  } else {
    auto v = get_json("/version", 5000);
    if (v && v->contains("ApiVersion") && (*v)["ApiVersion"].is_string()) {
      std::string sv = (*v)["ApiVersion"];
      version_ = version_less(kNewestApi, sv) ? kNewestApi : sv;
    }
  }
  return ok_status();
}

Status DockerClient::stream_events(const std::string& query,
                                   const std::function<bool(const nlohmann::json&)>& on_event,
                                   const std::atomic<bool>* stop) {
  auto fdr = connect_socket();
  if (!fdr) return fdr.error();
  safeio::Fd fd(*fdr);
  std::string rest;
  auto head = request_head(fd.get(), fmt::format("/v{}/events?{}", version_, query), rest, 10000);
  if (!head) return head.error();
  if (head->status != 200) return Error{fmt::format("docker: /events returned {}", head->status)};
  bool chunked = ascii_lower(head->headers["transfer-encoding"]).find("chunked") != std::string::npos;
  ChunkedDecoder dec;
  std::string body;
  auto consume = [&](std::string_view data) -> int {  // 1 go on, 0 stop asked, -1 malformed
    if (chunked) {
      if (!dec.feed(data, body)) return -1;
    } else {
      body.append(data);
    }
    size_t start = 0;
    for (;;) {
      size_t nl = body.find('\n', start);
      if (nl == std::string::npos) break;
      std::string_view line = trim(std::string_view(body).substr(start, nl - start));
      start = nl + 1;
      if (line.empty()) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && !on_event(j)) return 0;
    }
    body.erase(0, start);
    if (body.size() > kMaxEventLine) body.clear();  // a runaway line: drop, resynchronise
    return 1;
  };
  int st = consume(rest);
  char tmp[65536];
  while (st == 1) {
    if (stop && stop->load()) return ok_status();
    ssize_t n = recv_some(fd.get(), tmp, sizeof tmp, 250);
    if (n == -2) continue;
    if (n < 0) return Error{fmt::format("docker: events stream: {}", std::strerror(errno))};
    if (n == 0 || (chunked && dec.done())) return Error{"docker: the daemon closed the events stream"};
    st = consume(std::string_view(tmp, static_cast<size_t>(n)));
  }
  if (st < 0) return Error{"docker: malformed events stream"};
  return ok_status();
}

}  // namespace tocsin::runtime
