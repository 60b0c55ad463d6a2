// Streaming reader for auditd text logs (see text_source.hpp).
#include "audit/text_source.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "safeio/mapped_file.hpp"
#include "safeio/resolve.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin::audit {

// A byte stream: a file descriptor, an in-memory buffer, or gzip on top of either.
class TextSource::Stream {
 public:
  virtual ~Stream() = default;
  // Bytes read (0 at end); -1 on error with error() set.
  virtual ssize_t read(char* out, size_t n) = 0;
  const std::string& error() const { return error_; }
  uint64_t raw_bytes() const { return raw_bytes_; }

 protected:
  std::string error_;
  uint64_t raw_bytes_ = 0;
};

namespace {

class FdStream : public TextSource::Stream {
 public:
  explicit FdStream(int fd) : fd_(fd) {}
  ssize_t read(char* out, size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, out, n);
      if (r >= 0) {
        raw_bytes_ += static_cast<uint64_t>(r);
        return r;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        // A FIFO opened non-blocking by the safe-open helper: wait for data.
        usleep(1000);
        continue;
      }
      error_ = std::strerror(errno);
      return -1;
    }
  }

 private:
  int fd_;
};

class MemoryStream : public TextSource::Stream {
 public:
  explicit MemoryStream(std::string_view data) : data_(data) {}
  ssize_t read(char* out, size_t n) override {
    size_t k = std::min(n, data_.size() - pos_);
    std::memcpy(out, data_.data() + pos_, k);
    pos_ += k;
    raw_bytes_ += k;
    return static_cast<ssize_t>(k);
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Streaming gunzip over another stream; handles concatenated members.
class GzStream : public TextSource::Stream {
 public:
  GzStream(TextSource::Stream& inner, std::string_view already_read)
      : inner_(inner), in_(new unsigned char[kIn]) {
    std::memcpy(in_.get(), already_read.data(), already_read.size());
    zs_.next_in = in_.get();
    zs_.avail_in = static_cast<uInt>(already_read.size());
    ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK;
    if (!ok_) error_ = "zlib initialisation failed";
  }
  ~GzStream() override {
    if (ok_) inflateEnd(&zs_);
  }
  GzStream(const GzStream&) = delete;
  GzStream& operator=(const GzStream&) = delete;

  ssize_t read(char* out, size_t n) override {
    if (!ok_) return -1;
    if (done_) return 0;
    zs_.next_out = reinterpret_cast<unsigned char*>(out);
    zs_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    while (zs_.avail_out == static_cast<uInt>(std::min<size_t>(n, 1u << 30))) {
      if (zs_.avail_in == 0) {
        ssize_t r = inner_.read(reinterpret_cast<char*>(in_.get()), kIn);
        if (r < 0) {
          error_ = inner_.error();
          return -1;
        }
        if (r == 0) {
          if (!at_member_end_) {
            error_ = "gzip data is truncated";
            done_ = true;
            return -1;
          }
          done_ = true;
          return 0;
        }
        raw_bytes_ += static_cast<uint64_t>(r);
        zs_.next_in = in_.get();
        zs_.avail_in = static_cast<uInt>(r);
      }
      if (at_member_end_) {
        // Another gzip member follows (concatenated .gz); restart the inflater.
        inflateReset(&zs_);
        at_member_end_ = false;
      }
      int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        at_member_end_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        error_ = fmt::format("corrupt gzip data ({})", zs_.msg ? zs_.msg : "inflate error");
        done_ = true;
        return -1;
      }
    }
    return static_cast<ssize_t>(std::min<size_t>(n, 1u << 30) - zs_.avail_out);
  }

 private:
  static constexpr size_t kIn = 256u << 10;
  TextSource::Stream& inner_;
  std::unique_ptr<unsigned char[]> in_;
  z_stream zs_{};
  bool ok_ = false;
  bool done_ = false;
  bool at_member_end_ = false;
};

std::string excerpt_of(std::string_view line) {
  std::string out;
  size_t n = std::min<size_t>(line.size(), 120);
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  if (line.size() > n) out += "...";
  return out;
}

// Rotation order key: base name without ".gz" and ".N"; N (0 for the live file).
std::pair<std::string, uint64_t> rotation_key(const std::string& name) {
  std::string s = name;
  if (s.size() > 3 && s.compare(s.size() - 3, 3, ".gz") == 0) s.resize(s.size() - 3);
  size_t dot = s.rfind('.');
  if (dot != std::string::npos && dot + 1 < s.size() && s.size() - dot - 1 <= 9 &&
      std::all_of(s.begin() + static_cast<long>(dot) + 1, s.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    return {s.substr(0, dot), std::stoull(s.substr(dot + 1))};
  }
  return {s, 0};
}

}  // namespace

Result<safeio::Fd> open_input(const InputFile& in) {
  if (in.dir.empty()) return safeio::open_regular(in.path);
  auto dir = safeio::open_root(in.dir);
  if (!dir) return dir.error();
  safeio::Opened o = safeio::open_regular_beneath(dir->get(), in.name, safeio::resolve_options_from_env());
  if (!o.ok()) {
    std::string msg = o.error.message;  // names the file relative to the directory: show the path
    if (msg.rfind(in.name + ": ", 0) == 0) msg = in.path + msg.substr(in.name.size());
    return Error{msg};
  }
  return std::move(o.fd);
}

Result<std::vector<InputFile>> expand_inputs(const std::vector<InputFile>& inputs) {
  std::vector<InputFile> out;
  for (const auto& input : inputs) {
    const std::string& in = input.path;
    std::error_code ec;
    if (input.dir.empty() && in != "-" && std::filesystem::is_directory(in, ec)) {
      std::vector<std::string> names;
      std::filesystem::directory_iterator it(in, ec);
      if (ec) return Error{fmt::format("{}: cannot list directory: {}", in, ec.message())};
      for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (ec) return Error{fmt::format("{}: cannot list directory: {}", in, ec.message())};
        std::string name = it->path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        std::error_code ec2;
        // Symlinks in a log directory are not followed (the file itself must be there).
        if (!std::filesystem::is_regular_file(it->symlink_status(ec2))) continue;
        names.push_back(name);
      }
      std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
        auto ka = rotation_key(a);
        auto kb = rotation_key(b);
        if (ka.first != kb.first) return ka.first < kb.first;
        if (ka.second != kb.second) return ka.second > kb.second;  // higher N is older
        return a < b;
      });
      for (auto& n : names) out.emplace_back((std::filesystem::path(in) / n).string(), in, n);
    } else {
      out.push_back(input);
    }
  }
  return out;
}

