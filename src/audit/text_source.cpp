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

#include "audit/input_stream.hpp"
#include "safeio/mapped_file.hpp"
#include "safeio/resolve.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin::audit {

namespace {

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

Result<std::vector<InputFile>> expand_inputs(const std::vector<InputFile>& inputs,
                                             std::vector<InputReport>* skipped) {
  std::vector<InputFile> out;
  for (const auto& input : inputs) {
    const std::string& in = input.path;
    std::error_code ec;
    if (input.dir.empty() && in != "-" && std::filesystem::is_directory(in, ec)) {
      std::vector<std::string> names;
      std::vector<InputReport> skips;
      std::filesystem::directory_iterator it(in, ec);
      if (ec) return Error{fmt::format("{}: cannot list directory: {}", in, ec.message())};
      for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (ec) return Error{fmt::format("{}: cannot list directory: {}", in, ec.message())};
        std::string name = it->path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        std::error_code ec2;
        const auto st = it->symlink_status(ec2);
        // Symlinks in a log directory are not followed (the file itself must be there), and
        // subdirectories are not descended into; both are said, not silently dropped. Anything
        // else that is not a regular file (FIFO, socket, device) is kept: opening it fails,
        // and that is reported as an unreadable input.
        std::string why;
        if (std::filesystem::is_symlink(st))
          why = "symbolic link, not followed (a log in a directory must be a regular file there; "
                "name the link on the command line to read it)";
        else if (std::filesystem::is_directory(st))
          why = "directory, not descended into";
        if (!why.empty()) {
          InputReport r;
          r.file = (std::filesystem::path(in) / name).string();
          r.status = InputStatus::Skipped;
          r.issues.push_back({std::nullopt, std::nullopt, std::move(why)});
          skips.push_back(std::move(r));
          continue;
        }
        names.push_back(name);
      }
      std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
        auto ka = rotation_key(a);
        auto kb = rotation_key(b);
        if (ka.first != kb.first) return ka.first < kb.first;
        if (ka.second != kb.second) return ka.second > kb.second;  // higher N is older
        return a < b;
      });
      std::sort(skips.begin(), skips.end(),
                [](const InputReport& a, const InputReport& b) { return a.file < b.file; });
      if (skipped) skipped->insert(skipped->end(), skips.begin(), skips.end());
      for (auto& n : names) out.emplace_back((std::filesystem::path(in) / n).string(), in, n);
    } else {
      out.push_back(input);
    }
  }
  return out;
}

TextSource::TextSource(std::vector<InputFile> inputs, TextSourceOptions opts)
    : inputs_(std::move(inputs)), opts_(opts) {}

TextSource TextSource::from_memory(std::string data, std::string name, TextSourceOptions opts) {
  TextSource s({std::move(name)}, opts);
  s.memory_ = std::move(data);
  return s;
}

void TextSource::tick_progress(uint64_t total_bytes) {
  if (progress_ && done_bytes_ >= next_progress_) {
    progress_(done_bytes_, total_bytes);
    next_progress_ = done_bytes_ + opts_.progress_every;
  }
}

