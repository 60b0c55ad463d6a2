// The tocsin binary as a new user tries it (issue 14): flags that keep the paths after them,
// `--fail-on none`, "did you mean", `help CMD`, `--kind`, `--version`, suppression warnings,
// `--fix -`, the finding baseline and `--changed-since` (with the real git).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using tocsin::test::TempDir;

namespace {

struct Out {
  int code = -1;
  std::string out, err;
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

// Runs `prog args` in `cwd`, stdin from `in` (or /dev/null), stdout/stderr captured.
Out run_in(const fs::path& cwd, const std::string& prog, const std::vector<std::string>& args,
           const std::string& in = {}) {
  // The captures live in a directory of their own: tests run in parallel, several in the
  // source tree, and captures in `cwd` clobbered each other.
  TempDir io("tocsin-cli-io");
  fs::path o = io.p / "out", e = io.p / "err", i = io.p / "in";
  write(i, in);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    int fo = ::open(o.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fe = ::open(e.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fi = ::open(i.c_str(), O_RDONLY);
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    ::dup2(fi, 0);
    std::vector<std::string> copy{prog};
    copy.insert(copy.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  return Out{WIFEXITED(st) ? WEXITSTATUS(st) : 128, read_all(o), read_all(e)};
}

Out tocsin(const fs::path& cwd, const std::vector<std::string>& args, const std::string& in = {}) {
  return run_in(cwd, TOCSIN_BINARY, args, in);
}

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

const fs::path kSource = TOCSIN_SOURCE_DIR;

// A Dockerfile with one DF001 (copy then chmod, fixable) and one other finding.
const std::string kDockerfile =
    "FROM alpine:3.19\n"
    "COPY entrypoint.sh /usr/local/bin/entrypoint.sh\n"
    "RUN chmod 0755 /usr/local/bin/entrypoint.sh\n"
    "ENTRYPOINT [\"/usr/local/bin/entrypoint.sh\"]\n";

std::vector<std::string> rules_in_json(const std::string& json) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(json);
  for (const auto& f : j["findings"]) out.push_back(f["rule"].get<std::string>());
  return out;
}

TEST(CliFlags, SelectKeepsThePathsAfterIt) {
  for (std::vector<std::string> args : {std::vector<std::string>{"scan", "--select", "DF001", "examples/"},
                                        {"scan", "--select=DF001", "examples/"},
                                        {"scan", "--select", "df001,DF002", "--select", "DF003", "examples/"},
                                        {"scan", "--ignore", "DC", "examples/dockerfile"}}) {
    auto r = tocsin(kSource, args);
    EXPECT_EQ(r.code, 1) << args[2] << ": " << r.err;
    EXPECT_FALSE(has(r.err, "unknown rule")) << r.err;
    EXPECT_TRUE(has(r.out, "DF001")) << r.out;
  }
  auto r = tocsin(kSource, {"scan", "--select=DF001", "--format", "json", "examples/"});
  for (const auto& id : rules_in_json(r.out)) EXPECT_EQ(id, "DF001");
}

TEST(CliFlags, FailOnNoneAndUnknownRuleSuggestion) {
  auto r = tocsin(kSource, {"scan", "examples/", "--fail-on", "none", "-q"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "findings")) << r.out;  // still reported, only the exit code changes
  r = tocsin(kSource, {"scan", "--select", "DF0001", "examples/"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.err, "did you mean DF001?")) << r.err;
}

TEST(CliFlags, FailOnIsSpelledTheSameInScanHuntAndWatch) {
  for (const char* cmd : {"scan", "hunt", "watch"}) {
    auto r = tocsin(kSource, {cmd, "--help"});
    EXPECT_TRUE(has(r.out, "--fail-on")) << cmd;
    EXPECT_TRUE(has(r.out, "none")) << cmd;
    auto bad = tocsin(kSource, {cmd, "--fail-on", "bogus"});
    EXPECT_EQ(bad.code, 2) << cmd;
    EXPECT_TRUE(has(bad.err, "fail-on")) << cmd << ": " << bad.err;
  }
  for (const char* cmd : {"scan", "hunt"}) {
    auto r = tocsin(kSource, {cmd, "--help"});
    EXPECT_TRUE(has(r.out, "--no-color") && has(r.out, "--quiet") && has(r.out, "--output")) << cmd;
  }
}

TEST(CliFlags, DidYouMeanForCommandsAndFlags) {
  auto r = tocsin(kSource, {"scna", "."});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.err, "unknown command 'scna' (did you mean scan?)")) << r.err;
  r = tocsin(kSource, {"scan", "--selcet", "DF001", "."});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.err, "did you mean --select?")) << r.err;
  r = tocsin(kSource, {"explain", "copy-then-chmd"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.err, "did you mean copy-then-chmod?")) << r.err;
  r = tocsin(kSource, {"explain", "df01"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.err, "did you mean DF001?")) << r.err;
}

