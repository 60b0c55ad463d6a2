// `tocsin audit-rules --check`: the rules parser, the kernel filter model, the needs of each
// detection and their evaluation (see rules_check.hpp; semantics in docs/coverage.md).
#include "audit/rules_check.hpp"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "audit/audit_rules.hpp"
#include "audit/event.hpp"
#include "audit/syscalls.hpp"
#include "core/host_paths.hpp"
#include "core/rule_catalog.hpp"
#include "core/text_sanitize.hpp"

namespace tocsin::audit {

std::string_view filter_list_name(FilterList l) {
  switch (l) {
    case FilterList::Exit: return "exit";
    case FilterList::Task: return "task";
    case FilterList::User: return "user";
    case FilterList::Exclude: return "exclude";
    case FilterList::Filesystem: return "filesystem";
    case FilterList::Uring: return "io_uring";
  }
  return "exit";
}

std::string_view need_status_name(NeedStatus s) {
  switch (s) {
    case NeedStatus::Recorded: return "recorded";
    case NeedStatus::Possibly: return "possibly";
    case NeedStatus::Shadowed: return "shadowed";
    case NeedStatus::Excluded: return "excluded";
    case NeedStatus::Missing: return "missing";
  }
  return "missing";
}

std::string_view check_verdict_name(CheckVerdict v) {
  switch (v) {
    case CheckVerdict::Covered: return "covered";
    case CheckVerdict::Partial: return "partial";
    case CheckVerdict::Blind: return "blind";
  }
  return "blind";
}

bool RuleSet::has_tocsin_rules(std::string_view prefix) const {
  std::string p = std::string(prefix) + "_";
  for (const auto& r : rules)
    for (const auto& k : r.keys)
      if (k.rfind(p, 0) == 0) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Parsing

namespace {

std::vector<std::string> words_of(std::string_view line) {
  auto w = split_rule_words(line);
  return {w.begin(), w.end()};
}

std::string unquote(std::string v) {
  if (v.size() >= 2 && ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\'')))
    return v.substr(1, v.size() - 2);
  return v;
}

std::optional<RuleField> parse_field(std::string_view f) {
  static constexpr std::string_view kOps[] = {"!=", "<=", ">=", "&=", "=", "<", ">", "&"};
  size_t pos = f.find_first_of("!=<>&");
  if (pos == std::string_view::npos || pos == 0) return std::nullopt;
  std::string_view rest = f.substr(pos);
  for (auto op : kOps)
    if (rest.substr(0, op.size()) == op) {
      std::string value = unquote(std::string(rest.substr(op.size())));
      if (value.empty()) return std::nullopt;
      return RuleField{std::string(f.substr(0, pos)), std::string(op), std::move(value)};
    }
  return std::nullopt;
}

std::optional<int64_t> parse_int(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = s.front() == '-';
  if (neg) s.remove_prefix(1);
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  auto v = parse_unsigned(s, base);
  if (!v || *v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return neg ? -static_cast<int64_t>(*v) : static_cast<int64_t>(*v);
}

// The machine's table for -S numbers (auditctl resolves them with the rule's arch).
Arch rules_table_arch() { return host_rules_arch() == RulesArch::Aarch64 ? Arch::Aarch64 : Arch::X86_64; }

bool is_32bit_arch_value(std::string_view v) { return v == "b32" || v == "i386" || v == "arm" || v == "i686"; }

// The -F field names auditctl knows (libaudit's field table).
bool known_field(std::string_view n) {
  static constexpr std::string_view kFields[] = {
      "a0", "a1", "a2", "a3", "arch", "auid", "loginuid", "devmajor", "devminor", "dir", "egid", "euid", "exe",
      "exit", "filetype", "fsgid", "fstype", "fsuid", "gid", "inode", "key", "msgtype", "obj_gid", "obj_lev_high",
      "obj_lev_low", "obj_role", "obj_type", "obj_uid", "obj_user", "path", "perm", "pers", "pid", "ppid",
      "saddr_fam", "sessionid", "sgid", "subj_clr", "subj_role", "subj_sen", "subj_type", "subj_user", "success",
      "suid", "uid", "loginuid_set"};
  return std::find(std::begin(kFields), std::end(kFields), n) != std::end(kFields);
}

// A rule's identity for -d / -W (delete the same rule).
std::string rule_identity(const AuditRule& r) {
  std::string id = fmt::format("{}|{}|{}|{}|", filter_list_name(r.list), r.action == RuleAction::Always ? "a" : "n",
                               r.watch ? r.watch_path : std::string(), r.perms);
  std::vector<std::string> sc = r.syscalls;
  std::sort(sc.begin(), sc.end());
  for (const auto& s : sc) id += s + ",";
  id += "|";
  for (const auto& f : r.fields)
    if (f.name != "key") id += f.name + f.op + f.value + " ";
  return id;
}

}  // namespace

RuleSet parse_audit_rules(std::string_view text, const std::string& source) {
  RuleSet rs;
  rs.source = source;
  std::vector<AuditRule> exit_front;  // -A rules, most recent first
  bool ignore_errors = false, stopped = false;
  uint64_t line_no = 0;
  size_t start = 0;
  auto note = [&](std::string msg) { rs.notes.push_back({line_no, std::move(msg)}); };
  auto reject = [&](const std::string& why) {
    note(fmt::format("auditctl rejects this line ({}){}", why,
                     ignore_errors ? "; -i: the lines after it still load"
                                   : "; auditctl -R stops here, so the rules after it are not loaded"));
    if (!ignore_errors) stopped = true;
  };
  while (start <= text.size() && !stopped) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    while (!raw.empty() && (raw.back() == '\r' || raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
    while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
    if (raw.empty() || raw.front() == '#') {
      if (end == text.size()) break;
      continue;
    }
    if (raw == "No rules") continue;  // auditctl -l with nothing loaded
    auto toks = words_of(raw);
    const std::string& opt = toks[0];
    auto int_arg = [&]() -> std::optional<int64_t> { return toks.size() > 1 ? parse_int(toks[1]) : std::nullopt; };
    if (opt == "-D") {
      // Delete all rules (or, with -k, those with that key).
      std::string key;
      for (size_t i = 1; i + 1 < toks.size(); ++i)
        if (toks[i] == "-k") key = toks[i + 1];
      auto drop = [&](std::vector<AuditRule>& v) {
        v.erase(std::remove_if(v.begin(), v.end(),
                               [&](const AuditRule& r) {
                                 return key.empty() || std::find(r.keys.begin(), r.keys.end(), key) != r.keys.end();
                               }),
                v.end());
      };
      drop(rs.rules);
      drop(exit_front);
      continue;
    }
    if (opt == "-e") {
      rs.enabled = int_arg();
      if (rs.enabled && *rs.enabled == 0) note("-e 0 disables auditing: nothing is recorded until -e 1");
      if (rs.enabled && *rs.enabled == 2) note("-e 2 locks the rules until the next boot");
      continue;
    }
    if (opt == "-b") { rs.backlog_limit = int_arg(); continue; }
    if (opt == "-r") { rs.rate_limit = int_arg(); continue; }
    if (opt == "--backlog_wait_time") { rs.backlog_wait_time = int_arg(); continue; }
    if (opt == "-i") { ignore_errors = true; continue; }
    if (opt == "-c" || opt == "-f" || opt == "-q" || opt == "-s" || opt == "-l" || opt == "-t" || opt == "-v" ||
        opt == "--reset-lost" || opt == "--loginuid-immutable" || opt == "--signal" || opt == "--reset_lost" ||
        opt == "-m" || opt == "--backlog_wait_time_actual")
      continue;
    AuditRule r;
    r.line = line_no;
    r.source = source;
    r.text = std::string(raw);
    bool del = false, prepend = false;
    size_t i = 1;
    if (opt == "-w" || opt == "-W") {
      if (toks.size() < 2 || toks[1].empty() || toks[1].front() != '/') {
        reject("-w needs an absolute path");
        continue;
      }
      del = opt == "-W";
      r.watch = true;
      r.watch_path = toks[1];
      while (r.watch_path.size() > 1 && r.watch_path.back() == '/') r.watch_path.pop_back();
      i = 2;
    } else if (opt == "-a" || opt == "-A" || opt == "-d") {
      if (toks.size() < 2) {
        reject("-a needs list,action");
        continue;
      }
      del = opt == "-d";
      prepend = opt == "-A";
      auto comma = toks[1].find(',');
      if (comma == std::string::npos) {
        reject("-a needs list,action");
        continue;
      }
      std::string l = toks[1].substr(0, comma), a = toks[1].substr(comma + 1);
      if (l == "always" || l == "never") std::swap(l, a);
      if (a != "always" && a != "never") {
        reject(fmt::format("unknown action '{}'", a));
        continue;
      }
      r.action = a == "always" ? RuleAction::Always : RuleAction::Never;
      if (l == "exit") r.list = FilterList::Exit;
      else if (l == "task") r.list = FilterList::Task;
      else if (l == "user") r.list = FilterList::User;
      else if (l == "exclude") r.list = FilterList::Exclude;
      else if (l == "filesystem") r.list = FilterList::Filesystem;
      else if (l == "io_uring") r.list = FilterList::Uring;
      else {
        reject(fmt::format("unknown list '{}'", l));
        continue;
      }
      i = 2;
    } else {
      note(fmt::format("'{}' is not a rule or a setting tocsin knows: not evaluated", opt));
      continue;
    }
    bool bad = false;
    for (; i < toks.size() && !bad; ++i) {
      const std::string& o = toks[i];
      const bool has_arg = i + 1 < toks.size();
      if (o == "-p" && has_arg) {
        r.perms = toks[++i];
      } else if (o == "-k" && has_arg) {
        if (r.list == FilterList::Exclude || r.list == FilterList::Task || r.list == FilterList::User) {
          reject("-k needs a syscall or watch rule");
          bad = true;
        } else {
          r.keys.push_back(unquote(toks[++i]));
        }
      } else if (o == "-S" && has_arg) {
        std::string list = toks[++i];
        std::replace(list.begin(), list.end(), ',', ' ');
        for (const auto& part : words_of(list)) {
          if (part == "all") {
            r.all_syscalls = true;
            r.syscalls.clear();
            break;
          }
          r.all_syscalls = false;
          if (std::isdigit(static_cast<unsigned char>(part.front()))) {
            auto n = parse_int(part);
            std::string_view name = n ? syscall_name(rules_table_arch(), *n) : std::string_view();
            r.syscalls.emplace_back(name.empty() ? part : std::string(name));
          } else {
            r.syscalls.push_back(part);
          }
        }
      } else if ((o == "-F" || o == "-C") && has_arg) {
        auto f = parse_field(toks[++i]);
        if (!f) {
          reject(fmt::format("'{} {}': expected field<op>value", o, toks[i]));
          bad = true;
          break;
        }
        if (o == "-C") {
          f->value = f->name + f->op + f->value;
          f->name = "compare";
          f->op = "=";
        } else if (!known_field(f->name)) {
          reject(fmt::format("unknown field '{}'", f->name));
          bad = true;
          break;
        }
        if (f->name == "key") r.keys.push_back(f->value);
        else if (f->name == "perm") r.perms = f->value;
        else r.fields.push_back(std::move(*f));
      } else {
        reject(fmt::format("unexpected '{}'", o));
        bad = true;
      }
    }
    if (bad) continue;
    if (r.list == FilterList::Exclude && (!r.keys.empty() || !r.perms.empty())) {
      reject("the exclude filter takes no key and no perm");
      continue;
    }
    if (r.list == FilterList::Exclude)
      for (const auto& f : r.fields)
        if (f.name != "msgtype" && f.name.find("uid") == std::string::npos && f.name.find("gid") == std::string::npos &&
            f.name != "pid" && f.name.rfind("subj_", 0) != 0 && f.name != "exe") {
          reject(fmt::format("the exclude filter takes only msgtype, uid/gid, pid, exe and subj_* fields, not {}",
                             f.name));
          bad = true;
          break;
        }
    if (bad) continue;
    if (del) {
      std::string id = rule_identity(r);
      auto match = [&](const AuditRule& x) { return rule_identity(x) == id; };
      auto it = std::find_if(rs.rules.begin(), rs.rules.end(), match);
      if (it != rs.rules.end()) rs.rules.erase(it);
      else if (auto jt = std::find_if(exit_front.begin(), exit_front.end(), match); jt != exit_front.end())
        exit_front.erase(jt);
      continue;
    }
    if (prepend && r.list == FilterList::Exit) exit_front.insert(exit_front.begin(), std::move(r));
    else if (prepend) rs.rules.insert(rs.rules.begin(), std::move(r));
    else rs.rules.push_back(std::move(r));
  }
  if (!exit_front.empty()) rs.rules.insert(rs.rules.begin(), exit_front.begin(), exit_front.end());
  return rs;
}

void apply_audit_status(RuleSet& rs, std::string_view status_text) {
  size_t start = 0;
  while (start < status_text.size()) {
    size_t end = status_text.find('\n', start);
    if (end == std::string_view::npos) end = status_text.size();
    auto toks = words_of(status_text.substr(start, end - start));
    start = end + 1;
    if (toks.size() < 2) continue;
    auto v = parse_int(toks[1]);
    if (!v) continue;
    if (toks[0] == "enabled") rs.enabled = v;
    else if (toks[0] == "backlog_limit") rs.backlog_limit = v;
    else if (toks[0] == "rate_limit") rs.rate_limit = v;
    else if (toks[0] == "lost") rs.lost = v;
    else if (toks[0] == "backlog_wait_time") rs.backlog_wait_time = v;
  }
}

// ---------------------------------------------------------------------------------------------
// The filter model

namespace {

enum class Tri : uint8_t { No, Maybe, Yes };
Tri both(Tri a, Tri b) { return std::min(a, b); }
Tri negate(Tri t) { return t == Tri::Yes ? Tri::No : t == Tri::No ? Tri::Yes : Tri::Maybe; }

constexpr int64_t kUnset = 4294967295LL;

// A file the syscall names: its host path, and whether the rules loaded before it was mounted
// can see it (a tree rule — -F dir=, -w DIR — tags the mounts present when it is loaded; an
// overlay mounted for a container started later is not among them).
struct Obj {
  std::string path;
  std::string fstype = "host";
  bool late_mount = false;
};

struct Probe {
  std::string syscall;
  std::string exe;             // host path of the executable
  bool container_exe = false;  // a container's program: its host path is under container storage
  std::optional<int64_t> auid;  // nullopt = unset
  int64_t uid = 0, euid = 0, gid = 0;
  bool success = true;
  std::optional<int64_t> exit = 0;  // nullopt: some non-negative value (a file descriptor)
  std::array<std::optional<uint64_t>, 4> args{};
  std::vector<Obj> objects;
  std::vector<std::string> records;  // record types needed besides SYSCALL
};

// `p` is `dir` or below it; a rule's directory may be written with a trailing slash (`dir=/etc/`).
bool under(std::string_view p, std::string_view dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  return host_paths::within(p, dir);
}

// Compares a probe value with a rule value under `op` (as the kernel's audit_comparator).
Tri compare(int64_t have, std::string_view op, int64_t want) {
  bool r = false;
  if (op == "=") r = have == want;
  else if (op == "!=") r = have != want;
  else if (op == "<") r = have < want;
  else if (op == ">") r = have > want;
  else if (op == "<=") r = have <= want;
  else if (op == ">=") r = have >= want;
  else if (op == "&") r = (have & want) != 0;
  else if (op == "&=") r = (have & want) == want;
  else return Tri::Maybe;
  return r ? Tri::Yes : Tri::No;
}

std::optional<int64_t> id_value(const std::string& v, bool group) {
  if (v == "unset" || v == "-1" || v == "4294967295") return kUnset;
  if (auto n = parse_int(v)) return *n < 0 ? *n + 4294967296LL : *n;
  if (v == "root") return 0;
  if (group) {
    if (const struct group* g = ::getgrnam(v.c_str())) return static_cast<int64_t>(g->gr_gid);
  } else if (const struct passwd* pw = ::getpwnam(v.c_str())) {
    return static_cast<int64_t>(pw->pw_uid);
  }
  return std::nullopt;
}

std::optional<int64_t> errno_value(std::string v) {
  bool neg = !v.empty() && v.front() == '-';
  if (neg) v.erase(v.begin());
  static const std::map<std::string, int64_t> kErrno = {
      {"EPERM", 1},   {"ENOENT", 2},  {"ESRCH", 3},   {"EINTR", 4},  {"EIO", 5},     {"ENXIO", 6},
      {"E2BIG", 7},   {"ENOEXEC", 8}, {"EBADF", 9},   {"ECHILD", 10}, {"EAGAIN", 11}, {"ENOMEM", 12},
      {"EACCES", 13}, {"EFAULT", 14}, {"EBUSY", 16},  {"EEXIST", 17}, {"EXDEV", 18},  {"ENODEV", 19},
      {"ENOTDIR", 20}, {"EISDIR", 21}, {"EINVAL", 22}, {"ENFILE", 23}, {"EMFILE", 24}, {"ETXTBSY", 26},
      {"EFBIG", 27},  {"ENOSPC", 28}, {"EROFS", 30},  {"EMLINK", 31}, {"ENAMETOOLONG", 36},
      {"ELOOP", 40}};
  std::optional<int64_t> n;
  if (auto it = kErrno.find(v); it != kErrno.end()) n = it->second;
  else n = parse_int(v);
  if (!n) return std::nullopt;
  return neg ? -*n : *n;
}

bool in_list(std::string_view sc, std::initializer_list<std::string_view> l) {
  return std::find(l.begin(), l.end(), sc) != l.end();
}

// The kernel's syscall classes for perm= (include/asm-generic/audit_*.h) and the open flags.
Tri perm_matches(std::string_view perms, const Probe& p) {
  if (perms.empty()) perms = "rwxa";
  auto has = [&](char c) { return perms.find(c) != std::string_view::npos; };
  std::string_view sc = p.syscall;
  if (sc == "open" || sc == "openat" || sc == "openat2") {
    auto flags = p.args[sc == "open" ? 1 : 2];
    if (!flags) return Tri::Maybe;
    uint64_t acc = *flags & 3;
    bool read = acc == 0 || acc == 2, write = acc == 1 || acc == 2;
    return ((has('r') && read) || (has('w') && write)) ? Tri::Yes : Tri::No;
  }
  if (sc == "execve" || sc == "execveat") return has('x') ? Tri::Yes : Tri::No;
  if (in_list(sc, {"rename", "mkdir", "rmdir", "creat", "link", "unlink", "symlink", "mknod", "mkdirat", "mknodat",
                   "unlinkat", "renameat", "linkat", "symlinkat", "renameat2", "acct", "swapon", "quotactl",
                   "truncate", "ftruncate", "bind", "fallocate"}))
    return has('w') ? Tri::Yes : Tri::No;
  if (in_list(sc, {"chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "setxattr",
                   "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", "utime", "utimes",
                   "futimesat", "utimensat"}))
    return has('a') ? Tri::Yes : Tri::No;
  if (in_list(sc, {"readlink", "readlinkat", "listxattr", "llistxattr", "flistxattr", "getxattr", "lgetxattr",
                   "fgetxattr"}))
    return has('r') ? Tri::Yes : Tri::No;
  return Tri::No;
}

std::string fstype_name(const std::string& v) {
  static const std::map<std::string, std::string> kMagic = {
      {"0x794c7630", "overlay"}, {"2035054128", "overlay"}, {"0x01021994", "tmpfs"}, {"16914836", "tmpfs"},
      {"0x74726163", "tracefs"}, {"0x64626720", "debugfs"}, {"0x9fa0", "proc"},     {"40864", "proc"},
      {"overlayfs", "overlay"}};
  auto it = kMagic.find(v);
  return it == kMagic.end() ? v : it->second;
}

// One -F/-C field against a probe (and, for the exclude list, a record type).
Tri eval_field(const RuleField& f, const Probe& p, std::string_view record_type) {
  const std::string& n = f.name;
  const std::string& op = f.op;
  if (n == "key") return Tri::Yes;
  if (n == "arch") {
    bool b32 = is_32bit_arch_value(f.value);
    Tri eq = b32 ? Tri::No : Tri::Yes;  // probes are native 64-bit calls
    return op == "=" ? eq : op == "!=" ? negate(eq) : Tri::Maybe;
  }
  if (n == "exe") {
    Tri eq;
    if (p.container_exe)
      eq = (under(f.value, "/var/lib/docker") || under(f.value, "/var/lib/containers") ||
            f.value.find("/merged/") != std::string::npos || f.value.find("/rootfs/") != std::string::npos)
               ? Tri::Maybe : Tri::No;
    else
      eq = f.value == p.exe ? Tri::Yes : Tri::No;
    return op == "=" ? eq : op == "!=" ? negate(eq) : Tri::Maybe;
  }
  if (n == "auid" || n == "loginuid") {
    auto want = id_value(f.value, false);
    if (!want) return Tri::Maybe;
    return compare(p.auid.value_or(kUnset), op, *want);
  }
  if (n == "uid" || n == "euid" || n == "suid" || n == "fsuid") {
    auto want = id_value(f.value, false);
    if (!want) return Tri::Maybe;
    return compare(n == "uid" ? p.uid : p.euid, op, *want);
  }
  if (n == "gid" || n == "egid" || n == "sgid" || n == "fsgid") {
    auto want = id_value(f.value, true);
    if (!want) return Tri::Maybe;
    return compare(p.gid, op, *want);
  }
  if (n == "loginuid_set") {
    auto want = parse_int(f.value);
    if (!want) return Tri::Maybe;
    return compare(p.auid ? 1 : 0, op, *want);
  }
  if (n == "success") {
    int64_t want = (f.value == "1" || f.value == "yes") ? 1 : (f.value == "0" || f.value == "no") ? 0 : -1;
    if (want < 0) return Tri::Maybe;
    return compare(p.success ? 1 : 0, op, want);
  }
  if (n == "exit") {
    auto want = errno_value(f.value);
    if (!want) return Tri::Maybe;
    if (p.exit) return compare(*p.exit, op, *want);
    // Some non-negative value: decided only against negative values (errors).
    if (*want < 0) {
      if (op == "=" || op == "<" || op == "<=") return Tri::No;
      if (op == "!=" || op == ">" || op == ">=") return Tri::Yes;
    }
    return Tri::Maybe;
  }
  if (n == "perm") return perm_matches(f.value, p);
  if (n == "dir") {
    Tri best = Tri::No;
    for (const auto& o : p.objects)
      if (under(o.path, f.value)) best = std::max(best, o.late_mount ? Tri::Maybe : Tri::Yes);
    return op == "=" ? best : Tri::Maybe;
  }
  if (n == "path") {
    Tri best = Tri::No;
    for (const auto& o : p.objects)
      if (o.path == f.value) best = Tri::Yes;
    return op == "=" ? best : op == "!=" ? negate(best) : Tri::Maybe;
  }
  if (n.size() == 2 && n[0] == 'a' && n[1] >= '0' && n[1] <= '3') {
    const auto& have = p.args[static_cast<size_t>(n[1] - '0')];
    auto want = parse_int(f.value);
    if (!have || !want) return Tri::Maybe;
    return compare(static_cast<int64_t>(*have), op, *want);
  }
  if (n == "msgtype") {
    if (record_type.empty()) return Tri::Maybe;
    int64_t have = static_cast<int64_t>(record_type_from_name(record_type));
    std::optional<int64_t> want = parse_int(f.value);
    if (!want) {
      RecordType t = record_type_from_name(f.value);
      if (t == RecordType::Other) return f.value == record_type ? Tri::Yes : Tri::No;
      want = static_cast<int64_t>(t);
    }
    return compare(have, op, *want);
  }
  if (n == "fstype") {
    std::string want = fstype_name(f.value);
    Tri best = Tri::No;
    for (const auto& o : p.objects)
      if (o.fstype == want) best = Tri::Yes;
    return op == "=" ? best : op == "!=" ? negate(best) : Tri::Maybe;
  }
  if (n == "subj_type" && (op == "=" || op == "!=")) {
    // An SELinux domain: the needs are container clients, the runtime and container processes.
    // A rule on another domain (crond_t, chronyd_t) does not match them.
    bool ours = f.value.find("container") != std::string::npos || f.value.find("docker") != std::string::npos ||
                f.value.find("unconfined") != std::string::npos || f.value.find("runtime") != std::string::npos ||
                f.value.find("podman") != std::string::npos || f.value.find("spc") != std::string::npos;
    Tri eq = ours ? Tri::Maybe : Tri::No;
    return op == "=" ? eq : negate(eq);
  }
  if (n == "compare") {
    // -C between the process's own ids (uid!=euid: setuid programs) is decided; against the
    // object's owner (obj_uid) it is not.
    auto cred = [&](std::string_view name) -> std::optional<int64_t> {
      if (name == "uid") return p.uid;
      if (name == "euid" || name == "suid" || name == "fsuid") return p.euid;
      if (name == "gid" || name == "egid" || name == "sgid" || name == "fsgid") return p.gid;
      if (name == "auid" || name == "loginuid") return p.auid.value_or(kUnset);
      return std::nullopt;
    };
    auto c = parse_field(f.value);
    if (!c || (c->op != "=" && c->op != "!=")) return Tri::Maybe;
    auto a = cred(c->name), b = cred(c->value);
    if (!a || !b) return Tri::Maybe;
    return compare(*a, c->op, *b);
  }
  // pid, ppid, sessionid, pers, devmajor/devminor, inode, filetype, other subj_*, obj_*:
  // the model cannot decide them for the needs.
  return Tri::Maybe;
}

Tri eval_fields(const AuditRule& r, const Probe& p, std::string_view record_type = {}) {
  Tri t = Tri::Yes;
  for (const auto& f : r.fields) {
    t = both(t, eval_field(f, p, record_type));
    if (t == Tri::No) break;
  }
  return t;
}

// An exit-list rule (syscall rule, tree rule or watch) against a probe.
Tri match_exit(const AuditRule& r, const Probe& p) {
  if (!r.all_syscalls && std::find(r.syscalls.begin(), r.syscalls.end(), p.syscall) == r.syscalls.end())
    return Tri::No;
  Tri t = Tri::Yes;
  if (r.watch) {
    Tri obj = Tri::No;
    for (const auto& o : p.objects) {
      if (o.path == r.watch_path) obj = Tri::Yes;
      else if (under(o.path, r.watch_path)) obj = std::max(obj, o.late_mount ? Tri::Maybe : Tri::Yes);
    }
    t = obj;
  }
  if (t != Tri::No && (!r.perms.empty() || r.watch)) t = both(t, perm_matches(r.perms, p));
  if (t != Tri::No) t = both(t, eval_fields(r, p));
  return t;
}

struct Eval {
  NeedStatus status = NeedStatus::Missing;
  const AuditRule* rule = nullptr;
  std::string record;
};

Eval evaluate(const RuleSet& rs, const Probe& p) {
  Eval e;
  // Task list: decided when the process was forked. never = no audit context, no records.
  const AuditRule* task_always = nullptr;
  const AuditRule* maybe_task_never = nullptr;
  for (const auto& r : rs.rules) {
    if (r.list != FilterList::Task) continue;
    Tri t = eval_fields(r, p);
    if (t == Tri::Yes) {
      if (r.action == RuleAction::Never) return Eval{NeedStatus::Shadowed, &r, ""};
      task_always = &r;
      break;
    }
    if (t == Tri::Maybe && r.action == RuleAction::Never && !maybe_task_never) maybe_task_never = &r;
  }
  if (task_always) {
    // State RECORD from the task: every syscall is recorded, no exit rule overrides it.
    e = {NeedStatus::Recorded, task_always, ""};
  } else {
    // Exit list (syscall rules, tree rules and watches in the order they were added): the first
    // rule that matches decides; rules the model cannot decide are remembered.
    const AuditRule* maybe_never = nullptr;
    const AuditRule* maybe_always = nullptr;
    const AuditRule* decided = nullptr;
    for (const auto& r : rs.rules) {
      if (r.list != FilterList::Exit) continue;
      Tri t = match_exit(r, p);
      if (t == Tri::No) continue;
      if (t == Tri::Yes) {
        decided = &r;
        break;
      }
      if (r.action == RuleAction::Never) {
        if (!maybe_never) maybe_never = &r;
      } else if (!maybe_always) {
        maybe_always = &r;
      }
    }
    if (decided && decided->action == RuleAction::Always)
      e = maybe_never ? Eval{NeedStatus::Possibly, maybe_never, ""} : Eval{NeedStatus::Recorded, decided, ""};
    else if (decided)
      e = maybe_always ? Eval{NeedStatus::Possibly, maybe_always, ""} : Eval{NeedStatus::Shadowed, decided, ""};
    else if (maybe_always)
      e = {NeedStatus::Possibly, maybe_always, ""};
    else
      return e;  // Missing
  }
  if (e.status == NeedStatus::Recorded && maybe_task_never) e = {NeedStatus::Possibly, maybe_task_never, ""};
  // The exclude list drops record types (any matching rule, whatever its action).
  std::vector<std::string> types = {"SYSCALL"};
  types.insert(types.end(), p.records.begin(), p.records.end());
  for (const auto& type : types) {
    for (const auto& r : rs.rules) {
      if (r.list != FilterList::Exclude) continue;
      Tri t = eval_fields(r, p, type);
      if (t == Tri::Yes) return Eval{NeedStatus::Excluded, &r, type};
      if (t == Tri::Maybe && e.status == NeedStatus::Recorded) e = {NeedStatus::Possibly, &r, type};
    }
  }
  // The filesystem list: never on an object's filesystem type drops its PATH record.
  if (std::find(p.records.begin(), p.records.end(), "PATH") != p.records.end())
    for (const auto& r : rs.rules)
      if (r.list == FilterList::Filesystem && r.action == RuleAction::Never && eval_fields(r, p) == Tri::Yes)
        return Eval{NeedStatus::Excluded, &r, "PATH"};
  return e;
}

// ---------------------------------------------------------------------------------------------
// What each detection needs

struct NeedDef {
  std::string text;
  std::string role;  // any | all | support
  Probe probe;
};

constexpr std::string_view kVfsRoot = "/var/lib/docker/vfs/dir/CONTAINER";
constexpr std::string_view kOverlay2Root = "/var/lib/docker/overlay2/LAYER/merged";
constexpr std::string_view kPodmanRoot = "/var/lib/containers/storage/overlay/LAYER/merged";
constexpr uint64_t kWriteCreate = 0x241;  // O_WRONLY|O_CREAT|O_TRUNC
constexpr uint64_t kAtFdcwd = 0xffffff9c;

Obj vfs(std::string_view rel) { return Obj{std::string(kVfsRoot) + std::string(rel), "host", false}; }
Obj overlay(std::string_view root, std::string_view rel) {
  return Obj{std::string(root) + std::string(rel), "overlay", true};
}

Probe proc(std::string sc, std::string exe, std::optional<int64_t> auid = std::nullopt) {
  Probe p;
  p.syscall = std::move(sc);
  p.exe = std::move(exe);
  p.auid = auid;
  return p;
}

Probe container_proc(std::string sc, std::string exe_in_storage) {
  Probe p;
  p.syscall = std::move(sc);
  p.exe = std::move(exe_in_storage);
  p.container_exe = true;
  return p;
}

Probe execve(Probe p, std::vector<std::string> records = {"EXECVE"}) {
  p.objects.push_back(Obj{p.exe, "host", false});
  p.records = std::move(records);
  return p;
}

Probe open_probe(Probe p, Obj o, uint64_t flags) {
  p.args = {kAtFdcwd, std::nullopt, flags, std::nullopt};
  p.exit = std::nullopt;
  p.objects.push_back(std::move(o));
  p.records = {"PATH"};
  return p;
}

Probe with(Probe p, std::vector<Obj> objs, std::vector<std::string> records) {
  for (auto& o : objs) p.objects.push_back(std::move(o));
  p.records = std::move(records);
  return p;
}

std::vector<NeedDef> au001_needs(const CheckOptions& o) {
  std::vector<NeedDef> out;
  std::vector<std::string> clients = o.docker_clients;
  clients.push_back(o.podman);
  for (const auto& c : clients) {
    out.push_back({fmt::format("{} cp in a login session (auid 1000): the client's execve with its argv", c), "any",
                   execve(proc("execve", c, 1000))});
    out.push_back({fmt::format("{} cp by a service or CI job (auid unset): the client's execve with its argv", c),
                   "any", execve(proc("execve", c))});
  }
  return out;
}

std::vector<NeedDef> au002_needs() {
  auto rename = [](Obj a, Obj b) {
    Probe p = container_proc("renameat2", a.path.substr(0, a.path.find("/w/")) + "/bin/swap");
    return with(std::move(p), {std::move(a), std::move(b)}, {"PATH"});
  };
  return {
      {"renameat2 by a container process, with its PATH records (Docker, vfs storage)", "any",
       rename(vfs("/w/dir"), vfs("/w/dir-link"))},
      {"renameat2 by a container process, with its PATH records (Docker, overlay2 storage)", "any",
       rename(overlay(kOverlay2Root, "/w/dir"), overlay(kOverlay2Root, "/w/dir-link"))},
      {"renameat2 by a container process, with its PATH records (podman, overlay storage)", "any",
       rename(overlay(kPodmanRoot, "/w/dir"), overlay(kPodmanRoot, "/w/dir-link"))},
  };
}

std::vector<NeedDef> au004_needs(const CheckOptions& o) {
  Probe helper_chdir = with(proc("chdir", o.dockerd), {vfs("")}, {"PATH"});
  Probe podman_setns = with(proc("setns", o.podman, 1000), {overlay(kPodmanRoot, "")}, {"PATH"});
  return {
      {"dockerd's copy helper (docker-untar/docker-tar): its execve with argv (the directory it resolved)", "any",
       execve(proc("execve", o.dockerd), {"EXECVE"})},
      {"podman cp inside the container: its creates (openat O_CREAT) with PATH records", "any",
       open_probe(proc("openat", o.podman, 1000), overlay(kPodmanRoot, "/w/dir/file"), kWriteCreate)},
      {"the copy helper's chdir into the container root, with its inode (PATH)", "support", helper_chdir},
      {"the copy helper's creates (openat O_CREAT), with the parent's inode (PATH); also an in-process engine's "
       "own opens (moby 23+)", "support",
       open_probe(proc("openat", o.dockerd), vfs("/w/dir/file"), kWriteCreate)},
      {"the copy helper's reads of the copied file (copy out: reads are rarely audited, partial by nature)",
       "support", open_probe(proc("openat", o.dockerd), vfs("/data/cfg/file"), 0)},
      {"podman cp's setns into the container's mount namespace (PATH of its root)", "support", podman_setns},
      {"podman cp's check of the requested name inside the container (newfstatat with PATH)", "support",
       with(proc("newfstatat", o.podman, 1000), {overlay(kPodmanRoot, "/data/cfg/file")}, {"PATH"})},
  };
}

std::vector<NeedDef> au005_needs(const CheckOptions& o) {
  const Obj outside{"/etc/cron.d/job", "host", false};
  return {
      {"dockerd's writes outside container storage (open for writing, with PATH)", "any:writes",
       open_probe(proc("openat", o.dockerd), outside, kWriteCreate)},
      {"podman's writes outside container storage (open for writing, with PATH)", "any:writes",
       open_probe(proc("openat", o.podman), outside, kWriteCreate)},
      {"runc's writes outside container storage (open for writing, with PATH)", "any:writes",
       open_probe(proc("openat", o.runc), outside, kWriteCreate)},
      {"containerd's writes outside container storage (open for writing, with PATH)", "any:writes",
       open_probe(proc("openat", o.containerd), outside, kWriteCreate)},
      {"dockerd's directory creations outside container storage (mkdirat with PATH)", "support",
       with(proc("mkdirat", o.dockerd), {Obj{"/etc/x", "host", false}}, {"PATH"})},
      {"the working directory of the runtime's writes (CWD: relative names)", "support",
       [&] {
         Probe p = open_probe(proc("openat", o.dockerd), Obj{"/etc/cron.d/job", "host", false}, kWriteCreate);
         p.records = {"PATH", "CWD"};
         return p;
       }()},
      {"dockerd's copy helper execve (its argv shows it is confined to the container)", "support",
       execve(proc("execve", o.dockerd), {"EXECVE"})},
  };
}

std::vector<NeedDef> au006_needs(const CheckOptions& o) {
  return {
      {"dockerd's copy helper: its execve with argv", "all", execve(proc("execve", o.dockerd), {"EXECVE"})},
      {"a program the helper starts (execve outside a login session, any executable)", "all",
       execve(container_proc("execve", std::string(kVfsRoot) + "/bin/sh"), {"EXECVE"})},
  };
}

std::vector<NeedDef> au007_needs(const CheckOptions& o) {
  Probe runc_exec = execve(proc("execve", o.runc), {"EXECVE", "CWD"});
  Probe first = execve(container_proc("execve", std::string(kVfsRoot) + "/bin/sh"), {"EXECVE", "CWD"});
  Probe fchdir = proc("fchdir", o.runc);
  fchdir.records = {"CWD"};
  return {
      {"runc's execve with its working directory (CWD)", "any", runc_exec},
      {"a container's first program executed by runc init, with its working directory (CWD)", "any", first},
      {"runc's fchdir/chdir, with the working directory (CWD)", "support", fchdir},
      {"a write to the runtime binary (e.g. through /proc/self/exe) by any process", "any",
       open_probe(container_proc("openat", std::string(kVfsRoot) + "/bin/sh"), Obj{o.runc, "host", false}, 1)},
  };
}

std::vector<NeedDef> au009_needs(const CheckOptions& o) {
  // A check and a use by the same kind of process: one of the checks and one of the uses.
  const std::string first = std::string(kVfsRoot) + "/bin/sh";
  return {
      {"runc's checks (newfstatat) with PATH (inode)", "any:checks",
       with(proc("newfstatat", o.runc), {vfs("/etc/conf")}, {"PATH"})},
      {"dockerd's checks (newfstatat) with PATH (inode)", "any:checks",
       with(proc("newfstatat", o.dockerd), {vfs("/etc/conf")}, {"PATH"})},
      {"podman's checks (newfstatat) with PATH (inode)", "any:checks",
       with(proc("newfstatat", o.podman), {overlay(kPodmanRoot, "/etc/conf")}, {"PATH"})},
      {"a starting container's checks (newfstatat by its first process) with PATH", "any:checks",
       with(container_proc("newfstatat", first), {vfs("/etc/conf")}, {"PATH"})},
      {"runc's uses (openat) with PATH (inode)", "any:uses", open_probe(proc("openat", o.runc), vfs("/etc/conf"), 0)},
      {"dockerd's uses (openat for reading) with PATH", "any:uses",
       open_probe(proc("openat", o.dockerd), vfs("/etc/conf"), 0)},
      {"dockerd's uses (openat for writing) with PATH", "any:uses",
       open_probe(proc("openat", o.dockerd), vfs("/etc/conf"), kWriteCreate)},
      {"podman's uses (openat for writing) with PATH", "any:uses",
       open_probe(proc("openat", o.podman), overlay(kPodmanRoot, "/etc/conf"), kWriteCreate)},
      {"a starting container's uses (openat by its first process) with PATH", "any:uses",
       open_probe(container_proc("openat", first), vfs("/etc/conf"), 0)},
  };
}

std::vector<NeedResult> evaluate_needs(const std::vector<NeedDef>& defs, const RuleSet& rs, const RuleSet* with_tocsin,
                                       const RuleSet* with_lab) {
  std::vector<NeedResult> out;
  for (const auto& d : defs) {
    NeedResult n;
    n.need = d.text;
    n.role = d.role;
    Eval e = evaluate(rs, d.probe);
    n.status = e.status;
    n.rule = e.rule;
    n.record = e.record;
    if (with_tocsin) {
      Eval t = evaluate(*with_tocsin, d.probe);
      n.with_tocsin = t.status;
      n.with_tocsin_rule = t.rule;
    } else {
      n.with_tocsin = n.status;
    }
    n.with_tocsin_lab = with_lab ? evaluate(*with_lab, d.probe).status : n.with_tocsin;
    out.push_back(std::move(n));
  }
  return out;
}

bool seen(NeedStatus s) { return s == NeedStatus::Recorded || s == NeedStatus::Possibly; }

// Blind when a required need, or every need of a group of alternatives ("any", "any:<group>"),
// is not recorded; covered when every need is; partial otherwise.
CheckVerdict verdict_of(const std::vector<NeedResult>& needs) {
  std::map<std::string, bool> groups;  // alternatives group → one of them seen
  bool required_missing = false, everything = true;
  for (const auto& n : needs) {
    if (n.role.rfind("any", 0) == 0) groups[n.role] = groups[n.role] || seen(n.status);
    else if (n.role == "all" && !seen(n.status)) required_missing = true;
    everything &= n.status == NeedStatus::Recorded;
  }
  for (const auto& [g, ok] : groups) required_missing |= !ok;
  if (required_missing) return CheckVerdict::Blind;
  return everything ? CheckVerdict::Covered : CheckVerdict::Partial;
}

std::string summary_of(const std::vector<NeedResult>& needs) {
  std::array<size_t, 5> n{};
  for (const auto& x : needs) ++n[static_cast<size_t>(x.status)];
  std::string s = fmt::format("{} of {} needs recorded", n[0], needs.size());
  for (NeedStatus st : {NeedStatus::Possibly, NeedStatus::Shadowed, NeedStatus::Excluded, NeedStatus::Missing})
    if (n[static_cast<size_t>(st)]) s += fmt::format(", {} {}", n[static_cast<size_t>(st)], need_status_name(st));
  return s;
}

std::shared_ptr<RuleSet> with_tocsin_rules(const RuleSet& rs, RulesScope scope) {
  AuditRulesOptions o;
  o.arches = {host_rules_arch()};
  o.scope = scope;
  auto ours = parse_audit_rules(generate_audit_rules(o), scope == RulesScope::Lab ? "tocsin audit-rules --scope lab"
                                                                                 : "tocsin audit-rules");
  auto out = std::make_shared<RuleSet>(rs);
  for (auto& r : ours.rules) out->rules.push_back(std::move(r));
  // The kernel keeps each list in its own order: tocsin's rules go after the set's own, but
  // task rules before exit rules do not matter to the model (lists are evaluated separately).
  return out;
}

}  // namespace

CheckReport check_audit_rules(const RuleSet& rs_in, const CheckOptions& opt) {
  CheckReport rep;
  rep.source = rs_in.source;
  auto rs = std::make_shared<RuleSet>(rs_in);
  rep.rules = rs;
  if (opt.compare_with_tocsin) {
    rep.with_tocsin = with_tocsin_rules(*rs, RulesScope::Host);
    rep.with_tocsin_lab = with_tocsin_rules(*rs, RulesScope::Lab);
  }
  const RuleSet* wt = rep.with_tocsin.get();
  const RuleSet* wl = rep.with_tocsin_lab.get();
  auto add = [&](std::string_view rule, std::vector<NeedResult> needs) -> DetectionCheck& {
    DetectionCheck d;
    d.rule = std::string(rule);
    d.verdict = verdict_of(needs);
    d.summary = summary_of(needs);
    d.needs = std::move(needs);
    rep.detections.push_back(std::move(d));
    return rep.detections.back();
  };
  add("AU001", evaluate_needs(au001_needs(opt), *rs, wt, wl));
  add("AU002", evaluate_needs(au002_needs(), *rs, wt, wl));
  {
    // AU003: a copy (AU001) raced by a loop (AU002) on its path; the loop's relative names are
    // placed with the CWD record.
    Probe cwd = container_proc("renameat2", std::string(kVfsRoot) + "/bin/swap");
    cwd = with(std::move(cwd), {vfs("/w/dir"), vfs("/w/dir-link")}, {"PATH", "CWD"});
    auto needs = evaluate_needs({{"the CWD of a container's renames (relative names placed on the copy's path)",
                                  "support", cwd}},
                                *rs, wt, wl);
    const auto v1 = rep.detections[0].verdict, v2 = rep.detections[1].verdict;
    DetectionCheck& d = add("AU003", std::move(needs));
    if (v1 == CheckVerdict::Blind || v2 == CheckVerdict::Blind) d.verdict = CheckVerdict::Blind;
    else if (v1 == CheckVerdict::Covered && v2 == CheckVerdict::Covered &&
             d.needs.front().status == NeedStatus::Recorded)
      d.verdict = CheckVerdict::Covered;
    else d.verdict = CheckVerdict::Partial;
    d.summary = fmt::format("needs AU001 ({}) and AU002 ({}); {}", check_verdict_name(v1), check_verdict_name(v2),
                            d.summary);
  }
  add("AU004", evaluate_needs(au004_needs(opt), *rs, wt, wl));
  add("AU005", evaluate_needs(au005_needs(opt), *rs, wt, wl));
  add("AU006", evaluate_needs(au006_needs(opt), *rs, wt, wl));
  add("AU007", evaluate_needs(au007_needs(opt), *rs, wt, wl));
  {
    // AU008 reads auditd's own records and the kernel's loss counters: no rule needed, but a
    // small backlog or a rate limit loses events in a swap-loop storm.
    DetectionCheck& d = add("AU008", {});
    d.verdict = CheckVerdict::Covered;
    d.summary = "loss reports are auditd's own records and need no rule";
    std::vector<std::string> risks;
    if (rs->backlog_limit && *rs->backlog_limit < 8192)
      risks.push_back(fmt::format("backlog_limit {} (a swap loop's burst needs about 8192)", *rs->backlog_limit));
    if (rs->rate_limit && *rs->rate_limit > 0)
      risks.push_back(fmt::format("rate_limit {} (events beyond it are dropped)", *rs->rate_limit));
    if (!risks.empty()) {
      d.verdict = CheckVerdict::Partial;
      d.summary += fmt::format("; but events will be lost under load: {}", fmt::join(risks, ", "));
    } else if (!rs->backlog_limit) {
      d.summary += "; backlog and rate limit not known (auditctl -s shows them)";
    }
  }
  add("AU009", evaluate_needs(au009_needs(opt), *rs, wt, wl));
  {
    DetectionCheck d = rep.detections[0];
    d.rule = "AU010";
    d.summary = "scores AU001's copies (--baseline): " + d.summary;
    rep.detections.push_back(std::move(d));
  }
  if (rs->enabled && *rs->enabled == 0)
    rep.problems.push_back("auditing is disabled (enabled 0): no rule records anything until `auditctl -e 1`");
  if (rs->lost && *rs->lost > 0)
    rep.problems.push_back(fmt::format("the kernel has lost {} events since boot (auditctl -s: lost)", *rs->lost));
  return rep;
}

// ---------------------------------------------------------------------------------------------
// Renderings

namespace {

std::string where(const AuditRule* r) {
  if (!r) return {};
  return fmt::format("{} line {}: {}", r->source, r->line, r->text);
}

std::string rule_name(std::string_view id) {
  const RuleInfo* ri = find_rule(id);
  return ri ? ri->name : std::string();
}

std::string adds_text(const NeedResult& n) {
  if (n.status == NeedStatus::Recorded) return {};
  if (n.with_tocsin == NeedStatus::Recorded) return "tocsin audit-rules records it (appended after these rules)";
  if (n.with_tocsin == NeedStatus::Shadowed || n.with_tocsin == NeedStatus::Excluded)
    return fmt::format("still {} with tocsin audit-rules appended ({}): the kernel uses the first rule that "
                       "matches — load tocsin's rules before it, or narrow it",
                       need_status_name(n.with_tocsin), where(n.with_tocsin_rule));
  if (n.with_tocsin_lab == NeedStatus::Recorded) return "only tocsin audit-rules --scope lab records it";
  if (n.with_tocsin == NeedStatus::Possibly) return "tocsin audit-rules may record it (a field the check cannot decide)";
  return "tocsin audit-rules does not record it either";
}

}  // namespace

std::string check_report_text(const CheckReport& r, bool color) {
  auto paint = [&](std::string_view code, std::string_view s) {
    return color ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : std::string(s);
  };
  const RuleSet& rs = *r.rules;
  size_t exit_rules = 0, watches = 0, exclude = 0, task = 0, fs = 0, user = 0;
  for (const auto& x : rs.rules) {
    if (x.list == FilterList::Exit) (x.watch ? watches : exit_rules)++;
    else if (x.list == FilterList::Exclude) ++exclude;
    else if (x.list == FilterList::Task) ++task;
    else if (x.list == FilterList::Filesystem) ++fs;
    else if (x.list == FilterList::User) ++user;
  }
  std::string out = fmt::format(
      "tocsin audit-rules --check: {} ({} rules: {} syscall, {} watches, {} exclude, {} task, {} filesystem, {} user)\n",
      sanitize_for_terminal(r.source), rs.rules.size(), exit_rules, watches, exclude, task, fs, user);
  for (const auto& p : r.problems) out += fmt::format("  {} {}\n", paint("1;31", "problem:"), p);
  for (const auto& n : rs.notes)
    out += fmt::format("  note: line {}: {}\n", n.line, sanitize_for_terminal(n.message));
  out += "\n";
  for (const auto& d : r.detections) {
    std::string_view code = d.verdict == CheckVerdict::Covered ? "32" : d.verdict == CheckVerdict::Partial ? "33" : "1;31";
    std::string v(check_verdict_name(d.verdict));
    out += fmt::format("{} {}{} {}: {}\n", d.rule, paint(code, v), std::string(8 - v.size(), ' '), rule_name(d.rule),
                       d.summary);
    if (d.rule == "AU010") continue;  // the same needs as AU001
    for (const auto& n : d.needs) {
      std::string st(need_status_name(n.status));
      std::string role = n.role == "support" ? ""
                         : n.role == "all"   ? " [required]"
                         : n.role == "any"   ? " [one of]"
                                             : fmt::format(" [one of the {}]", n.role.substr(4));
      out += fmt::format("    {}{} {}{}\n", st, std::string(9 - st.size(), ' '), n.need, role);
      if (n.rule) {
        std::string why = n.status == NeedStatus::Excluded ? fmt::format("{} records dropped by ", n.record)
                          : n.status == NeedStatus::Shadowed ? std::string("matched first by ")
                          : n.status == NeedStatus::Possibly ? std::string("depends on ")
                                                             : std::string("by ");
        out += fmt::format("              {}{}\n", why, sanitize_for_terminal(where(n.rule)));
      }
      if (auto a = adds_text(n); !a.empty()) out += fmt::format("              {}\n", sanitize_for_terminal(a));
    }
  }
  std::string line;
  for (CheckVerdict v : {CheckVerdict::Covered, CheckVerdict::Partial, CheckVerdict::Blind}) {
    std::string ids;
    for (const auto& d : r.detections)
      if (d.verdict == v) ids += " " + d.rule;
    if (!ids.empty()) line += fmt::format("{}{}{}", line.empty() ? "" : "; ", check_verdict_name(v), ids);
  }
  out += fmt::format("\n{}\n", line);
  return out;
}

nlohmann::ordered_json check_report_json(const CheckReport& r) {
  using J = nlohmann::ordered_json;
  auto rule_json = [](const AuditRule* x) -> J {
    if (!x) return nullptr;
    return J{{"source", x->source}, {"line", x->line}, {"text", x->text}};
  };
  const RuleSet& rs = *r.rules;
  J lists = J::object();
  for (FilterList l : {FilterList::Exit, FilterList::Exclude, FilterList::Task, FilterList::Filesystem,
                       FilterList::User, FilterList::Uring})
    lists[std::string(filter_list_name(l))] =
        std::count_if(rs.rules.begin(), rs.rules.end(), [&](const AuditRule& x) { return x.list == l; });
  lists["watches"] = std::count_if(rs.rules.begin(), rs.rules.end(), [](const AuditRule& x) { return x.watch; });
  auto opt = [](const std::optional<int64_t>& v) { return v ? J(*v) : J(nullptr); };
  J notes = J::array();
  for (const auto& n : rs.notes) notes.push_back({{"line", n.line}, {"message", n.message}});
  J dets = J::array();
  for (const auto& d : r.detections) {
    J needs = J::array();
    for (const auto& n : d.needs)
      needs.push_back({{"need", n.need},
                       {"role", n.role},
                       {"status", std::string(need_status_name(n.status))},
                       {"rule", rule_json(n.rule)},
                       {"record", n.record.empty() ? J(nullptr) : J(n.record)},
                       {"with_tocsin", std::string(need_status_name(n.with_tocsin))},
                       {"with_tocsin_lab", std::string(need_status_name(n.with_tocsin_lab))},
                       {"adds", adds_text(n).empty() ? J(nullptr) : J(adds_text(n))}});
    dets.push_back({{"rule", d.rule},
                    {"name", rule_name(d.rule)},
                    {"verdict", std::string(check_verdict_name(d.verdict))},
                    {"summary", d.summary},
                    {"needs", std::move(needs)}});
  }
  J out;
  out["tool"] = "tocsin";
  out["version"] = TOCSIN_VERSION;
  out["source"] = r.source;
  out["rules"] = std::move(lists);
  out["status"] = {{"enabled", opt(rs.enabled)},
                   {"backlog_limit", opt(rs.backlog_limit)},
                   {"rate_limit", opt(rs.rate_limit)},
                   {"lost", opt(rs.lost)},
                   {"backlog_wait_time", opt(rs.backlog_wait_time)}};
  out["problems"] = r.problems;
  out["notes"] = std::move(notes);
  out["detections"] = std::move(dets);
  return out;
}

int check_exit_code(const CheckReport& r, const std::vector<std::string>& counted) {
  if (r.rules && r.rules->enabled && *r.rules->enabled == 0) return 1;
  for (const auto& d : r.detections)
    if (d.verdict == CheckVerdict::Blind &&
        (counted.empty() || std::find(counted.begin(), counted.end(), d.rule) != counted.end()))
      return 1;
  return 0;
}

}  // namespace tocsin::audit
