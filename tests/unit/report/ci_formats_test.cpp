// The CI formats (codeclimate, junit, checkstyle): the fields their consumers read, and
// XML that stays well-formed when findings carry hostile bytes. tests/e2e/ci_formats.test.sh
// parses the real tool's output with Python's XML and JSON parsers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/markup.hpp"
#include "report/report.hpp"

using namespace tocsin;
using nlohmann::json;

namespace {

struct Fixture {
  std::string name = "dir/Docker\"file<&>";
  SourcePtr src = std::make_shared<SourceFile>(name, "FROM alpine\nCOPY . /app\nRUN chmod 755 /app\n");
  std::vector<Finding> findings;
  std::map<std::string, SourcePtr> sources{{name, src}};
  Fixture() {
    for (int line : {3, 3}) {
      Finding f;
      f.rule = "DF001";
      f.severity = Severity::high;
      f.file = name;
      f.range = src->range_of(src->line_start(line), src->line_start(line) + 18);
      f.message = "chmod \x1b[2J after <COPY> & \"quoted\" \x01\xff \xef\xbf\xbf end";
      findings.push_back(f);
    }
  }
  report::ScanReport rep() const { return {1, findings, sources}; }
};

// No byte XML 1.0 forbids: C0 other than tab/newline/CR, U+FFFE/U+FFFF, invalid UTF-8 start.
bool xml_chars_ok(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
    if (c == 0xff || c == 0xfe) return false;
    if (s.compare(i, 3, "\xef\xbf\xbf") == 0 || s.compare(i, 3, "\xef\xbf\xbe") == 0) return false;
  }
  return true;
}

}  // namespace

TEST(XmlEscape, EscapesMarkupAndReplacesForbiddenCharacters) {
  EXPECT_EQ(report::xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(report::xml_escape("tab\tnl\n"), "tab&#9;nl&#10;");
  EXPECT_EQ(report::xml_escape("\x01"), "\\x01");
  EXPECT_EQ(report::xml_escape("\xef\xbf\xbe"), "\\u{FFFE}");
  EXPECT_EQ(report::xml_escape("é"), "é");
  EXPECT_TRUE(xml_chars_ok(report::xml_escape("\x1b[31m\x7f\x9b\xc0\xaf\xed\xa0\x80")));
}

TEST(RelativeToCwd, StripsDotSlashAndKeepsOutsidePathsAbsolute) {
  EXPECT_EQ(report::relative_to_cwd("./a/b").path, "a/b");
  EXPECT_TRUE(report::relative_to_cwd("a/b").inside);
  auto cwd = std::filesystem::current_path().string();
  EXPECT_EQ(report::relative_to_cwd(cwd + "/x/Dockerfile").path, "x/Dockerfile");
  auto out = report::relative_to_cwd("/nonexistent-root-dir/Dockerfile");
  EXPECT_FALSE(out.inside);
  EXPECT_EQ(out.path, "/nonexistent-root-dir/Dockerfile");
  auto up = report::relative_to_cwd("../elsewhere/Dockerfile");
  EXPECT_FALSE(up.inside);
  EXPECT_EQ(up.path.front(), '/');
}

TEST(CodeClimate, HasGitLabFieldsAndUniqueFingerprints) {
  Fixture fx;
  auto rep = fx.rep();
  rep.errors.push_back({"dir/unreadable", "dir/unreadable: Permission denied"});
  auto j = json::parse(report::render_codeclimate(rep));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 3u);
  for (const auto& i : j) {
    EXPECT_TRUE(i["description"].is_string());
    EXPECT_TRUE(i["check_name"].is_string());
    EXPECT_EQ(i["fingerprint"].get<std::string>().size(), 32u);
    EXPECT_TRUE(i["location"]["path"].is_string());
    EXPECT_GE(i["location"]["lines"]["begin"].get<int>(), 1);
  }
  EXPECT_EQ(j[0]["check_name"], "DF001");
  EXPECT_EQ(j[0]["severity"], "critical");
  EXPECT_EQ(j[0]["location"]["path"], fx.name);
  EXPECT_EQ(j[0]["location"]["lines"]["begin"], 3);
  EXPECT_NE(j[0]["fingerprint"], j[1]["fingerprint"]);  // same rule, same line: still unique
  EXPECT_EQ(j[2]["check_name"], "tocsin/input-error");
  EXPECT_EQ(j[2]["severity"], "blocker");
  EXPECT_EQ(j[2]["location"]["path"], "dir/unreadable");
  // Stable across runs: the same report gives the same fingerprints.
  EXPECT_EQ(json::parse(report::render_codeclimate(rep))[0]["fingerprint"], j[0]["fingerprint"]);
}

