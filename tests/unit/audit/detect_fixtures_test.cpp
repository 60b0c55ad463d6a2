// Runs every audit rule fixture tests/rules/AU0NN*.log with only its rule selected and
// compares the alerts with the fixture's .expect file: lines "RULE EVENT_ID" (the first
// event id of each expected alert, "-" for alerts without one). Expected and actual multisets
// must be equal, so every fixture also proves the clean cases around the findings. A log with
// a sidecar <name>.model is hunted as `tocsin hunt --baseline <name>.model` (AU010).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/baseline/baseline.hpp"
#include "detect_helpers.hpp"

namespace fs = std::filesystem;
using namespace tocsin;
using namespace tocsin::audit;
using namespace tocsin::audit::testing;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> expectations(const fs::path& p) {
  std::vector<std::string> out;
  std::istringstream in(slurp(p));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string rule, id;
    ls >> rule >> id;
    out.push_back(rule + " " + id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(DetectFixtures, EveryAuditFixtureMatchesItsExpectations) {
  fs::path dir = fs::path(TOCSIN_SOURCE_DIR) / "tests" / "rules";
  size_t seen = 0;
  std::set<std::string> rules_covered;
  for (const auto& entry : fs::directory_iterator(dir)) {
    auto name = entry.path().filename().string();
    if (name.rfind("AU", 0) != 0 || entry.path().extension() != ".log") continue;
    std::string rule = name.substr(0, 5);
    fs::path exp = entry.path();
    exp.replace_extension(".expect");
    ASSERT_TRUE(fs::exists(exp)) << "missing " << exp;
    fs::path model_path = entry.path();
    model_path.replace_extension(".model");
    const bool scored = fs::exists(model_path);
    EngineOptions opt;
    // Baseline rules score the AU001 copies after the hunt, as `hunt --baseline` does.
    opt.select = {scored ? std::string("AU001") : rule};
    auto r = hunt_text(slurp(entry.path()), opt, name);
    std::vector<Alert> alerts = std::move(r.alerts);
    if (scored) {
      auto model = baseline::Model::load(model_path.string());
      ASSERT_TRUE(model) << model_path << ": " << model.error().message;
      alerts = baseline::apply_baseline(*model, alerts);
    }
    std::vector<std::string> got;
    for (const auto& a : alerts) got.push_back(a.rule + " " + (a.event_ids.empty() ? "-" : a.event_ids.front()));
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, expectations(exp)) << "fixture " << name;
    ++seen;
    rules_covered.insert(rule);
  }
  EXPECT_GE(seen, 9u);
  for (const char* id : {"AU000", "AU001", "AU002", "AU003", "AU004", "AU005", "AU006", "AU007", "AU008", "AU010"})
    EXPECT_TRUE(rules_covered.count(id)) << id << " has no fixture";
}

TEST(DetectFixtures, EveryRuleHasADocPage) {
  for (const auto& id : builtin_detection_ids()) {
    fs::path doc = fs::path(TOCSIN_SOURCE_DIR) / "docs" / "rules" / (id + ".md");
    EXPECT_TRUE(fs::exists(doc)) << id;
  }
}
