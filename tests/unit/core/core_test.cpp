// Unit tests for the core: positions, mapped text, globs, pragmas, configuration.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/config.hpp"
#include "core/glob.hpp"
#include "core/rule_catalog.hpp"
#include "core/source.hpp"
#include "core/suppress.hpp"

using namespace tocsin;
namespace fs = std::filesystem;

TEST(SourceFile, LinesAndColumnsAreOneBased) {
  SourceFile s("f", "ab\ncdé\r\nx");
  EXPECT_EQ(s.line_count(), 3u);
  EXPECT_EQ(s.line_of(0), 1u);
  EXPECT_EQ(s.column_of(0), 1u);
  EXPECT_EQ(s.line_of(3), 2u);
  EXPECT_EQ(s.column_of(4), 2u);
  // 'é' is two bytes but one column
  EXPECT_EQ(s.column_of(7), 4u);
  EXPECT_EQ(s.line_text(2), "cdé");
  EXPECT_EQ(s.line_text(3), "x");
  auto r = s.range_of(3, 7);
  EXPECT_EQ(r.line, 2u);
  EXPECT_EQ(r.column, 1u);
  EXPECT_EQ(r.end_line, 2u);
  EXPECT_EQ(r.end_column, 4u);
  EXPECT_EQ(s.offset_of({2, 4}), 7u);
}

TEST(SourceFile, LoneCarriageReturnEndsALineAndOffsetsAtEndAreValid) {
  SourceFile s("f", "a\rb");
  EXPECT_EQ(s.line_count(), 2u);
  EXPECT_EQ(s.line_of(3), 2u);
  EXPECT_EQ(s.column_of(3), 2u);
  SourceFile empty("e", "");
  EXPECT_EQ(empty.line_of(0), 1u);
  EXPECT_EQ(empty.line_text(1), "");
}

TEST(SourceFile, InvalidUtf8CountsEachByte) {
  SourceFile s("f", std::string("\xff\xfe" "a", 3));
  EXPECT_EQ(s.column_of(2), 3u);
}

TEST(MappedText, MapsJoinedPiecesBackToTheFile) {
  // "RUN a \\\n  b" joined as "a   b": piece "a " at 4, piece "  b" at 8
  MappedText m;
  m.append_from("a ", 4);
  m.append_from("  b", 8);
  EXPECT_EQ(m.text(), "a   b");
  EXPECT_EQ(m.to_file(0), 4u);
  EXPECT_EQ(m.to_file(1), 5u);
  EXPECT_EQ(m.to_file(4), 10u);
  m.append_synthetic(" ", 11);
  EXPECT_EQ(m.to_file(5), 11u);
}

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

TEST(Catalog, SeveritiesParseAndMap) {
  EXPECT_EQ(parse_severity("critical"), Severity::critical);
  EXPECT_FALSE(parse_severity("severe"));
  EXPECT_EQ(sarif_level(Severity::high), "error");
  EXPECT_EQ(sarif_level(Severity::medium), "warning");
  EXPECT_EQ(security_severity(Severity::critical), "9.5");
}
