// Generator for `tocsin audit-rules`: which syscalls, by which programs, under which keys the
// detections need, written per ABI because syscall names differ between architectures.
#include "audit/audit_rules.hpp"
#include "core/strings.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>

namespace tocsin::audit {
namespace {

// Syscall tables auditctl resolves names against. The 32-bit ABI of an aarch64 kernel is arm.
enum class Abi { X86_64, I386, Aarch64, Arm };

struct AbiLine {
  Abi abi;
  std::string label;  // what goes after -F arch=
  bool native64;      // the ABI the runtime daemons run in
};

// Syscalls an ABI does not have (auditctl rejects the whole file on an unknown name).
bool abi_has(Abi abi, std::string_view name) {
  static constexpr std::array<std::string_view, 14> kNotOnAarch64 = {
      "rename", "open",   "creat",    "symlink", "stat",  "lstat", "access",
      "readlink", "umount", "mkdir", "mknod", "link", "chown", "lchown"};
  static constexpr std::array<std::string_view, 4> kNotOnX86_64 = {"umount", "stat64", "lstat64",
                                                                    "fstatat64"};
  static constexpr std::array<std::string_view, 1> kNotOn32 = {"newfstatat"};
  auto in = [&](const auto& list) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  switch (abi) {
    case Abi::Aarch64:
      return !in(kNotOnAarch64) && name != "stat64" && name != "lstat64" && name != "fstatat64";
    case Abi::X86_64:
      return !in(kNotOnX86_64);
    case Abi::I386:
    case Abi::Arm:
      return !in(kNotOn32) && name != "stat" && name != "lstat";  // 32-bit: stat64 family
  }
  return false;
}

std::string syscall_list(Abi abi, std::initializer_list<std::string_view> names) {
  std::string out;
  for (auto n : names) {
    if (!abi_has(abi, n)) continue;
    if (!out.empty()) out += ',';
    out += n;
  }
  return out;
}

// Programs the users run to copy into/out of containers. Real paths, not symlinks: the
// kernel compares the executable's inode, and a symlink has its own.
constexpr std::array<std::string_view, 8> kClientExes = {
    "/usr/bin/docker",  "/usr/local/bin/docker",  "/usr/bin/podman",  "/usr/local/bin/podman",
    "/usr/bin/nerdctl", "/usr/local/bin/nerdctl", "/usr/bin/kubectl", "/usr/local/bin/kubectl"};

// Clients that copy themselves (no daemon): podman's `cp` works in the client's own process.
constexpr std::array<std::string_view, 2> kSelfCopyingClientExes = {"/usr/bin/podman", "/usr/local/bin/podman"};

// The runtime: dockerd (docker-untar/docker-tar/docker-applyLayer are dockerd re-executed),
// containerd and its runc shim, runc (`runc init` is runc re-executed), crun.
constexpr std::array<std::string_view, 10> kRuntimeExes = {
    "/usr/bin/dockerd",    "/usr/sbin/dockerd",
    "/usr/bin/containerd", "/usr/local/bin/containerd",
    "/usr/bin/containerd-shim-runc-v2", "/usr/local/bin/containerd-shim-runc-v2",
    "/usr/bin/runc",       "/usr/sbin/runc",
    "/usr/local/sbin/runc", "/usr/bin/crun"};

std::vector<AbiLine> abi_lines(const std::vector<RulesArch>& arches) {
  std::vector<AbiLine> out;
  bool explicit_names = arches.size() > 1;
  for (auto a : arches) {
    switch (a) {
      case RulesArch::X86_64:
        out.push_back({Abi::X86_64, explicit_names ? "x86_64" : "b64", true});
        out.push_back({Abi::I386, explicit_names ? "i386" : "b32", false});
        break;
      case RulesArch::I386:
        out.push_back({Abi::I386, explicit_names ? "i386" : "b32", true});
        break;
      case RulesArch::Aarch64:
        out.push_back({Abi::Aarch64, explicit_names ? "aarch64" : "b64", true});
        out.push_back({Abi::Arm, explicit_names ? "arm" : "b32", false});
        break;
    }
  }
  // i386 is both x86_64's compat ABI and a machine of its own: one set of rules for it.
  std::vector<AbiLine> unique;
  for (auto& l : out) {
    auto it = std::find_if(unique.begin(), unique.end(), [&](auto& u) { return u.abi == l.abi; });
    if (it == unique.end()) unique.push_back(l);
    else it->native64 = it->native64 || l.native64;
  }
  return unique;
}

std::string_view abi_title(Abi a) {
  switch (a) {
    case Abi::X86_64: return "x86_64";
    case Abi::I386: return "i386";
    case Abi::Aarch64: return "aarch64";
    case Abi::Arm: return "arm (32-bit compat)";
  }
  return "";
}

std::string_view arch_title(RulesArch a) {
  switch (a) {
    case RulesArch::X86_64: return "x86_64";
    case RulesArch::I386: return "i386";
    case RulesArch::Aarch64: return "aarch64";
  }
  return "";
}

class Writer {
 public:
  explicit Writer(std::string prefix) : prefix_(std::move(prefix)) {}
  void comment(std::string_view text) {
    if (text.empty()) {
      out_ += "#\n";
      return;
    }
    out_ += "# ";
    out_ += text;
    out_ += '\n';
  }
  void blank() { out_ += '\n'; }
  // One syscall rule; skipped when the ABI has none of the syscalls.
  void rule(const AbiLine& abi, std::initializer_list<std::string_view> syscalls,
            std::string_view filters, std::string_view purpose) {
    std::string list = syscall_list(abi.abi, syscalls);
    if (list.empty()) return;
    out_ += fmt::format("-a always,exit -F arch={} -S {}{}{} -k {}\n", abi.label, list,
                        filters.empty() ? "" : " ", filters, key(purpose));
  }
  void watch(std::string_view path, std::string_view perms, std::string_view purpose) {
    out_ += fmt::format("-w {} -p {} -k {}\n", path, perms, key(purpose));
  }
  std::string key(std::string_view purpose) const { return fmt::format("{}_{}", prefix_, purpose); }
  std::string take() { return std::move(out_); }

