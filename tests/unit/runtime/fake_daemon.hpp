// A fake Docker daemon for the runtime tests: a unix socket served by a thread that answers each
// request with canned HTTP/1.1 bytes — the protocol as dockerd and podman speak it.
#pragma once
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

namespace tocsin::test {

// A unix-socket server: one connection at a time, the request head read, then `respond(fd,
// request line)`; the connection is closed when it returns.
class FakeDaemon {
 public:
  using Respond = std::function<void(int fd, const std::string& request_line, FakeDaemon& self)>;
  explicit FakeDaemon(Respond respond) : respond_(std::move(respond)) {
    path_ = (dir_.p / "docker.sock").string();
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 8) != 0)
      ADD_FAILURE() << "fake daemon: " << std::strerror(errno);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeDaemon() {
    stopping_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  FakeDaemon(const FakeDaemon&) = delete;
  FakeDaemon& operator=(const FakeDaemon&) = delete;

  std::string host() const { return "unix://" + path_; }
  bool stopping() const { return stopping_.load(); }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  std::string last_head() {
    std::lock_guard<std::mutex> l(mu_);
    return last_head_;
  }
  static void send(int fd, std::string_view s) {
    while (!s.empty()) {
      ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      s.remove_prefix(static_cast<size_t>(n));
    }
  }
  // Holds the connection open until the client closes it (or the test ends).
  void hold(int fd) {
    char buf[256];
    while (!stopping_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0 && ::recv(fd, buf, sizeof buf, 0) <= 0) return;
    }
  }

 private:
  void serve() {
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::string head;
      char buf[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        head.append(buf, static_cast<size_t>(n));
      }
      std::string line = head.substr(0, head.find("\r\n"));
      {
        std::lock_guard<std::mutex> l(mu_);
        requests_.push_back(line);
        last_head_ = head;
      }
      respond_(fd, line, *this);
      ::close(fd);
    }
  }

  TempDir dir_{"tocsin-docker-fake"};
  std::string path_;
  int listen_fd_ = -1;
  Respond respond_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<std::string> requests_;
  std::string last_head_;
  std::thread thread_;
};

inline std::string reply(const std::string& status, const std::string& headers, const std::string& body) {
  return "HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

inline std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

}  // namespace tocsin::test
