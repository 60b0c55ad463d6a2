// Catalogue invariants: every rule has a well-formed doc page and a fixture, every rule an
// analyzer can report is documented, and registries are sorted without duplicates.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "audit/baseline/baseline.hpp"
#include "audit/detections/detection.hpp"
#include "core/rule_catalog.hpp"
#include "iac/analyzer.hpp"
#include "iac/rules/dockerfile/check.hpp"
#include "runtime/rules/check.hpp"

namespace fs = std::filesystem;
using namespace tocsin;

TEST(Catalog, EmbeddedDocsAreWellFormed) {
  auto problems = catalog_problems();
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_TRUE(problems.empty()) << all;
  EXPECT_FALSE(rule_catalog().empty());
}

TEST(Catalog, IdsAndNamesAreWellFormedAndUnique) {
  static const std::regex id_re("^[A-Z][A-Z0-9][0-9]{3}$");
  static const std::regex name_re("^[a-z0-9]+(-[a-z0-9]+)*$");
  std::set<std::string> names;
  std::string prev;
  for (const auto& r : rule_catalog()) {
    EXPECT_TRUE(std::regex_match(r.id, id_re)) << r.id;
    EXPECT_TRUE(std::regex_match(r.name, name_re)) << r.id << " name " << r.name;
    EXPECT_LT(prev, r.id);
    prev = r.id;
    EXPECT_TRUE(names.insert(r.name + "/" + r.family).second) << "duplicate name " << r.name;
    EXPECT_FALSE(r.body.empty()) << r.id;
    for (const char* section : {"## What it finds", "## Why it matters", "## Example", "## Fix", "## References"})
      EXPECT_NE(r.body.find(section), std::string::npos) << r.id << " doc lacks '" << section << "'";
  }
}

TEST(Catalog, EveryRuleHasAFixture) {
  const fs::path dir = fs::path(TOCSIN_SOURCE_DIR) / "tests" / "rules";
  std::set<std::string> have;
  for (const auto& e : fs::directory_iterator(dir)) {
    auto n = e.path().filename().string();
    if (n.size() >= 5) have.insert(n.substr(0, 5));
  }
  for (const auto& r : rule_catalog()) {
    EXPECT_TRUE(have.count(r.id)) << r.id << " has no fixture in tests/rules";
  }
}

TEST(Catalog, AnalyzerRulesAreDocumented) {
  for (const auto& a : iac::analyzers()) {
    for (auto id : a->rules()) {
      EXPECT_NE(find_rule(id), nullptr) << a->kind() << " reports undocumented " << id;
    }
  }
}

TEST(Catalog, DocumentedIacRulesHaveAnImplementation) {
  std::set<std::string> implemented;
  for (const auto& a : iac::analyzers())
    for (auto id : a->rules()) implemented.insert(std::string(id));
  for (const auto& r : rule_catalog()) {
    if (r.family == "dockerfile" || r.family == "compose" || r.family == "kubernetes" || r.family == "script") {
      EXPECT_TRUE(implemented.count(r.id)) << r.id << " is documented but no analyzer reports it";
    }
  }
}

TEST(Catalog, DockerfileRegistryIsSorted) {
  std::string prev;
  for (const auto& c : iac::dockerfile::checks()) {
    std::string id(c->id());
    EXPECT_LT(prev, id) << "registry out of order at " << id;
    prev = id;
  }
}

// Every family, not only the IaC ones: the ids the code can report (scan analyzers, the audit
// detections, the AU010 baseline, the runtime checks) and the documented ids are one set, and
// every rule has a fixture that must find it.
TEST(Catalog, EveryFamilysCodeAndDocsAreTheSameRules) {
  std::set<std::string> code;
  for (const auto& a : iac::analyzers())
    for (auto id : a->rules()) code.insert(std::string(id));
  for (const auto& id : audit::builtin_detection_ids()) code.insert(id);
  code.insert(std::string(audit::baseline::kRuleId));
  for (const auto& c : runtime::rules::checks()) code.insert(std::string(c->id()));
  std::set<std::string> documented;
  for (const auto& r : rule_catalog()) documented.insert(r.id);
  for (const auto& id : code) EXPECT_TRUE(documented.count(id)) << id << " is reported by the code but has no doc page";
  for (const auto& id : documented) EXPECT_TRUE(code.count(id)) << id << " is documented but nothing reports it";
  for (const char* family : {"AU", "RT", "DF", "DC", "K8", "SH"}) {
    EXPECT_TRUE(std::any_of(code.begin(), code.end(), [&](const std::string& id) { return id.rfind(family, 0) == 0; }))
        << family;
  }
  // A fixture that must find it: an `expect: ID` / `expect-next: ID` annotation (IaC fixtures) or a line of an
  // .expect file starting with the id (audit and runtime fixtures); the fixture runner checks
  // each fixture's findings exactly, so what must not be found is checked with it.
  std::set<std::string> expected;
  static const std::regex annotation(R"(expect(-next)?:\s*([A-Z][A-Z0-9][0-9]{3}))");
  static const std::regex expect_line(R"((^|\n)([A-Z][A-Z0-9][0-9]{3})[ \t])");
  for (const auto& e : fs::recursive_directory_iterator(fs::path(TOCSIN_SOURCE_DIR) / "tests" / "rules")) {
    if (!e.is_regular_file() || e.path().extension() == ".cpp" || e.path().filename() == "README.md") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const auto& re = e.path().extension() == ".expect" ? expect_line : annotation;
    const int group = 2;
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) expected.insert((*it)[group]);
  }
  for (const auto& id : documented) EXPECT_TRUE(expected.count(id)) << id << " has no fixture that must find it";
}

// A rule's code is found from its id: a file <ID>_<name>.cpp under src/ (the doc's name, '-' as
// '_'). Elsewhere: the parse errors of the IaC parsers (DF000, DC000, K8000), reported by their
// analyzers, and SH001, whose grammar is iac/rules/script/sh001.cpp (dockerfile/SH001_in_run.cpp
// runs it on RUN instructions).
TEST(Catalog, EveryRulesCodeFileIsNamedByItsIdAndName) {
  static const std::set<std::string> kElsewhere = {"DC000", "DF000", "K8000", "SH001"};
  std::set<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(TOCSIN_SOURCE_DIR) / "src"))
    if (e.is_regular_file() && e.path().extension() == ".cpp") files.insert(e.path().filename().string());
  for (const auto& r : rule_catalog()) {
    if (kElsewhere.count(r.id)) continue;
    std::string file = r.id + "_" + r.name + ".cpp";
    std::replace(file.begin(), file.end(), '-', '_');
    EXPECT_TRUE(files.count(file)) << r.id << " has no code file src/.../" << file;
  }
}

TEST(Catalog, AuditAndRuntimeRegistriesAreSorted) {
  std::string prev;
  for (const auto& id : audit::builtin_detection_ids()) {
    EXPECT_LT(prev, id) << "audit registry out of order at " << id;
    prev = id;
  }
  prev.clear();
  for (const auto& c : runtime::rules::checks()) {
    std::string id(c->id());
    EXPECT_LT(prev, id) << "runtime registry out of order at " << id;
    prev = id;
  }
}
