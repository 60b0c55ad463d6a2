// The baseline's time zone: TZif and POSIX-rule offsets (checked against glibc's localtime_r),
// hour-of-week buckets in local time, the zone recorded in the model file (version 2; version
// 1 files load as UTC), merge refusing different zones, and local times in AU010 reasons.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <random>
#include <string>

#include "audit/baseline/baseline.hpp"

using namespace tocsin::audit;
using namespace tocsin::audit::baseline;

namespace {

constexpr uint64_t kHour = 3600000ULL;
// 2026-01-15T00:00:00Z (a Thursday, winter) and 2026-07-16T00:00:00Z (a Thursday, summer).
constexpr uint64_t kWinterThu = 1768435200000ULL;
constexpr uint64_t kSummerThu = 1784160000000ULL;

std::optional<TimeZone> zone_or_skip(const char* name) {
  auto z = TimeZone::named(name);
  if (!z) return std::nullopt;
  return *z;
}

// glibc's offset for `t` in zone `name` (TZ set for the call; the test process is single-threaded).
long glibc_offset(const char* name, time_t t) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  ::setenv("TZ", name, 1);
  ::tzset();
  struct tm tm {};
  ::localtime_r(&t, &tm);
  if (old) ::setenv("TZ", saved.c_str(), 1);
  else ::unsetenv("TZ");
  ::tzset();
  return tm.tm_gmtoff;
}

CopyRecord copy_at(uint64_t ms) {
  CopyRecord r;
  r.host = "n1";
  r.auid = 1000;
  r.euid = 0;
  r.has_tty = true;
  r.tty = "pts0";
  r.container = "web-1";
  r.direction = "to-container";
  r.path = "/tmp/x";
  r.time_ms = ms;
  return r;
}

}  // namespace

TEST(BaselineTimeZone, UtcIsTheDefault) {
  TimeZone z;
  EXPECT_TRUE(z.is_utc());
  EXPECT_EQ(z.name(), "UTC");
  EXPECT_EQ(z.offset_s(kWinterThu), 0);
  auto alias = TimeZone::named("Etc/UTC");
  ASSERT_TRUE(alias);
  EXPECT_EQ(alias->name(), "UTC");  // one name for UTC, so models trained with either merge
  EXPECT_FALSE(TimeZone::named("Nowhere/Atlantis"));
  EXPECT_FALSE(TimeZone::named("../../etc/passwd"));
  EXPECT_FALSE(TimeZone::named(""));
}

