// Reporter tests: the JSON contract, SARIF structure, GitHub annotations, text carets, and
// the fix/diff machinery.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "iac/fix.hpp"
#include "report/report.hpp"

using namespace tocsin;
using nlohmann::json;

namespace {

struct Fixture {
  SourcePtr src = std::make_shared<SourceFile>(
      "dir/Dockerfile", "FROM alpine\nCOPY . /app\nRUN chmod 755 /app\n");
  std::vector<Finding> findings;
  std::map<std::string, SourcePtr> sources{{"dir/Dockerfile", src}};
  Fixture() {
    Finding f;
    f.rule = "DF001";
    f.severity = Severity::high;
    f.file = "dir/Dockerfile";
    f.range = src->range_of(src->line_start(3), src->line_start(3) + 18);
    f.message = "chmod after COPY, with a comma, and 100% sure";
    f.related.push_back({src->range_of(src->line_start(2), src->line_start(2) + 11), "copied here"});
    Fix fix;
    fix.description = "use COPY --chmod";
    fix.edits.push_back({src->range_of(src->line_start(2) + 5, src->line_start(2) + 5), "--chmod=755 "});
    fix.edits.push_back({src->range_of(src->line_start(3), src->line_start(4)), ""});
    f.fix = fix;
    findings.push_back(f);
  }
  report::ScanReport rep() const { return {1, findings, sources}; }
};

}  // namespace

TEST(JsonReport, FollowsTheContract) {
  Fixture fx;
  auto j = json::parse(report::render_json(fx.rep()));
  EXPECT_EQ(j["tool"], "tocsin");
  EXPECT_EQ(j["files_scanned"], 1);
  ASSERT_EQ(j["findings"].size(), 1u);
  auto f = j["findings"][0];
  EXPECT_EQ(f["rule"], "DF001");
  EXPECT_EQ(f["severity"], "high");
  EXPECT_EQ(f["file"], "dir/Dockerfile");
  EXPECT_EQ(f["line"], 3);
  EXPECT_EQ(f["column"], 1);
  EXPECT_EQ(f["end_line"], 3);
  EXPECT_EQ(f["end_column"], 19);
  EXPECT_EQ(f["related"][0]["line"], 2);
  EXPECT_EQ(f["related"][0]["message"], "copied here");
  EXPECT_EQ(f["fix"]["edits"].size(), 2u);
}