TextSource::TextSource(std::vector<InputFile> inputs, TextSourceOptions opts)
    : inputs_(std::move(inputs)), opts_(opts) {
  fields_.reserve(256);
}

TextSource TextSource::from_memory(std::string data, std::string name, TextSourceOptions opts) {
  TextSource s({std::move(name)}, opts);
  s.memory_ = std::move(data);
  return s;
}

void TextSource::bad_line(std::string_view line, std::string message) {
  ++stats_.bad_lines;
  add_issue(cur_file_ ? std::string_view(*cur_file_) : std::string_view(), cur_line_,
            std::move(message), excerpt_of(line));
}

void TextSource::tick_progress(uint64_t total_bytes) {
  if (progress_ && done_bytes_ >= next_progress_) {
    progress_(done_bytes_, total_bytes);
    next_progress_ = done_bytes_ + opts_.progress_every;
  }
}

bool TextSource::handle_line(std::string_view line, Assembler& assembler) {
  ++stats_.lines;
  LexStatus st = lex_header(line, rec_);
  if (st == LexStatus::Blank) return true;
  if (st != LexStatus::Ok) {
    bad_line(line, std::string(lex_status_message(st)));
    return true;
  }
  uint64_t before = assembler.oversized_records();
  bool go = assembler.add(line, rec_, {}, cur_file_, cur_line_);
  if (assembler.oversized_records() != before) {
    // Counted by the assembler; record where.
    add_issue(*cur_file_, cur_line_, "record dropped: its event exceeds the size limit",
              excerpt_of(line));
  }
  return go;
}

bool TextSource::read_stream(Stream& in, Assembler& assembler, uint64_t total_bytes) {
  const size_t max_line = std::max<size_t>(opts_.max_line, 64);
  const size_t chunk = std::max<size_t>(opts_.read_chunk, 4096);
  const size_t cap = max_line + chunk;
  if (!buf_) buf_.reset(new char[cap]);
  char* buf = buf_.get();

  // Sniff gzip by magic bytes on the first read.
  size_t len = 0;
  ssize_t first = in.read(buf, chunk);
  if (first < 0) {
    add_issue(*cur_file_, 0, fmt::format("read error: {}", in.error()));
    return true;
  }
  std::unique_ptr<GzStream> gz;
  Stream* src = &in;
  uint64_t raw_before = 0;
  if (first >= 2 && static_cast<unsigned char>(buf[0]) == 0x1f &&
      static_cast<unsigned char>(buf[1]) == 0x8b) {
    gz = std::make_unique<GzStream>(in, std::string_view(buf, static_cast<size_t>(first)));
    src = gz.get();
    raw_before = static_cast<uint64_t>(first);
    done_bytes_ += raw_before;
  } else {
    len = static_cast<size_t>(first);
    stats_.bytes += len;
    done_bytes_ += len;
  }

  bool skipping = false;  // inside an over-long line
  bool eof = first == 0 && !gz;
  bool go = true;
  while (go) {
    if (!eof && len < cap) {
      ssize_t r = src->read(buf + len, std::min(chunk, cap - len));
      if (r < 0) {
        add_issue(*cur_file_, cur_line_, fmt::format("read error: {}", src->error()));
        eof = true;
      } else if (r == 0) {
        eof = true;
      } else {
        len += static_cast<size_t>(r);
        stats_.bytes += static_cast<uint64_t>(r);
        if (!gz) done_bytes_ += static_cast<uint64_t>(r);
      }
    }
    if (gz) done_bytes_ = raw_before + gz->raw_bytes();
    size_t start = 0;
    while (go) {
      const void* nl = std::memchr(buf + start, '\n', len - start);
      if (!nl) break;
      size_t end = static_cast<size_t>(static_cast<const char*>(nl) - buf);
      if (skipping) {
        skipping = false;  // the over-long line ends here; already counted
      } else {
        ++cur_line_;
        go = handle_line(std::string_view(buf + start, end - start), assembler);
      }
      start = end + 1;
    }
    size_t rest = len - start;
    if (skipping) {
      start = len;  // still inside the long line: drop what we have
      rest = 0;
    } else if (rest > max_line) {
      ++cur_line_;
      ++stats_.lines;
      ++stats_.long_lines;
      bad_line(std::string_view(buf + start, 120),
               fmt::format("line longer than {} bytes skipped", max_line));
      skipping = true;
      start = len;
      rest = 0;
    }
    if (start > 0 && rest > 0) std::memmove(buf, buf + start, rest);
    len = rest;
    tick_progress(total_bytes);
    if (eof) {
      if (len > 0 && !skipping && go) {
        ++cur_line_;
        go = handle_line(std::string_view(buf, len), assembler);
      }
      break;
    }
  }
  return go;
}

