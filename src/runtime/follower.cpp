// Log following across rotation and restarts (see follower.hpp).
#include "runtime/follower.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "safeio/atomic_write.hpp"

namespace tocsin::runtime {
namespace {
constexpr size_t kTailKeep = 4096;
}

void LineSplitter::start_long(std::string_view a, std::string_view b) {
  ++long_lines_;
  skipping_ = true;
  if (!report_long_) return;
  head_.assign(a.substr(0, kLongHead));
  if (head_.size() < kLongHead) head_.append(b.substr(0, kLongHead - head_.size()));
}

void LineSplitter::deliver_long(LinePos pos, const LineFn& fn) {
  skipping_ = false;
  if (!report_long_) return;
  pos.too_long = true;
  std::string head = std::move(head_);
  head_.clear();
  fn(head, pos);
}

void LineSplitter::feed(std::string_view data, uint64_t base_offset, LinePos pos, const LineFn& fn) {
  size_t start = 0;
  while (start < data.size()) {
    size_t nl = data.find('\n', start);
    if (nl == std::string_view::npos) {
      if (!skipping_) {
        size_t add = data.size() - start;
        if (partial_.size() + add > max_line_) {
          start_long(partial_, data.substr(start));
          partial_.clear();
        } else {
          partial_.append(data.substr(start));
        }
      }
      return;
    }
    pos.end_offset = base_offset + nl + 1;
    if (skipping_) {
      deliver_long(pos, fn);
    } else if (partial_.empty()) {
      if (nl - start > max_line_) {
        start_long(data.substr(start, nl - start), {});
        deliver_long(pos, fn);
      } else {
        ++lines_;
        fn(data.substr(start, nl - start), pos);
      }
    } else {
      if (partial_.size() + (nl - start) > max_line_) {
        start_long(partial_, data.substr(start, nl - start));
        deliver_long(pos, fn);
      } else {
        partial_.append(data.substr(start, nl - start));
        ++lines_;
        fn(partial_, pos);
      }
      partial_.clear();
    }
    start = nl + 1;
  }
}

void LineSplitter::finish(LinePos pos, const LineFn& fn) {
  if (skipping_) {
    deliver_long(pos, fn);
  } else if (!partial_.empty()) {
    ++lines_;
    fn(partial_, pos);
  }
  reset();
}

namespace {

std::string to_hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view h) {
  if (h.size() % 2 != 0 || h.size() > 2 * kHeadBytes) return std::nullopt;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < h.size(); i += 2) {
    int a = nib(h[i]), b = nib(h[i + 1]);
    if (a < 0 || b < 0) return std::nullopt;
    out += static_cast<char>(a * 16 + b);
  }
  return out;
}

std::string read_head(int fd) {
  char b[kHeadBytes];
  ssize_t n = ::pread(fd, b, sizeof b, 0);
  return n > 0 ? std::string(b, static_cast<size_t>(n)) : std::string();
}

// Whether the file open as `fd` still starts with `head` (it may have grown since).
bool head_matches(int fd, const std::string& head) {
  if (head.empty()) return true;
  std::string now = read_head(fd);
  return now.size() >= head.size() && now.compare(0, head.size(), head) == 0;
}

}  // namespace

Status save_position(const std::string& state_file, const FollowPosition& p, const std::string& log_path) {
  nlohmann::ordered_json j;
  j["path"] = log_path;
  j["dev"] = p.dev;
  j["inode"] = p.ino;
  j["offset"] = p.offset;
  j["head"] = to_hex(p.head);
  j["last_event_id"] = p.last_event_id;
  if (p.rewind) {
    j["rewind"] = {{"dev", p.rewind->dev}, {"inode", p.rewind->ino}, {"offset", p.rewind->offset},
                   {"head", to_hex(p.rewind->head)}};
    j["emitted"] = p.emitted;
  }
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";  // any path bytes
  safeio::AtomicWriteOptions o;
  o.mode = 0600;
  return safeio::write_file_atomic(state_file, text, o);
}

