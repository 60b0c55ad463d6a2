// Follows a growing log file as auditd writes it: complete lines only, across rotation by
// rename (drain the old file, then open the new one) and copy-truncate (finish from the copy
// when it is found, then restart at 0), from the end, the start or a saved position
// (device, inode, offset) — found again among the rotated siblings after a restart.
// The same LineSplitter serves the audisp stdin stream.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin::runtime {

// Where a line ended: the file it came from and the offset just past its newline.
struct LinePos {
  const std::string* file = nullptr;
  uint64_t dev = 0, ino = 0;
  uint64_t end_offset = 0;
  uint64_t line_no = 0;  // 1-based within what this follower read of that file
  // A line longer than the cap, skipped unread (only from a splitter that reports them): the
  // text given is its start, at most LineSplitter::kLongHead bytes.
  bool too_long = false;
};
using LineFn = std::function<void(std::string_view line, const LinePos& pos)>;

// Splits a byte stream into lines with bounded memory: a line longer than max_line is
// skipped (counted), never held; with `report_long` it is still delivered, as its start with
// LinePos::too_long set, so the reader can say so (AU000, as hunt's text source does).
class LineSplitter {
 public:
  static constexpr size_t kLongHead = 120;
  explicit LineSplitter(size_t max_line = 1u << 20, bool report_long = false)
      : max_line_(max_line), report_long_(report_long) {}
  // Feeds bytes; `base_offset` is the stream offset of data[0].
  void feed(std::string_view data, uint64_t base_offset, LinePos pos, const LineFn& fn);
  // Delivers a final unterminated line (end of a rotated file / of stdin).
  void finish(LinePos pos, const LineFn& fn);
  void reset() {
    partial_.clear();
    head_.clear();
    skipping_ = false;
  }
  size_t max_line() const { return max_line_; }
  size_t pending_bytes() const { return partial_.size(); }
  uint64_t long_lines() const { return long_lines_; }
  uint64_t lines() const { return lines_; }

 private:
  // Starts skipping an over-long line whose first bytes are `a` then `b`.
  void start_long(std::string_view a, std::string_view b);
  void deliver_long(LinePos pos, const LineFn& fn);

  size_t max_line_;
  bool report_long_;
  std::string partial_;
  std::string head_;  // the start of the over-long line being skipped (report_long only)
  bool skipping_ = false;
  uint64_t long_lines_ = 0;
  uint64_t lines_ = 0;
};

// A byte position in a log file, by identity (device, inode), found again after rotation.
// A place in a log file: device, inode, offset, and the file's first bytes (up to kHeadBytes)
// when the point was taken. An inode number is given to a new file as soon as a rotated one is
// deleted, so a point is found again only in a file with the same inode whose first bytes are
// still these (a file only grows). An empty head (state files of older versions) matches any.
inline constexpr size_t kHeadBytes = 64;
struct LogPoint {
  uint64_t dev = 0, ino = 0, offset = 0;
  std::string head;
};

struct FollowPosition {
  uint64_t dev = 0, ino = 0, offset = 0;
  std::string head;
  std::string last_event_id;
  // Where a resumed run reads again from (an event boundary before the oldest correlation still
  // open at the save), and the alerts already emitted from there (runtime/watch_resume.hpp).
  std::optional<LogPoint> rewind;
  std::vector<std::string> emitted;
  LogPoint point() const { return {dev, ino, offset, head}; }
};

// State file: one JSON object, replaced atomically (safeio::write_file_atomic, mode 0600):
// path, dev, inode, offset, head (hex), last_event_id and, when a correlation was open, rewind
// {dev, inode, offset, head} and emitted [alert keys].
Status save_position(const std::string& state_file, const FollowPosition& p, const std::string& log_path);
// nullopt when the file does not exist; Error when it exists but is unreadable/corrupt.
Result<std::optional<FollowPosition>> load_position(const std::string& state_file);

struct FollowerOptions {
  std::string path;
  bool from_start = false;   // no saved position: read the existing content too
  size_t max_line = 1u << 20;
  bool report_long_lines = false;  // deliver over-long lines as LinePos::too_long (LineSplitter)
  size_t read_chunk = 1u << 20;
  int max_rotated = 20;      // siblings PATH.1..PATH.N searched for a saved inode
};

class LogFollower {
 public:
  explicit LogFollower(FollowerOptions opt);
  // Opens the log; with `saved`, continues exactly after it (also through rotated files). When
  // the file of `saved` is gone and there is a `fallback` (the save's own position, when
  // `saved` is its rewind point), continues after the fallback instead.
  Status start(const std::optional<FollowPosition>& saved,
               const std::optional<FollowPosition>& fallback = std::nullopt);
  // The first bytes of a file this follower has read (empty when unknown), for LogPoint::head.
  std::string head_of(uint64_t dev, uint64_t ino) const;
  // Reads everything available now and delivers complete lines. Never blocks.
  Status poll(const LineFn& fn);
  // Position after the last delivered line of the live file (what to save).
  FollowPosition position() const;
  // Rotations/truncations seen, for the log (taken and cleared).
  std::vector<std::string> take_notes();
  uint64_t rotations() const { return rotations_; }
  uint64_t truncations() const { return truncations_; }
  const LineSplitter& splitter() const { return split_; }

 private:
  struct Open {
    safeio::Fd fd;
    std::string name;
    uint64_t dev = 0, ino = 0, offset = 0;  // bytes read so far
    uint64_t line_no = 0;
  };
  Status open_live(uint64_t offset);
  // Finds `saved` in the live file or PATH.1..N; false when its file is gone.
  Result<bool> resume_at(const FollowPosition& saved);
  void remember_head(const Open& f) const;
  // Reads `f` to EOF, delivering lines. Returns bytes read.
  Result<uint64_t> drain(Open& f, const LineFn& fn);
  void recover_from_copy(const LineFn& fn);

  FollowerOptions opt_;
  Open cur_;
  std::deque<Open> backlog_;  // rotated files still to finish after a restart (oldest first)
  LineSplitter split_;
  std::string tail_;          // last bytes read from cur_ (to recognise a copy-truncate copy)
  std::vector<std::string> notes_;
  uint64_t rotations_ = 0, truncations_ = 0;
  std::unique_ptr<char[]> buf_;
  // First bytes of the files read, by (dev, inode): the head of a rewind point's file that has
  // been rotated away (bounded; a rewind point is at most minutes old).
  mutable std::map<std::pair<uint64_t, uint64_t>, std::string> heads_;
};

}  // namespace tocsin::runtime
