// The live audit read loop of `tocsin watch` (see audit_watch.hpp).
#include "runtime/audit_watch.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "runtime/follower.hpp"

namespace tocsin::runtime {

namespace {

uint64_t now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

}  // namespace

LiveAlerts::LiveAlerts(ResumeTracker& resume, const audit::baseline::Model* model, audit::baseline::ScoreOptions opt)
    : resume_(resume), opt_(opt) {
  // The burst feature counts the user's copies in the trailing 10 minutes, one copy at a time.
  if (model) scorer_.emplace(*model, opt_);
}

std::vector<Alert> LiveAlerts::take(Alert&& a) {
  std::vector<Alert> out;
  const bool repeat = resume_.is_repeat(a);
  resume_.emitted(a);
  if (repeat) return out;
  std::optional<Alert> rare;
  if (scorer_ && !a.early)  // AU010 rides on the copy's final AU001, as in hunt
    if (auto rec = audit::baseline::copy_record_from_alert(a))
      rare = audit::baseline::rare_copy_alert(a, scorer_->score_copy(*rec), opt_);
  out.push_back(std::move(a));
  if (rare && resume_.is_repeat(*rare)) {
    resume_.emitted(*rare);
    rare.reset();
  }
  if (rare) {
    resume_.emitted(*rare);
    out.push_back(std::move(*rare));
  }
  return out;
}

bool follow_audit(const AuditWatchOptions& opt, audit::Engine& engine, ContainerFeed& feed, ResumeTracker& resume,
                  audit::InputReport& input, const std::atomic<bool>& stop, const AuditWatchCallbacks& cb) {
  auto note = [&cb](const std::string& m) {
    if (cb.note) cb.note(m);
  };
  auto periodic = [&cb] {
    if (cb.periodic) cb.periodic();
  };
  input.file = opt.audisp ? "<audisp>" : opt.audit_log;
  input.format = "audit-text";
  AuditStream stream(engine);
  std::optional<FollowPosition> saved, fallback;
  if (!opt.state.empty()) {
    auto l = load_position(opt.state);
    if (!l) {
      note(l.error().message);
      return false;
    }
    saved = *l;
    if (saved && saved->rewind) {
      // Read again from before the oldest correlation that was open at the stop; the alerts
      // already written from there are not written twice.
      resume.suppress(saved->emitted);
      note(
          fmt::format("resuming {} bytes before the saved position, where a correlation was still open; "
                      "{} alerts written before the stop are not repeated",
                      saved->rewind->ino == saved->ino && saved->offset >= saved->rewind->offset
                          ? saved->offset - saved->rewind->offset
                          : 0,
                      saved->emitted.size()));
      FollowPosition from;
      from.dev = saved->rewind->dev;
      from.ino = saved->rewind->ino;
      from.offset = saved->rewind->offset;
      from.head = saved->rewind->head;
      fallback = saved;  // where to go on if the rewind point's file is gone (deleted by rotation)
      fallback->rewind.reset();
      saved = from;
    } else if (saved && !saved->last_event_id.empty()) {
      stream.skip_event_id(saved->last_event_id);
    }
  }
  const uint64_t deadline = opt.exit_after_s > 0 ? now_ms() + static_cast<uint64_t>(opt.exit_after_s * 1000) : 0;
  uint64_t last_line_ms = now_ms(), last_save_ms = 0;
  const uint64_t events_before = engine.stats().events;
  const size_t max_line = FollowerOptions{}.max_line;  // the audisp stream's too
  auto on_line = [&](std::string_view line, const LinePos& pos) {
    if (pos.too_long) {  // AU000, as in hunt (not counted in bytes_read, as before)
      stream.long_line(line, pos.file ? *pos.file : std::string("-"), pos.line_no, max_line);
      last_line_ms = now_ms();
      return;
    }
    // A line read with no event half-assembled starts at an event boundary: a rewind point.
    const bool boundary = stream.in_flight() == 0 && pos.end_offset >= line.size() + 1;
    const uint64_t records_before = stream.lines() - stream.bad_lines();
    stream.line(line, pos.file ? *pos.file : std::string("-"), pos.line_no);
    if (boundary && stream.lines() - stream.bad_lines() > records_before && stream.last_record_ms())
      resume.boundary({pos.dev, pos.ino, pos.end_offset - line.size() - 1, {}}, stream.last_record_ms());
    input.bytes_read += line.size() + 1;
    last_line_ms = now_ms();
  };

  if (opt.audisp) {
    LineSplitter split(max_line, true);
    std::string name = "<audisp>";
    uint64_t offset = 0, line_no = 0;
    char buf[65536];
    auto deliver = [&](std::string_view line, const LinePos& pos) {
      if (pos.too_long) stream.long_line(line, name, ++line_no, max_line);
      else stream.line(line, name, ++line_no);
      last_line_ms = now_ms();
    };
    bool ok = true;
    for (;;) {
      feed.apply(engine);
      periodic();
      struct pollfd p {
        0, POLLIN, 0
      };
      int r = ::poll(&p, 1, opt.poll_ms);
      if (stop.load() || (deadline && now_ms() >= deadline)) break;
      if (r > 0) {
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          input.status = audit::InputStatus::Damaged;
          input.issues.push_back(
              {line_no + 1, offset,
               fmt::format("read error: {}: the stream was not read to its end", std::strerror(errno))});
          ok = false;
        }
        if (n <= 0) {
          split.finish(LinePos{&name, 0, 0, offset, 0}, deliver);
          break;
        }
        split.feed(std::string_view(buf, static_cast<size_t>(n)), offset, LinePos{&name, 0, 0, 0, 0}, deliver);
        offset += static_cast<uint64_t>(n);
        input.bytes_read = offset;
      } else if (stream.in_flight() > 0 && now_ms() - last_line_ms > static_cast<uint64_t>(opt.idle_flush_ms)) {
        stream.flush();
      }
      stream.tick(now_ms());
    }
    stream.flush();
    engine.finish();
    input.events = engine.stats().events - events_before;
    return ok;
  }

