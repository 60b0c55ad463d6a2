// Catalogue invariants: every rule has a well-formed doc page and a fixture, every rule an
// analyzer can report is documented, and registries are sorted without duplicates.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "core/rule_catalog.hpp"
#include "iac/analyzer.hpp"
#include "iac/rules/dockerfile/check.hpp"

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