bool TextSource::read_mapped(int fd, uint64_t size, Assembler& assembler, uint64_t total_bytes,
                             bool& mapped) {
  mapped = false;
  auto m = safeio::MappedFile::map(fd, static_cast<size_t>(size));
  if (!m) return true;
  const std::string_view data = m->data();
  if (data.size() >= 2 && data[0] == '\x1f' && data[1] == '\x8b') return true;  // gzip: read() it
  mapped = true;
  const size_t max_line = std::max<size_t>(opts_.max_line, 64);
  const uint64_t done_before = done_bytes_;
  stats_.bytes += data.size();
  constexpr size_t kRelease = 4u << 20;  // drop parsed pages from memory this often
  size_t next_release = kRelease;
  size_t start = 0;
  bool go = true;
  while (go && start < data.size()) {
    const void* nl = std::memchr(data.data() + start, '\n', data.size() - start);
    const size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data.data()) : data.size();
    ++cur_line_;
    if (end - start > max_line) {
      ++stats_.lines;
      ++stats_.long_lines;
      bad_line(data.substr(start, 120), fmt::format("line longer than {} bytes skipped", max_line));
    } else {
      go = handle_line(data.substr(start, end - start), assembler);
    }
    start = end + 1;
    done_bytes_ = done_before + std::min<uint64_t>(start, data.size());
    tick_progress(total_bytes);
    if (start >= next_release) {
      m->release_before(start);
      next_release = start + kRelease;
    }
    if (m->truncated()) break;
  }
  done_bytes_ = done_before + data.size();
  if (m->truncated())
    add_issue(*cur_file_, cur_line_,
              "the file shrank while it was being read (truncated or rotated by copy-truncate): "
              "the rest of it was not read");
  return go;
}

Status TextSource::for_each(const EventSink& sink) {
  std::vector<InputFile> paths;
  if (memory_) {
    paths = inputs_;
  } else {
    auto ex = expand_inputs(inputs_);
    if (!ex) return ex.error();
    paths = std::move(ex.value());
  }
  // Files that cannot be opened are errors (the user named them); check all first.
  std::vector<safeio::Fd> fds;
  std::vector<uint64_t> mappable;  // per input: its size when a regular file worth mapping, else 0
  uint64_t total = 0;
  for (const auto& p : paths) {
    if (memory_ || p.path == "-") {
      fds.emplace_back();
      mappable.push_back(0);
      continue;
    }
    auto fd = open_input(p);
    if (!fd) return fd.error();
    struct stat st {};
    const bool known = fstat(fd->get(), &st) == 0;
    if (known) total += static_cast<uint64_t>(st.st_size);
    const bool map = known && opts_.map_min_bytes > 0 && S_ISREG(st.st_mode) &&
                     static_cast<uint64_t>(st.st_size) >= opts_.map_min_bytes;
    mappable.push_back(map ? static_cast<uint64_t>(st.st_size) : 0);
    fds.push_back(std::move(fd.value()));
  }
  if (memory_) total = memory_->size();

  Assembler assembler(opts_.assembler, stats_, sink);
  bool go = true;
  for (size_t i = 0; i < paths.size() && go; ++i) {
    cur_file_ = std::make_shared<const std::string>(paths[i].path);
    cur_line_ = 0;
    ++stats_.files;
    if (memory_) {
      MemoryStream ms(*memory_);
      go = read_stream(ms, assembler, total);
    } else {
      bool mapped = false;
      if (mappable[i] > 0) go = read_mapped(fds[i].get(), mappable[i], assembler, total, mapped);
      if (!mapped) {
        FdStream fs(paths[i].path == "-" ? STDIN_FILENO : fds[i].get());
        go = read_stream(fs, assembler, total);
      }
    }
  }
  if (go) assembler.flush_all();
  if (progress_) progress_(done_bytes_, total);
  return ok_status();
}

}  // namespace tocsin::audit