bool TextSource::read_stream(ByteStream& raw, LineReader& lines, uint64_t total_bytes) {
  const size_t max_line = std::max<size_t>(opts_.max_line, 64);
  const size_t chunk = std::max<size_t>(opts_.read_chunk, 4096);
  const size_t cap = max_line + chunk;
  if (!buf_) buf_.reset(new char[cap]);
  char* buf = buf_.get();
  InputStream in(raw);  // gunzips when the bytes start with the gzip magic
  const uint64_t done_before = done_bytes_;

  size_t len = 0;
  bool skipping = false;  // inside an over-long line
  bool eof = false;
  bool go = true;
  while (go) {
    if (!eof && len < cap) {
      const size_t r = in.read(buf + len, std::min(chunk, cap - len));
      if (r == 0) {
        eof = true;  // the end, or damage: in.issues() says which
      } else {
        len += r;
        stats_.bytes += r;
      }
    }
    done_bytes_ = done_before + in.raw_bytes();
    size_t start = 0;
    while (go) {
      const void* nl = std::memchr(buf + start, '\n', len - start);
      if (!nl) break;
      size_t end = static_cast<size_t>(static_cast<const char*>(nl) - buf);
      if (skipping) {
        skipping = false;  // the over-long line ends here; already counted
      } else if (end - start > max_line) {
        // Whole in the buffer but over the cap: skipped as when read in pieces or mapped.
        ++cur_line_;
        lines.long_line(std::string_view(buf + start, 120), cur_line_, max_line);
      } else {
        ++cur_line_;
        lines.line(std::string_view(buf + start, end - start), cur_line_);
        go = lines.go();
      }
      start = end + 1;
    }
    size_t rest = len - start;
    if (skipping) {
      start = len;  // still inside the long line: drop what we have
      rest = 0;
    } else if (rest > max_line) {
      ++cur_line_;
      lines.long_line(std::string_view(buf + start, 120), cur_line_, max_line);
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
        lines.line(std::string_view(buf, len), cur_line_);
        go = lines.go();
      }
      break;
    }
  }
  if (!reports_.empty()) {
    InputReport& rep = reports_.back();
    rep.gzip = in.gzip();
    rep.bytes_read = in.raw_bytes();
    if (in.gzip()) rep.bytes_decompressed = in.out_bytes();
  }
  // Damage: a stop asked for by the sink is not damage, and reading stopped before any.
  for (auto& issue : in.issues())
    add_damage(issue.line ? issue.line : std::optional<uint64_t>(cur_line_ + 1), issue.offset,
               issue.message);
  return go;
}

bool TextSource::read_mapped(int fd, uint64_t size, LineReader& lines, uint64_t total_bytes, bool& mapped) {
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
      lines.long_line(data.substr(start, 120), cur_line_, max_line);
    } else {
      lines.line(data.substr(start, end - start), cur_line_);
      go = lines.go();
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
  uint64_t got = data.size();
  if (m->truncated()) {
    struct stat st {};
    if (fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) < got)
      got = static_cast<uint64_t>(st.st_size);
    add_damage(cur_line_, got,
               fmt::format("the file shrank while it was read (truncated or rotated by "
                           "copy-truncate) to {} of its {}: evidence after this point is lost",
                           human_bytes(got), human_bytes(data.size())));
  }
  if (!reports_.empty()) reports_.back().bytes_read = got;
  return go;
}

namespace {

// Identity of a file when it was opened, to notice it shrinking or being replaced meanwhile.
struct Opened {
  uint64_t size = 0;
  dev_t dev = 0;
  ino_t ino = 0;
  bool regular = false;
};

// Damage that only shows after reading: the file is shorter than when it was opened, or its
// name now points at another file (or none).
void check_after_read(const InputFile& in, int fd, const Opened& o, uint64_t bytes_read,
                      bool check_size, std::vector<IntegrityIssue>& out) {
  if (!o.regular) return;
  struct stat now {};
  if (check_size && fstat(fd, &now) == 0 && static_cast<uint64_t>(now.st_size) < o.size && bytes_read < o.size)
    out.push_back({std::nullopt, bytes_read,
                   fmt::format("the file shrank while it was read, from {} to {}: evidence after "
                               "offset {} is lost",
                               human_bytes(o.size), human_bytes(static_cast<uint64_t>(now.st_size)),
                               bytes_read)});
  struct stat by_name {};
  // A file found in a directory is judged by its own name there (lstat: a symlink swapped in
  // is a replacement); a file the user named, by the name as given.
  const int rc = in.dir.empty() ? ::stat(in.path.c_str(), &by_name) : ::lstat(in.path.c_str(), &by_name);
  if (rc != 0)
    out.push_back({std::nullopt, std::nullopt,
                   fmt::format("the file was removed or renamed while it was read ({}; rotated?): "
                               "what its name holds now was not read",
                               std::strerror(errno))});
  else if (by_name.st_dev != o.dev || by_name.st_ino != o.ino)
    out.push_back({std::nullopt, std::nullopt,
                   "the file was replaced while it was read (rotated?): its name now holds "
                   "another file, which was not read"});
}

}  // namespace

