// Race-free file access used by every reader in tocsin: open once, fstat the descriptor,
// read from that same descriptor. (The openat2-based root-confined resolution lives in
// safeio/resolve.hpp.)
#pragma once
#include <cstddef>
#include <string>

#include "core/result.hpp"

namespace tocsin::safeio {

// RAII file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  int get() const { return fd_; }
  int release() { int f = fd_; fd_ = -1; return f; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Opens a regular file for reading (no controlling tty, close-on-exec, non-blocking open so a
// FIFO cannot hang us) and checks with fstat that it is a regular file.
Result<Fd> open_regular(const std::string& path);
// Reads at most `max_bytes` from an open descriptor; error if the file is larger.
Result<std::string> read_fd(int fd, size_t max_bytes, const std::string& name_for_errors);
// open_regular + read_fd.
Result<std::string> read_file(const std::string& path, size_t max_bytes);

}  // namespace tocsin::safeio