TEST(Checkstyle, OneFileElementWithEscapedErrors) {
  Fixture fx;
  std::string x = report::render_checkstyle(fx.rep());
  EXPECT_TRUE(xml_chars_ok(x)) << x;
  EXPECT_NE(x.find("<file name=\"dir/Docker&quot;file&lt;&amp;&gt;\">"), std::string::npos) << x;
  EXPECT_EQ(x.find("<file ", x.find("<file ") + 1), std::string::npos) << x;
  EXPECT_NE(x.find("<error line=\"3\" column=\"1\" severity=\"error\" message=\"DF001 copy-then-chmod: chmod \\x1b[2J "
                   "after &lt;COPY&gt; &amp; &quot;quoted&quot; \\x01\\xff \\u{FFFF} end\" source=\"tocsin.DF001\"/>"),
            std::string::npos)
      << x;
}

TEST(JUnit, FailingTestcasePerFindingAndPassingOnesWhenClean) {
  Fixture fx;
  std::string x = report::render_junit(fx.rep());
  EXPECT_TRUE(xml_chars_ok(x)) << x;
  EXPECT_NE(x.find("<testsuite name=\"DF001 copy-then-chmod\" tests=\"2\" failures=\"2\""), std::string::npos) << x;
  EXPECT_NE(x.find("<failure message=\"chmod \\x1b[2J after &lt;COPY&gt;"), std::string::npos) << x;
  // A rule without findings: one passing testcase, so the dashboard shows it was checked.
  EXPECT_NE(x.find("<testsuite name=\"DF002 "), std::string::npos) << x;
  EXPECT_NE(x.find("name=\"no findings in 1 files\" classname=\"tocsin.DF002\"/>"), std::string::npos) << x;
  // Audit rules are not scan rules: no suite.
  EXPECT_EQ(x.find("classname=\"tocsin.AU001\""), std::string::npos) << x;
  // Clean run: only passing testcases, and the inputs suite says every file was read.
  std::vector<Finding> none;
  report::ScanReport clean{4, none, fx.sources};
  std::string c = report::render_junit(clean);
  EXPECT_EQ(c.find("<failure"), std::string::npos);
  EXPECT_NE(c.find("failures=\"0\" errors=\"0\""), std::string::npos) << c;
  EXPECT_NE(c.find("name=\"4 files read\""), std::string::npos) << c;
  // A configuration that disables a rule drops its suite; an input error is a JUnit error.
  Config cfg;
  cfg.disabled.insert("DF002");
  clean.config = &cfg;
  clean.errors.push_back({"gone/Dockerfile", "gone/Dockerfile: No such file"});
  c = report::render_junit(clean);
  EXPECT_EQ(c.find("tocsin.DF002"), std::string::npos) << c;
  EXPECT_NE(c.find("<error message=\"gone/Dockerfile: No such file\" type=\"input-error\">"), std::string::npos) << c;
  EXPECT_EQ(c.find("files read"), std::string::npos) << c;
}