TEST(CliHelp, HelpCommandPrintsTheSameTextAsDashDashHelp) {
  auto a = tocsin(kSource, {"help", "scan"});
  auto b = tocsin(kSource, {"scan", "--help"});
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.out, b.out);
  EXPECT_TRUE(has(a.out, "--baseline")) << a.out;
  auto top = tocsin(kSource, {"help"});
  EXPECT_EQ(top.code, 0);
  EXPECT_EQ(top.out, tocsin(kSource, {"--help"}).out);
  EXPECT_TRUE(has(top.out, "scan")) << top.out;
  auto bad = tocsin(kSource, {"help", "hnut"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(has(bad.err, "did you mean hunt?")) << bad.err;
}

TEST(CliHelp, ExplainParseErrorListsTheCandidates) {
  auto r = tocsin(kSource, {"explain", "parse-error"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.err, "DF000") && has(r.err, "DC000") && has(r.err, "K8000")) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(tocsin(kSource, {"explain", "DF000"}).code, 0);
}

TEST(CliHelp, VersionCarriesBuildInfo) {
  auto r = tocsin(kSource, {"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(has(r.out, "tocsin ")) << r.out;
  EXPECT_TRUE(has(r.out, "rules: ")) << r.out;
  EXPECT_TRUE(has(r.out, "compiler: ")) << r.out;
  EXPECT_TRUE(has(r.out, "yaml-cpp ") && has(r.out, "fmt ") && has(r.out, "curl ")) << r.out;
  EXPECT_FALSE(has(r.out, "yaml-cpp unknown")) << r.out;
}

TEST(CliKind, NamedFileOfUnknownKindIsNotedAndCanBeForced) {
  TempDir d;
  write(d.p / "build.txt", kDockerfile);
  auto r = tocsin(d.p, {"scan", "build.txt"});
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(has(r.err, "skipped") && has(r.err, "--kind")) << r.err;
  r = tocsin(d.p, {"scan", "--kind", "dockerfile", "--format", "json", "build.txt"});
  EXPECT_EQ(r.code, 1) << r.err;
  auto ids = rules_in_json(r.out);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "DF001"), ids.end()) << r.out;
  // A template (no known name) forced to be compose is checked by the compose rules only.
  write(d.p / "stack.tmpl", "services:\n  a:\n    image: x\n    privileged: true\n");
  r = tocsin(d.p, {"scan", "--kind", "compose", "--format", "json", "stack.tmpl"});
  EXPECT_EQ(r.code, 1) << r.err;
  for (const auto& id : rules_in_json(r.out)) EXPECT_EQ(id.substr(0, 2), "DC") << r.out;
  EXPECT_EQ(tocsin(d.p, {"scan", "--kind", "helm", "stack.tmpl"}).code, 2);
}

TEST(CliSuppress, MalformedAndUnknownPragmasAreReported) {
  TempDir d;
  write(d.p / "Dockerfile",
        "FROM alpine:3.19\n"
        "# tocsin ignore=DF999 we never had this rule\n"
        "COPY entrypoint.sh /usr/local/bin/entrypoint.sh\n"
        "# tocsin ignore\n"
        "RUN chmod 0755 /usr/local/bin/entrypoint.sh\n");
  auto r = tocsin(d.p, {"scan", "Dockerfile"});
  EXPECT_TRUE(has(r.err, "line 2: suppression names unknown rule 'DF999'")) << r.err;
  EXPECT_TRUE(has(r.err, "line 4: suppression `# tocsin ignore` names no rule")) << r.err;
  EXPECT_TRUE(has(r.out, "DF001")) << r.out;  // and nothing was silenced
  EXPECT_EQ(r.code, 1);
  // The notes are in the JSON report too, and stay on stderr with -q (as in hunt).
  r = tocsin(d.p, {"scan", "--format", "json", "-q", "Dockerfile"});
  EXPECT_TRUE(has(r.out, "DF999")) << r.out;
  EXPECT_TRUE(has(r.err, "DF999")) << r.err;
}

TEST(CliSuppress, CommentBeforeABlockKeyCoversItsItems) {
  TempDir d;
  const std::string agent =
      "services:\n"
      "  agent:\n"
      "    image: example/agent:1\n"
      "    read_only: true\n"
      "    # tocsin ignore=DC003,DC002 the agent manages the host on purpose\n"
      "    volumes:\n"
      "      - /var/run/docker.sock:/var/run/docker.sock\n"
      "\n"
      "      - /etc:/host/etc\n"
      "    privileged: true\n"
      "  other:\n"
      "    image: example/other:1\n"
      "    read_only: true\n"
      "    volumes:\n"
      "      - /var/run/docker.sock:/var/run/docker.sock\n";
  write(d.p / "compose.yaml", agent);
  auto r = tocsin(d.p, {"scan", "--format", "json", "compose.yaml"});
  auto j = nlohmann::json::parse(r.out);
  std::vector<std::pair<std::string, int>> got;
  for (const auto& f : j["findings"]) got.emplace_back(f["rule"].get<std::string>(), f["line"].get<int>());
  // The agent's two mounts are covered; its privileged flag (after the block) and the other
  // service's socket mount are not.
  EXPECT_EQ(std::count(got.begin(), got.end(), std::make_pair(std::string("DC003"), 7)), 0) << r.out;
  EXPECT_EQ(std::count(got.begin(), got.end(), std::make_pair(std::string("DC002"), 9)), 0) << r.out;
  EXPECT_EQ(std::count(got.begin(), got.end(), std::make_pair(std::string("DC007"), 10)), 1) << r.out;
  EXPECT_EQ(std::count(got.begin(), got.end(), std::make_pair(std::string("DC003"), 15)), 1) << r.out;
}

TEST(CliSuppress, ConfigIgnorePathsMatchDirectoriesAtAnyDepth) {
  TempDir d;
  write(d.p / ".tocsin.yaml", "ignore-paths: [vendor/]\n");
  write(d.p / "sub/vendor/Dockerfile", kDockerfile);
  write(d.p / "vendor/Dockerfile", kDockerfile);
  write(d.p / "app/Dockerfile", kDockerfile);
  auto r = tocsin(d.p, {"scan", "--format", "json", "."});
  auto j = nlohmann::json::parse(r.out);
  for (const auto& f : j["findings"]) EXPECT_TRUE(has(f["file"].get<std::string>(), "app/")) << f;
  EXPECT_FALSE(j["findings"].empty());
  write(d.p / ".tocsin.yaml", "rules: {disable: [DF0001]}\n");
  r = tocsin(d.p, {"scan", "."});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.err, "did you mean DF001?")) << r.err;
}

