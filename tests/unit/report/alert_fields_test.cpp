// The JSONL alert fields of issue 14: "process" and "input" (null members where unknown) and
// unset auid/ses ((uint32_t)-1 in the log) as null, never as 4294967295.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/alert.hpp"
#include "report/report.hpp"

using namespace tocsin;
using nlohmann::json;

TEST(AlertFields, UnsetIdsAreNullRealOnesNumbers) {
  Alert a;
  a.rule = "AU001";
  a.user = AlertUser{4294967295LL, 0, 0, 4294967295LL, std::string("(none)")};
  auto j = json::parse(report::alert_jsonl(a));
  EXPECT_TRUE(j["user"]["auid"].is_null());
  EXPECT_TRUE(j["user"]["ses"].is_null());
  EXPECT_EQ(j["user"]["uid"], 0);  // uid 0 is root, not unset
  a.user = AlertUser{1000, 0, 0, 3, std::nullopt};
  j = json::parse(report::alert_jsonl(a));
  EXPECT_EQ(j["user"]["auid"], 1000);
  EXPECT_EQ(j["user"]["ses"], 3);
}

TEST(AlertFields, ProcessAndInputAreNullWhereUnknown) {
  Alert a;
  a.rule = "AU008";
  auto j = json::parse(report::alert_jsonl(a));
  EXPECT_TRUE(j["process"]["pid"].is_null());
  EXPECT_TRUE(j["process"]["exe"].is_null());
  EXPECT_TRUE(j["process"]["command"].is_null());
  EXPECT_TRUE(j["input"].is_null());
  a.pid = 4242;
  a.exe = "/usr/bin/docker";
  a.command = "docker cp x c:/y";
  a.file = "audit.log";
  a.line = 7;
  j = json::parse(report::alert_jsonl(a));
  EXPECT_EQ(j["process"], json({{"pid", 4242}, {"exe", "/usr/bin/docker"}, {"command", "docker cp x c:/y"}}));
  EXPECT_EQ(j["input"], json({{"file", "audit.log"}, {"line", 7}}));
  EXPECT_EQ(json::parse(report::alert_json(a).dump()), json::parse(report::alert_jsonl(a)));
}