TEST(SarifReport, HasRulesRegionsFingerprintsAndFixes) {
  Fixture fx;
  auto j = json::parse(report::render_sarif(fx.rep()));
  EXPECT_EQ(j["version"], "2.1.0");
  auto run = j["runs"][0];
  auto rules = run["tool"]["driver"]["rules"];
  ASSERT_FALSE(rules.empty());
  bool found = false;
  for (const auto& r : rules) {
    if (r["id"] != "DF001") continue;
    found = true;
    EXPECT_EQ(r["name"], "copy-then-chmod");
    EXPECT_FALSE(r["help"]["markdown"].get<std::string>().empty());
    EXPECT_EQ(r["properties"]["security-severity"], "8.0");
  }
  EXPECT_TRUE(found);
  auto res = run["results"][0];
  EXPECT_EQ(res["ruleId"], "DF001");
  EXPECT_EQ(rules[res["ruleIndex"].get<size_t>()]["id"], "DF001");
  EXPECT_EQ(res["level"], "error");
  auto region = res["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(region["startLine"], 3);
  EXPECT_EQ(region["endColumn"], 19);
  EXPECT_EQ(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "dir/Dockerfile");
  EXPECT_TRUE(res["partialFingerprints"].contains("primaryLocationLineHash"));
  EXPECT_EQ(res["fixes"][0]["artifactChanges"][0]["replacements"].size(), 2u);
  EXPECT_EQ(res["relatedLocations"][0]["message"]["text"], "copied here");
}

TEST(SarifReport, FingerprintSurvivesLinesMoving) {
  Fixture a;
  auto moved = std::make_shared<SourceFile>("dir/Dockerfile",
                                            "FROM alpine\n\n\nCOPY . /app\nRUN chmod 755 /app\n");
  Finding f = a.findings[0];
  f.range.line = 5;
  EXPECT_EQ(report::line_hash(a.findings[0], a.src.get()), report::line_hash(f, moved.get()));
  f.rule = "DF010";
  EXPECT_NE(report::line_hash(a.findings[0], a.src.get()), report::line_hash(f, moved.get()));
}

TEST(GithubReport, EscapesPropertiesAndData) {
  Fixture fx;
  auto out = report::render_github(fx.rep());
  EXPECT_EQ(out.rfind("::error file=dir/Dockerfile,line=3,col=1,endLine=3,endColumn=19,title=DF001 copy-then-chmod (high)::", 0), 0u)
      << out;
  EXPECT_NE(out.find("100%25 sure"), std::string::npos);
}

TEST(TextReport, ShowsSourceLineCaretAndSummary) {
  Fixture fx;
  auto out = report::render_text(fx.rep(), {false, true});
  EXPECT_NE(out.find("dir/Dockerfile:3:1: high[DF001] copy-then-chmod:"), std::string::npos) << out;
  EXPECT_NE(out.find("    3 | RUN chmod 755 /app"), std::string::npos) << out;
  EXPECT_NE(out.find("      | ^~~~~~~~~~~~~~~~~~"), std::string::npos) << out;
  EXPECT_NE(out.find("note: copied here"), std::string::npos);
  EXPECT_NE(out.find("1 finding (1 high) in 1 of 1 file scanned"), std::string::npos) << out;
  EXPECT_EQ(out.find("\033["), std::string::npos);
  auto colored = report::render_text(fx.rep(), {true, true});
  EXPECT_NE(colored.find("\033["), std::string::npos);
}

TEST(Fix, EditsApplyAndDiffShowsThem) {
  Fixture fx;
  auto fixed = iac::apply_edits(*fx.src, fx.findings[0].fix->edits);
  EXPECT_EQ(fixed, "FROM alpine\nCOPY --chmod=755 . /app\n");
  auto diff = iac::unified_diff("Dockerfile", fx.src->content(), fixed);
  EXPECT_NE(diff.find("--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,3 +1,2 @@\n"), std::string::npos) << diff;
  EXPECT_NE(diff.find("-COPY . /app\n"), std::string::npos);
  EXPECT_NE(diff.find("+COPY --chmod=755 . /app\n"), std::string::npos);
  EXPECT_NE(diff.find("-RUN chmod 755 /app\n"), std::string::npos);
  EXPECT_TRUE(iac::unified_diff("x", "same\n", "same\n").empty());
}

TEST(Fix, OverlappingEditsAreDroppedNotMerged) {
  SourceFile s("f", "abcdef");
  std::vector<TextEdit> edits{{s.range_of(1, 4), "X"}, {s.range_of(2, 5), "Y"}};
  size_t skipped = 0;
  EXPECT_EQ(iac::apply_edits(s, edits, &skipped), "aXef");
  EXPECT_EQ(skipped, 1u);
}

TEST(Reporters, InputErrorsAppearInEveryFormat) {
  Fixture fx;
  report::ScanReport clean = fx.rep();
  report::ScanReport bad = fx.rep();
  bad.errors.push_back({"dir/unreadable/Dockerfile", "dir/unreadable/Dockerfile: Permission denied"});
  // JSON: "errors" always present, empty when clean.
  auto jc = json::parse(report::render_json(clean));
  ASSERT_TRUE(jc.contains("errors"));
  EXPECT_TRUE(jc["errors"].empty());
  auto jb = json::parse(report::render_json(bad));
  ASSERT_EQ(jb["errors"].size(), 1u);
  EXPECT_EQ(jb["errors"][0]["file"], "dir/unreadable/Dockerfile");
  EXPECT_EQ(jb["findings"].size(), 1u);  // findings of the readable files are still there
  // SARIF: invocations[0].executionSuccessful and one notification per error.
  auto sc = json::parse(report::render_sarif(clean));
  ASSERT_EQ(sc["runs"][0]["invocations"].size(), 1u);
  EXPECT_EQ(sc["runs"][0]["invocations"][0]["executionSuccessful"], true);
  EXPECT_TRUE(sc["runs"][0]["invocations"][0]["toolExecutionNotifications"].empty());
  auto sb = json::parse(report::render_sarif(bad));
  const auto& inv = sb["runs"][0]["invocations"][0];
  EXPECT_EQ(inv["executionSuccessful"], false);
  ASSERT_EQ(inv["toolExecutionNotifications"].size(), 1u);
  const auto& n = inv["toolExecutionNotifications"][0];
  EXPECT_EQ(n["level"], "error");
  EXPECT_EQ(n["message"]["text"], "dir/unreadable/Dockerfile: Permission denied");
  EXPECT_EQ(n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "dir/unreadable/Dockerfile");
  // github: an ::error line naming the file; none when clean.
  EXPECT_EQ(report::render_github(clean).find("tocsin input error"), std::string::npos);
  EXPECT_NE(report::render_github(bad).find("::error file=dir/unreadable/Dockerfile,title=tocsin input error::"),
            std::string::npos)
      << report::render_github(bad);
  // text: INCOMPLETE at the end.
  EXPECT_EQ(report::render_text(clean, {}).find("INCOMPLETE"), std::string::npos);
  EXPECT_NE(report::render_text(bad, {}).find("INCOMPLETE: 1 input could not be read"), std::string::npos);
}
