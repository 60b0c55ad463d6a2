// Baseline scoring (AU010): routine copies stay low, the injected kinds of rare copies score
// high, and the explanation names what was rare.
#include <gtest/gtest.h>

#include "audit/baseline/baseline.hpp"

using namespace tocsin;
using namespace tocsin::audit;
using namespace tocsin::audit::baseline;

namespace {

constexpr uint64_t kMonday = 1788739200000ULL;  // 2026-09-07T00:00:00Z
constexpr uint64_t kDay = 86400000ULL, kHour = 3600000ULL, kMin = 60000ULL;

CopyRecord rec(std::string host, std::optional<int64_t> auid, uint64_t t, std::string ctr, std::string dir,
               std::string path, bool tty = true) {
  CopyRecord r;
  r.host = std::move(host);
  r.auid = auid;
  r.euid = 0;
  r.has_tty = tty;
  if (tty) r.tty = "pts1";
  r.container = std::move(ctr);
  r.direction = std::move(dir);
  r.path = std::move(path);
  r.time_ms = t;
  return r;
}

// Four weeks: admin 1001 on node-1 works weekdays 09-17 with web-* and db-*; admin 1004 uses
// only web-*; a backup service copies out of db-* every night at 02:15 without a terminal.
Model history() {
  std::vector<CopyRecord> rs;
  for (uint64_t d = 0; d < 28; ++d) {
    uint64_t day = kMonday + d * kDay;
    rs.push_back(rec("node-1", std::nullopt, day + 2 * kHour + 15 * kMin, "db-" + std::to_string(d / 7) + "a7f",
                     "from-container", "/var/lib/postgresql/backup.dump", false));
    if (d % 7 >= 5) continue;
    for (int k = 0; k < 3; ++k) {
      uint64_t t = day + (9 + 3 * static_cast<uint64_t>(k)) * kHour + d * 7 * kMin % (50 * kMin);
      bool to = (d + static_cast<uint64_t>(k)) % 2 == 0;
      rs.push_back(rec("node-1", 1001, t, k == 2 ? "db-9c1f" : "web-4e2d", to ? "to-container" : "from-container",
                       to ? "/usr/share/nginx/html/index.html" : "/var/log/nginx/access.log"));
    }
    rs.push_back(rec("node-1", 1004, day + 11 * kHour, "web-77ab", "to-container", "/usr/share/nginx/html/a.css"));
  }
  Model m;
  m.train(rs);
  return m;
}

uint64_t at(uint64_t day, uint64_t hour, uint64_t min = 0) { return kMonday + day * kDay + hour * kHour + min * kMin; }

}  // namespace

TEST(BaselineRarity, SmoothedAndMonotonic) {
  EXPECT_EQ(rarity(0, 0), 0.0);                 // nothing known: no evidence either way
  EXPECT_GT(rarity(0, 100), 0.95);               // never seen in a long history
  EXPECT_LT(rarity(0, 2), rarity(0, 50));        // confidence grows with history
  EXPECT_EQ(rarity(3, 1000), 0.0);               // three times is a habit
  EXPECT_EQ(rarity(10, 100), 0.0);               // 10 %
  EXPECT_GT(rarity(1, 1000), 0.0);               // once in 1000
  EXPECT_LT(rarity(2, 1000), rarity(1, 1000));
}

TEST(BaselineScore, RoutineCopiesScoreLow) {
  Model m = history();
  // Same habits in week 5, at hours seen in training or next to them.
  EXPECT_LT(score_copy(m, rec("node-1", 1001, at(29, 10, 20), "web-0b0b", "to-container", "/usr/share/nginx/html/x.html")).score, 0.3);
  EXPECT_LT(score_copy(m, rec("node-1", 1001, at(30, 16, 5), "db-9c1f", "from-container", "/var/log/nginx/access.log")).score, 0.3);
  EXPECT_LT(score_copy(m, rec("node-1", std::nullopt, at(31, 2, 16), "db-4a7f", "from-container",
                              "/var/lib/postgresql/backup.dump", false)).score, 0.3);
  // Another hour of the same shift (13:00 was not seen for 1004, 11:00 and its band were).
  EXPECT_LT(score_copy(m, rec("node-1", 1004, at(30, 12, 30), "web-77ab", "to-container", "/usr/share/nginx/html/b.css")).score, 0.5);
  auto s = score_copy(m, rec("node-1", 1001, at(29, 10), "web-0b0b", "to-container", "/usr/share/nginx/html/x.html"));
  EXPECT_EQ(s.explanation, "habitual copy");
}

TEST(BaselineScore, UnknownHostAndUserScoreHigh) {
  Model m = history();
  auto h = score_copy(m, rec("node-9", 1001, at(29, 10), "web-0b0b", "to-container", "/usr/share/nginx/html/x.html"));
  EXPECT_GE(h.score, 0.99);
  EXPECT_NE(h.explanation.find("host node-9 is not in the baseline"), std::string::npos) << h.explanation;
  auto u = score_copy(m, rec("node-1", 1099, at(29, 10), "web-0b0b", "to-container", "/usr/share/nginx/html/x.html"));
  EXPECT_GE(u.score, 0.99);
  EXPECT_NE(u.explanation.find("auid 1099 never copied on any host"), std::string::npos) << u.explanation;
}