Result<std::optional<FollowPosition>> load_position(const std::string& state_file) {
  auto text = safeio::read_file(state_file, 8 << 20);  // up to ResumeTracker::kMaxKeys alert keys
  if (!text) {
    struct stat st {};
    if (::stat(state_file.c_str(), &st) != 0 && errno == ENOENT) return std::optional<FollowPosition>{};
    return text.error();
  }
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("inode") || !j.contains("offset") ||
      !j["inode"].is_number_unsigned() || !j["offset"].is_number_unsigned())
    return Error{fmt::format("{}: not a tocsin watch state file (delete it to start from the end)", state_file)};
  FollowPosition p;
  p.dev = j.value("dev", uint64_t{0});
  p.ino = j["inode"].get<uint64_t>();
  p.offset = j["offset"].get<uint64_t>();
  if (j.contains("last_event_id") && j["last_event_id"].is_string()) p.last_event_id = j["last_event_id"];
  auto head = [&](const nlohmann::json& o) -> Result<std::string> {
    auto h = o.find("head");
    if (h == o.end()) return std::string();  // a state file of an older version
    auto bytes = h->is_string() ? from_hex(h->get<std::string>()) : std::nullopt;
    if (!bytes) return Error{fmt::format("{}: 'head' is not the hex of a file's first bytes (delete the file to start from the end)", state_file)};
    return *bytes;
  };
  auto ph = head(j);
  if (!ph) return ph.error();
  p.head = *ph;
  if (auto r = j.find("rewind"); r != j.end()) {
    auto num = [&](const char* k) { return r->is_object() && r->contains(k) && (*r)[k].is_number_unsigned(); };
    if (!num("inode") || !num("offset"))
      return Error{fmt::format("{}: the rewind point is not {{dev, inode, offset}} (delete the file to start from the end)", state_file)};
    auto rh = head(*r);
    if (!rh) return rh.error();
    p.rewind = LogPoint{r->value("dev", uint64_t{0}), (*r)["inode"].get<uint64_t>(), (*r)["offset"].get<uint64_t>(), *rh};
    if (auto e = j.find("emitted"); e != j.end() && e->is_array())
      for (const auto& k : *e)
        if (k.is_string()) p.emitted.push_back(k.get<std::string>());
  }
  return std::optional<FollowPosition>(p);
}

LogFollower::LogFollower(FollowerOptions opt) : opt_(std::move(opt)), split_(opt_.max_line, opt_.report_long_lines) {}

