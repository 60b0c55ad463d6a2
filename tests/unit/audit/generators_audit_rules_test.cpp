// Tests for `tocsin audit-rules`: line syntax of every variant, per-ABI syscall choices, keys,
// and (as root with auditctl) that the kernel accepts the rules and exactly they are removed.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit_rules.hpp"

namespace tocsin::audit {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

std::vector<std::string> rule_lines(const std::string& text) {
  std::vector<std::string> out;
  for (auto& l : lines_of(text))
    if (!l.empty() && l[0] != '#') out.push_back(l);
  return out;
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

AuditRulesOptions opts_for(std::vector<RulesArch> arches, RulesScope scope,
                           std::string prefix = "tocsin") {
  AuditRulesOptions o;
  o.arches = std::move(arches);
  o.scope = scope;
  o.key_prefix = std::move(prefix);
  return o;
}

TEST(AuditRulesSyntax, EveryVariantPassesTheLineCheck) {
  for (auto arch : {"x86_64", "i386", "aarch64", "all"}) {
    for (auto scope : {RulesScope::Lab, RulesScope::Host}) {
      auto arches = parse_rules_arch(arch);
      ASSERT_TRUE(arches.ok());
      std::string text = generate_audit_rules(opts_for(*arches, scope));
      auto rules = rule_lines(text);
      EXPECT_GT(rules.size(), 20u) << arch;
      for (auto& l : lines_of(text)) {
        auto st = check_audit_rule_line(l);
        EXPECT_TRUE(st.ok()) << arch << ": " << l << ": " << (st.ok() ? "" : st.error().message);
      }
    }
  }
}

TEST(AuditRulesSyntax, LineCheckRejectsBrokenRules) {
  EXPECT_TRUE(check_audit_rule_line("# comment").ok());
  EXPECT_TRUE(check_audit_rule_line("").ok());
  EXPECT_TRUE(check_audit_rule_line("-a always,exit -F arch=b64 -S execve -k k").ok());
  EXPECT_TRUE(check_audit_rule_line("-w /usr/bin/runc -p wa -k k").ok());
  EXPECT_FALSE(check_audit_rule_line("-D").ok());
  EXPECT_FALSE(check_audit_rule_line("-b 8192").ok());
  EXPECT_FALSE(check_audit_rule_line("-a always,exit -S execve -k k").ok());  // no arch
  EXPECT_FALSE(check_audit_rule_line("-a always,exit -S execve -F arch=b64 -k k").ok());
  EXPECT_FALSE(check_audit_rule_line("-a always,exit -F arch=b64 -S execve").ok());  // no key
  EXPECT_FALSE(check_audit_rule_line("-a sometimes,exit -F arch=b64 -S execve -k k").ok());
  EXPECT_FALSE(check_audit_rule_line("-a always,exit -F arch=b64 -S Execve -k k").ok());
  EXPECT_FALSE(check_audit_rule_line("-a always,exit -F arch=b64 -S execve -F exe=rel -k k").ok());
  EXPECT_FALSE(check_audit_rule_line("-a always,exit -F arch=b64 -S open -F perm=z -k k").ok());
  EXPECT_FALSE(check_audit_rule_line("-w relative -p wa -k k").ok());
  EXPECT_FALSE(check_audit_rule_line("-a always,exit -F arch=b64 -S execve -k").ok());
}

TEST(AuditRules, NeverDeletesOrReconfiguresTheAuditSystem) {
  std::string text = generate_audit_rules(opts_for({RulesArch::X86_64}, RulesScope::Lab));
  for (auto& l : rule_lines(text)) {
    EXPECT_NE(l.rfind("-D", 0), 0u) << l;
    EXPECT_NE(l.rfind("-b", 0), 0u) << l;
    EXPECT_NE(l.rfind("-e", 0), 0u) << l;
    EXPECT_NE(l.rfind("-r", 0), 0u) << l;
  }
  // The backlog advice is there, as a comment.
  EXPECT_TRUE(contains(text, "#     -b 8192"));
}

TEST(AuditRules, X86_64CoversBothAbisWithTheirOwnSyscallNames) {
  std::string text = generate_audit_rules(opts_for({RulesArch::X86_64}, RulesScope::Host));
  EXPECT_TRUE(contains(text, "-a always,exit -F arch=b64 -S rename,renameat,renameat2 -F success=1 -k tocsin_swap"));
  EXPECT_TRUE(contains(text, "-a always,exit -F arch=b32 -S rename,renameat,renameat2 -F success=1 -k tocsin_swap"));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S symlink,symlinkat -k tocsin_symlink"));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S execve,execveat -F exe=/usr/bin/docker -k tocsin_client"));
  EXPECT_TRUE(contains(text, "-F arch=b32 -S execve,execveat -F exe=/usr/local/bin/kubectl -k tocsin_client"));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S execve,execveat -F exe=/usr/sbin/dockerd -k tocsin_runtime_exec"));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S open,openat,openat2 -F exe=/usr/sbin/dockerd -F perm=w -k tocsin_runtime_write"));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S mount,umount2,unshare,setns,pivot_root,chroot"));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S chdir,fchdir -F exe=/usr/bin/runc -k tocsin_runtime_cwd"));
  EXPECT_TRUE(contains(text, "-w /usr/sbin/runc -p wa -k tocsin_runtime_bin"));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S execve,execveat -F auid!=4294967295 -k tocsin_exec"));
  // x86_64 has no umount; runtime-exe rules are 64-bit only.
  EXPECT_FALSE(contains(text, "-S mount,umount,"));
  EXPECT_FALSE(contains(text, "-F arch=b32 -S execve,execveat -F exe=/usr/sbin/dockerd"));
  // Host scope: no unfiltered execve, no stat checks.
  EXPECT_FALSE(contains(text, "-S execve,execveat -k tocsin_exec"));
  EXPECT_FALSE(contains(text, "tocsin_runtime_check"));
}