TEST(BaselineScore, OddHourSecretsAndForeignContainerScoreAboveThreshold) {
  Model m = history();
  // 03:12 on a Sunday, habitual container and path.
  auto night = score_copy(m, rec("node-1", 1001, at(34, 3, 12), "web-0b0b", "to-container", "/usr/share/nginx/html/x.html"));
  EXPECT_GE(night.score, kDefaultThreshold);
  EXPECT_NE(night.explanation.find("never copied on a weekend night"), std::string::npos) << night.explanation;
  EXPECT_NE(night.explanation.find("03:12 on a Sunday"), std::string::npos) << night.explanation;
  // Out of a secrets path at a normal hour.
  auto sec = score_copy(m, rec("node-1", 1001, at(29, 10), "db-9c1f", "from-container", "/run/secrets/db_password"));
  EXPECT_GE(sec.score, kDefaultThreshold);
  EXPECT_NE(sec.explanation.find("/run/secrets"), std::string::npos) << sec.explanation;
  // auid 1004 never touched db-* (others did): out of db-* at 03:12 on a Sunday.
  auto db = score_copy(m, rec("node-1", 1004, at(34, 3, 12), "db-7f9c", "from-container", "/var/log/nginx/access.log"));
  EXPECT_GE(db.score, 0.9);
  EXPECT_NE(db.explanation.find("auid 1004 never copied with db-* containers"), std::string::npos) << db.explanation;
  // A service account copying from a terminal is odd.
  auto svc = score_copy(m, rec("node-1", std::nullopt, at(31, 2, 16), "db-4a7f", "from-container",
                               "/var/lib/postgresql/backup.dump", true));
  EXPECT_GT(svc.score, 0.3);  // moderate alone: the host knows terminals (admins)
  EXPECT_LT(svc.score, kDefaultThreshold);
  EXPECT_NE(svc.explanation.find("terminal"), std::string::npos) << svc.explanation;
}

TEST(BaselineScore, BurstsScoreEveryCopyOfTheLoop) {
  Model m = history();
  std::vector<Alert> alerts;
  for (int i = 0; i < 25; ++i) {
    Alert a;
    a.rule = "AU001";
    a.time_ms = at(29, 10) + static_cast<uint64_t>(i) * 2000;
    a.host = "node-1";
    a.user = AlertUser{1001, 0, 0, 5, std::string("pts1")};
    a.docker_cp = AlertCopy{"to-container", "web-0b0b", "/usr/share/nginx/html/p" + std::to_string(i), std::nullopt};
    a.event_ids = {"e" + std::to_string(i)};
    a.copy_id = static_cast<uint64_t>(i) + 1;
    alerts.push_back(a);
  }
  // A routine copy by another user at the same time must not be dragged in.
  Alert other = alerts[0];
  other.user = AlertUser{1004, 0, 0, 6, std::string("pts2")};
  other.time_ms = at(29, 11);
  other.docker_cp->path = "/usr/share/nginx/html/a.css";
  other.event_ids = {"other"};
  alerts.push_back(other);
  Alert not_copy;
  not_copy.rule = "AU002";
  alerts.push_back(not_copy);

  auto out = apply_baseline(m, alerts);
  ASSERT_EQ(out.size(), 25u);
  for (const auto& a : out) {
    EXPECT_EQ(a.rule, "AU010");
    ASSERT_TRUE(a.score);
    EXPECT_GE(*a.score, 0.9);
    EXPECT_EQ(a.severity, tocsin::Severity::high);
    EXPECT_NE(a.message.find("25 copies by auid 1001 on node-1 within 10 minutes"), std::string::npos) << a.message;
    EXPECT_NE(a.event_ids.front(), "other");
    EXPECT_NE(a.copy_id, 0u);
  }
  // The streaming scorer sees only the trailing window: the first copies are habitual.
  Scorer sc(m);
  auto first = copy_record_from_alert(alerts[0]);
  auto last = copy_record_from_alert(alerts[24]);
  EXPECT_LT(sc.score_copy(*first).score, 0.3);
  for (int i = 1; i < 24; ++i) (void)sc.score_copy(*copy_record_from_alert(alerts[static_cast<size_t>(i)]));
  EXPECT_GE(sc.score_copy(*last).score, 0.9);
}

TEST(BaselineScore, ThresholdAndEmptyModel) {
  Model m = history();
  Alert a;
  a.rule = "AU001";
  a.time_ms = at(29, 10);
  a.host = "node-1";
  a.user = AlertUser{1001, 0, 0, 5, std::string("pts1")};
  a.docker_cp = AlertCopy{"to-container", "web-1", "/usr/share/nginx/html/x", std::nullopt};
  EXPECT_TRUE(apply_baseline(m, {a}).empty());
  ScoreOptions all;
  all.threshold = 0;
  auto scored = apply_baseline(m, {a}, all);
  ASSERT_EQ(scored.size(), 1u);
  EXPECT_LT(*scored[0].score, 0.3);
  // An empty model knows nobody: everything is new.
  Model empty;
  auto e = apply_baseline(empty, {a});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_GE(*e[0].score, 0.99);
}
