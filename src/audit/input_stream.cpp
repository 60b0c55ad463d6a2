// Byte streams with integrity reporting (see input_stream.hpp).
#include "audit/input_stream.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tocsin::audit {

std::string human_bytes(uint64_t n) {
  if (n >= 1000000) return fmt::format("{:.1f} MB", static_cast<double>(n) / 1e6);
  if (n >= 10000) return fmt::format("{:.0f} kB", static_cast<double>(n) / 1e3);
  return fmt::format("{} byte{}", n, n == 1 ? "" : "s");
}

size_t FdStream::read(char* out, size_t n) {
  if (failed_) return 0;
  for (;;) {
    ssize_t r = ::read(fd_, out, n);
    if (r >= 0) {
      raw_bytes_ += static_cast<uint64_t>(r);
      return static_cast<size_t>(r);
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      // A FIFO opened non-blocking by the safe-open helper: wait for data.
      usleep(1000);
      continue;
    }
    failed_ = true;
    issues_.push_back({std::nullopt, raw_bytes_,
                       fmt::format("read error after {} (offset {}): {}: evidence after this "
                                   "point is lost",
                                   human_bytes(raw_bytes_), raw_bytes_, std::strerror(errno))});
    return 0;
  }
}

size_t MemoryStream::read(char* out, size_t n) {
  size_t k = std::min(n, data_.size() - pos_);
  std::memcpy(out, data_.data() + pos_, k);
  pos_ += k;
  raw_bytes_ += k;
  return k;
}

GzipStream::GzipStream(ByteStream& inner, std::string_view already_read)
    : inner_(inner), in_(new unsigned char[std::max(kIn, already_read.size())]) {
  std::memcpy(in_.get(), already_read.data(), already_read.size());
  zs_.next_in = in_.get();
  zs_.avail_in = static_cast<uInt>(already_read.size());
  raw_bytes_ = already_read.size();
  // 15 + 16: gzip only (no zlib/raw auto-detection, so garbage is never "decoded").
  init_ = inflateInit2(&zs_, 15 + 16) == Z_OK;
  if (!init_) {
    state_ = State::Done;
    issues_.push_back({std::nullopt, 0, "zlib initialisation failed: the file was not read"});
  }
}

GzipStream::~GzipStream() {
  if (init_) inflateEnd(&zs_);
}

bool GzipStream::fill() {
  // Keep unread bytes (at most a few, when looking for the next member's magic).
  const size_t keep = zs_.avail_in;
  if (keep > 0 && zs_.next_in != in_.get()) std::memmove(in_.get(), zs_.next_in, keep);
  const size_t got = inner_.read(reinterpret_cast<char*>(in_.get()) + keep, kIn - keep);
  zs_.next_in = in_.get();
  zs_.avail_in = static_cast<uInt>(keep + got);
  raw_bytes_ += got;
  return got > 0;
}

void GzipStream::damage(std::string message, uint64_t offset) {
  issues_.push_back({lines_ + 1, offset, std::move(message)});
  state_ = State::Done;
}

void GzipStream::trailing_garbage() {
  const uint64_t at = in_offset();
  uint64_t count = 0;
  bool zeros = true;
  do {
    const unsigned char* p = zs_.next_in;
    for (uInt i = 0; i < zs_.avail_in && zeros; ++i) zeros = p[i] == 0;
    count += zs_.avail_in;
    zs_.avail_in = 0;
  } while (fill());
  damage(fmt::format("{} {} after gzip member {} (offset {}): not gzip data, not read",
                     count, zeros ? (count == 1 ? "trailing zero byte" : "trailing zero bytes")
                                  : (count == 1 ? "byte of trailing garbage"
                                                : "bytes of trailing garbage"),
                     member_ - 1, at),
         at);
}

size_t GzipStream::read(char* out, size_t n) {
  n = std::min<size_t>(n, 1u << 30);
  zs_.next_out = reinterpret_cast<unsigned char*>(out);
  zs_.avail_out = static_cast<uInt>(n);
  while (zs_.avail_out == n && state_ != State::Done) {
    if (state_ == State::Between) {
      // After a member: the end of the file, another member, or garbage.
      if (zs_.avail_in < 2) {
        const bool more = fill();
        if (zs_.avail_in == 0) {
          state_ = State::Done;  // clean end
          break;
        }
        if (zs_.avail_in < 2 && more) continue;
      }
      if (zs_.avail_in < 2 || zs_.next_in[0] != 0x1f || zs_.next_in[1] != 0x8b) {
        trailing_garbage();
        break;
      }
      inflateReset(&zs_);
      member_start_ = in_offset();
      state_ = State::Member;
    }
    if (zs_.avail_in == 0 && !fill()) {
      damage(fmt::format("gzip data truncated after {} (member {}, offset {}: the file ends inside "
                         "the member): evidence after this point is lost",
                         human_bytes(out_bytes_ + (n - zs_.avail_out)), member_, in_offset()),
             in_offset());
      break;
    }
    const int rc = inflate(&zs_, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      state_ = State::Between;
      ++member_;
      continue;
    }
    if (rc == Z_OK || (rc == Z_BUF_ERROR && zs_.avail_in == 0)) continue;
    const uint64_t done = out_bytes_ + (n - zs_.avail_out);
    const std::string zmsg = zs_.msg ? zs_.msg : "inflate error";
    // A check error comes at the member's end, after all its data was delivered: that data is
    // what is in doubt. Any other error stops the stream where it is.
    if (zmsg == "incorrect data check")
      damage(fmt::format("gzip CRC error after {} (member {}, offset {}): the member's data does "
                         "not match its checksum, so what was read from it is altered or damaged",
                         human_bytes(done), member_, in_offset()),
             in_offset());
    else if (zmsg == "incorrect length check")
      damage(fmt::format("gzip length error after {} (member {}, offset {}): the member is not as "
                         "long as its trailer says, so what was read from it is incomplete or "
                         "damaged",
                         human_bytes(done), member_, in_offset()),
             in_offset());
    else
      damage(fmt::format("corrupt gzip data ({}) after {} (member {}, offset {}): evidence after "
                         "this point is lost",
                         zmsg, human_bytes(done), member_, in_offset()),
             in_offset());
  }
  const size_t produced = n - zs_.avail_out;
  out_bytes_ += produced;
  for (const char* p = out; (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(out + produced - p)))); ++p)
    ++lines_;
  // The damage's line counts the lines produced with it in this call.
  if (!issues_.empty() && state_ == State::Done && produced > 0 && issues_.back().line) {
    issues_.back().line = lines_ + 1;
  }
  return produced;
}

size_t InputStream::read(char* out, size_t n) {
  if (gz_) return gz_->read(out, n);
  if (started_ || n < 2) return raw_.read(out, n);
  started_ = true;
  size_t len = raw_.read(out, n);
  if (len == 1) len += raw_.read(out + 1, n - 1);  // the magic is two bytes
  if (len >= 2 && static_cast<unsigned char>(out[0]) == 0x1f &&
      static_cast<unsigned char>(out[1]) == 0x8b) {
    gz_ = std::make_unique<GzipStream>(raw_, std::string_view(out, len));
    return gz_->read(out, n);
  }
  return len;
}

std::vector<IntegrityIssue> InputStream::issues() const {
  std::vector<IntegrityIssue> out = raw_.issues();
  if (gz_) out.insert(out.end(), gz_->issues().begin(), gz_->issues().end());
  return out;
}

}  // namespace tocsin::audit
