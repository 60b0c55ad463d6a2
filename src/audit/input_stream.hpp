// Byte streams under every hunt input reader (text and JSON): a file descriptor, memory, and a
// gunzip layer that is strict about integrity. Damage is never an exception or a silent end of
// data: each stream ends cleanly (read() returns 0) and lists what went wrong, where, in
// issues(): gzip CRC/length errors, corrupt or truncated members, trailing garbage after the last
// member, read errors. Concatenated members are valid gzip and are read through.
#pragma once
#include <sys/types.h>
#include <zlib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/source.hpp"

namespace tocsin::audit {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Up to n bytes; 0 at the end of the data, also after damage (see issues()).
  virtual size_t read(char* out, size_t n) = 0;
  // Bytes taken from the underlying file or buffer (compressed bytes for gzip).
  uint64_t raw_bytes() const { return raw_bytes_; }
  const std::vector<IntegrityIssue>& issues() const { return issues_; }

 protected:
  uint64_t raw_bytes_ = 0;
  std::vector<IntegrityIssue> issues_;
};

class FdStream : public ByteStream {
 public:
  explicit FdStream(int fd) : fd_(fd) {}
  size_t read(char* out, size_t n) override;

 private:
  int fd_;
  bool failed_ = false;
};

class MemoryStream : public ByteStream {
 public:
  explicit MemoryStream(std::string_view data) : data_(data) {}
  size_t read(char* out, size_t n) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Streaming gunzip of `inner`, whose first bytes (`already_read`, starting with the gzip magic)
// the caller has consumed while sniffing.
class GzipStream : public ByteStream {
 public:
  GzipStream(ByteStream& inner, std::string_view already_read);
  ~GzipStream() override;
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;
  size_t read(char* out, size_t n) override;
  uint64_t out_bytes() const { return out_bytes_; }
  // Compressed bytes consumed: up to the damage when there was any (raw_bytes() counts what
  // was read ahead into the buffer too).
  uint64_t consumed() const { return in_offset(); }

 private:
  enum class State : uint8_t { Member, Between, Done };
  bool fill();  // more compressed input; false at the end of `inner`
  uint64_t in_offset() const { return raw_bytes_ - zs_.avail_in; }  // of the next unread byte
  void damage(std::string message, uint64_t offset);
  void trailing_garbage();

  static constexpr size_t kIn = 256u << 10;
  ByteStream& inner_;
  std::unique_ptr<unsigned char[]> in_;
  z_stream zs_{};
  bool init_ = false;
  State state_ = State::Member;
  uint64_t member_ = 1;
  uint64_t member_start_ = 0;  // compressed offset where the current member starts
  uint64_t out_bytes_ = 0;
  uint64_t lines_ = 0;         // newlines produced, for the line of a damage
};

// An input as its reader sees it: the bytes of `raw`, gunzipped when they start with the gzip
// magic (detected by content, not by name).
class InputStream {
 public:
  explicit InputStream(ByteStream& raw) : raw_(raw) {}
  size_t read(char* out, size_t n);
  bool gzip() const { return gz_ != nullptr; }
  // Bytes of the file used: for gzip, the compressed bytes consumed (up to any damage).
  uint64_t raw_bytes() const { return gz_ ? gz_->consumed() : raw_.raw_bytes(); }
  uint64_t out_bytes() const { return gz_ ? gz_->out_bytes() : raw_.raw_bytes(); }
  // The raw stream's issues, then the gzip layer's.
  std::vector<IntegrityIssue> issues() const;

 private:
  ByteStream& raw_;
  std::unique_ptr<GzipStream> gz_;
  bool started_ = false;
};

// "1.2 MB", "340 kB", "87 bytes": sizes in messages.
std::string human_bytes(uint64_t n);

}  // namespace tocsin::audit