TEST(Html, SelfContainedEscapedAndGroupedByFileAndRule) {
  Fixture fx;
  auto src = std::make_shared<SourceFile>("x</h2><script>", "RUN a <script>alert(1)</script>\n");
  auto sources = fx.sources;
  sources["x</h2><script>"] = src;
  auto findings = fx.findings;
  Finding f = findings[0];
  f.file = "x</h2><script>";
  f.range = src->range_of(6, 14);
  findings.push_back(f);
  report::ScanReport rep{2, findings, sources};
  rep.errors.push_back({"gone", "gone: No such file"});
  std::string h = report::render_html(rep);
  EXPECT_TRUE(xml_chars_ok(h));
  EXPECT_EQ(h.find("<script"), std::string::npos) << h;
  EXPECT_EQ(h.find("http://"), std::string::npos);
  EXPECT_EQ(h.find("https://"), std::string::npos);
  EXPECT_NE(h.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(h.find("INCOMPLETE: 1 input could not be read"), std::string::npos);
  // Two files, one rule section each, three findings; the range is marked in the excerpt.
  auto count = [&](std::string_view s) {
    size_t n = 0;
    for (size_t p = h.find(s); p != std::string::npos; p = h.find(s, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<section class=\"file\""), 2u);
  EXPECT_EQ(count("<section class=\"rule\""), 2u);
  EXPECT_EQ(count("<article class=\"finding\""), 3u);
  EXPECT_NE(h.find("RUN a <mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;"), std::string::npos) << h;
}

TEST(HuntHtml, CopiesTimelineAlertsEscaped) {
  std::vector<Alert> alerts(2);
  alerts[0].rule = "AU001";
  alerts[0].severity = Severity::info;
  alerts[0].time_ms = 1795331084708;
  alerts[0].copy_id = 1;
  alerts[0].user = AlertUser{4294967295LL, 0, 0, 4294967295LL, std::string("(none)")};
  alerts[0].docker_cp = AlertCopy{"to-container", "victim\x1b[2J", "/w/<dir>", std::nullopt};
  alerts[0].command = "docker cp </td><script>x</script> victim:/w";
  alerts[0].event_ids = {"1795331084.708:1"};
  alerts[1] = alerts[0];
  alerts[1].rule = "AU004";
  alerts[1].severity = Severity::critical;
  alerts[1].docker_cp.reset();
  alerts[1].message = "resolved to / <b>";
  report::HuntCoverage cov;
  cov.verdicts.resize(1);
  cov.verdicts[0].rule = "AU001";
  cov.verdicts[0].verdict = audit::Verdict::Covered;
  audit::HuntStats stats;
  std::vector<audit::InputReport> inputs(1);
  inputs[0].status = audit::InputStatus::Damaged;  // the page says INCOMPLETE
  std::string h = report::render_hunt_html({alerts, stats, inputs, &cov, "2 alerts"});
  EXPECT_TRUE(xml_chars_ok(h));
  EXPECT_EQ(h.find("<script"), std::string::npos) << h;
  EXPECT_EQ(h.find("http://"), std::string::npos);
  EXPECT_EQ(h.find("https://"), std::string::npos);
  EXPECT_NE(h.find("id=\"incomplete\""), std::string::npos);
  EXPECT_NE(h.find("<tr class=\"coverage\" data-rule=\"AU001\">"), std::string::npos) << h;
  EXPECT_NE(h.find("auid unset"), std::string::npos) << h;
  // The copy's verdict links to the AU004 row; the timeline has a copy bar and a race mark.
  EXPECT_NE(h.find("<a href=\"#alert-2\">AU004</a>"), std::string::npos) << h;
  EXPECT_NE(h.find("id=\"alert-2\" data-rule=\"AU004\""), std::string::npos) << h;
  EXPECT_NE(h.find("class=\"mark copy\""), std::string::npos);
  EXPECT_NE(h.find("class=\"mark race\""), std::string::npos);
  EXPECT_NE(h.find("victim\\x1b[2J"), std::string::npos);
}
