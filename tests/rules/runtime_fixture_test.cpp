// Runs every runtime rule fixture tests/rules/RT00N*.json (a container inspect document) through
// the RT001–RT005 checks over a temp host tree and requires the (rule, key) multiset to equal
// the one in the fixture's .expect file, so must-fire and must-not-fire cases are both proven.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/container_checks.hpp"

namespace fs = std::filesystem;
using namespace tocsin;
using namespace tocsin::runtime;

namespace {

const fs::path kDir = fs::path(TOCSIN_SOURCE_DIR) / "tests" / "rules";
constexpr const char* kPlaceholder = "@TMP@";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string substitute(std::string s, const std::string& tmp) {
  for (size_t at = s.find(kPlaceholder); at != std::string::npos; at = s.find(kPlaceholder, at + tmp.size()))
    s.replace(at, std::string(kPlaceholder).size(), tmp);
  return s;
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// The host tree the fixtures refer to as @TMP@ (documented in tests/rules/README.md).
class HostTree {
 public:
  HostTree() {
    std::string templ = (fs::temp_directory_path() / "tocsin-rt-fixtures-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) return;
    // Canonical, so that no symlink of the test machine's own /tmp shows up as RT001.
    root_ = fs::canonical(templ);
    fs::create_directories(root_ / "real" / "static");
    fs::create_directories(root_ / "real" / "data");
    fs::create_directories(root_ / "real" / "builds");
    fs::create_directories(root_ / "real" / "plugins");
    fs::create_directories(root_ / "releases" / "v42" / "config");
    fs::create_symlink("releases/v42", root_ / "current");
    fs::create_symlink("real/data", root_ / "data-link");
    fs::create_directories(root_ / "conf");
    write_file(root_ / "conf" / "app.yaml", "listen: 8080\nlog_level: info\n");  // sha256 4f2989f9…7636
    fs::create_symlink("app.yaml", root_ / "conf" / "current.yaml");
  }
  ~HostTree() {
    std::error_code ec;
    if (!root_.empty()) fs::remove_all(root_, ec);
  }
  HostTree(const HostTree&) = delete;
  HostTree& operator=(const HostTree&) = delete;
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

std::vector<std::string> expectations(const fs::path& p, const std::string& tmp) {
  std::vector<std::string> out;
  std::istringstream in(substitute(slurp(p), tmp));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string rule, key;
    ls >> rule >> key;
    out.push_back(rule + " " + (key.empty() ? "-" : key));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What identifies an alert within one container: the mount source, else the config path.
std::string key_of(const Alert& a) {
  if (auto m = a.details.find("mount"); m != a.details.end() && m->contains("source"))
    return (*m)["source"].get<std::string>();
  if (auto c = a.details.find("config"); c != a.details.end() && c->contains("path"))
    return (*c)["path"].get<std::string>();
  return "-";
}

}  // namespace

TEST(RuntimeFixtures, EveryRuntimeFixtureMatchesItsExpectations) {
  HostTree tree;
  ASSERT_FALSE(tree.root().empty()) << "cannot create the temp host tree";
  const std::string tmp = tree.root().string();
  size_t seen = 0;
  std::set<std::string> rules_covered;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    auto name = entry.path().filename().string();
    if (name.rfind("RT", 0) != 0 || entry.path().extension() != ".json") continue;
    fs::path exp = entry.path();
    exp.replace_extension(".expect");
    ASSERT_TRUE(fs::exists(exp)) << "missing " << exp;
    auto doc = nlohmann::json::parse(substitute(slurp(entry.path()), tmp), nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << name << " is not valid JSON";
    ContainerInfo info = parse_inspect(doc);
    EXPECT_FALSE(info.id.empty()) << name << ": no Id (not an inspect document?)";
    CheckOptions opt;  // host_root "/": the fixtures use absolute host paths
    std::vector<std::string> got;
    for (const auto& a : check_container(info, opt)) got.push_back(a.rule + " " + key_of(a));
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, expectations(exp, tmp)) << "fixture " << name;
    ++seen;
    rules_covered.insert(name.substr(0, 5));
  }
  for (const char* id : {"RT001", "RT002", "RT003", "RT004", "RT005"})
    EXPECT_TRUE(rules_covered.count(id)) << id << " has no runtime fixture";
  EXPECT_GE(seen, 5u);
}