TEST(AuditRules, PodmansOwnCopyIsRecorded) {
  // podman copies in the client's own process: its namespace changes, its writes (the created
  // name is the resolved path of a copy in) and its checks (the identity of what a copy out
  // read) — without them a won podman race leaves no record.
  std::string text = generate_audit_rules(opts_for({RulesArch::X86_64}, RulesScope::Host));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S setns,unshare,chroot,pivot_root,chdir,fchdir -F exe=/usr/bin/podman -k tocsin_client_ns"));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S open,openat,openat2 -F exe=/usr/bin/podman -F perm=w -k tocsin_client_write"));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S creat,mkdir,mkdirat,"));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S stat,lstat,newfstatat,statx -F exe=/usr/bin/podman -F success=1 -k tocsin_client_check"));
  // Only podman: the docker client copies nothing itself.
  EXPECT_FALSE(contains(text, "-F exe=/usr/bin/docker -k tocsin_client_write"));
  auto keys = audit_rule_keys(opts_for({RulesArch::X86_64}, RulesScope::Host));
  for (const char* k : {"tocsin_client_ns", "tocsin_client_write", "tocsin_client_check"})
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k;
}

TEST(AuditRules, Aarch64UsesOnlySyscallsThatExistThere) {
  std::string text = generate_audit_rules(opts_for({RulesArch::Aarch64}, RulesScope::Lab));
  for (auto& l : rule_lines(text)) {
    if (!contains(l, "-F arch=b64")) continue;
    auto s = l.find(" -S ");
    ASSERT_NE(s, std::string::npos) << l;
    std::string list = l.substr(s + 4, l.find(' ', s + 4) - s - 4);
    std::stringstream names(list);
    std::string name;
    while (std::getline(names, name, ',')) {
      for (auto bad : {"rename", "open", "creat", "symlink", "lstat", "stat", "access",
                       "readlink", "umount", "mkdir", "link", "chown"})
        EXPECT_NE(name, bad) << "aarch64 has no " << bad << ": " << l;
    }
  }
  EXPECT_TRUE(contains(text, "-F arch=b64 -S renameat,renameat2 -k tocsin_swap"));
  EXPECT_TRUE(contains(text, "-F arch=b64 -S symlinkat -k tocsin_symlink"));
  // The arm compat ABI has the old names.
  EXPECT_TRUE(contains(text, "-F arch=b32 -S rename,renameat,renameat2 -k tocsin_swap"));
  // Lab scope: every exec and the runtime's checks.
  EXPECT_TRUE(contains(text, "-F arch=b64 -S execve,execveat -k tocsin_exec"));
  EXPECT_TRUE(contains(text, "-k tocsin_runtime_check"));
}

