// The shipping thread, the spool file and its replay.
#include "store/shipper.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace tocsin::store {
namespace {

Status write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{std::strerror(errno)};
    s.remove_prefix(static_cast<size_t>(n));
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Shipper>> Shipper::open(Client client, ShipperOptions opt) {
  if (opt.spool_path.empty()) return Error{"no spool file given"};
  std::error_code ec;
  auto parent = std::filesystem::path(opt.spool_path).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) return Error{fmt::format("spool directory {}: {}", parent.string(), ec.message())};
  }
  int fd = ::open(opt.spool_path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Error{fmt::format("spool {}: {}", opt.spool_path, std::strerror(errno))};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{fmt::format("spool {}: not a regular file", opt.spool_path)};
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Error{fmt::format("spool {}: in use by another tocsin (give each sink its own --spool)", opt.spool_path)};
  }
  return std::unique_ptr<Shipper>(new Shipper(std::move(client), std::move(opt), fd, static_cast<uint64_t>(st.st_size)));
}

Shipper::Shipper(Client client, ShipperOptions opt, int fd, uint64_t spool_bytes)
    : client_(std::move(client)), opt_(std::move(opt)), fd_(fd) {
  stats_.spool_bytes = spool_bytes;
  if (spool_bytes && opt_.note)
    opt_.note(fmt::format("{} bytes of rows an earlier run spooled in {}: replaying them first", spool_bytes,
                          opt_.spool_path));
  thread_ = std::thread([this] { run(); });
}

Shipper::~Shipper() {
  close(0);
  if (fd_ >= 0) ::close(fd_);
}

uint64_t Shipper::now_ms() const {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

void Shipper::add(Table t, const Row& row) {
  std::string line = row.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  line.push_back('\n');
  std::lock_guard<std::mutex> lk(mu_);
  if (closed_) {
    ++stats_.rows_unshipped;
    return;
  }
  auto i = static_cast<size_t>(t);
  if (pending_.empty()) pending_since_ms_ = now_ms();
  pending_.total_bytes += line.size();
  pending_.body[i] += line;
  ++pending_.rows[i];
  ++pending_.total_rows;
  ++stats_.rows_added;
  if (pending_.total_rows >= opt_.batch_rows || pending_.total_bytes >= opt_.batch_bytes) cv_.notify_one();
}

ShipStats Shipper::stats() const {
  std::lock_guard<std::mutex> lk(mu_);
  return stats_;
}

ShipStats Shipper::close(uint64_t wait_ms) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!closed_) {
      closed_ = true;
      stop_ = true;
      stop_deadline_ms_ = now_ms() + wait_ms;
    }
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  return stats();
}

bool Shipper::ensure_layout() {
  if (layout_) return true;
  auto l = read_layout(client_);
  if (!l) {
    std::lock_guard<std::mutex> lk(mu_);
    stats_.last_error = l.error().message;
    return false;
  }
  layout_ = *l;
  return true;
}

bool Shipper::send(const Batch& b) {
  if (!ensure_layout()) return false;
  for (size_t i = 0; i < b.body.size(); ++i) {
    if (!b.rows[i]) continue;
    auto st = client_.insert_json_rows(layout_->target(static_cast<Table>(i)), b.body[i]);
    if (!st) {
      std::lock_guard<std::mutex> lk(mu_);
      stats_.last_error = st.error().message;
      return false;
    }
  }
  return true;
}

void Shipper::spool(const Batch& b) {
  std::string out;
  out.reserve(b.total_bytes + b.total_rows * 3);
  for (size_t i = 0; i < b.body.size(); ++i) {
    std::string_view body = b.body[i];
    while (!body.empty()) {
      auto nl = body.find('\n');
      out += fmt::format("{}\t", i);
      out.append(body.substr(0, nl + 1));
      body.remove_prefix(nl + 1);
    }
  }
  std::unique_lock<std::mutex> lk(mu_);
  if (stats_.spool_bytes + out.size() > opt_.spool_max_bytes) {
    stats_.rows_unshipped += b.total_rows;
    bool first = !full_noted_;
    full_noted_ = true;
    lk.unlock();
    if (first && opt_.note)
      opt_.note(fmt::format("error: spool {} is full ({} bytes, --spool-max-mb): rows are not shipped from here on "
                            "(they stay in the local output)",
                            opt_.spool_path, opt_.spool_max_bytes));
    return;
  }
  lk.unlock();
  auto st = write_all(fd_, out);
  if (st) st = ::fdatasync(fd_) == 0 ? ok_status() : Status(Error{std::strerror(errno)});
  lk.lock();
  if (!st) {
    stats_.rows_unshipped += b.total_rows;
    lk.unlock();
    if (opt_.note) opt_.note(fmt::format("error: spool {}: {}: {} rows not shipped", opt_.spool_path, st.error().message, b.total_rows));
    return;
  }
  stats_.spool_bytes += out.size();
  stats_.rows_spooled += b.total_rows;
}

