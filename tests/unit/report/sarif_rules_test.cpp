// SARIF rule metadata and locations as GitHub code scanning reads them: fullDescription from
// the doc (not the summary again), plain-text help beside the Markdown, helpUri and
// informationUri under the configurable docs base, configured severities in rules[], a
// uriBaseId on every artifact (inside or outside the working directory), automationDetails.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/rule_catalog.hpp"
#include "report/markup.hpp"
#include "report/report.hpp"

using namespace tocsin;
using nlohmann::json;

namespace {

json rule_of(const json& doc, std::string_view id) {
  for (const auto& r : doc["runs"][0]["tool"]["driver"]["rules"])
    if (r["id"] == id) return r;
  return json();
}

}  // namespace

TEST(SarifRules, DescriptionsHelpAndLinksComeFromTheDocs) {
  std::vector<Finding> none;
  std::map<std::string, SourcePtr> sources;
  auto doc = json::parse(report::render_sarif({0, none, sources}));
  const auto& rules = doc["runs"][0]["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), rule_catalog().size());
  for (const auto& r : rules) {
    const std::string id = r["id"];
    EXPECT_NE(r["fullDescription"]["text"], r["shortDescription"]["text"]) << id;
    const std::string text = r["help"]["text"], md = r["help"]["markdown"];
    EXPECT_NE(text, md) << id;
    EXPECT_EQ(text.find("## "), std::string::npos) << id << ": headings left in help.text";
    EXPECT_EQ(text.find('`'), std::string::npos) << id << ": code marks left in help.text";
    EXPECT_EQ(r["helpUri"], report::docs_base_url() + "docs/rules/" + id + ".md");
  }
  const auto& df001 = rule_of(doc, "DF001");
  EXPECT_EQ(df001["fullDescription"]["text"].get<std::string>().rfind("A COPY or ADD that puts files", 0), 0u)
      << df001["fullDescription"];
  const auto& driver = doc["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["informationUri"], report::docs_base_url() + "README.md");
  EXPECT_EQ(doc["runs"][0]["automationDetails"]["id"], "tocsin/scan/");
}

TEST(SarifRules, DocsBaseUrlIsConfigurable) {
  ::setenv("TOCSIN_DOCS_URL", "https://example.invalid/tocsin", 1);
  EXPECT_EQ(report::docs_base_url(), "https://example.invalid/tocsin/");
  ::unsetenv("TOCSIN_DOCS_URL");
  EXPECT_EQ(report::docs_base_url().back(), '/');
}

TEST(SarifRules, SeverityOverridesReachRuleMetadata) {
  std::vector<Finding> none;
  std::map<std::string, SourcePtr> sources;
  Config cfg;
  cfg.severity_overrides["DF001"] = Severity::low;
  report::ScanReport rep{0, none, sources};
  rep.config = &cfg;
  auto doc = json::parse(report::render_sarif(rep));
  auto df001 = rule_of(doc, "DF001");
  EXPECT_EQ(df001["properties"]["security-severity"], std::string(security_severity(Severity::low)));
  EXPECT_EQ(df001["defaultConfiguration"]["level"], std::string(sarif_level(Severity::low)));
  // Without the configuration: the catalogue's severity (high).
  doc = json::parse(report::render_sarif({0, none, sources}));
  EXPECT_EQ(rule_of(doc, "DF001")["properties"]["security-severity"], "8.0");
}

TEST(SarifRules, EveryArtifactHasABaseId) {
  auto cwd = std::filesystem::current_path().string();
  std::vector<Finding> fs;
  std::map<std::string, SourcePtr> sources;
  for (std::string file : {std::string("./a/Dockerfile"), cwd + "/b/Dockerfile", std::string("/elsewhere/Dockerfile"),
                           std::string("../up/Dockerfile")}) {
    Finding f;
    f.rule = "DF001";
    f.file = file;
    f.range = {1, 1, 1, 2};
    f.message = "m";
    fs.push_back(f);
  }
  auto doc = json::parse(report::render_sarif({4, fs, sources}));
  const auto& res = doc["runs"][0]["results"];
  auto loc = [&](size_t i) { return res[i]["locations"][0]["physicalLocation"]["artifactLocation"]; };
  EXPECT_EQ(loc(0)["uri"], "a/Dockerfile");
  EXPECT_EQ(loc(0)["uriBaseId"], "%SRCROOT%");
  EXPECT_EQ(loc(1)["uri"], "b/Dockerfile");
  EXPECT_EQ(loc(1)["uriBaseId"], "%SRCROOT%");
  EXPECT_EQ(loc(2)["uri"], "elsewhere/Dockerfile");
  EXPECT_EQ(loc(2)["uriBaseId"], "ROOT");
  EXPECT_EQ(loc(3)["uriBaseId"], "ROOT");
  EXPECT_EQ(doc["runs"][0]["originalUriBaseIds"]["ROOT"]["uri"], "file:///");
}

TEST(MarkdownToText, DropsMarksKeepsWords) {
  EXPECT_EQ(report::markdown_to_text("# T\n\nA `COPY` **then** [docs](https://x/y).\n```\nRUN x\n```"),
            "T\n\nA COPY then docs (https://x/y).\n    RUN x");
}
