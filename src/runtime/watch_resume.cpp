// Rewind point and alert keys for `watch --state` restarts (see watch_resume.hpp).
#include "runtime/watch_resume.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tocsin::runtime {

std::string alert_key(const Alert& a) {
  // An early record and its final record share rule and first event id: each is its own key, so
  // a restart after only the early one was written still writes the final one.
  if (!a.event_ids.empty()) return a.rule + "|" + a.event_ids.front() + (a.early ? "|early" : "");
  return fmt::format("{}|{}:{}|{}", a.rule, a.file, a.line, a.message);
}

void ResumeTracker::boundary(const LogPoint& at, uint64_t log_ms) {
  newest_ms_ = std::max(newest_ms_, log_ms);
  // One point per 50 ms of log time is enough to rewind to (and the first of a new file).
  if (!points_.empty() && points_.back().at.ino == at.ino && points_.back().at.dev == at.dev &&
      log_ms < points_.back().log_ms + 50 && at.offset >= points_.back().at.offset)
    return;
  points_.push_back({at, log_ms});
  while (points_.size() > 1 && (points_.size() > kMaxPoints || points_.front().log_ms + kMaxRewindMs < newest_ms_))
    points_.pop_front();
}

void ResumeTracker::emitted(const Alert& a) {
  keys_.push_back({alert_key(a), a.time_ms.value_or(newest_ms_)});
  newest_ms_ = std::max(newest_ms_, keys_.back().ms);
  while (keys_.size() > kMaxKeys || (keys_.size() > 1 && keys_.front().ms + kMaxRewindMs + kMarginMs < newest_ms_))
    keys_.pop_front();
}

void ResumeTracker::fill(FollowPosition& p, std::optional<uint64_t> oldest_open_ms) const {
  p.rewind.reset();
  p.emitted.clear();
  if (!oldest_open_ms || points_.empty()) return;
  const uint64_t want = *oldest_open_ms > kMarginMs ? *oldest_open_ms - kMarginMs : 0;
  // The latest point at or before `want`; the oldest kept when all are later (bounded rewind).
  const Point* best = &points_.front();
  for (const auto& pt : points_) {
    if (pt.log_ms > want) break;
    best = &pt;
  }
  p.rewind = best->at;
  for (const auto& k : keys_)
    if (k.ms + kMarginMs >= best->log_ms) p.emitted.push_back(k.key);
}

bool ResumeTracker::is_repeat(const Alert& a) {
  if (suppressed_.empty()) return false;
  auto it = suppressed_.find(alert_key(a));
  if (it == suppressed_.end()) return false;
  suppressed_.erase(it);
  ++dropped_;
  return true;
}

}  // namespace tocsin::runtime