TEST(AuditRules, LabScopeFollowsContainerStartsUnderTheDataRoot) {
  // AU009 at a container's start: checks and uses of the container's files (they live under
  // /var/lib/docker, which -F dir= follows for every caller), successful ones only, both ABIs
  // (a 32-bit entrypoint is an easy way around b64-only rules).
  std::string lab = generate_audit_rules(opts_for({RulesArch::X86_64}, RulesScope::Lab));
  EXPECT_TRUE(contains(lab,
                       "-a always,exit -F arch=b64 -S stat,lstat,newfstatat,statx,access,faccessat,faccessat2,"
                       "readlink,readlinkat,open,openat,openat2,execve,execveat -F dir=/var/lib/docker "
                       "-F success=1 -k tocsin_container_start"));
  EXPECT_TRUE(contains(lab,
                       "-a always,exit -F arch=b32 -S stat64,lstat64,fstatat64,statx,access,faccessat,"
                       "faccessat2,readlink,readlinkat,open,openat,openat2,execve,execveat -F dir=/var/lib/docker "
                       "-F success=1 -k tocsin_container_start"));
  // What runc (runc init) reads while it sets a container up: the uses of its checks. Not
  // dockerd's reads (every layer file of every pull).
  EXPECT_TRUE(contains(lab, "-F arch=b64 -S open,openat,openat2 -F exe=/usr/sbin/runc -k tocsin_runtime_check"));
  EXPECT_TRUE(contains(lab, "-F arch=b64 -S open,openat,openat2 -F exe=/usr/bin/crun -k tocsin_runtime_check"));
  EXPECT_FALSE(contains(lab, "-S open,openat,openat2 -F exe=/usr/sbin/dockerd -k tocsin_runtime_check"));
  // The container-start rule comes after the runtime's own rules (the first match keys an event).
  EXPECT_LT(lab.find("_runtime_check\n"), lab.find("_container_start\n"));
  auto keys = audit_rule_keys(opts_for({RulesArch::X86_64}, RulesScope::Lab));
  EXPECT_NE(std::find(keys.begin(), keys.end(), "tocsin_container_start"), keys.end());
  // Host scope: never.
  std::string host = generate_audit_rules(opts_for({RulesArch::X86_64}, RulesScope::Host));
  EXPECT_FALSE(contains(host, "container_start"));
  EXPECT_FALSE(contains(host, "-F dir="));
  auto hkeys = audit_rule_keys(opts_for({RulesArch::X86_64}, RulesScope::Host));
  EXPECT_EQ(std::find(hkeys.begin(), hkeys.end(), "tocsin_container_start"), hkeys.end());
}

TEST(AuditRules, I386HasOnlyThe32BitAbi) {
  std::string text = generate_audit_rules(opts_for({RulesArch::I386}, RulesScope::Host));
  for (auto& l : rule_lines(text)) EXPECT_FALSE(contains(l, "arch=b64")) << l;
  EXPECT_TRUE(contains(text, "-F arch=b32 -S execve,execveat -F exe=/usr/sbin/dockerd -k tocsin_runtime_exec"));
  EXPECT_TRUE(contains(text, "-S mount,umount,umount2,"));
}

TEST(AuditRules, AllArchitecturesNameEachAbiExplicitly) {
  auto arches = parse_rules_arch("all");
  ASSERT_TRUE(arches.ok());
  std::string text = generate_audit_rules(opts_for(*arches, RulesScope::Host));
  for (auto a : {"x86_64", "i386", "aarch64", "arm"})
    EXPECT_TRUE(contains(text, std::string("-F arch=") + a + " -S ")) << a;
  for (auto& l : rule_lines(text)) {
    EXPECT_FALSE(contains(l, "arch=b64")) << l;
    EXPECT_FALSE(contains(l, "arch=b32")) << l;
  }
}

TEST(AuditRules, KeysCarryThePrefixAndAreListed) {
  auto o = opts_for({RulesArch::X86_64}, RulesScope::Lab, "zz9");
  std::string text = generate_audit_rules(o);
  auto keys = audit_rule_keys(o);
  std::set<std::string> listed(keys.begin(), keys.end());
  std::set<std::string> used;
  for (auto& l : rule_lines(text)) {
    auto k = l.rfind(" -k ");
    ASSERT_NE(k, std::string::npos) << l;
    used.insert(l.substr(k + 4));
  }
  EXPECT_EQ(used, listed);
  for (auto& k : used) EXPECT_EQ(k.rfind("zz9_", 0), 0u) << k;
}

TEST(AuditRules, OptionParsing) {
  EXPECT_TRUE(parse_rules_arch("amd64").ok());
  EXPECT_TRUE(parse_rules_arch("ARM64").ok());
  EXPECT_FALSE(parse_rules_arch("mips").ok());
  EXPECT_EQ(parse_rules_arch("all")->size(), 3u);
  EXPECT_TRUE(parse_rules_scope("lab").ok());
  EXPECT_FALSE(parse_rules_scope("everything").ok());
  EXPECT_TRUE(valid_key_prefix("tocsin"));
  EXPECT_TRUE(valid_key_prefix("t-1_x"));
  EXPECT_FALSE(valid_key_prefix(""));
  EXPECT_FALSE(valid_key_prefix("has space"));
  EXPECT_FALSE(valid_key_prefix("a\"b"));
  EXPECT_FALSE(valid_key_prefix(std::string(25, 'a')));
}

