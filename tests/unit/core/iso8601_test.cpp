// The one ISO-8601 parser (core/iso8601): the forms JSON exports and --since/--until use, the
// offsets, and what it refuses.
#include <gtest/gtest.h>

#include "core/iso8601.hpp"

namespace tocsin {
namespace {

TEST(Iso8601, FormsAndOffsets) {
  EXPECT_EQ(parse_iso8601_ms("2018-01-11T22:02:42.888Z"), 1515708162888u);
  EXPECT_EQ(parse_iso8601_ms("2018-01-11 22:02:42.888"), 1515708162888u);  // no zone: UTC
  EXPECT_EQ(parse_iso8601_ms("2018-01-11T23:02:42.888+01:00"), 1515708162888u);
  EXPECT_EQ(parse_iso8601_ms("2018-01-11T23:02:42.888+0100"), 1515708162888u);
  EXPECT_EQ(parse_iso8601_ms("2018-01-11T20:32:42.888-01:30"), 1515708162888u);
  EXPECT_EQ(parse_iso8601_ms("2018-01-11T22:02:42.888123456Z"), 1515708162888u);  // cut, not rounded
  EXPECT_EQ(parse_iso8601_ms("2018-01-11T22:02:42.8Z"), 1515708162800u);
  EXPECT_EQ(parse_iso8601_ms("2018-01-11T22:02:42Z"), 1515708162000u);
}

TEST(Iso8601, DateOnlyOnlyWhenAsked) {
  EXPECT_FALSE(parse_iso8601_ms("2026-11-22"));
  EXPECT_EQ(parse_iso8601_ms("2026-11-22", {.date_only = true}), 1795305600000u);
  EXPECT_EQ(parse_iso8601_ms("2026-11-22T00:00:00Z", {.date_only = true}), 1795305600000u);
}

TEST(Iso8601, Refuses) {
  for (const char* bad : {"yesterday", "", "2018-13-11T22:02:42Z", "2018-01-32T22:02:42Z", "2018-01-11T24:00:00Z",
                          "2018-01-11T22:60:00Z", "2018-01-11T22:02:42.Z", "2018-01-11T22:02:42+1", "2018-01-11T22:02:42ZZ",
                          "2018-01-11X22:02:42Z", "2018-01-11T22:02:42+24:00", "1969-12-31T23:59:59Z", "2018-1-11T22:02:42Z",
                          "2018-01-11T22:02", "2018-01-11T22:02:42 Z"})
    EXPECT_FALSE(parse_iso8601_ms(bad)) << bad;
}

}  // namespace
}  // namespace tocsin
