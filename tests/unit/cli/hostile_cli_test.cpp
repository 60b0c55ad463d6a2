// The tocsin binary on hostile input, end to end: escape-laden file names, YAML keys,
// Dockerfile words and audit argv/comm/paths reach no output raw, in any format; -o never
// writes through a symlink planted at the output path.
#include <gtest/gtest.h>

#include <algorithm>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "repeat.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using tocsin::test::TempDir;

namespace {

// The sanitizers' shadow memory and quarantine are not the program's: memory bounds are checked
// in the normal build only.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

struct Run {
  int code = -1;
  std::string out, err;
  long max_rss_kb = 0;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

// Runs the binary in `cwd` with stdout/stderr into files (not a terminal: the pipe case).
Run run_tocsin(const fs::path& cwd, const std::vector<std::string>& args) {
  fs::path o = cwd / ".stdout", e = cwd / ".stderr";
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    int fo = ::open(o.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fe = ::open(e.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fi = ::open("/dev/null", O_RDONLY);
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    ::dup2(fi, 0);
    std::vector<char*> argv;
    std::string bin = TOCSIN_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  Run r;
  int status = 0;
  struct rusage ru {};
  ::wait4(pid, &status, 0, &ru);
  r.max_rss_kb = ru.ru_maxrss;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(o);
  r.err = slurp(e);
  fs::remove(o);
  fs::remove(e);
  return r;
}

// A byte a terminal acts on (C0 but \t \n, DEL, raw or UTF-8 C1, stray continuation bytes).
bool has_control(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
    if (c >= 0x80 && c <= 0xBF && (i == 0 || static_cast<unsigned char>(s[i - 1]) < 0x80)) return true;
  }
  return false;
}

std::string hex(std::string_view s) {
  static const char* d = "0123456789ABCDEF";
  std::string o;
  for (unsigned char c : s) {
    o += d[c >> 4];
    o += d[c & 15];
  }
  return o;
}

// One `docker cp` event whose argv, comm and cwd carry escape sequences (hex-encoded, as
// auditd writes values with special bytes).
std::string hostile_log() {
  const std::string id = "msg=audit(1795331084.708:289942): ";
  return "node=node-1 type=SYSCALL " + id +
         "arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=4100 pid=4242 "
         "auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=" +
         hex("dock\x1b[2Jer") + " exe=\"/usr/bin/docker\" key=\"tocsin_client\"\n" +
         "node=node-1 type=EXECVE " + id + "argc=4 a0=\"docker\" a1=\"cp\" a2=" + hex("pay\x1b]0;pwned\x07load") +
         " a3=" + hex("victim\x1b[31m:/w/dir\xc2\x9b" "2J/\xff\xfe") + "\n" +
         "node=node-1 type=CWD " + id + "cwd=" + hex("/home/\x1b[8madmin") + "\n" +
         "node=node-1 type=PATH " + id + "item=0 name=\"/usr/bin/docker\" inode=1234 dev=08:01 mode=0100755 "
         "ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0\n" +
         "node=node-1 type=EOE " + id + "\n";
}

}  // namespace

TEST(HostileCli, IssueReproComposeKeyDoesNotClearTheScreen) {
  TempDir d;
  spit(d.p / "c.yaml", "services:\n  \"a\x1b[2Jb\":\n    image: x\n    privileged: true\n");
  auto r = run_tocsin(d.p, {"scan", "--no-config", "c.yaml"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_FALSE(has_control(r.out)) << r.out;
  EXPECT_FALSE(has_control(r.err)) << r.err;
  EXPECT_NE(r.out.find("a\\x1b[2Jb"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DC007"), std::string::npos) << r.out;
}

TEST(HostileCli, EveryScanFormatWithEscapesInNamesWordsAndInvalidUtf8) {
  TempDir d;
  fs::create_directories(d.p / "tree");
  std::string evil = "Dockerfile.\x1b]0;x\x07\x1b[2J";
  spit(d.p / "tree" / evil,
       "FROM alpine\nUSER 1000\nRUN mkdir /d\x1b[2J\xff && chmod 777 /d\x1b[2J\xff \xe2\x80\xae\xc2\x9b\n");
  for (std::string fmt : {"text", "json", "sarif", "github"}) {
    auto r = run_tocsin(d.p, {"scan", "--no-config", "--format", fmt, "tree"});
    EXPECT_EQ(r.code, 1) << fmt << r.err;
    EXPECT_FALSE(has_control(r.out)) << fmt << ": " << r.out;
    EXPECT_FALSE(has_control(r.err)) << fmt << ": " << r.err;
    EXPECT_NE(r.out.find("DF010"), std::string::npos) << fmt << r.out;
    if (fmt == "json" || fmt == "sarif") {
      EXPECT_TRUE(nlohmann::json::accept(r.out)) << fmt;
    }
  }
  // A file named on the command line that is not a known kind: the note names it escaped.
  spit(d.p / "x\x1b[2J.txt", "hello\n");
  auto r = run_tocsin(d.p, {"scan", "--no-config", "x\x1b[2J.txt"});
  EXPECT_FALSE(has_control(r.err)) << r.err;
  EXPECT_NE(r.err.find("x\\x1b[2J.txt"), std::string::npos) << r.err;
}

TEST(HostileCli, HuntTextAndJsonlWithEscapesInArgvCommAndPaths) {
  TempDir d;
  spit(d.p / "audit.log", hostile_log());
  auto t = run_tocsin(d.p, {"hunt", "--format", "text", "audit.log"});
  EXPECT_EQ(t.code, 0) << t.err;  // AU001 is info; the default --fail-on is low
  EXPECT_FALSE(has_control(t.out)) << t.out;
  EXPECT_FALSE(has_control(t.err)) << t.err;
  EXPECT_NE(t.out.find("victim\\x1b[31m"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("pay\\x1b]0;pwned\\x07load"), std::string::npos) << t.out;
  auto j = run_tocsin(d.p, {"hunt", "--format", "jsonl", "audit.log"});
  EXPECT_FALSE(has_control(j.out)) << j.out;
  ASSERT_FALSE(j.out.empty());
  auto first = nlohmann::json::parse(j.out.substr(0, j.out.find('\n')));
  EXPECT_EQ(first["rule"], "AU001");
  std::string container = first["docker_cp"]["container"];
  EXPECT_EQ(container, "victim\x1b[31m");  // exact data, escaped only in its encoding
  // A log file name with escapes, in the stderr diagnostics.
  auto m = run_tocsin(d.p, {"hunt", "missing\x1b[2J.log"});
  EXPECT_EQ(m.code, 2);
  EXPECT_FALSE(has_control(m.err)) << m.err;
  EXPECT_NE(m.err.find("missing\\x1b[2J.log"), std::string::npos) << m.err;
}

TEST(HostileCli, OutputSymlinksAreReplacedNeverFollowed) {
  TempDir d;
  spit(d.p / "victim", "precious\n");
  spit(d.p / "Dockerfile", "FROM alpine\nRUN chmod 777 /d\n");
  spit(d.p / "audit.log", hostile_log());
  for (const char* link : {"scan.sarif", "hunt.jsonl", "model"}) fs::create_symlink(d.p / "victim", d.p / link);
  auto s = run_tocsin(d.p, {"scan", "--no-config", "--format", "sarif", "-o", "scan.sarif", "Dockerfile"});
  EXPECT_EQ(s.code, 1) << s.err;
  auto h = run_tocsin(d.p, {"hunt", "--format", "jsonl", "-o", "hunt.jsonl", "audit.log"});
  EXPECT_EQ(h.code, 0) << h.err;
  auto b = run_tocsin(d.p, {"baseline", "train", "--timezone", "UTC", "-o", "model", "audit.log"});
  EXPECT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(slurp(d.p / "victim"), "precious\n");
  for (const char* link : {"scan.sarif", "hunt.jsonl", "model"}) {
    EXPECT_FALSE(fs::is_symlink(fs::symlink_status(d.p / link))) << link;
    EXPECT_GT(fs::file_size(d.p / link), 0u) << link;
  }
  EXPECT_TRUE(nlohmann::json::accept(slurp(d.p / "scan.sarif")));
  // -o /dev/null still works (written into, not replaced).
  auto n = run_tocsin(d.p, {"scan", "--no-config", "-o", "/dev/null", "Dockerfile"});
  EXPECT_EQ(n.code, 1) << n.err;
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

namespace {

// `mb` MB of ordinary audit events (file opens by a few processes, distinct serials).
void write_benign_log(const fs::path& p, size_t mb) {
  std::ofstream out(p, std::ios::binary);
  std::string chunk;
  uint64_t serial = 1;
  size_t written = 0;
  while (written < (mb << 20)) {
    chunk.clear();
    for (int i = 0; i < 1000; ++i, ++serial) {
      std::string id = "msg=audit(1795331084." + std::to_string(100 + serial % 900) + ":" + std::to_string(serial) + "): ";
      chunk += "type=SYSCALL " + id + "arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=1 a2=0 a3=0 items=1 ppid=1 pid=" +
               std::to_string(100 + serial % 7) + " auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 "
               "sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"x\"\n";
      chunk += "type=CWD " + id + "cwd=\"/home/u\"\n";
      chunk += "type=PATH " + id + "item=0 name=\"/etc/hostname\" inode=5 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0\n";
      chunk += "type=EOE " + id + "\n";
    }
    out << chunk;
    written += chunk.size();
  }
}

}  // namespace

TEST(HostileCli, HuntMemoryIsFlatInTheLogSize) {
  if (kSanitized) GTEST_SKIP() << "memory is measured in the normal build";
  TempDir d;
  write_benign_log(d.p / "small.log", 8);
  write_benign_log(d.p / "big.log", 80);
  auto small = run_tocsin(d.p, {"hunt", "-q", "--format", "jsonl", "small.log"});
  auto big = run_tocsin(d.p, {"hunt", "-q", "--format", "jsonl", "big.log"});
  EXPECT_EQ(small.code, 0) << small.err;
  EXPECT_EQ(big.code, 0) << big.err;
  // Benign: no alert, only the summary record (complete, every event read).
  EXPECT_EQ(big.out.rfind("{\"summary\":", 0), 0u) << big.out.substr(0, 500);
  EXPECT_EQ(std::count(big.out.begin(), big.out.end(), '\n'), 1) << big.out.substr(0, 500);
  EXPECT_NE(big.out.find("\"alerts\":0,"), std::string::npos) << big.out.substr(0, 500);
  EXPECT_NE(big.out.find("\"complete\":true"), std::string::npos) << big.out.substr(0, 500);
  // Ten times the log, (almost) the same memory: the log is streamed, not held.
  EXPECT_LT(big.max_rss_kb, small.max_rss_kb + 24 * 1024) << small.max_rss_kb << " -> " << big.max_rss_kb;
  EXPECT_LT(big.max_rss_kb, 80 * 1024);
}


namespace {
// A Compose file of `bytes` of services `sN: {image: x}` (distinct names).
std::string numbered_services(size_t bytes) {
  std::string out = "services:\n";
  for (size_t i = 0; out.size() < bytes; ++i) out += "  s" + std::to_string(i) + ": {image: x}\n";
  return out;
}
}  // namespace

// docs/reliability.md "Bounds": `tocsin scan` on huge hostile files stays under 10x the input
// in memory (the child's getrusage; 16 MiB inputs here, the doc's table has 50 MiB), and what a
// limit cut is said with a location. Shapes: the issue's script, Dockerfile and Compose line,
// and the ones that were 30-100x before the limits (many commands, many instructions, newlines).
TEST(HostileCli, ScanMemoryStaysUnderTenTimesTheInput) {
  if (kSanitized) GTEST_SKIP() << "memory is measured in the normal build";
  TempDir d;
  const size_t size = 16u << 20;
  using tocsin::test::repeat;
  struct Case {
    std::string dir, name;
    std::function<std::string()> make;  // made, written and freed before the run: a forked
                                        // child's peak counts the parent's memory at the fork
    std::string expect;                 // a message the report must carry ("" none)
    size_t max_ratio = 10;              // peak memory / input size
  };
  std::vector<Case> cases = {
      {"script", "big.sh", [&] { return repeat("echo hello world; cp a b\n", size); }, ""},
      {"docker-script", "big.sh", [&] { return repeat("docker ps\n", size); }, "more than 100000 container commands"},
      {"one-line", "Dockerfile", [&] { return "RUN echo " + std::string(size, 'a') + "\n"; }, ""},
      {"runs", "Dockerfile", [&] { return "FROM x\n" + repeat("RUN echo a\n", size); }, "more than 10000 instructions"},
      {"semicolons", "Dockerfile", [&] { return "FROM x\nRUN " + repeat("a;", size) + "\n"; },
       "more than 100000 shell commands"},
      {"newlines", "Dockerfile", [&] { return "FROM x\n" + std::string(size, '\n'); }, ""},
      {"compose", "compose.yaml",
       [&] { return "{services: {a: {image: \"" + std::string(size, 'a') + "\", privileged: true}}}\n"; }, ""},
      {"k8s-docs", "manifest.yaml",
       [&] {
         return repeat(
             "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n", size);
       },
       "more than 2000000 YAML nodes"},
      // Dense YAML, a node every 5 bytes: 32-byte nodes without an allocation each, and
      // Kubernetes workloads modelled a batch at a time (docs/reliability.md).
      {"compose-services", "compose.yaml", [&] { return numbered_services(size); }, ""},
  };
  for (const auto& c : cases) {
    fs::create_directories(d.p / c.dir);
    size_t bytes = 0;
    {
      std::string content = c.make();
      bytes = content.size();
      spit(d.p / c.dir / c.name, content);
    }
    auto r = run_tocsin(d.p / c.dir, {"scan", "--no-config", "--format", "json", "-o", "out.json", c.name});
    EXPECT_LE(r.code, 1) << c.dir << ": " << r.err;
    EXPECT_LT(static_cast<size_t>(r.max_rss_kb) * 1024, c.max_ratio * bytes)
        << c.dir << ": " << r.max_rss_kb << " KB for " << bytes << " bytes";
    EXPECT_LT(r.max_rss_kb, 512 * 1024) << c.dir;
    std::string report = slurp(d.p / c.dir / "out.json");
    if (!c.expect.empty()) {
      EXPECT_NE(report.find(c.expect), std::string::npos) << c.dir << ": " << report.substr(0, 400);
    }
    fs::remove_all(d.p / c.dir);
  }
}
