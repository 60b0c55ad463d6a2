// Fleet baselines: training from counts aggregated elsewhere (count_copies + learn_rate, what
// `baseline train --source` does with SQL sums) gives the model train() gives, and `--fleet`
// scoring (Model::as_one_host) finds rare across the fleet what is only new on one host.
#include <gtest/gtest.h>

#include <map>

#include "audit/baseline/baseline.hpp"

using namespace tocsin;
using namespace tocsin::audit;
using namespace tocsin::audit::baseline;

namespace {

constexpr uint64_t kMonday = 1788739200000ULL;  // 2026-09-07T00:00:00Z
constexpr uint64_t kDay = 86400000ULL, kHour = 3600000ULL, kMin = 60000ULL;

CopyRecord rec(std::string host, int64_t auid, uint64_t t, std::string ctr) {
  CopyRecord r;
  r.host = std::move(host);
  r.auid = auid;
  r.euid = 0;
  r.has_tty = true;
  r.tty = "pts0";
  r.container = std::move(ctr);
  r.direction = "to-container";
  r.path = "/srv/app/config.yaml";
  r.time_ms = t;
  return r;
}

// Admin 1000 copies into web-* on 20 hosts every weekday at 10:00 and 14:00 for four weeks.
std::vector<CopyRecord> fleet_history() {
  std::vector<CopyRecord> rs;
  for (uint64_t d = 0; d < 28; ++d) {
    if (d % 7 >= 5) continue;
    for (int h = 0; h < 20; ++h)
      for (uint64_t hour : {10, 14})
        rs.push_back(rec("node-" + std::to_string(h), 1000, kMonday + d * kDay + hour * kHour + static_cast<uint64_t>(h) * kMin,
                         "web-" + std::to_string(h) + "f3a"));
  }
  return rs;
}

TEST(BaselineFleet, CountsAggregatedElsewhereTrainTheSameModel) {
  auto rs = fleet_history();
  Model a;
  a.train(rs);
  // Group as the SQL does: identical records per quarter hour, times per host and user.
  std::map<std::string, std::pair<CopyRecord, uint64_t>> groups;
  std::map<std::pair<std::string, std::string>, std::vector<uint64_t>> times;
  for (const auto& r : rs) {
    auto key = r.host + "|" + r.container + "|" + std::to_string(r.time_ms / (15 * kMin));
    auto [it, fresh] = groups.emplace(key, std::make_pair(r, 0));
    ++it->second.second;
    times[{host_key(r), user_key(r)}].push_back(r.time_ms);
  }
  Model b;
  for (const auto& [k, g] : groups) b.count_copies(g.first, g.second, g.first.time_ms, g.first.time_ms);
  for (auto& [k, v] : times) {
    std::sort(v.begin(), v.end());
    b.learn_rate(k.first, k.second, v);
  }
  EXPECT_EQ(a.serialize(), b.serialize());
}

TEST(BaselineFleet, FleetScoringKnowsWhatTheFleetDoes) {
  Model m;
  m.train(fleet_history());
  // The admin on a host he never copied on (node-99 is in no history: add one copy of another
  // user there so the host is known): rare on that host, routine for the fleet.
  std::vector<CopyRecord> other = {rec("node-99", 2000, kMonday + 10 * kHour, "db-1")};
  Model extra;
  extra.train(other);
  m.merge(extra);
  CopyRecord copy = rec("node-99", 1000, kMonday + 7 * kDay + 10 * kHour, "web-99aa");
  double per_host = score_copy(m, copy).score;
  Model fleet = m.as_one_host(kFleetHost);
  CopyRecord as_fleet = copy;
  as_fleet.host = std::string(kFleetHost);
  double fleet_wide = score_copy(fleet, as_fleet).score;
  EXPECT_GE(per_host, 0.7);
  EXPECT_LT(fleet_wide, 0.3);
  // A user the fleet never saw stays rare either way.
  CopyRecord stranger = rec("node-3", 3000, kMonday + 7 * kDay + 10 * kHour, "web-3f3a");
  CopyRecord stranger_fleet = stranger;
  stranger_fleet.host = std::string(kFleetHost);
  EXPECT_GE(score_copy(m, stranger).score, 0.9);
  EXPECT_GE(score_copy(fleet, stranger_fleet).score, 0.9);
  // The collapsed model holds the fleet's totals.
  EXPECT_EQ(fleet.copies(), m.copies());
  EXPECT_EQ(fleet.count(kFleetHost, "1000", "n"), m.count("*", "1000", "n"));
}

TEST(BaselineFleet, ApplyBaselineWithFleetOption) {
  Model m;
  m.train(fleet_history());
  Alert a;
  a.rule = "AU001";
  a.time_ms = kMonday + 7 * kDay + 10 * kHour;
  a.host = "node-new";
  a.user = AlertUser{1000, 0, 0, 1, std::string("pts0")};
  a.docker_cp = AlertCopy{"to-container", "web-1f3a", "/srv/app/config.yaml", std::nullopt};
  EXPECT_EQ(apply_baseline(m, {a}).size(), 1u);  // a host not in the model
  ScoreOptions fleet;
  fleet.fleet = true;
  EXPECT_TRUE(apply_baseline(m.as_one_host(kFleetHost), {a}, fleet).empty());
}

}  // namespace