 private:
  std::string prefix_;
  std::string out_;
};

constexpr std::string_view kUnsetAuid = "4294967295";
// Where dockerd keeps container roots (vfs: vfs/dir/<id>, overlay2: overlay2/<id>/merged).
constexpr std::string_view kDockerDataRoot = "/var/lib/docker";

}  // namespace

Result<std::vector<RulesArch>> parse_rules_arch(std::string_view s) {
  const std::string v = ascii_lower(s);
  if (v == "x86_64" || v == "amd64" || v == "x64") return std::vector<RulesArch>{RulesArch::X86_64};
  if (v == "i386" || v == "i686" || v == "x86") return std::vector<RulesArch>{RulesArch::I386};
  if (v == "aarch64" || v == "arm64") return std::vector<RulesArch>{RulesArch::Aarch64};
  if (v == "all")
    return std::vector<RulesArch>{RulesArch::X86_64, RulesArch::I386, RulesArch::Aarch64};
  return Error{fmt::format("unknown architecture '{}': use x86_64, i386, aarch64 or all", s)};
}

Result<RulesScope> parse_rules_scope(std::string_view s) {
  if (s == "lab") return RulesScope::Lab;
  if (s == "host") return RulesScope::Host;
  return Error{fmt::format("unknown scope '{}': use lab or host", s)};
}

RulesArch host_rules_arch() {
  struct utsname u {};
  if (uname(&u) == 0) {
    std::string_view m = u.machine;
    if (m == "aarch64" || m == "arm64") return RulesArch::Aarch64;
    if (m == "i386" || m == "i486" || m == "i586" || m == "i686") return RulesArch::I386;
  }
  return RulesArch::X86_64;
}

bool valid_key_prefix(std::string_view p) {
  if (p.empty() || p.size() > 24) return false;
  return std::all_of(p.begin(), p.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '-';
  });
}