TEST(BaselineTimeZone, BerlinTwoUtcIsThreeInWinterAndFourInSummer) {
  // The POSIX rule needs no tz database; the IANA zone is checked when the machine has it.
  auto posix = TimeZone::named("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(posix) << posix.error().message;
  std::vector<TimeZone> zones = {*posix};
  if (auto berlin = zone_or_skip("Europe/Berlin")) zones.push_back(*berlin);
  for (const auto& z : zones) {
    SCOPED_TRACE(z.name());
    EXPECT_EQ(hour_of_week(kWinterThu + 2 * kHour), 3 * 24 + 2);  // UTC: Thursday 02:00
    EXPECT_EQ(hour_of_week(kWinterThu + 2 * kHour, z), 3 * 24 + 3);
    EXPECT_EQ(hour_of_week(kSummerThu + 2 * kHour, z), 3 * 24 + 4);
    // 23:30 UTC on Sunday is already Monday in Berlin: the day rolls over too.
    uint64_t sun = kWinterThu + 3 * 24 * kHour + 23 * kHour + 30 * 60000;
    EXPECT_EQ(hour_of_week(sun), 6 * 24 + 23);
    EXPECT_EQ(hour_of_week(sun, z), 0);
    // The 2026 switches: 2026-03-29T01:00Z and 2026-10-25T01:00Z.
    EXPECT_EQ(z.offset_s(1774745999000ULL), 3600);
    EXPECT_EQ(z.offset_s(1774746000000ULL), 7200);
    EXPECT_EQ(z.offset_s(1792889999000ULL), 7200);
    EXPECT_EQ(z.offset_s(1792890000000ULL), 3600);
  }
}

TEST(BaselineTimeZone, OffsetsMatchGlibcAcrossZonesAndYears) {
  // Northern and southern DST, half- and quarter-hour zones, zones that changed rules, and
  // dates past 2037 (where the TZif footer rule takes over).
  const char* names[] = {"Europe/Berlin",   "America/New_York", "Australia/Sydney", "Asia/Kolkata",
                         "America/St_Johns", "Pacific/Chatham",  "Asia/Tehran",      "America/Sao_Paulo",
                         "Europe/Moscow",    "Africa/Casablanca"};
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> when(631152000LL, 2840140800LL);  // 1990 .. 2060
  int checked = 0;
  for (const char* n : names) {
    auto z = zone_or_skip(n);
    if (!z) continue;
    for (int k = 0; k < 1000; ++k) {
      int64_t t = when(rng);
      ASSERT_EQ(z->offset_s(static_cast<uint64_t>(t) * 1000), glibc_offset(n, static_cast<time_t>(t)))
          << n << " at " << t;
      ++checked;
    }
  }
  if (checked == 0) GTEST_SKIP() << "no tz database on this machine";
  // The POSIX rule alone, for a southern zone, against glibc with the same string.
  const char* rule = "AEST-10AEDT,M10.1.0,M4.1.0/3";
  auto z = TimeZone::named(rule);
  ASSERT_TRUE(z);
  for (int k = 0; k < 3000; ++k) {
    int64_t t = when(rng);
    ASSERT_EQ(z->offset_s(static_cast<uint64_t>(t) * 1000), glibc_offset(rule, static_cast<time_t>(t))) << t;
  }
}

TEST(BaselineTimeZone, LocalZoneFromTz) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  std::string note;
  ::setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
  EXPECT_EQ(TimeZone::local(&note).name(), "CET-1CEST,M3.5.0,M10.5.0/3");
  if (zone_or_skip("America/New_York")) {
    ::setenv("TZ", ":America/New_York", 1);
    EXPECT_EQ(TimeZone::local().name(), "America/New_York");
  }
  ::setenv("TZ", "Nowhere/Atlantis", 1);
  note.clear();
  EXPECT_TRUE(TimeZone::local(&note).is_utc());
  EXPECT_NE(note.find("Nowhere/Atlantis"), std::string::npos) << note;
  if (old) ::setenv("TZ", saved.c_str(), 1);
  else ::unsetenv("TZ");
}

TEST(BaselineTimeZone, BrokenTzifIsAnErrorNotACrash) {
  EXPECT_FALSE(TimeZone::from_tzif("x", ""));
  EXPECT_FALSE(TimeZone::from_tzif("x", "TZif2"));
  std::string header = std::string("TZif2") + std::string(15, '\0');
  // Counts claiming more data than there is.
  std::string counts = std::string("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\xff\xff\0\0\0\x01\0\0\0\x04", 24);
  EXPECT_FALSE(TimeZone::from_tzif("x", header + counts));
  std::mt19937 rng(1);
  for (int k = 0; k < 2000; ++k) {
    std::string junk = header + counts;
    for (auto& c : junk) if (rng() % 7 == 0) c = static_cast<char>(rng());
    junk.resize(rng() % 400);
    (void)TimeZone::from_tzif("x", junk);
  }
}