TEST(CliFix, FixStdinPrintsTheFixedText) {
  TempDir d;
  auto r = tocsin(d.p, {"scan", "--fix", "--stdin-filename", "Dockerfile", "-"}, kDockerfile);
  EXPECT_TRUE(has(r.out, "COPY --chmod=0755 entrypoint.sh")) << r.out;
  EXPECT_FALSE(has(r.out, "RUN chmod")) << r.out;
  EXPECT_TRUE(has(r.out, "FROM alpine:3.19\n")) << r.out;
  EXPECT_FALSE(fs::exists(d.p / "-"));
  EXPECT_FALSE(fs::exists(d.p / "Dockerfile"));
  // Nothing to fix: the text comes back unchanged.
  const std::string clean = "FROM alpine:3.19\nUSER 1000\n";
  r = tocsin(d.p, {"scan", "--fix", "--stdin-filename", "Dockerfile", "-"}, clean);
  EXPECT_EQ(r.out, clean);
}

TEST(CliBaseline, OnlyNewFindingsCountAndMovedLinesStayMatched) {
  TempDir d;
  write(d.p / "Dockerfile", kDockerfile);
  auto r = tocsin(d.p, {"scan", "--write-baseline", "base.json", "."});
  EXPECT_EQ(r.code, 1) << r.err;  // writing a baseline does not hide the findings
  auto base = nlohmann::json::parse(read_all(d.p / "base.json"));
  ASSERT_FALSE(base["findings"].empty());
  const size_t adopted = base["findings"].size();
  r = tocsin(d.p, {"scan", "--baseline", "base.json", "."});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.err, std::to_string(adopted) + " finding")) << r.err;
  r = tocsin(d.p, {"scan", "-q", "--baseline", "base.json", "."});
  EXPECT_FALSE(has(r.err, "baselined")) << r.err;  // -q: no summary line
  // Move the code down (a comment and a blank line above): still matched.
  write(d.p / "Dockerfile", "# build image\n\n" + kDockerfile);
  r = tocsin(d.p, {"scan", "--baseline", "base.json", "--format", "json", "."});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(rules_in_json(r.out).empty()) << r.out;
  // A new finding: only it is reported and fails.
  write(d.p / "Dockerfile", "# build image\n\n" + kDockerfile +
                                "COPY start.sh /start.sh\nRUN chmod +x /start.sh\n");
  r = tocsin(d.p, {"scan", "--baseline", "base.json", "--format", "json", "."});
  EXPECT_EQ(r.code, 1) << r.err;
  auto ids = rules_in_json(r.out);
  ASSERT_EQ(ids.size(), 1u) << r.out;
  EXPECT_EQ(ids[0], "DF001");
  EXPECT_TRUE(has(nlohmann::json::parse(r.out)["findings"][0]["message"].get<std::string>(), "start.sh")) << r.out;
  // Fixed findings leave entries that are gone.
  write(d.p / "Dockerfile", "FROM alpine:3.19\nUSER 1000\n");
  r = tocsin(d.p, {"scan", "--baseline", "base.json", "."});
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(has(r.err, "0 findings baselined")) << r.err;
  EXPECT_TRUE(has(r.err, std::to_string(adopted) + " baseline entr")) << r.err;
  // A file that is no baseline is an error, not an empty baseline.
  write(d.p / "bad.json", "{\"findings\": 3}");
  EXPECT_EQ(tocsin(d.p, {"scan", "--baseline", "bad.json", "."}).code, 2);
  EXPECT_EQ(tocsin(d.p, {"scan", "--baseline", "missing.json", "."}).code, 2);
}