Status LogFollower::open_live(uint64_t offset) {
  int fd = ::open(opt_.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return Error{fmt::format("{}: {}", opt_.path, std::strerror(errno))};
  Open o;
  o.fd = safeio::Fd(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error{fmt::format("{}: {}", opt_.path, std::strerror(errno))};
  if (!S_ISREG(st.st_mode)) return Error{fmt::format("{}: not a regular file", opt_.path)};
  o.name = opt_.path;
  o.dev = st.st_dev;
  o.ino = st.st_ino;
  if (offset == UINT64_MAX) offset = static_cast<uint64_t>(st.st_size);
  if (offset > static_cast<uint64_t>(st.st_size)) offset = 0;
  if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0)
    return Error{fmt::format("{}: seek: {}", opt_.path, std::strerror(errno))};
  o.offset = offset;
  cur_ = std::move(o);
  remember_head(cur_);
  split_.reset();
  tail_.clear();
  return ok_status();
}

Status LogFollower::start(const std::optional<FollowPosition>& saved,
                          const std::optional<FollowPosition>& fallback) {
  buf_.reset(new char[opt_.read_chunk]);
  if (!saved) return open_live(opt_.from_start ? 0 : UINT64_MAX);
  auto found = resume_at(*saved);
  if (!found) return found.error();
  if (*found) return ok_status();
  if (fallback) {
    notes_.push_back(fmt::format("the file of the rewind point (inode {}) is gone: resuming at the saved position "
                                 "(a correlation open at the stop may be reported in two parts)", saved->ino));
    auto again = resume_at(*fallback);
    if (!again) return again.error();
    if (*again) return ok_status();
  }
  const uint64_t ino = fallback ? fallback->ino : saved->ino;
  notes_.push_back(fmt::format("the saved log file (inode {}) is gone: reading {} from the start", ino, opt_.path));
  return open_live(0);
}

void LogFollower::remember_head(const Open& f) const {
  std::string h = read_head(f.fd.get());
  std::string& known = heads_[{f.dev, f.ino}];
  if (h.size() >= known.size()) known = std::move(h);
  if (heads_.size() > 256) heads_.erase(heads_.begin());
}

std::string LogFollower::head_of(uint64_t dev, uint64_t ino) const {
  if (cur_.fd.get() >= 0 && dev == cur_.dev && ino == cur_.ino) remember_head(cur_);
  auto it = heads_.find({dev, ino});
  return it == heads_.end() ? std::string() : it->second;
}

Result<bool> LogFollower::resume_at(const FollowPosition& saved) {
  auto same = [&](const struct stat& st, int fd) {
    return st.st_ino == saved.ino && (saved.dev == 0 || st.st_dev == saved.dev) && head_matches(fd, saved.head);
  };
  {
    safeio::Fd live(::open(opt_.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    struct stat st {};
    if (live.get() >= 0 && ::fstat(live.get(), &st) == 0 && same(st, live.get())) {
      if (static_cast<uint64_t>(st.st_size) >= saved.offset) {
        auto s = open_live(saved.offset);
        if (!s) return s.error();
        return true;
      }
      notes_.push_back(fmt::format("{} is shorter than the saved offset {} (truncated while stopped): reading it from the start",
                                   opt_.path, saved.offset));
      auto s = open_live(0);
      if (!s) return s.error();
      return true;
    }
  }
  // Rotated while we were stopped: find the saved file among PATH.1..PATH.N; it and every
  // newer rotated file are read before the live one.
  std::vector<Open> newer;
  for (int i = 1; i <= opt_.max_rotated; ++i) {
    std::string name = fmt::format("{}.{}", opt_.path, i);
    int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) break;
    Open o;
    o.fd = safeio::Fd(fd);
    struct stat rs {};
    if (::fstat(fd, &rs) != 0 || !S_ISREG(rs.st_mode)) break;
    o.name = name;
    o.dev = rs.st_dev;
    o.ino = rs.st_ino;
    if (same(rs, fd)) {
      o.offset = std::min<uint64_t>(saved.offset, static_cast<uint64_t>(rs.st_size));
      ::lseek(fd, static_cast<off_t>(o.offset), SEEK_SET);
      backlog_.push_back(std::move(o));
      for (auto it = newer.rbegin(); it != newer.rend(); ++it) backlog_.push_back(std::move(*it));
      for (const auto& b : backlog_) remember_head(b);
      notes_.push_back(fmt::format("resuming in rotated file {} at offset {}", name, saved.offset));
      auto s = open_live(0);
      if (!s) return s.error();
      return true;
    }
    newer.push_back(std::move(o));
  }
  return false;
}

Result<uint64_t> LogFollower::drain(Open& f, const LineFn& fn) {
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(f.fd.get(), buf_.get(), opt_.read_chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      return Error{fmt::format("{}: read: {}", f.name, std::strerror(errno))};
    }
    if (n == 0) break;
    std::string_view data(buf_.get(), static_cast<size_t>(n));
    LinePos pos{&f.name, f.dev, f.ino, 0, 0};
    uint64_t* line_no = &f.line_no;
    split_.feed(data, f.offset, pos, [&](std::string_view line, const LinePos& p) {
      LinePos q = p;
      q.line_no = ++*line_no;
      fn(line, q);
    });
    f.offset += static_cast<uint64_t>(n);
    total += static_cast<uint64_t>(n);
    if (&f == &cur_) {
      tail_.append(data.substr(data.size() > kTailKeep ? data.size() - kTailKeep : 0));
      if (tail_.size() > kTailKeep) tail_.erase(0, tail_.size() - kTailKeep);
    }
  }
  return total;
}

void LogFollower::recover_from_copy(const LineFn& fn) {
  // copytruncate copies PATH to PATH.1 and truncates PATH: what we had not read yet is in
  // the copy, after our offset, if the copy's bytes before our offset are the ones we read.
  std::string name = opt_.path + ".1";
  int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return;
  Open o;
  o.fd = safeio::Fd(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_ino == cur_.ino) return;
  uint64_t off = cur_.offset;
  if (static_cast<uint64_t>(st.st_size) < off || tail_.empty()) return;
  std::string check(tail_.size(), '\0');
  ssize_t n = ::pread(fd, check.data(), check.size(), static_cast<off_t>(off - tail_.size()));
  if (n != static_cast<ssize_t>(check.size()) || check != tail_) return;
  o.name = name;
  o.dev = st.st_dev;
  o.ino = st.st_ino;
  o.offset = off;
  o.line_no = cur_.line_no;
  ::lseek(fd, static_cast<off_t>(off), SEEK_SET);
  auto got = drain(o, fn);
  if (got && *got > 0) notes_.push_back(fmt::format("read {} bytes written before the truncation from {}", *got, name));
}

Status LogFollower::poll(const LineFn& fn) {
  while (!backlog_.empty()) {
    auto r = drain(backlog_.front(), fn);
    if (!r) return r.error();
    split_.finish(LinePos{&backlog_.front().name, backlog_.front().dev, backlog_.front().ino,
                          backlog_.front().offset, ++backlog_.front().line_no},
                  fn);
    backlog_.pop_front();
  }
  auto r = drain(cur_, fn);
  if (!r) return r.error();
  struct stat st {};
  if (::stat(opt_.path.c_str(), &st) != 0) return ok_status();  // between rename and create
  if (st.st_ino != cur_.ino || st.st_dev != cur_.dev) {
    // Rotated by rename: finish the old file (the writer may have added to it after our read),
    // then continue with the new one from its start.
    auto more = drain(cur_, fn);
    if (!more) return more.error();
    split_.finish(LinePos{&cur_.name, cur_.dev, cur_.ino, cur_.offset, ++cur_.line_no}, fn);
    remember_head(cur_);  // a rewind point may be in it after the switch
    ++rotations_;
    notes_.push_back(fmt::format("{} rotated (inode {} -> {})", opt_.path, cur_.ino, st.st_ino));
    auto s = open_live(0);
    if (!s) return s;
    auto r2 = drain(cur_, fn);
    if (!r2) return r2.error();
    return ok_status();
  }
  if (static_cast<uint64_t>(st.st_size) < cur_.offset) {
    ++truncations_;
    recover_from_copy(fn);
    split_.reset();
    notes_.push_back(fmt::format("{} truncated at offset {} (copy-truncate): following from 0", opt_.path, cur_.offset));
    ::lseek(cur_.fd.get(), 0, SEEK_SET);
    cur_.offset = 0;
    heads_.erase({cur_.dev, cur_.ino});  // the same inode starts with other bytes now
    tail_.clear();
    auto r2 = drain(cur_, fn);
    if (!r2) return r2.error();
  }
  return ok_status();
}

FollowPosition LogFollower::position() const {
  FollowPosition p;
  p.dev = cur_.dev;
  p.ino = cur_.ino;
  p.offset = cur_.offset - split_.pending_bytes();
  p.head = head_of(cur_.dev, cur_.ino);
  return p;
}

std::vector<std::string> LogFollower::take_notes() {
  std::vector<std::string> n;
  n.swap(notes_);
  return n;
}

}  // namespace tocsin::runtime