std::vector<std::string> audit_rule_keys(const AuditRulesOptions& opts) {
  std::vector<std::string> purposes = {"client",        "client_ns",     "client_write",
                                       "client_check",  "runtime_exec",  "runtime_ns",
                                       "runtime_write", "runtime_cwd",   "runtime_bin",
                                       "swap",          "symlink",       "exec"};
  if (opts.scope == RulesScope::Lab) {
    purposes.push_back("runtime_check");
    purposes.push_back("container_start");
    purposes.push_back("cwd");
  }
  std::vector<std::string> keys;
  keys.reserve(purposes.size());
  for (auto& p : purposes) keys.push_back(fmt::format("{}_{}", opts.key_prefix, p));
  return keys;
}

std::string generate_audit_rules(const AuditRulesOptions& opts) {
  Writer w(opts.key_prefix);
  const bool lab = opts.scope == RulesScope::Lab;
  const auto abis = abi_lines(opts.arches);
  std::string arch_names;
  for (auto a : opts.arches) {
    if (!arch_names.empty()) arch_names += ", ";
    arch_names += arch_title(a);
  }

  w.comment(fmt::format("tocsin audit rules (tocsin {}) — scope: {}, architecture: {}",
                        TOCSIN_VERSION, lab ? "lab" : "host", arch_names));
  w.comment("");
  w.comment("Install:  tocsin audit-rules > /etc/audit/rules.d/tocsin.rules && augenrules --load");
  w.comment("Check:    auditctl -l | grep ' -F key=" + opts.key_prefix + "_'");
  w.comment("          tocsin audit-rules --check   (what the loaded rules let each detection see: rules");
  w.comment("          loaded before these — never rules, exclude filters — can defeat them)");
  w.comment("Remove exactly these rules (and no others), one key at a time:");
  std::string keys;
  for (auto& k : audit_rule_keys(opts)) keys += " " + k;
  w.comment("  for k in" + keys + "; do auditctl -D -k $k; done");
  w.comment("");
  if (opts.arches.size() > 1) {
    w.comment("Several architectures: rules name the ABI explicitly (-F arch=x86_64, i386, aarch64,");
    w.comment("arm), so this file loads on any of them; rules for another machine never match.");
  } else {
    w.comment("-F arch=b64/b32 are resolved by auditctl on the machine that loads the file: load it");
    w.comment("on a " + std::string(arch_title(opts.arches.front())) +
              " machine (other machines: --arch all or their own --arch).");
  }
  w.comment("The 32-bit ABI is covered for everything an unprivileged program can do (a 32-bit");
  w.comment("swap loop in an i386/arm container image is an easy way around b64-only rules);");
  w.comment("rules filtered on the runtime's own executables are 64-bit only.");
  w.comment("");
  w.comment("Keys: <prefix>_client (docker/podman/nerdctl/kubectl runs), _client_ns, _client_write,");
  w.comment("_client_check (podman's own copy: namespaces, writes, checks), _runtime_exec (dockerd");
  w.comment("re-executed as docker-untar/docker-tar, containerd-shim, runc init), _runtime_ns,");
  w.comment("_runtime_write, _runtime_cwd, _runtime_bin (the runtime's namespaces, writes, working");
  w.comment("directory, binaries), _swap (rename loops), _symlink, _exec (other programs)" +
            std::string(lab ? ", _runtime_check, _container_start, _cwd." : "."));
  w.comment("The kernel uses the first rule that matches, so specific rules come first. Rules");
  w.comment("loaded before this file (`-a never,exit ...` exclusions, other keys) win over these.");
  w.comment("");
  w.comment("Event volume and backlog:");
  w.comment("- A swap loop (CVE-2018-15664) is thousands of renameat2 calls per second, each one an");
  w.comment("  event of ~6 PATH records. Give the kernel a backlog that survives the burst and do");
  w.comment("  not rate-limit: a full backlog or -r drops events, which tocsin reports as AU008 but");
  w.comment("  cannot undo. Suggested (in your base config, not here, so that its order is kept):");
  w.comment("    -b 8192");
  w.comment("    --backlog_wait_time 60000");
  w.comment("    -r 0");
  w.comment("  and in auditd.conf: disp_qos = lossless, q_depth >= 4000 when a dispatcher plugin");
  w.comment("  (tocsin watch as an audisp plugin) is used.");
  w.comment("- Rename and symlink rules see every program (package managers, editors, log rotation:");
  w.comment("  usually tens per second on a busy host). Runtime write rules fire for every file an");
  w.comment("  image pull or build extracts (tens of thousands per large image).");
  if (lab) {
    w.comment("- Lab scope also records every execve and chdir of every process, the runtime's");
    w.comment("  stat/access/readlink checks and every successful stat/open/exec on a file under");
    w.comment("  /var/lib/docker (AU009): far too much for a production host.");
  } else {
    w.comment("- Host scope records execve only for the container clients, the runtime, and programs");
    w.comment("  started from a login session (auid set: interactive users, sudo, cron jobs, which");
    w.comment("  have no terminal). Daemons and container processes (auid unset) are not recorded");
    w.comment("  unless they run a client by one of the paths below. Narrower (humans only): change");
    w.comment("  `-F auid!=4294967295` to `-F auid>=1000 -F auid!=4294967295`; broader (every");
    w.comment("  process, needed for AU006 child programs of docker-tar), and the runtime's stat/access/");
    w.comment("  readlink checks AU009 compares: use --scope lab.");
  }
  w.comment("");
  w.comment("-F exe= rules name each install location: the directory must exist on the host (the");
  w.comment("kernel refuses the rule otherwise) and a symlink never matches (use `readlink -f");
  w.comment("$(command -v docker)` and add a line when yours lives elsewhere, e.g. /snap/bin).");
  w.comment("auditctl 3.0+ is needed for openat2/faccessat2 (kernel 5.6+/5.8+).");
  w.blank();

  w.comment("== Container clients: who ran docker cp / kubectl cp, from where, with what arguments");
  for (auto& abi : abis) {
    w.comment(fmt::format("{} ABI", abi_title(abi.abi)));
    for (auto exe : kClientExes)
      w.rule(abi, {"execve", "execveat"}, fmt::format("-F exe={}", exe), "client");
  }
  w.blank();

  w.comment("== podman copies in the client's own process (no daemon, no helper argv): it setns()es into");
  w.comment("the container's mount namespace and creates, re-owns and stats container paths itself, and");
  w.comment("re-executes itself (chrootuser-open <container root>, buildah-copier) chdir'ed/chrooted. A won");
  w.comment("race shows only here: the created name (copy in) or the identity of the file its last stat");
  w.comment("saw (copy out: reads are not recorded). Volume: a few hundred stats per podman command.");
  for (auto& abi : abis) {
    if (!abi.native64) continue;
    w.comment(fmt::format("{} ABI", abi_title(abi.abi)));
    for (auto exe : kSelfCopyingClientExes) {
      w.rule(abi, {"setns", "unshare", "chroot", "pivot_root", "chdir", "fchdir"}, fmt::format("-F exe={}", exe),
             "client_ns");
      w.rule(abi, {"open", "openat", "openat2"}, fmt::format("-F exe={} -F perm=w", exe), "client_write");
      w.rule(abi, {"creat", "mkdir", "mkdirat", "link", "linkat", "symlink", "symlinkat", "fchownat"},
             fmt::format("-F exe={}", exe), "client_write");
      w.rule(abi, {"stat", "lstat", "newfstatat", "statx"}, fmt::format("-F exe={} -F success=1", exe),
             "client_check");
    }
  }
  w.blank();

  w.comment("== The runtime executing: docker-untar/docker-tar (exe is dockerd: the helper is dockerd");
  w.comment("re-executed), containerd-shim-runc-v2 ... -id <container> (process attribution), runc init");
  for (auto& abi : abis) {
    if (!abi.native64) continue;
    w.comment(fmt::format("{} ABI", abi_title(abi.abi)));
    for (auto exe : kRuntimeExes)
      w.rule(abi, {"execve", "execveat"}, fmt::format("-F exe={}", exe), "runtime_exec");
  }
  w.blank();

  w.comment("== The runtime's namespaces and root changes: in-process copies (moby 28+ unshares, mounts");
  w.comment("and pivots/chroots instead of re-executing), mount tricks during container start");
  for (auto& abi : abis) {
    if (!abi.native64) continue;
    w.comment(fmt::format("{} ABI", abi_title(abi.abi)));
    for (auto exe : kRuntimeExes)
      w.rule(abi,
             {"mount", "umount", "umount2", "unshare", "setns", "pivot_root", "chroot",
              "open_tree", "move_mount", "fsopen", "fsmount"},
             fmt::format("-F exe={}", exe), "runtime_ns");
  }
  w.blank();

  w.comment("== The runtime's writes (where a copy really landed: AU004/AU005): opens for writing");
  w.comment("(-F perm=w keeps reads out) and everything that creates or re-owns a name");
  for (auto& abi : abis) {
    if (!abi.native64) continue;
    w.comment(fmt::format("{} ABI", abi_title(abi.abi)));
    for (auto exe : kRuntimeExes) {
      w.rule(abi, {"open", "openat", "openat2"}, fmt::format("-F exe={} -F perm=w", exe),
             "runtime_write");
      w.rule(abi,
             {"creat", "mkdir", "mkdirat", "mknod", "mknodat", "link", "linkat", "symlink",
              "symlinkat", "chown", "lchown", "fchownat"},
             fmt::format("-F exe={}", exe), "runtime_write");
    }
  }
  w.blank();

  w.comment("== The runtime's working directory: runc init entering /proc/self/fd/N (CVE-2024-21626).");
  w.comment("procfs magic links cannot be watched; the chdir/fchdir and the CWD record of the");
  w.comment("following exec show where the process really is");
  for (auto& abi : abis) {
    if (!abi.native64) continue;
    w.comment(fmt::format("{} ABI", abi_title(abi.abi)));
    for (auto exe : kRuntimeExes)
      w.rule(abi, {"chdir", "fchdir"}, fmt::format("-F exe={}", exe), "runtime_cwd");
  }
  w.blank();

  if (lab) {
    w.comment("== The runtime's checks (AU009 check/use: stat/access/readlink, then use of the name),");
    w.comment("and what runc (runc init) reads while it sets a container up: the uses of its checks");
    for (auto& abi : abis) {
      if (!abi.native64) continue;
      w.comment(fmt::format("{} ABI", abi_title(abi.abi)));
      for (auto exe : kRuntimeExes) {
        w.rule(abi,
               {"stat", "lstat", "newfstatat", "stat64", "lstat64", "fstatat64", "statx",
                "access", "faccessat", "faccessat2", "readlink", "readlinkat"},
               fmt::format("-F exe={}", exe), "runtime_check");
        auto b = exe.substr(exe.rfind('/') + 1);
        if (b == "runc" || b == "crun")
          w.rule(abi, {"open", "openat", "openat2"}, fmt::format("-F exe={}", exe), "runtime_check");
      }
    }
    w.blank();

    w.comment("== A container's start-up as its own processes see it (AU009: the first process, or a");
    w.comment("child of it, checks a file and then opens or executes it). No rule can name a container's");
    w.comment("processes; these record the checks and uses of files under Docker's data root, whoever");
    w.comment("makes them (-F dir= follows the whole tree: a container's files live there, so its");
    w.comment("processes' calls on them match; so do dockerd's). AU009 picks the container starts out.");
    w.comment("Only successful calls: failed lookups (a shell searching PATH) are most of the volume.");
    w.comment("Limits: the kernel tags the mounts below the directory when the rule is loaded, so");
    w.comment("container roots that are directories of that filesystem (vfs) are covered, but overlay2");
    w.comment("mounts of containers started later are not (reload this rule, or add -F exe= rules for");
    w.comment("the host paths of the entrypoints you care about). Other engines keep their roots");
    w.comment("elsewhere: add the same rule with -F dir=/var/lib/containerd, /run/containerd (containerd,");
    w.comment("Kubernetes) or /var/lib/containers (podman) where those directories exist (auditctl");
    w.comment("refuses a rule on a missing directory).");
    for (auto& abi : abis) {
      w.comment(fmt::format("{} ABI", abi_title(abi.abi)));
      w.rule(abi,
             {"stat", "lstat", "newfstatat", "stat64", "lstat64", "fstatat64", "statx", "access",
              "faccessat", "faccessat2", "readlink", "readlinkat", "open", "openat", "openat2",
              "execve", "execveat"},
             fmt::format("-F dir={} -F success=1", kDockerDataRoot), "container_start");
    }
    w.blank();
  }

  w.comment("== Writes to the runtime's binaries, also through /proc/<pid>/exe (CVE-2019-5736): a");
  w.comment("watch follows the inode, so the magic-link path is caught too");
  for (auto exe : kRuntimeExes) w.watch(exe, "wa", "runtime_bin");
  w.blank();

  w.comment("== Swap loops: renameat2(RENAME_EXCHANGE) is not visible as such (a4 is not logged);");
  w.comment("tocsin infers it from one pid renaming the same two names back and forth (AU002/AU003)");
  for (auto& abi : abis)
    w.rule(abi, {"rename", "renameat", "renameat2"}, lab ? "" : "-F success=1", "swap");
  w.blank();

  w.comment("== Symlinks created (the other half of a swap; /proc/self/exe links)");
  for (auto& abi : abis) w.rule(abi, {"symlink", "symlinkat"}, "", "symlink");
  w.blank();

  if (lab) {
    w.comment("== Every program started (process tree, container attribution, AU006 helper children)");
    for (auto& abi : abis) w.rule(abi, {"execve", "execveat"}, "", "exec");
    w.blank();
    w.comment("== Every working-directory change (AU007 on any process)");
    for (auto& abi : abis) w.rule(abi, {"chdir", "fchdir"}, "", "cwd");
  } else {
    w.comment("== Programs started from a login session (auid set): users, sudo, cron-driven scripts");
    w.comment("without a terminal that run a client from an unlisted path");
    for (auto& abi : abis)
      w.rule(abi, {"execve", "execveat"}, fmt::format("-F auid!={}", kUnsetAuid), "exec");
  }
  return w.take();
}