TEST(CliChangedSince, ScansOnlyChangedFilesThatExist) {
  TempDir d;
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"-c", "user.email=t@example.org", "-c", "user.name=t", "-c", "commit.gpgsign=false"});
    return run_in(d.p, "git", args);
  };
  // Outside a repository: a clear error.
  auto r = tocsin(d.p, {"scan", "--changed-since", "HEAD", "."});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.err, "git repository")) << r.err;
  ASSERT_EQ(git({"init", "-q"}).code, 0);
  write(d.p / "old/Dockerfile", kDockerfile);
  write(d.p / "gone/Dockerfile", kDockerfile);
  ASSERT_EQ(git({"add", "."}).code, 0);
  ASSERT_EQ(git({"commit", "-q", "-m", "one"}).code, 0);
  write(d.p / "new/Dockerfile", kDockerfile);  // untracked: not in `git diff`
  write(d.p / "changed/Dockerfile", kDockerfile);
  ASSERT_EQ(git({"add", "changed/Dockerfile"}).code, 0);
  fs::remove_all(d.p / "gone");
  r = tocsin(d.p, {"scan", "--changed-since", "HEAD", "--format", "json", "."});
  EXPECT_EQ(r.code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_FALSE(j["findings"].empty());
  for (const auto& f : j["findings"]) EXPECT_TRUE(has(f["file"].get<std::string>(), "changed/")) << f;
  EXPECT_EQ(j["files_scanned"], 1) << r.out;
  r = tocsin(d.p, {"scan", "--changed-since", "no-such-ref", "."});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(has(r.err, "no-such-ref")) << r.err;
}

}  // namespace