bool Shipper::replay() {
  // Chunks in file order; a chunk is sent only when the one before it was. The spool is
  // emptied only when all of it was sent: a replay cut short sends some rows again, which the
  // store's keys absorb.
  uint64_t size = 0;
  {
    std::lock_guard<std::mutex> lk(mu_);
    size = stats_.spool_bytes;
  }
  uint64_t off = 0, rows = 0;
  std::string carry;
  std::vector<char> buf(1u << 20);
  Batch b;
  auto flush = [&]() {
    if (b.empty()) return true;
    if (!send(b)) return false;
    rows += b.total_rows;
    b = Batch{};
    return true;
  };
  while (off < size) {
    ssize_t n = ::pread(fd_, buf.data(), std::min<uint64_t>(buf.size(), size - off), static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<uint64_t>(n);
    carry.append(buf.data(), static_cast<size_t>(n));
    size_t pos = 0;
    for (;;) {
      auto nl = carry.find('\n', pos);
      if (nl == std::string::npos) break;
      std::string_view line(carry.data() + pos, nl - pos);
      pos = nl + 1;
      auto tab = line.find('\t');
      if (tab != 1 || line[0] < '0' || line[0] > '5') continue;  // a torn line from a crash mid-write
      auto i = static_cast<size_t>(line[0] - '0');
      b.body[i].append(line.substr(2));
      b.body[i].push_back('\n');
      ++b.rows[i];
      ++b.total_rows;
      b.total_bytes += line.size();
      if ((b.total_rows >= opt_.batch_rows || b.total_bytes >= opt_.batch_bytes) && !flush()) return false;
    }
    carry.erase(0, pos);
  }
  if (!flush()) return false;
  std::lock_guard<std::mutex> lk(mu_);
  // Rows spooled while replaying (the lock is not held during the send) are after `size`.
  if (stats_.spool_bytes == size) {
    if (::ftruncate(fd_, 0) == 0) {
      ::fsync(fd_);
      stats_.spool_bytes = 0;
    }
  } else {
    // Keep the tail that arrived meanwhile: move it to the front.
    std::string tail(stats_.spool_bytes - size, '\0');
    ssize_t n = ::pread(fd_, tail.data(), tail.size(), static_cast<off_t>(size));
    if (n == static_cast<ssize_t>(tail.size()) && ::ftruncate(fd_, 0) == 0 && write_all(fd_, tail) && ::fdatasync(fd_) == 0)
      stats_.spool_bytes = tail.size();
  }
  stats_.rows_sent += rows;
  full_noted_ = false;
  return true;
}

void Shipper::run() {
  for (;;) {
    Batch batch;
    bool stopping = false, due_replay = false;
    {
      std::unique_lock<std::mutex> lk(mu_);
      for (;;) {
        uint64_t now = now_ms();
        bool batch_due = !pending_.empty() && (pending_.total_rows >= opt_.batch_rows ||
                                               pending_.total_bytes >= opt_.batch_bytes ||
                                               now >= pending_since_ms_ + opt_.flush_ms);
        due_replay = stats_.spool_bytes > 0 && now >= next_try_ms_;
        if (stop_ || batch_due || due_replay) break;
        cv_.wait_for(lk, std::chrono::milliseconds(50));
      }
      stopping = stop_;
      std::swap(batch, pending_);
    }
    const uint64_t now = now_ms();
    bool spool_empty;
    {
      std::lock_guard<std::mutex> lk(mu_);
      spool_empty = stats_.spool_bytes == 0;
    }
    auto failed = [&] {
      std::unique_lock<std::mutex> lk(mu_);
      ++stats_.failures;
      backoff_ms_ = backoff_ms_ ? std::min(opt_.backoff_max_ms, backoff_ms_ * 2) : opt_.backoff_min_ms;
      next_try_ms_ = now_ms() + backoff_ms_;
      bool was = reachable_;
      reachable_ = false;
      std::string err = stats_.last_error;
      lk.unlock();
      if (was && opt_.note)
        opt_.note(fmt::format("store unreachable or refusing rows ({}): spooling to {} and retrying with backoff", err,
                              opt_.spool_path));
    };
    auto succeeded = [&](uint64_t replayed_bytes) {
      std::unique_lock<std::mutex> lk(mu_);
      backoff_ms_ = 0;
      next_try_ms_ = 0;
      bool was = reachable_;
      reachable_ = true;
      lk.unlock();
      if (!was && opt_.note)
        opt_.note(fmt::format("store answers again: replayed {} spooled bytes", replayed_bytes));
    };
    if (!batch.empty()) {
      // Order is kept: while anything is spooled, new rows go behind it.
      if (spool_empty && now >= next_try_ms_) {
        if (send(batch)) {
          std::lock_guard<std::mutex> lk(mu_);
          stats_.rows_sent += batch.total_rows;
        } else {
          spool(batch);
          failed();
        }
      } else {
        spool(batch);
      }
    }
    uint64_t spooled;
    {
      std::lock_guard<std::mutex> lk(mu_);
      spooled = stats_.spool_bytes;
    }
    if (spooled && now_ms() >= next_try_ms_) {
      if (replay()) succeeded(spooled);
      else failed();
    }
    if (stopping) {
      std::unique_lock<std::mutex> lk(mu_);
      if (!pending_.empty()) continue;  // rows added before close: one more round
      if (stats_.spool_bytes == 0 || now_ms() >= stop_deadline_ms_) return;
      uint64_t wait = std::min(stop_deadline_ms_, std::max(next_try_ms_, now_ms())) - std::min(stop_deadline_ms_, now_ms());
      lk.unlock();
      if (wait) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      if (now_ms() >= stop_deadline_ms_ && next_try_ms_ > now_ms()) return;
    }
  }
}

}  // namespace tocsin::store