std::vector<std::string_view> split_rule_words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    size_t b = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

namespace {

bool is_ident(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::islower(c) != 0 || std::isdigit(c) != 0 || c == '_';
  });
}

bool valid_key(std::string_view k) {
  return !k.empty() && k.size() <= 256 && std::all_of(k.begin(), k.end(), [](unsigned char c) {
    return std::isgraph(c) != 0 && c != '"' && c != '\'';
  });
}

Status field_ok(std::string_view f, bool saw_syscall, bool& saw_arch) {
  static constexpr std::array<std::string_view, 8> kOps = {"!=", "<=", ">=", "&=", "=", "<", ">",
                                                           "&"};
  size_t name_end = f.find_first_of("!=<>&");
  if (name_end == std::string_view::npos || name_end == 0)
    return Error{fmt::format("-F '{}': expected field<op>value", f)};
  std::string_view name = f.substr(0, name_end);
  std::string_view rest = f.substr(name_end);
  std::string_view op;
  for (auto o : kOps)
    if (rest.substr(0, o.size()) == o) {
      op = o;
      break;
    }
  std::string_view value = rest.substr(op.size());
  if (op.empty() || value.empty()) return Error{fmt::format("-F '{}': missing operator or value", f)};
  static constexpr std::array<std::string_view, 20> kFields = {
      "arch", "exe", "perm", "auid", "uid", "euid", "gid", "egid", "success", "exit",
      "dir", "path", "pid", "ppid", "key", "a0", "a1", "a2", "a3", "filetype"};
  if (std::find(kFields.begin(), kFields.end(), name) == kFields.end())
    return Error{fmt::format("-F '{}': unknown field '{}'", f, name)};
  if (name == "arch") {
    if (saw_syscall) return Error{"-F arch= must come before -S (auditctl resolves names with it)"};
    if (op != "=" && op != "!=") return Error{"-F arch only takes = or !="};
    static constexpr std::array<std::string_view, 6> kArches = {"b64",  "b32",     "x86_64",
                                                                "i386", "aarch64", "arm"};
    if (std::find(kArches.begin(), kArches.end(), value) == kArches.end())
      return Error{fmt::format("-F arch={}: unknown architecture", value)};
    saw_arch = true;
  }
  if ((name == "exe" || name == "dir" || name == "path") && (value.front() != '/' || op != "="))
    return Error{fmt::format("-F {}: needs = and an absolute path", name)};
  if (name == "perm" && value.find_first_not_of("rwxa") != std::string_view::npos)
    return Error{fmt::format("-F perm={}: only r, w, x, a", value)};
  if ((name == "auid" || name == "uid" || name == "euid" || name == "success" || name == "pid" ||
       name == "ppid") &&
      value.find_first_not_of("0123456789-") != std::string_view::npos && value != "unset")
    return Error{fmt::format("-F {}: value must be a number", name)};
  return ok_status();
}

}  // namespace