Status TextSource::for_each(const EventSink& sink) {
  std::vector<InputFile> paths;
  if (memory_) {
    paths = inputs_;
  } else {
    auto ex = expand_inputs(inputs_, &reports_);
    if (!ex) return ex.error();
    paths = std::move(ex.value());
  }
  // Open everything first (so the progress total is known). A file that cannot be opened is
  // reported as unreadable and the others are still read; the first such error is returned.
  std::vector<safeio::Fd> fds;
  std::vector<Opened> opened(paths.size());
  std::vector<std::string> open_errors(paths.size());
  std::optional<Error> first_error;
  uint64_t total = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    const auto& p = paths[i];
    fds.emplace_back();
    if (memory_ || p.path == "-") continue;
    auto fd = open_input(p);
    if (!fd) {
      open_errors[i] = fd.error().message;
      if (!first_error) first_error = fd.error();
      continue;
    }
    struct stat st {};
    if (fstat(fd->get(), &st) == 0) {
      opened[i] = {static_cast<uint64_t>(st.st_size), st.st_dev, st.st_ino, S_ISREG(st.st_mode)};
      total += static_cast<uint64_t>(st.st_size);
    }
    fds[i] = std::move(fd.value());
  }
  if (memory_) total = memory_->size();

  LineReader lines(opts_.assembler, stats_, sink,
                   [this](const BadLine& b) { add_issue(b.file, b.line, std::string(b.message), excerpt_of(b.text)); });
  bool go = true;
  for (size_t i = 0; i < paths.size() && go; ++i) {
    const InputFile& p = paths[i];
    if (!open_errors[i].empty()) {
      mark_unreadable(p.path, open_errors[i]);
      continue;
    }
    lines.set_file(p.path);
    cur_line_ = 0;
    ++stats_.files;
    InputReport& rep = begin_input(p.path, "audit-text");
    if (memory_) rep.bytes_on_disk = memory_->size();
    else if (opened[i].regular) rep.bytes_on_disk = opened[i].size;
    const uint64_t events_before = stats_.events;
    if (memory_) {
      MemoryStream ms(*memory_);
      go = read_stream(ms, lines, total);
    } else {
      const bool map = opened[i].regular && opts_.map_min_bytes > 0 &&
                       opened[i].size >= opts_.map_min_bytes;
      bool mapped = false;
      if (map) go = read_mapped(fds[i].get(), opened[i].size, lines, total, mapped);
      if (!mapped) {
        FdStream fs(p.path == "-" ? STDIN_FILENO : fds[i].get());
        go = read_stream(fs, lines, total);
      }
      if (go) {
        std::vector<IntegrityIssue> late;
        // A mapped read has reported a shrink itself.
        check_after_read(p, fds[i].get(), opened[i], reports_.back().bytes_read, !mapped, late);
        for (auto& issue : late)
          add_damage(issue.line ? issue.line : std::optional<uint64_t>(cur_line_), issue.offset,
                     std::move(issue.message));
      }
    }
    reports_.back().events = stats_.events - events_before;
  }
  const uint64_t events_before_flush = stats_.events;
  if (go) lines.assembler().flush_all();
  // Events completed by the final flush belong to the last file read.
  for (auto it = reports_.rbegin(); it != reports_.rend(); ++it)
    if (it->status == InputStatus::Ok || it->status == InputStatus::Damaged) {
      it->events += stats_.events - events_before_flush;
      break;
    }
  if (progress_) progress_(done_bytes_, total);
  if (first_error) return *first_error;
  return ok_status();
}

}  // namespace tocsin::audit
