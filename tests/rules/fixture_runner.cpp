// Runs every IaC rule fixture in tests/rules with only its rule enabled and requires the
// reported (line, rule) pairs to equal the expectations written in the fixture's comments.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/rule_catalog.hpp"
#include "iac/scan.hpp"

namespace fs = std::filesystem;
using namespace tocsin;

namespace {

const fs::path kDir = fs::path(TOCSIN_SOURCE_DIR) / "tests" / "rules";

bool is_iac_family(const std::string& fam) {
  return fam == "dockerfile" || fam == "compose" || fam == "kubernetes" || fam == "script";
}

std::string rule_of(const std::string& name) {
  static const std::regex re("^([A-Z][A-Z0-9][0-9]{3})([-.].*)?$");
  std::smatch m;
  if (std::regex_match(name, m, re)) return m[1];
  return {};
}

struct Fixture {
  std::string rule;
  fs::path path;
};

void PrintTo(const Fixture& f, std::ostream* os) { *os << f.path.filename().string(); }

std::vector<Fixture> fixtures() {
  std::vector<Fixture> out;
  if (!fs::is_directory(kDir)) return out;
  for (const auto& e : fs::directory_iterator(kDir)) {
    auto name = e.path().filename().string();
    auto id = rule_of(name);
    if (id.empty()) continue;
    const RuleInfo* r = find_rule(id);
    if (!r || !is_iac_family(r->family)) continue;
    out.push_back({id, e.path()});
  }
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) { return a.path < b.path; });
  return out;
}

using Expect = std::multiset<std::tuple<std::string, uint32_t, std::string>>;  // file, line, rule

std::vector<std::string> split_ids(const std::string& s) {
  std::vector<std::string> ids;
  std::stringstream ss(s);
  std::string id;
  while (std::getline(ss, id, ',')) {
    id.erase(0, id.find_first_not_of(" \t"));
    id.erase(id.find_last_not_of(" \t\r") + 1);
    if (!id.empty()) ids.push_back(id);
  }
  return ids;
}

void collect_expectations(const fs::path& file, const std::string& shown, Expect& ex) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  static const std::regex next_re(R"(^\s*#\s*expect-next:\s*([A-Z0-9, ]+)\s*$)");
  static const std::regex at_re(R"(#\s*expect-at\s+(\d+):\s*([A-Z0-9, ]+))");
  static const std::regex eol_re(R"(\S.*#\s*expect:\s*([A-Z0-9, ]+)\s*$)");
  for (size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (std::regex_match(lines[i], m, next_re)) {
      size_t j = i + 1;
      while (j < lines.size()) {
        auto t = lines[j];
        t.erase(0, t.find_first_not_of(" \t\r"));
        if (!t.empty() && t[0] != '#') break;
        ++j;
      }
      for (const auto& id : split_ids(m[1])) ex.insert({shown, static_cast<uint32_t>(j + 1), id});
    } else if (std::regex_search(lines[i], m, at_re)) {
      for (const auto& id : split_ids(m[2])) ex.insert({shown, static_cast<uint32_t>(std::stoul(m[1])), id});
    } else if (std::regex_search(lines[i], m, eol_re)) {
      for (const auto& id : split_ids(m[1])) ex.insert({shown, static_cast<uint32_t>(i + 1), id});
    }
  }
}

std::string describe(const Expect& e) {
  std::string s;
  for (const auto& [f, line, id] : e) s += "  " + f + ":" + std::to_string(line) + " " + id + "\n";
  return s.empty() ? "  (none)\n" : s;
}

class RuleFixture : public ::testing::TestWithParam<Fixture> {};

TEST_P(RuleFixture, ReportsExactlyTheExpectedFindings) {
  const auto& fx = GetParam();
  iac::ScanOptions opts;
  opts.paths = {fx.path.string()};
  opts.no_config = true;
  opts.select = {fx.rule};
  auto res = iac::scan(opts);
  ASSERT_TRUE(res.errors.empty()) << res.errors.front().message;
  ASSERT_GT(res.files_scanned, 0u) << fx.path << " was not recognised as a scannable file";
  Expect expected, actual;
  if (fs::is_directory(fx.path)) {
    for (const auto& e : fs::recursive_directory_iterator(fx.path))
      if (e.is_regular_file()) collect_expectations(e.path(), e.path().string(), expected);
  } else {
    collect_expectations(fx.path, fx.path.string(), expected);
  }
  for (const auto& f : res.findings) actual.insert({f.file, f.range.line, f.rule});
  std::string msgs;
  for (const auto& f : res.findings)
    msgs += "  " + f.file + ":" + std::to_string(f.range.line) + " " + f.rule + " " + f.message + "\n";
  EXPECT_EQ(expected, actual) << "expected:\n" << describe(expected) << "actual:\n" << describe(actual)
                              << "messages:\n" << msgs;
}

std::string fixture_name(const ::testing::TestParamInfo<Fixture>& info) {
  std::string n = info.param.path.filename().string();
  for (auto& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RuleFixture, ::testing::ValuesIn(fixtures()), fixture_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RuleFixture);

}  // namespace
