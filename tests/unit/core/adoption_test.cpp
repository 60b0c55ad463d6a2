// Issue 14 adoption helpers in core: gitignore-like ignore-paths, "did you mean" and the
// checks that make a suppression comment which silences nothing say so.
#include <gtest/gtest.h>

#include "core/glob.hpp"
#include "core/suggest.hpp"
#include "core/suppress.hpp"

namespace tocsin {
namespace {

TEST(GlobGitignore, DirectoryPatternMatchesAtAnyDepth) {
  EXPECT_TRUE(glob_match("vendor/", "vendor/Dockerfile"));
  EXPECT_TRUE(glob_match("vendor/", "sub/vendor/Dockerfile"));
  EXPECT_TRUE(glob_match("vendor/", "a/b/vendor/c/compose.yaml"));
  EXPECT_FALSE(glob_match("vendor/", "sub/vendorx/Dockerfile"));
  EXPECT_FALSE(glob_match("vendor/", "sub/vendor"));  // a file named vendor is no directory
}

TEST(GlobGitignore, SlashesAnchor) {
  EXPECT_TRUE(glob_match("/vendor/", "vendor/Dockerfile"));
  EXPECT_FALSE(glob_match("/vendor/", "sub/vendor/Dockerfile"));
  EXPECT_TRUE(glob_match("sub/vendor/", "sub/vendor/Dockerfile"));
  EXPECT_FALSE(glob_match("sub/vendor/", "x/sub/vendor/Dockerfile"));
  EXPECT_TRUE(glob_match("**/vendor/**", "x/sub/vendor/Dockerfile"));
  EXPECT_TRUE(glob_match("deploy/**/*.yaml", "deploy/a/b/k.yaml"));
  EXPECT_TRUE(glob_match("deploy/**/*.yaml", "deploy/k.yaml"));
  EXPECT_FALSE(glob_match("deploy/**/*.yaml", "other/deploy/k.yaml"));
}

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

TEST(PragmaCheck, UnknownIdsAndBarePragmasAreReported) {
  auto p = check_pragmas(SourceFile("Dockerfile",
      "FROM alpine\n"
      "# tocsin ignore=DF999 reason\n"
      "RUN x\n"
      "# tocsin ignore\n"
      "RUN y\n"
      "# tocsin ignore-file=DF013,DFX1 why\n"
      "# tocsin ignroe=DF001\n"));
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].line, 2u);
  EXPECT_NE(p[0].message.find("'DF999'"), std::string::npos) << p[0].message;
  EXPECT_EQ(p[1].line, 4u);
  EXPECT_NE(p[1].message.find("names no rule"), std::string::npos) << p[1].message;
  EXPECT_EQ(p[2].line, 6u);
  EXPECT_NE(p[2].message.find("'DFX1'"), std::string::npos) << p[2].message;
  EXPECT_EQ(p[3].line, 7u);
  EXPECT_NE(p[3].message.find("unknown suppression directive 'ignroe'"), std::string::npos) << p[3].message;
}

TEST(PragmaCheck, ValidPragmasAndProseAreQuiet) {
  auto p = check_pragmas(SourceFile("compose.yaml",
      "# tocsin ignore=DF001,DC reason\n"
      "services:  # tocsin ignore=all\n"
      "# tocsin ignore-file=K8001\n"
      "# we run tocsin in CI\n"
      "# tocsin scans this file\n"
      "echo \"tocsin ignore\"\n"
      "url: http://x/#tocsin ignore\n"));
  EXPECT_TRUE(p.empty()) << p.front().message;
}

}  // namespace
}  // namespace tocsin
