// ResumeTracker: the rewind point of a `watch --state` restart lies before the oldest open
// correlation, is bounded, and the alerts written from there are suppressed once each.
#include <gtest/gtest.h>

#include "runtime/watch_resume.hpp"

using namespace tocsin;
using namespace tocsin::runtime;

namespace {
Alert alert(std::string rule, std::string id, uint64_t ms) {
  Alert a;
  a.rule = std::move(rule);
  a.event_ids = {std::move(id)};
  a.time_ms = ms;
  return a;
}
}  // namespace

TEST(WatchResume, NothingOpenMeansNoRewind) {
  ResumeTracker r;
  r.boundary({1, 10, 0, {}}, 1'000'000);
  FollowPosition p;
  r.fill(p, std::nullopt);
  EXPECT_FALSE(p.rewind);
  EXPECT_TRUE(p.emitted.empty());
}

TEST(WatchResume, RewindsToTheLastBoundaryBeforeTheOldestOpenCorrelation) {
  ResumeTracker r;
  // Boundaries every 100 ms of log time, 1000 bytes apart.
  for (uint64_t i = 0; i < 100; ++i) r.boundary({1, 10, i * 1000, {}}, 1'000'000 + i * 100);
  r.emitted(alert("AU001", "1000.000:1", 1'000'500));   // before the rewind point (minus margin)
  r.emitted(alert("AU001", "1006.000:9", 1'006'000));   // the open copy's own AU001
  FollowPosition p;
  // A copy opened at 1,008,000 ms: rewind to at or before 1,006,000 (the margin is 2 s).
  r.fill(p, 1'008'000);
  ASSERT_TRUE(p.rewind);
  EXPECT_EQ(p.rewind->offset, 60'000u);  // the boundary at 1,006,000 ms
  EXPECT_EQ(p.emitted, (std::vector<std::string>{"AU001|1006.000:9"}));
}

TEST(WatchResume, RewindIsBounded) {
  ResumeTracker r;
  // Far more log time than kMaxRewindMs: the oldest points are dropped.
  for (uint64_t i = 0; i < 4000; ++i) r.boundary({1, 10, i * 100, {}}, i * 1000);
  FollowPosition p;
  r.fill(p, 0);  // a correlation open since the beginning of time
  ASSERT_TRUE(p.rewind);
  EXPECT_GE(p.rewind->offset, (4000 - ResumeTracker::kMaxRewindMs / 1000 - 1) * 100);
}

TEST(WatchResume, RepeatsAreSuppressedOnceEach) {
  ResumeTracker r;
  r.suppress({"AU003|5.000:1", "AU000|x:3|broken"});
  EXPECT_TRUE(r.is_repeat(alert("AU003", "5.000:1", 5000)));
  EXPECT_FALSE(r.is_repeat(alert("AU003", "5.000:1", 5000)));  // a second one is new
  EXPECT_FALSE(r.is_repeat(alert("AU004", "5.000:1", 5000)));  // another rule on the same event
  Alert broken;
  broken.rule = "AU000";
  broken.file = "x";
  broken.line = 3;
  broken.message = "broken";
  EXPECT_TRUE(r.is_repeat(broken));
  EXPECT_EQ(r.repeats_dropped(), 2u);
}

TEST(WatchResume, AnEarlyRecordDoesNotSuppressItsFinalRecord) {
  // A watcher stopped after an alert's early record but before its final one: the restarted
  // run drops the early record (already written) and still writes the final one.
  Alert early = alert("AU003", "5.000:1", 5000);
  early.early = true;
  ResumeTracker first;
  first.boundary({1, 10, 0, {}}, 4000);
  first.emitted(early);
  FollowPosition p;
  first.fill(p, 5000);  // the copy is still open at the stop
  ASSERT_EQ(p.emitted, (std::vector<std::string>{"AU003|5.000:1|early"}));
  ResumeTracker second;
  second.suppress(p.emitted);
  EXPECT_FALSE(second.is_repeat(alert("AU003", "5.000:1", 5000)));
  EXPECT_TRUE(second.is_repeat(early));
}