TEST(BaselineModelZone, CopiesAreBucketedInTheModelsZone) {
  auto tz = TimeZone::named("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(tz);
  Model m;
  ASSERT_TRUE(m.set_zone(*tz));
  m.train({copy_at(kWinterThu + 2 * kHour), copy_at(kSummerThu + 2 * kHour)});
  EXPECT_EQ(m.count("n1", "1000", "how", std::to_string(3 * 24 + 3)), 1u);
  EXPECT_EQ(m.count("n1", "1000", "how", std::to_string(3 * 24 + 4)), 1u);
  EXPECT_EQ(m.count("n1", "1000", "how", std::to_string(3 * 24 + 2)), 0u);  // the UTC hour
  // The zone cannot change once hours are counted.
  EXPECT_FALSE(m.set_zone(TimeZone()));
  EXPECT_NE(m.describe().find("hours of week in CET-1CEST"), std::string::npos) << m.describe();
}

TEST(BaselineModelZone, FileKeepsTheZoneAndVersionOneLoadsAsUtc) {
  auto tz = TimeZone::named("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(tz);
  Model m;
  ASSERT_TRUE(m.set_zone(*tz));
  m.train({copy_at(kWinterThu + 2 * kHour)});
  std::string text = m.serialize();
  EXPECT_EQ(text.rfind("tocsin-baseline 2\n", 0), 0u);
  EXPECT_NE(text.find("\ntz\tCET-1CEST,M3.5.0,M10.5.0/3\n"), std::string::npos) << text;
  auto back = Model::parse(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->zone().name(), m.zone().name());
  EXPECT_EQ(back->serialize(), text);
  EXPECT_EQ(back->zone().offset_s(kSummerThu), 7200);

  // A version 1 file (no zone line): UTC, and its counts as they were.
  auto v1 = Model::parse("tocsin-baseline 1\nspan\t1\t2\nc\t4\tn1\t1000\thow\t74\n");
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_TRUE(v1->zone().is_utc());
  EXPECT_EQ(v1->count("n1", "1000", "how", "74"), 4u);
  EXPECT_EQ(v1->serialize().rfind("tocsin-baseline 2\n", 0), 0u);  // saved again: the new version, tz UTC
  EXPECT_NE(v1->serialize().find("\ntz\tUTC\n"), std::string::npos);

  auto unknown = Model::parse("tocsin-baseline 2\ntz\tNowhere/Atlantis\n", "m.baseline");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("m.baseline:2"), std::string::npos) << unknown.error().message;
  EXPECT_NE(unknown.error().message.find("Nowhere/Atlantis"), std::string::npos);
}

TEST(BaselineModelZone, MergeRefusesDifferentZonesAndEmptyModelsTakeTheOther) {
  auto tz = TimeZone::named("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(tz);
  Model berlin, utc, empty;
  ASSERT_TRUE(berlin.set_zone(*tz));
  berlin.train({copy_at(kWinterThu)});
  utc.train({copy_at(kWinterThu)});
  auto st = berlin.can_merge(utc);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("different time zones"), std::string::npos) << st.error().message;
  EXPECT_TRUE(empty.can_merge(berlin));
  empty.merge(berlin);
  EXPECT_EQ(empty.zone().name(), berlin.zone().name());
  EXPECT_EQ(empty.counts(), berlin.counts());
}

TEST(BaselineModelZone, ReasonsGiveTheLocalTimeAndZone) {
  auto tz = TimeZone::named("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(tz);
  Model m;
  ASSERT_TRUE(m.set_zone(*tz));
  std::vector<CopyRecord> hist;
  for (int d = 0; d < 20; ++d)  // weekday mornings, 09:00 UTC = 10:00 in Berlin (winter)
    hist.push_back(copy_at(kWinterThu - static_cast<uint64_t>(d % 4) * 24 * kHour - static_cast<uint64_t>(d / 4) * 7 * 24 * kHour + 9 * kHour));
  m.train(hist);
  // Sunday 02:12 UTC in winter: 03:12 in Berlin.
  CopyRecord night = copy_at(kWinterThu + 3 * 24 * kHour + 2 * kHour + 12 * 60000);
  Scored s = score_copy(m, night);
  EXPECT_NE(s.explanation.find("03:12 on a Sunday (CET-1CEST,M3.5.0,M10.5.0/3)"), std::string::npos) << s.explanation;
  // The habitual hour in local time is quiet.
  EXPECT_LT(score_copy(m, copy_at(kWinterThu + 7 * 24 * kHour + 9 * kHour)).score, kDefaultThreshold);
}