  FollowerOptions fo;
  fo.path = opt.audit_log;
  fo.from_start = opt.from_start;
  fo.max_line = max_line;
  fo.report_long_lines = true;
  LogFollower follower(fo);
  auto st = follower.start(saved, fallback);
  if (!st) {
    note(st.error().message);
    return false;
  }
  auto checkpoint = [&](std::optional<uint64_t> open_since) {
    if (opt.state.empty()) return;
    auto pos = follower.position();
    pos.last_event_id = stream.last_event_id();
    resume.fill(pos, open_since);
    if (pos.rewind) pos.rewind->head = follower.head_of(pos.rewind->dev, pos.rewind->ino);
    auto s = save_position(opt.state, pos, opt.audit_log);
    if (!s) note(s.error().message);
    last_save_ms = now_ms();
  };
  bool ok = true;
  while (!stop.load() && !(deadline && now_ms() >= deadline)) {
    feed.apply(engine);
    periodic();
    auto p = follower.poll(on_line);
    for (const auto& n : follower.take_notes()) note(n);
    if (!p) {
      note(p.error().message);
      input.status = audit::InputStatus::Damaged;
      input.issues.push_back({std::nullopt, std::nullopt, p.error().message});
      ok = false;
      break;
    }
    if (stream.in_flight() > 0 && now_ms() - last_line_ms > static_cast<uint64_t>(opt.idle_flush_ms)) stream.flush();
    stream.tick(now_ms());
    // Checkpoint only when no event is half-read, so a resumed run starts on an event boundary.
    if (stream.in_flight() == 0 && now_ms() - last_save_ms >= static_cast<uint64_t>(opt.checkpoint_ms))
      checkpoint(engine.oldest_open_ms());
    std::this_thread::sleep_for(std::chrono::milliseconds(opt.poll_ms));
  }
  if (ok) {
    auto p = follower.poll(on_line);
    (void)p;
  }
  stream.flush();
  // What is still open is closed (and reported) now, and read again by the next run.
  const auto open_since = engine.oldest_open_ms();
  engine.finish();
  checkpoint(open_since);
  input.events = engine.stats().events - events_before;
  return ok;
}

}  // namespace tocsin::runtime
