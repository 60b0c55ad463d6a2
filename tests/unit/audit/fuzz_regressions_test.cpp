// Regressions for what the fuzz targets and sanitizer builds found (docs/reliability.md): each
// test is the smallest input or call that went wrong, and the saved fuzz corpus
// (fuzz/corpus/<target>/) keeps the input the fuzzer found.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "audit/alert.hpp"

using namespace tocsin;
using namespace tocsin::audit;

namespace {

Alert alert_with(std::string rule, uint64_t ms, std::vector<std::string> ids) {
  Alert a;
  a.rule = std::move(rule);
  a.time_ms = ms;
  a.event_ids = std::move(ids);
  return a;
}

// clang's -Wdangling-gsl in the fuzz build: alert_less compared views of temporary copies of
// the first event ids (`empty() ? "" : front()` is a std::string prvalue), freed before the
// comparison. Ids longer than the small-string buffer make that a heap use-after-free under
// ASan; the order must follow the ids.
TEST(FuzzRegressions, AlertLessOrdersByFirstEventIdWithoutCopies) {
  Alert a = alert_with("AU003", 1000, {"1790000000.708:100000000001", "1790000000.708:100000000002"});
  Alert b = alert_with("AU003", 1000, {"1790000000.708:100000000003"});
  Alert none = alert_with("AU003", 1000, {});
  EXPECT_TRUE(alert_less(a, b));
  EXPECT_FALSE(alert_less(b, a));
  EXPECT_FALSE(alert_less(a, a));
  EXPECT_TRUE(alert_less(none, a));  // no id sorts first
  EXPECT_FALSE(alert_less(a, none));
  std::vector<Alert> v{b, none, a};
  std::sort(v.begin(), v.end(), alert_less);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_TRUE(v[0].event_ids.empty());
  EXPECT_EQ(v[1].event_ids.front(), a.event_ids.front());
  EXPECT_EQ(v[2].event_ids.front(), b.event_ids.front());
}

}  // namespace