Status check_audit_rule_line(std::string_view line) {
  auto toks = split_rule_words(line);
  if (toks.empty() || toks.front().front() == '#') return ok_status();
  if (toks[0] == "-w") {
    if (toks.size() != 6 || toks[2] != "-p" || toks[4] != "-k")
      return Error{"watch rule must be: -w PATH -p PERMS -k KEY"};
    if (toks[1].front() != '/') return Error{"watch path must be absolute"};
    if (toks[3].empty() || toks[3].find_first_not_of("rwxa") != std::string_view::npos)
      return Error{fmt::format("-p {}: only r, w, x, a", toks[3])};
    if (!valid_key(toks[5])) return Error{fmt::format("bad key '{}'", toks[5])};
    return ok_status();
  }
  if (toks[0] != "-a" && toks[0] != "-A")
    return Error{fmt::format("'{}': only -a/-A and -w rules belong in this file", toks[0])};
  if (toks.size() < 2) return Error{"-a needs list,action"};
  auto comma = toks[1].find(',');
  if (comma == std::string_view::npos) return Error{"-a needs list,action"};
  std::string_view l = toks[1].substr(0, comma), a = toks[1].substr(comma + 1);
  if (l == "always" || l == "never") std::swap(l, a);
  if (l != "exit" && l != "task" && l != "user" && l != "exclude" && l != "filesystem")
    return Error{fmt::format("unknown list '{}'", l)};
  if (a != "always" && a != "never") return Error{fmt::format("unknown action '{}'", a)};
  bool saw_arch = false, saw_syscall = false, saw_key = false;
  for (size_t i = 2; i < toks.size(); i += 2) {
    if (i + 1 >= toks.size()) return Error{fmt::format("'{}' has no argument", toks[i])};
    std::string_view opt = toks[i], arg = toks[i + 1];
    if (opt == "-F") {
      if (auto st = field_ok(arg, saw_syscall, saw_arch); !st) return st;
    } else if (opt == "-S") {
      if (!saw_arch) return Error{"-S without a preceding -F arch= (ambiguous on 64-bit)"};
      size_t b = 0;
      while (b <= arg.size()) {
        size_t e = arg.find(',', b);
        if (e == std::string_view::npos) e = arg.size();
        if (!is_ident(arg.substr(b, e - b)))
          return Error{fmt::format("-S {}: bad syscall name", arg)};
        b = e + 1;
      }
      saw_syscall = true;
    } else if (opt == "-k") {
      if (!valid_key(arg)) return Error{fmt::format("bad key '{}'", arg)};
      saw_key = true;
    } else {
      return Error{fmt::format("unexpected option '{}'", opt)};
    }
  }
  if (!saw_key) return Error{"rule has no -k key: its events could not be attributed"};
  return ok_status();
}

}  // namespace tocsin::audit
