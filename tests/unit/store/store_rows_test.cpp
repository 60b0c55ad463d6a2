// Store rows: every encoder writes exactly its table's columns, and an alert read back from its
// row prints the same JSONL line as the alert itself (what makes a fleet hunt print what a
// local hunt printed).
#include <gtest/gtest.h>

#include <set>

#include "audit/alert.hpp"
#include "report/report.hpp"
#include "store/columns.hpp"
#include "store/rows.hpp"

namespace tocsin::store {
namespace {

std::set<std::string> keys(const Row& r) {
  std::set<std::string> out;
  for (auto it = r.begin(); it != r.end(); ++it) out.insert(it.key());
  return out;
}

std::set<std::string> names(Table t) {
  std::set<std::string> out;
  for (const auto& c : columns_of(t)) out.insert(c.name);
  return out;
}

Alert sample_alert() {
  Alert a;
  a.rule = "AU004";
  a.severity = Severity::critical;
  a.time_ms = 1795331084708;
  a.host = "node-1";
  a.event_ids = {"1795331084.708:289942", "1795331084.745:289960"};
  a.message = "docker cp into victim:/w/dir/payload2 was resolved to / instead of /w/dir \xe2\x80\xae";
  a.reason = "the engine started its copy helper with / as the directory (argv a1)";
  a.user = AlertUser{1000, 0, 0, 3, std::string("pts0")};
  a.docker_cp = AlertCopy{"to-container", "victim", "/w/dir/payload2", std::string("/")};
  a.command = "/usr/bin/docker cp payload victim:/w/dir/payload2";
  a.file = "audit.log";
  a.line = 42;
  a.copy_id = 7;
  return a;
}

TEST(StoreRows, EveryRowHasItsTableColumns) {
  Alert a = sample_alert();
  EXPECT_EQ(keys(alert_row(a, "node-1", "1795331084.708:289942", 1)), names(Table::Alerts));
  audit::Copy c;
  c.client_event = "1.000:1";
  c.helper_pid = 5;
  c.helper_event = "1.001:2";
  EXPECT_EQ(keys(copy_row(c, "h", {"AU003"}, std::string("/"), 1)), names(Table::Copies));
  EXPECT_EQ(keys(*helper_row(c, "h", 1)), names(Table::HelperExecs));
  EXPECT_EQ(keys(spawned_row(a, "h", "", 1)), names(Table::HelperExecs));
  audit::LoopEpisode ep;
  EXPECT_EQ(keys(loop_row(ep, "h", "victim", 1)), names(Table::Loops));
  EXPECT_EQ(keys(write_row(a, "h", "", 1)), names(Table::RuntimeWrites));
  EXPECT_EQ(keys(coverage_row("h", 0, "run", 1, 2, 3, 4, 1)), names(Table::Coverage));
}

TEST(StoreRows, AlertRoundTripPrintsTheSameLine) {
  std::vector<Alert> alerts;
  alerts.push_back(sample_alert());
  Alert loop;
  loop.rule = "AU002";
  loop.severity = Severity::high;
  loop.time_ms = 1795331000000;
  loop.host = "node-2";
  loop.event_ids = {"1795331000.000:1", "1795331001.000:900"};
  loop.message = "pid 7 exchanged /w/dir and /w/dir-link 900 times";
  loop.user = AlertUser{std::nullopt, 0, 0, std::nullopt, std::nullopt};
  loop.swap = AlertSwap{7, {"/w/dir", "/w/dir-link"}, 900, 1000};
  alerts.push_back(loop);
  Alert rare = sample_alert();
  rare.rule = "AU010";
  rare.severity = Severity::medium;
  rare.score = 0.93;
  rare.docker_cp->resolved_path.reset();
  alerts.push_back(rare);
  Alert broken;  // no time, no host, no events
  broken.rule = "AU000";
  broken.severity = Severity::low;
  broken.message = "3 lines are not audit data";
  broken.file = "x.log";
  broken.line = 9;
  alerts.push_back(broken);
  for (const auto& a : alerts) {
    // Through JSON text, as the server stores and returns it.
    auto text = alert_row(a, a.host.value_or("shipper"), "", 1).dump();
    auto back = alert_from_row(nlohmann::json::parse(text));
    ASSERT_TRUE(back) << back.error().message;
    Alert expect = a;
    if (!expect.host) expect.host = "shipper";  // a fleet alert names the host it was shipped from
    EXPECT_EQ(report::alert_jsonl(*back), report::alert_jsonl(expect));
    EXPECT_EQ(back->file, a.file);
    EXPECT_EQ(back->line, a.line);
    EXPECT_EQ(back->command, a.command);
  }
}

TEST(StoreRows, NumbersQuotedOrNot) {
  EXPECT_EQ(json_int(nlohmann::json("1795331084708")), 1795331084708);
  EXPECT_EQ(json_int(nlohmann::json(-1)), -1);
  EXPECT_FALSE(json_int(nlohmann::json("12x")));
  EXPECT_FALSE(json_int(nlohmann::json(nullptr)));
}

TEST(StoreRows, BrokenRowIsAnError) {
  EXPECT_FALSE(alert_from_row(nlohmann::json::parse(R"({"rule":"AU001","severity":"bogus"})")));
  EXPECT_FALSE(alert_from_row(nlohmann::json::parse(R"({"severity":"low"})")));
}

}  // namespace
}  // namespace tocsin::store