// ---- kernel round trip: as root with auditctl, load the rules and remove exactly them.

int run(const std::string& cmd, std::string* out = nullptr) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int rc = pclose(p);
  if (out != nullptr) *out = text;
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

bool ci() {
  const char* c = std::getenv("CI");
  return c != nullptr && std::string(c) == "true";
}

size_t count_lines_with(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto& l : lines_of(text))
    if (contains(l, needle)) ++n;
  return n;
}

class KernelRules : public ::testing::TestWithParam<std::pair<const char*, RulesScope>> {};

// The machine's lab lock (tests/e2e and scripts/lab hold it while they load rules and record):
// loading kernel rules while a lab recording runs adds events to it, and the lab removing its
// rules meanwhile would read as this test removing them. Waits up to 5 minutes; a run that
// wraps the whole ctest in `flock -o` holds it elsewhere, so after that the test goes on.
struct LabLock {
  int fd = ::open("/tmp/tocsin-lab.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  bool held = false;
  LabLock() {
    for (int i = 0; fd >= 0 && i < 600 && !(held = ::flock(fd, LOCK_EX | LOCK_NB) == 0); ++i) ::usleep(500000);
  }
  ~LabLock() {
    if (fd >= 0) ::close(fd);
  }
};

TEST_P(KernelRules, AuditctlLoadsThemAndTheyAreRemovedExactly) {
  bool can = geteuid() == 0 && run("auditctl -s") == 0;
  if (!can) {
    if (ci()) FAIL() << "CI=true but auditctl cannot be used (need root and a kernel with audit)";
    GTEST_SKIP() << "needs root and auditctl";
  }
  // "host": this machine's own ABIs (b64/b32 resolve to them when auditctl loads the file).
  std::vector<RulesArch> arches = {host_rules_arch()};
  if (std::string(GetParam().first) != "host") {
    auto parsed = parse_rules_arch(GetParam().first);
    ASSERT_TRUE(parsed.ok());
    arches = *parsed;
  }
  LabLock lab_lock;
  AuditRulesOptions o = opts_for(arches, GetParam().second,
                                 "tocsintest" + std::to_string(getpid()));
  std::string text = generate_audit_rules(o);
  if (::access("/var/lib/docker", F_OK) != 0) {
    // The kernel refuses a -F dir= rule on a missing directory (no Docker on this machine):
    // load the rest.
    std::string kept;
    for (auto& l : lines_of(text))
      if (!contains(l, " -F dir=/var/lib/docker ")) kept += l + "\n";
    text = kept;
  }
  std::string path = "/tmp/tocsin-audit-rules-test-" + std::to_string(getpid()) + ".rules";
  {
    std::ofstream f(path);
    f << text;
  }
  auto keys = audit_rule_keys(o);
  struct Cleanup {
    std::vector<std::string> keys;
    std::string path;
    ~Cleanup() {
      for (auto& k : keys) run("auditctl -D -k " + k);
      std::remove(path.c_str());
    }
  } cleanup{keys, path};

  std::string before;
  ASSERT_EQ(run("auditctl -l", &before), 0);
  std::string out;
  int rc = run("auditctl -R " + path, &out);
  ASSERT_EQ(rc, 0) << "auditctl rejected the rules:\n" << out;
  std::string listed;
  ASSERT_EQ(run("auditctl -l", &listed), 0);
  size_t expected = rule_lines(text).size();
  EXPECT_EQ(count_lines_with(listed, "=" + o.key_prefix + "_") +
                count_lines_with(listed, "-k " + o.key_prefix + "_"),
            expected);
  for (auto& k : keys) ASSERT_EQ(run("auditctl -D -k " + k), 0) << k;
  std::string after;
  ASSERT_EQ(run("auditctl -l", &after), 0);
  EXPECT_EQ(count_lines_with(after, o.key_prefix), 0u);
  // Nothing else was removed (others may add rules meanwhile, so only a subset check). Rules of
  // this test's other variants, which ctest may run at the same time in other processes (their
  // keys carry their own pid), come and go on their own and are not ours to account for.
  for (auto& l : lines_of(before))
    if (l != "No rules" && l.find("tocsintest") == std::string::npos &&
        (lab_lock.held || l.find("tocsin-lab") == std::string::npos)) {
      EXPECT_TRUE(contains(after, l)) << "removed a rule that is not ours: " << l;
    }
}

INSTANTIATE_TEST_SUITE_P(Variants, KernelRules,
                         ::testing::Values(std::make_pair("host", RulesScope::Host),
                                           std::make_pair("host", RulesScope::Lab),
                                           std::make_pair("all", RulesScope::Lab)));

}  // namespace
}  // namespace tocsin::audit
