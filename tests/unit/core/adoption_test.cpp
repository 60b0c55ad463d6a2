// Issue 14 adoption helpers in core: "did you mean" for rule ids (the ignore-paths globs and the
// pragma checks are iac's: tests/unit/iac/scan_config_test.cpp).
#include <gtest/gtest.h>

#include "core/suggest.hpp"

namespace tocsin {
namespace {

TEST(Suggest, EditDistance) {
  EXPECT_EQ(edit_distance("scan", "scan"), 0u);
  EXPECT_EQ(edit_distance("scna", "scan"), 1u);  // a swap counts once
  EXPECT_EQ(edit_distance("hnut", "hunt"), 1u);
  EXPECT_EQ(edit_distance("DF01", "DF001"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("select", "SELECT"), 0u);
}

TEST(Suggest, ClosestMatch) {
  std::vector<std::string> cmds{"scan", "hunt", "watch", "verify", "rules", "explain"};
  EXPECT_EQ(closest_match("scna", cmds), "scan");
  EXPECT_EQ(closest_match("exlpain", cmds), "explain");
  EXPECT_EQ(closest_match("frobnicate", cmds), std::nullopt);
  EXPECT_EQ(closest_match("x", cmds), std::nullopt);
}

TEST(Suggest, RuleIds) {
  EXPECT_EQ(closest_rule_id("DF0001"), "DF001");
  EXPECT_EQ(closest_rule_id("K80001"), "K8001");
  EXPECT_EQ(closest_rule_id("ZZZZZZZZ"), std::nullopt);
  EXPECT_EQ(did_you_mean(std::string("DF001")), " (did you mean DF001?)");
  EXPECT_EQ(did_you_mean(std::nullopt), "");
}

}  // namespace
}  // namespace tocsin
