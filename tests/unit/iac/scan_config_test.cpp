// Unit tests for what only the scan uses (src/iac): path globs (incl. gitignore-like
// ignore-paths), suppression pragmas and their checks, the .tocsin.yaml configuration.
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "iac/config.hpp"
#include "iac/glob.hpp"
#include "iac/suppress.hpp"

namespace tocsin {
namespace {
namespace fs = std::filesystem;

TEST(Glob, StarsQuestionMarksAndClasses) {
  EXPECT_TRUE(glob_match("*.yaml", "a/b/c.yaml"));
  EXPECT_FALSE(glob_match("*.yaml", "a/b/c.yml"));
  EXPECT_TRUE(glob_match("vendor/", "vendor/x/Dockerfile"));
  EXPECT_FALSE(glob_match("vendor/", "src/vendorx/Dockerfile"));
  EXPECT_TRUE(glob_match("**/testdata/**", "a/b/testdata/c/Dockerfile"));
  EXPECT_TRUE(glob_match("**/testdata/**", "testdata/Dockerfile"));
  EXPECT_TRUE(glob_match("src/*/Dockerfile", "src/x/Dockerfile"));
  EXPECT_FALSE(glob_match("src/*/Dockerfile", "src/x/y/Dockerfile"));
  EXPECT_TRUE(glob_match("Dockerfile.[ab]", "Dockerfile.a"));
  EXPECT_FALSE(glob_match("Dockerfile.[!ab]", "Dockerfile.a"));
  EXPECT_TRUE(glob_match("Docker?ile", "Dockerfile"));
  EXPECT_TRUE(glob_match("./build", "build/x"));
}

TEST(Pragma, ParsesIdsReasonAndScope) {
  auto p = parse_pragma("# tocsin ignore=DF001,df003 vendored base image");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->file_wide);
  EXPECT_EQ(p->rules, (std::vector<std::string>{"DF001", "DF003"}));
  EXPECT_EQ(p->reason, "vendored base image");
  auto f = parse_pragma("#tocsin: ignore-file=all");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->file_wide);
  EXPECT_EQ(f->rules, (std::vector<std::string>{"all"}));
  EXPECT_FALSE(parse_pragma("# tocsinx ignore=DF001"));
  EXPECT_FALSE(parse_pragma("# tocsin ignore="));
  EXPECT_FALSE(parse_pragma("# just a comment"));
}

TEST(Suppressions, ApplyToTheirLinesOrTheWholeFile) {
  Suppressions s;
  s.add(*parse_pragma("tocsin ignore=DF001"), 3, 5);
  s.add(*parse_pragma("tocsin ignore-file=DF013"), 0, 0);
  EXPECT_TRUE(s.suppressed("DF001", 4));
  EXPECT_FALSE(s.suppressed("DF001", 6));
  EXPECT_FALSE(s.suppressed("DF002", 4));
  EXPECT_TRUE(s.suppressed("DF013", 100));
}

TEST(Config, ParsesEveryKey) {
  auto c = parse_config(
      "fail-on: high\nmin-severity: low\nrules:\n  disable: [DF013]\n  enable: [DF, DC001]\n"
      "  severity: {DF003: info}\nignore-paths: [vendor/]\n",
      "t.yaml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->fail_on, Severity::high);
  EXPECT_EQ(*c->min_severity, Severity::low);
  EXPECT_FALSE(c->rule_enabled("DF013"));
  EXPECT_TRUE(c->rule_enabled("DF001"));
  EXPECT_TRUE(c->rule_enabled("DC001"));
  EXPECT_FALSE(c->rule_enabled("DC002"));
  EXPECT_EQ(c->severity_for("DF003", Severity::medium), Severity::info);
  EXPECT_EQ(c->ignore_paths.size(), 1u);
}

TEST(Config, ErrorsAreLocated) {
  auto bad_sev = parse_config("fail-on: urgent\n", "c.yaml");
  ASSERT_FALSE(bad_sev);
  EXPECT_EQ(bad_sev.error().line, 1);
  EXPECT_NE(bad_sev.error().message.find("c.yaml:1:"), std::string::npos);
  auto bad_rule = parse_config("rules:\n  disable: [XX999]\n", "c.yaml");
  ASSERT_FALSE(bad_rule);
  EXPECT_EQ(bad_rule.error().line, 2);
  auto unknown = parse_config("\n\nfail_on: low\n", "c.yaml");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().line, 3);
  auto broken = parse_config("rules: [\n", "c.yaml");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("invalid YAML"), std::string::npos);
}

TEST(Config, IsFoundByWalkingUp) {
  auto dir = fs::temp_directory_path() / ("tocsin-cfg-" + std::to_string(::getpid()));
  fs::create_directories(dir / "a" / "b");
  std::ofstream(dir / ".tocsin.yaml") << "fail-on: critical\n";
  auto found = find_config((dir / "a" / "b").string());
  ASSERT_TRUE(found);
  EXPECT_EQ(fs::path(*found), dir / ".tocsin.yaml");
  auto c = load_config(*found);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->fail_on, Severity::critical);
  std::ofstream(dir / ".tocsin.yaml") << "ignore-paths: [a/b/]\n";
  c = load_config(*found);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->path_ignored((dir / "a" / "b" / "Dockerfile").string()));
  EXPECT_FALSE(c->path_ignored((dir / "a" / "Dockerfile").string()));
  fs::remove_all(dir);
}

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
