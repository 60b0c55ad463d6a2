// Coverage: the evidence counted while hunting, and the per-rule verdicts drawn from it.
#include "audit/coverage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "audit/detections/detection.hpp"
#include "audit/event.hpp"
#include "audit/process/process_table.hpp"
#include "core/text_sanitize.hpp"

namespace tocsin::audit {

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Covered: return "covered";
    case Verdict::Partial: return "partial";
    case Verdict::Blind: return "blind";
    case Verdict::Unknown: return "unknown";
  }
  return "unknown";
}

std::string_view proc_class_name(ProcClass c) {
  switch (c) {
    case ProcClass::Client: return "client";
    case ProcClass::Runtime: return "runtime";
    case ProcClass::Container: return "container";
    case ProcClass::Other: return "other";
    case ProcClass::Count: break;
  }
  return "other";
}

std::string_view sys_group_name(SysGroup g) {
  switch (g) {
    case SysGroup::Exec: return "exec";
    case SysGroup::Rename: return "rename";
    case SysGroup::Write: return "write";
    case SysGroup::Open: return "open";
    case SysGroup::Check: return "check";
    case SysGroup::Namespace: return "namespace";
    case SysGroup::Chdir: return "chdir";
    case SysGroup::Other:
    case SysGroup::Count: break;
  }
  return "other";
}

namespace {

constexpr size_t kMaxKeys = 64;
constexpr size_t kRuntime = static_cast<size_t>(ProcClass::Runtime);
constexpr size_t kContainer = static_cast<size_t>(ProcClass::Container);

size_t gi(SysGroup g) { return static_cast<size_t>(g); }

// The group of a syscall by name; opens are split by their flags per event.
enum class BaseGroup : uint8_t { Exec, Rename, OpenFamily, Write, Check, Namespace, Chdir, Other };

BaseGroup base_group(std::string_view sc) {
  static const std::unordered_map<std::string_view, BaseGroup> kByName = [] {
    std::unordered_map<std::string_view, BaseGroup> m;
    static constexpr std::pair<std::string_view, BaseGroup> kTable[] = {
        {"execve", BaseGroup::Exec},         {"execveat", BaseGroup::Exec},
        {"rename", BaseGroup::Rename},       {"renameat", BaseGroup::Rename},
        {"renameat2", BaseGroup::Rename},    {"open", BaseGroup::OpenFamily},
        {"openat", BaseGroup::OpenFamily},   {"openat2", BaseGroup::OpenFamily},
        {"creat", BaseGroup::Write},         {"mkdir", BaseGroup::Write},
        {"mkdirat", BaseGroup::Write},       {"mknod", BaseGroup::Write},
        {"mknodat", BaseGroup::Write},       {"link", BaseGroup::Write},
        {"linkat", BaseGroup::Write},        {"symlink", BaseGroup::Write},
        {"symlinkat", BaseGroup::Write},     {"unlink", BaseGroup::Write},
        {"unlinkat", BaseGroup::Write},      {"rmdir", BaseGroup::Write},
        {"chmod", BaseGroup::Write},         {"fchmod", BaseGroup::Write},
        {"fchmodat", BaseGroup::Write},      {"fchmodat2", BaseGroup::Write},
        {"chown", BaseGroup::Write},         {"fchown", BaseGroup::Write},
        {"lchown", BaseGroup::Write},        {"fchownat", BaseGroup::Write},
        {"truncate", BaseGroup::Write},      {"ftruncate", BaseGroup::Write},
        {"setxattr", BaseGroup::Write},      {"lsetxattr", BaseGroup::Write},
        {"fsetxattr", BaseGroup::Write},     {"removexattr", BaseGroup::Write},
        {"lremovexattr", BaseGroup::Write},  {"fremovexattr", BaseGroup::Write},
        {"utimensat", BaseGroup::Write},     {"stat", BaseGroup::Check},
        {"lstat", BaseGroup::Check},         {"newfstatat", BaseGroup::Check},
        {"stat64", BaseGroup::Check},        {"lstat64", BaseGroup::Check},
        {"fstatat64", BaseGroup::Check},     {"statx", BaseGroup::Check},
        {"access", BaseGroup::Check},        {"faccessat", BaseGroup::Check},
        {"faccessat2", BaseGroup::Check},    {"readlink", BaseGroup::Check},
        {"readlinkat", BaseGroup::Check},    {"mount", BaseGroup::Namespace},
        {"umount", BaseGroup::Namespace},    {"umount2", BaseGroup::Namespace},
        {"unshare", BaseGroup::Namespace},   {"setns", BaseGroup::Namespace},
        {"pivot_root", BaseGroup::Namespace}, {"chroot", BaseGroup::Namespace},
        {"open_tree", BaseGroup::Namespace}, {"move_mount", BaseGroup::Namespace},
        {"fsopen", BaseGroup::Namespace},    {"fsmount", BaseGroup::Namespace},
        {"chdir", BaseGroup::Chdir},         {"fchdir", BaseGroup::Chdir}};
    for (const auto& [name, g] : kTable) m.emplace(name, g);
    return m;
  }();
  auto it = kByName.find(sc);
  return it == kByName.end() ? BaseGroup::Other : it->second;
}

SysGroup group_of(const Event& ev, BaseGroup b) {
  switch (b) {
    case BaseGroup::Exec: return SysGroup::Exec;
    case BaseGroup::Rename: return SysGroup::Rename;
    case BaseGroup::OpenFamily: return is_write_access(ev) ? SysGroup::Write : SysGroup::Open;
    case BaseGroup::Write: return SysGroup::Write;
    case BaseGroup::Check: return SysGroup::Check;
    case BaseGroup::Namespace: return SysGroup::Namespace;
    case BaseGroup::Chdir: return SysGroup::Chdir;
    case BaseGroup::Other: break;
  }
  return SysGroup::Other;
}

// 0 = container client, 1 = runtime, 2 = neither, 3 = podman (decided on the executable alone).
int exe_kind(std::string_view exe) {
  auto b = base_name(exe);
  if (b == "podman") return 3;
  if (b == "docker" || b == "nerdctl" || b == "kubectl") return 0;
  if (is_runtime_exe(exe)) return 1;
  return 2;
}

bool auid_set(const std::optional<int64_t>& a) { return login_id_set(a); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Counting

void CoverageTracker::count_key(std::string_view raw) {
  if (raw.empty() || raw == "(null)") return;
  last_key_raw_.assign(raw);
  last_key_slot_ = SIZE_MAX;
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
    // One key, quoted: found without decoding (keys alternate between a few rules).
    std::string_view k = raw.substr(1, raw.size() - 2);
    for (size_t i = 0; i < f_.keys.size(); ++i)
      if (f_.keys[i].first == k) {
        ++f_.keys[i].second;
        last_key_slot_ = i;
        return;
      }
  }
  auto decoded = decode_value(raw, true);
  if (!decoded) return;
  // Several keys are joined by 0x01: the event counts for each.
  size_t start = 0;
  for (size_t i = 0; i <= decoded->size(); ++i) {
    if (i < decoded->size() && (*decoded)[i] != '\x01') continue;
    std::string k = decoded->substr(start, i - start);
    start = i + 1;
    if (k.empty()) continue;
    auto it = std::find_if(f_.keys.begin(), f_.keys.end(), [&](const auto& e) { return e.first == k; });
    if (it == f_.keys.end()) {
      if (f_.keys.size() >= kMaxKeys) {
        ++f_.keys_dropped;
        continue;
      }
      f_.keys.emplace_back(std::move(k), 0);
      it = std::prev(f_.keys.end());
    }
    ++it->second;
    // A single key is remembered for the next event (a loop logs thousands under one key).
    if (decoded->find('\x01') == std::string::npos) last_key_slot_ = static_cast<size_t>(it - f_.keys.begin());
  }
  if (last_key_slot_ == SIZE_MAX) last_key_raw_.clear();
}

void CoverageTracker::on_event(const Event& ev, const ProcessInfo* proc) {
  ++f_.events;
  bool syscall = false, execve_rec = false, cwd = false, config_change = false, login_event = false;
  uint64_t paths = 0;
  for (uint32_t i = 0; i < ev.record_count(); ++i) {
    const auto& r = ev.record_head(i);
    switch (r.type) {
      case RecordType::Syscall: syscall = true; ++f_.syscall_records; break;
      case RecordType::Execve: execve_rec = true; ++f_.execve_records; break;
      case RecordType::Path: ++paths; ++f_.path_records; break;
      case RecordType::Cwd: cwd = true; ++f_.cwd_records; break;
      case RecordType::Proctitle: ++f_.proctitle_records; break;
      case RecordType::ConfigChange: config_change = true; ++f_.config_change_records; break;
      default: {
        login_event |= r.type == RecordType::Login;
        const uint32_t n = r.type_number ? r.type_number : static_cast<uint32_t>(r.type);
        if (n >= 1200 && n < 1300) ++f_.daemon_records;
        else ++f_.other_records;
      }
    }
  }
  if (config_change && !syscall) {
    // A rule loaded while the log was written: which filter list it went to.
    if (auto r = ev.find(RecordType::ConfigChange)) {
      auto op = r->str("op");
      auto list = r->unum("list");
      if (op && (*op == "add_rule" || *op == "add rule") && list && *list < f_.rules_added_by_list.size())
        ++f_.rules_added_by_list[*list];
    }
  }
  // A LOGIN event's SYSCALL record (the write to /proc/self/loginuid by sshd, cron, su…) is
  // logged by the kernel whatever the rules: it tells nothing of what they record, and would
  // make an execve-only log look like one that records other syscalls.
  if (!syscall || login_event) return;
  ++f_.syscall_events;
  // items= is read only when no PATH record came: an event with PATH records announced them.
  if (paths) {
    ++f_.path_announced;
  } else if (auto items = ev.items(); items && *items > 0) {
    ++f_.path_announced;
    ++f_.path_short;
  }
  if (paths) {
    ++f_.path_events;
    if (cwd) ++f_.path_and_cwd;
  }
  // Most events repeat the previous one's key (a loop logs thousands under one).
  if (std::string_view raw = ev.key_raw(); last_key_slot_ != SIZE_MAX && raw == last_key_raw_)
    ++f_.keys[last_key_slot_].second;
  else
    count_key(raw);

  // The process table keeps the executable (decoded once per process, not per event).
  std::string_view exe = proc && !proc->exe.empty() ? std::string_view(proc->exe) : ev.exe_view();
  if (last_exe_kind_ < 0 || exe != last_exe_) {
    last_exe_.assign(exe);
    last_exe_kind_ = exe_kind(exe);
  }
  ProcClass cls = ProcClass::Other;
  if (proc && proc->copy_helper) cls = ProcClass::Runtime;
  else if (last_exe_kind_ == 0) cls = ProcClass::Client;
  else if (last_exe_kind_ == 1) cls = ProcClass::Runtime;
  // podman is the client of a copy (`podman cp`, which the process table knows confined to the
  // container by design) and the engine otherwise (run, exec, container cleanup).
  else if (last_exe_kind_ == 3)
    cls = proc && proc->confined == Confinement::ByDesign ? ProcClass::Client : ProcClass::Runtime;
  else if (proc && !proc->container.empty()) cls = ProcClass::Container;
  const size_t c = static_cast<size_t>(cls);

  std::string_view sc = ev.syscall_name();
  if (sc != last_syscall_) {
    last_syscall_.assign(sc);
    last_group_ = static_cast<uint8_t>(base_group(sc));
  }
  const SysGroup g = group_of(ev, static_cast<BaseGroup>(last_group_));
  ++f_.by[c][gi(g)];
  if (paths) ++f_.with_path[c][gi(g)];
  if (cwd) ++f_.with_cwd[c][gi(g)];

  const bool ok = ev.success().value_or(true);
  if (g == SysGroup::Exec && ok) {
    ++f_.execve_events;
    if (!execve_rec) {
      ++f_.execve_no_argv;
    } else {
      const bool login = auid_set(ev.auid());
      ++(login ? f_.exec_login : f_.exec_nologin);
      if (!login && (cls == ProcClass::Container || cls == ProcClass::Other)) ++f_.exec_unattended;
      if (proc && proc->copy_helper) ++f_.helper_execs;
      if (!(proc && proc->copy_helper) && (last_exe_kind_ == 0 || last_exe_kind_ == 3)) ++f_.client_execs;
    }
  } else if (g == SysGroup::Rename && ok && paths >= 2) {
    int deleted = 0;
    for (const auto& p : ev.paths())
      if (p.nametype == "DELETE" && p.name && !p.name->empty()) ++deleted;
    if (deleted >= 2) {
      ++f_.renames_named;
      if (cls == ProcClass::Container) ++f_.renames_named_container;
    }
  }
}

void CoverageTracker::on_copy_closed(const Copy& c) {
  const bool to = c.cmd.direction == "to-container";
  CoverageFacts::CopyCounts& k = c.cmd.tool == "docker"   ? (to ? f_.docker_to : f_.docker_from)
                                 : c.cmd.tool == "podman" ? (to ? f_.podman_to : f_.podman_from)
                                                          : f_.other_copies;
  ++k.copies;
  if (c.helper_pid) ++k.with_helper;
  if (c.side_events) ++k.with_side;
  if (c.side_creates) ++k.with_create;
  if (c.source_identity) ++k.with_check;
  if (!c.helper_pid && c.daemon_opens) ++k.with_daemon_opens;
}

void CoverageTracker::on_loop_confirmed(const LoopEpisode& ep) {
  ++f_.loops;
  if (ep.a.empty() || ep.a.front() != '/' || ep.b.empty() || ep.b.front() != '/') ++f_.loops_unplaced;
}

// ---------------------------------------------------------------------------------------------
// Verdicts

namespace {

struct Part {
  Verdict v;
  std::string reason, fix;
};

RuleCoverage make(std::string_view rule, Verdict v, std::string reason, std::string fix = {}) {
  return RuleCoverage{std::string(rule), v, std::move(reason), v == Verdict::Covered ? std::string() : std::move(fix)};
}

// Several parts of one rule (engine shapes, directions): covered when all are, blind when none
// is covered or partial and one is blind, unknown when all are unknown, partial otherwise.
RuleCoverage combine(std::string_view rule, const std::vector<Part>& parts) {
  bool all_covered = true, any_seen = false, any_blind = false, all_unknown = true;
  std::string reason, fix;
  for (const auto& p : parts) {
    all_covered &= p.v == Verdict::Covered;
    any_seen |= p.v == Verdict::Covered || p.v == Verdict::Partial;
    any_blind |= p.v == Verdict::Blind;
    all_unknown &= p.v == Verdict::Unknown;
    if (!reason.empty()) reason += "; ";
    reason += p.reason;
    if (!p.fix.empty() && fix.find(p.fix) == std::string::npos) fix += (fix.empty() ? "" : "; ") + p.fix;
  }
  Verdict v = all_covered ? Verdict::Covered
              : all_unknown ? Verdict::Unknown
              : (!any_seen && any_blind) ? Verdict::Blind
              : any_seen ? Verdict::Partial
                         : Verdict::Unknown;
  return make(rule, v, std::move(reason), std::move(fix));
}

uint64_t sum(const std::array<uint64_t, CoverageFacts::kGroups>& row) {
  uint64_t n = 0;
  for (auto v : row) n += v;
  return n;
}

// tocsin audit-rules keys in the log: "<prefix>_<purpose>" for a prefix that also tagged one
// of the runtime purposes (so a foreign "x_exec" alone does not count).
struct OurKeys {
  std::string prefix;
  bool has(const CoverageFacts& f, std::string_view purpose) const {
    if (prefix.empty()) return false;
    std::string k = prefix + "_" + std::string(purpose);
    return std::any_of(f.keys.begin(), f.keys.end(), [&](const auto& e) { return e.first == k; });
  }
};

OurKeys our_keys(const CoverageFacts& f) {
  static constexpr std::string_view kPurposes[] = {"_client", "_runtime_exec", "_runtime_ns", "_runtime_write",
                                                   "_runtime_cwd", "_runtime_bin", "_swap", "_symlink", "_exec",
                                                   "_runtime_check", "_container_start", "_cwd"};
  for (const auto& [k, n] : f.keys)
    for (std::string_view p : kPurposes) {
      if (k.size() <= p.size() || k.compare(k.size() - p.size(), p.size(), p) != 0) continue;
      std::string prefix = k.substr(0, k.size() - p.size());
      auto has = [&](std::string_view purpose) {
        return std::any_of(f.keys.begin(), f.keys.end(), [&](const auto& e) { return e.first == prefix + std::string(purpose); });
      };
      // The default prefix, or one that also tagged a purpose only tocsin's rules have.
      if (prefix == "tocsin" || has("_runtime_exec") || has("_runtime_write") || has("_runtime_ns") ||
          has("_container_start"))
        return OurKeys{prefix};
    }
  return {};
}

std::string copies_text(uint64_t n, std::string_view what) {
  return fmt::format("{} cop{} {}", n, n == 1 ? "y" : "ies", what);
}

constexpr uint64_t kMinSample = 10;
constexpr std::string_view kFixByNature =
    "none for reads (common rule sets do not audit them; recording every read is too much): AU003, the loop "
    "overlapping the copy, is what shows such a race";
constexpr std::string_view kFixRules = "load tocsin audit-rules";
constexpr std::string_view kFixCheck = "see what the loaded rules record: tocsin audit-rules --check";

}  // namespace

std::vector<RuleCoverage> coverage_verdicts(const CoverageFacts& f, const CoverageOptions& opt) {
  std::vector<RuleCoverage> out;
  const OurKeys ours = our_keys(f);
  const uint64_t copies = f.docker_to.copies + f.docker_from.copies + f.podman_to.copies + f.podman_from.copies +
                          f.other_copies.copies;
  uint64_t exec_events = 0;
  for (const auto& row : f.by) exec_events += row[gi(SysGroup::Exec)];
  const bool any_syscall = f.syscall_events > 0;
  // Inferences from what is absent among many events need enough of them: a log of two
  // execve records says little about the rules that wrote it. Direct evidence (an event that
  // announces PATH records and has none) needs no sample.
  const bool exec_only = f.syscall_events >= kMinSample && exec_events == f.syscall_events;
  const bool login_only = f.exec_login >= kMinSample && f.exec_nologin == 0;
  // PATH records missing from (nearly) every event that announces them: excluded.
  const bool path_missing = f.path_announced > 0 && f.path_short * 10 >= f.path_announced * 9;
  const bool cwd_excluded = f.path_announced > 0 && f.cwd_records == 0;
  const bool argv_excluded = f.execve_events > 0 && f.execve_no_argv == f.execve_events;
  const uint64_t runtime_events = sum(f.by[kRuntime]);
  const uint64_t container_events = sum(f.by[kContainer]);

  // No syscall records at all: every rule that reads them is blind.
  const std::string no_syscalls =
      f.events == 0 ? std::string("the input holds no audit events")
                    : fmt::format("the log holds no syscall records ({} events, none from the kernel's syscall rules)",
                                  f.events);
  const std::string path_text =
      fmt::format("PATH records are missing from {} of {} events that announce them (items=): excluded or dropped",
                  f.path_short, f.path_announced);
  constexpr std::string_view kFixPath = "remove the PATH exclusion (-a always,exclude -F msgtype=PATH) or forward PATH records";
  constexpr std::string_view kFixCwd = "remove -a always,exclude -F msgtype=CWD (or forward CWD records)";

  // --- AU001
  RuleCoverage au001;
  if (!any_syscall) {
    au001 = make("AU001", Verdict::Blind, no_syscalls, std::string(kFixRules));
  } else if (f.execve_events == 0) {
    au001 = make("AU001", Verdict::Blind, "no execve records: program execution is not recorded",
                 fmt::format("{} (its _client rule records the container clients' execve)", kFixRules));
  } else if (argv_excluded) {
    au001 = make("AU001", Verdict::Blind,
                 fmt::format("none of the {} execve events has its EXECVE record (argv): the copy's command line "
                             "cannot be read", f.execve_events),
                 "remove the EXECVE exclusion (-a always,exclude -F msgtype=EXECVE) or forward EXECVE records");
  } else if (copies > 0 || f.client_execs > 0) {
    std::string seen = copies > 0 ? copies_text(copies, "recorded with the command line and the user")
                                  : fmt::format("the container clients' execve is recorded ({} run{}); no copy ran",
                                                f.client_execs, f.client_execs == 1 ? "" : "s");
    if (login_only)
      au001 = make("AU001", Verdict::Partial,
                   seen + "; but execve is recorded only in login sessions (auid set): a copy run by a service or "
                          "a CI job (auid unset) would leave no record",
                   fmt::format("{} (it records the clients' execve by path, whoever runs them)", kFixRules));
    else
      au001 = make("AU001", Verdict::Covered, seen);
  } else {
    au001 = make("AU001", Verdict::Unknown,
                 fmt::format("no container client (docker, podman, nerdctl, kubectl) ran as far as the log shows "
                             "({} execve records of other programs{})",
                             f.execve_events - f.execve_no_argv,
                             f.exec_nologin == 0 ? ", only from login sessions" : ""),
                 std::string(kFixCheck));
  }
  out.push_back(au001);

  // --- AU002
  RuleCoverage au002;
  if (f.loops > 0) {
    au002 = make("AU002", Verdict::Covered, fmt::format("{} swap loop{} recorded with both names", f.loops,
                                                        f.loops == 1 ? "" : "s"));
  } else if (!any_syscall) {
    au002 = make("AU002", Verdict::Blind, no_syscalls, std::string(kFixRules));
  } else if (exec_only) {
    au002 = make("AU002", Verdict::Blind, "the log holds execve records only: renames are not recorded",
                 fmt::format("{} (its _swap rule records renames)", kFixRules));
  } else if (path_missing) {
    au002 = make("AU002", Verdict::Blind, path_text + ": the names a loop exchanges cannot be seen", std::string(kFixPath));
  } else if (f.renames_named_container > 0) {
    au002 = make("AU002", Verdict::Covered,
                 fmt::format("renames by container processes are recorded with their names ({}); no loop ran",
                             f.renames_named_container));
  } else if (ours.has(f, "swap")) {
    au002 = make("AU002", Verdict::Covered,
                 fmt::format("tocsin audit-rules' rename rule is loaded (key {}_swap): every process's renames are "
                             "recorded; no loop ran", ours.prefix));
  } else if (f.renames_named > 0) {
    au002 = make("AU002", Verdict::Unknown,
                 fmt::format("renames are recorded with their names ({}), none by a process known to be in a "
                             "container: no loop ran, or container renames are not recorded",
                             f.renames_named),
                 std::string(kFixCheck));
  } else {
    au002 = make("AU002", Verdict::Unknown,
                 "no rename record at all: no swap loop ran, or renames are not recorded", std::string(kFixCheck));
  }
  out.push_back(au002);

  // --- AU003: a copy (AU001) and a loop (AU002) on its path
  RuleCoverage au003;
  if (copies > 0 && f.loops > 0 && f.loops_unplaced == f.loops) {
    au003 = make("AU003", Verdict::Partial,
                 "the loops' names are relative and no CWD record places them: a loop cannot be matched with a "
                 "copy's path",
                 std::string(kFixCwd));
  } else if (au001.verdict == Verdict::Covered && au002.verdict == Verdict::Covered) {
    au003 = make("AU003", Verdict::Covered, fmt::format("copies and renames are recorded (AU001: {}; AU002: {})",
                                                        au001.reason, au002.reason));
  } else {
    std::vector<Part> parts{{au001.verdict, "AU001: " + au001.reason, au001.fix},
                            {au002.verdict, "AU002: " + au002.reason, au002.fix}};
    au003 = combine("AU003", parts);
    // It needs both: one blind half is a blind rule.
    if (au001.verdict == Verdict::Blind || au002.verdict == Verdict::Blind) au003.verdict = Verdict::Blind;
    else if (au001.verdict == Verdict::Unknown || au002.verdict == Verdict::Unknown) au003.verdict = Verdict::Unknown;
  }
  out.push_back(au003);

  // --- AU004: where the copy really went, per engine shape and direction
  RuleCoverage au004;
  if (!any_syscall) {
    au004 = make("AU004", Verdict::Blind, no_syscalls, std::string(kFixRules));
  } else if (copies == 0) {
    au004 = make("AU004", Verdict::Unknown,
                 "no copy ran: nothing shows whether a copy's own records (the helper's argv and file syscalls) "
                 "are kept", std::string(kFixCheck));
  } else {
    std::vector<Part> parts;
    const std::string fix_exec = fmt::format("{} (_runtime_exec records dockerd's re-exec as the copy helper)", kFixRules);
    auto docker_no_helper = [&](const CoverageFacts::CopyCounts& k, std::string_view dir) -> Part {
      if (k.with_daemon_opens > 0)
        return {Verdict::Partial,
                fmt::format("no copy helper execve for {} but dockerd's own opens during them are recorded (an "
                            "in-process engine, moby 23+: derived from its source, not yet confirmed on a live engine)",
                            copies_text(k.copies, dir)),
                fix_exec};
      return {Verdict::Blind,
              fmt::format("no docker-untar/docker-tar execve recorded for {}{} (dockerd's re-exec is not "
                          "recorded, or every copy failed)", k.copies == 1 ? "the " : "any of ", copies_text(k.copies, dir)),
              fix_exec};
    };
    if (f.docker_to.copies) {
      const auto& k = f.docker_to;
      if (k.with_helper == 0) parts.push_back(docker_no_helper(k, "into containers"));
      else if (k.with_side == 0)
        parts.push_back({Verdict::Partial,
                         fmt::format("docker {}: the helper's argv is recorded (a win at resolution time is seen) but "
                                     "none of its file syscalls, so a win after resolution (the file created in the "
                                     "container root while argv names the requested directory) is missed",
                                     copies_text(k.copies, "into containers")),
                         fmt::format("{} (_runtime_write and _runtime_cwd record the helper's creates and chdir with "
                                     "inodes)", kFixRules)});
      else
        parts.push_back({Verdict::Covered,
                         fmt::format("docker {}: the helper's argv and its file syscalls (with inodes) are recorded",
                                     copies_text(k.copies, "into containers")),
                         ""});
    }
    if (f.docker_from.copies) {
      const auto& k = f.docker_from;
      if (k.with_helper == 0) parts.push_back(docker_no_helper(k, "out of containers"));
      else
        parts.push_back({Verdict::Partial,
                         fmt::format("docker {}: the helper's argv shows a win at resolution time; reads are not "
                                     "audited, so a win after it leaves no record (partial by nature)",
                                     copies_text(k.copies, "out of containers")),
                         std::string(kFixByNature)});
    }
    if (f.podman_to.copies) {
      const auto& k = f.podman_to;
      const std::string fix_podman = "record /usr/bin/podman's setns, openat, mkdirat and newfstatat (tocsin audit-rules "
                                     "--check lists what is missing)";
      if (k.with_create > 0)
        parts.push_back({Verdict::Covered, fmt::format("podman {}: its file syscalls inside the container (creates, "
                                                       "with names and inodes) are recorded",
                                                       copies_text(k.copies, "into containers")),
                         ""});
      else if (k.with_side > 0)
        parts.push_back({Verdict::Partial,
                         fmt::format("podman {}: some of its file syscalls inside the container are recorded, but "
                                     "no create of a copied file", copies_text(k.copies, "into containers")),
                         fix_podman});
      else
        parts.push_back({Verdict::Blind,
                         fmt::format("podman {}: none of its file syscalls inside the container is recorded, and "
                                     "only they show where a podman copy went", copies_text(k.copies, "into containers")),
                         fix_podman});
    }
    if (f.podman_from.copies) {
      const auto& k = f.podman_from;
      if (k.with_check > 0)
        parts.push_back({Verdict::Partial,
                         fmt::format("podman {}: its check of the requested name is recorded (inode evidence of a "
                                     "win); reads are not audited, so other wins leave no record (partial by nature)",
                                     copies_text(k.copies, "out of containers")),
                         std::string(kFixByNature)});
      else
        parts.push_back({Verdict::Blind,
                         fmt::format("podman {}: no check of the requested name inside the container is recorded",
                                     copies_text(k.copies, "out of containers")),
                         "record /usr/bin/podman's newfstatat and setns (tocsin audit-rules --check lists what is missing)"});
    }
    if (f.other_copies.copies)
      parts.push_back({Verdict::Unknown,
                       fmt::format("{}: no resolution evidence is known for these clients",
                                   copies_text(f.other_copies.copies, "by nerdctl or kubectl")),
                       "none known: AU003 (a loop overlapping the copy) is what shows a race on these copies"});
    au004 = combine("AU004", parts);
  }
  out.push_back(au004);

  // --- AU005: the runtime's writes
  const uint64_t rt_writes = f.by[kRuntime][gi(SysGroup::Write)];
  const uint64_t rt_writes_path = f.with_path[kRuntime][gi(SysGroup::Write)];
  const bool podman_writes = f.podman_to.with_create > 0;
  if (!any_syscall) {
    out.push_back(make("AU005", Verdict::Blind, no_syscalls, std::string(kFixRules)));
  } else if (rt_writes_path > 0 || podman_writes) {
    std::string seen = rt_writes_path > 0
                           ? fmt::format("the runtime's writes are recorded with their paths ({})", rt_writes_path)
                           : std::string("podman's writes during its copies are recorded with their paths");
    if (cwd_excluded)
      out.push_back(make("AU005", Verdict::Partial,
                         seen + ", but CWD records are excluded: a write by a relative name cannot be placed",
                         std::string(kFixCwd)));
    else
      out.push_back(make("AU005", Verdict::Covered, seen));
  } else if (rt_writes > 0) {
    out.push_back(make("AU005", Verdict::Blind,
                       fmt::format("the runtime's writes are recorded without PATH records ({}): where they went "
                                   "cannot be seen", rt_writes),
                       std::string(kFixPath)));
  } else if (runtime_events > 0 || f.docker_to.copies + f.docker_from.copies > 0) {
    out.push_back(make("AU005", Verdict::Blind,
                       runtime_events ? fmt::format("the runtime is in the log ({} events) but none of its writes", runtime_events)
                                      : std::string("docker copies ran but the log holds no record of the runtime (dockerd, "
                                                    "its helpers, runc)"),
                       fmt::format("{} (_runtime_write)", kFixRules)));
  } else {
    out.push_back(make("AU005", Verdict::Unknown, "no runtime activity in the log", std::string(kFixCheck)));
  }

  // --- AU006: a program started by a copy helper
  if (!any_syscall) {
    out.push_back(make("AU006", Verdict::Blind, no_syscalls, std::string(kFixRules)));
  } else if (f.execve_events == 0 || argv_excluded) {
    out.push_back(make("AU006", Verdict::Blind,
                       f.execve_events == 0 ? "no execve records" : "execve events carry no EXECVE record (argv)",
                       fmt::format("{} --scope lab (every execve)", kFixRules)));
  } else if (f.docker_to.copies + f.docker_from.copies > 0 && f.helper_execs == 0) {
    out.push_back(make("AU006", Verdict::Blind, "no copy helper's execve is recorded although docker copies ran",
                       fmt::format("{} (_runtime_exec)", kFixRules)));
  } else if (login_only) {
    out.push_back(make("AU006", Verdict::Blind,
                       "execve is recorded only in login sessions (auid set): the runtime's helpers and the programs "
                       "they start (no login session) are not",
                       fmt::format("{} --scope lab (every execve)", kFixRules)));
  } else if (ours.has(f, "exec") && (ours.has(f, "cwd") || ours.has(f, "runtime_check") || ours.has(f, "container_start"))) {
    out.push_back(make("AU006", Verdict::Covered,
                       fmt::format("tocsin audit-rules --scope lab is loaded (keys {0}_exec, {0}_cwd…): every "
                                   "execve is recorded", ours.prefix)));
  } else {
    out.push_back(make("AU006", Verdict::Unknown,
                       fmt::format("execve is recorded for some programs outside login sessions ({}), but nothing "
                                   "shows it is recorded for every program, as a program a copy helper starts needs",
                                   f.exec_nologin),
                       fmt::format("{}; tocsin audit-rules --scope lab records every execve", kFixCheck)));
  }

  // --- AU007: working directory of the runtime's and containers' processes
  const uint64_t cwd_seen = f.with_cwd[kRuntime][gi(SysGroup::Exec)] + f.with_cwd[kContainer][gi(SysGroup::Exec)] +
                            f.with_cwd[kRuntime][gi(SysGroup::Chdir)] + f.with_cwd[kContainer][gi(SysGroup::Chdir)];
  if (!any_syscall) {
    out.push_back(make("AU007", Verdict::Blind, no_syscalls, std::string(kFixRules)));
  } else if (cwd_excluded) {
    out.push_back(make("AU007", Verdict::Blind,
                       fmt::format("no CWD record although {} events name paths: CWD is excluded, so a working "
                                   "directory under /proc/self/fd (CVE-2024-21626) is invisible", f.path_announced),
                       std::string(kFixCwd)));
  } else if (cwd_seen > 0) {
    out.push_back(make("AU007", Verdict::Covered,
                       fmt::format("the working directory of the runtime's and containers' processes is recorded "
                                   "({} execve/chdir events with CWD); a write to a runtime binary shows only when it "
                                   "happens", cwd_seen)));
  } else if (f.execve_events == 0 && exec_events == 0) {
    out.push_back(make("AU007", Verdict::Blind, "no execve or chdir records", std::string(kFixRules)));
  } else {
    out.push_back(make("AU007", Verdict::Unknown,
                       "no runtime or container process executed a program or changed directory in this log",
                       std::string(kFixCheck)));
  }

  // --- AU008: the audit system's own loss reports
  if (f.loss_reports > 0)
    out.push_back(make("AU008", Verdict::Covered, fmt::format("{} loss report{} in the log", f.loss_reports,
                                                              f.loss_reports == 1 ? "" : "s")));
  else if (f.daemon_records > 0)
    out.push_back(make("AU008", Verdict::Covered,
                       fmt::format("auditd's own records are in the log ({} DAEMON_* records): a loss report would "
                                   "be too", f.daemon_records)));
  else if (f.events == 0)
    out.push_back(make("AU008", Verdict::Blind, no_syscalls, "hunt auditd's own log files (/var/log/audit/)"));
  else
    out.push_back(make("AU008", Verdict::Partial,
                       fmt::format("no auditd DAEMON_* record: the log was extracted or forwarded (ausearch, a SIEM "
                                   "export), where loss reports may be left out; {} serial gaps (normal with "
                                   "filtering rules)", f.serial_gaps),
                       "hunt auditd's own log files (/var/log/audit/), which keep its DAEMON_* records"));

  // --- AU009: checks and uses by the runtime and container start-ups, with inodes
  const uint64_t checks = f.with_path[kRuntime][gi(SysGroup::Check)] + f.with_path[kContainer][gi(SysGroup::Check)];
  uint64_t uses = 0;
  for (size_t c : {kRuntime, kContainer})
    for (SysGroup g : {SysGroup::Open, SysGroup::Write, SysGroup::Exec}) uses += f.with_path[c][gi(g)];
  const std::string fix_lab = fmt::format("{} --scope lab (_runtime_check, _container_start)", kFixRules);
  if (!any_syscall)
    out.push_back(make("AU009", Verdict::Blind, no_syscalls, fix_lab));
  else if (checks > 0 && uses > 0)
    out.push_back(make("AU009", Verdict::Covered,
                       fmt::format("checks ({}) and uses ({}) by the runtime and container processes are recorded "
                                   "with their inodes", checks, uses)));
  else if (runtime_events + container_events == 0)
    out.push_back(make("AU009", Verdict::Unknown, "no runtime or container process activity in the log", fix_lab));
  else if (path_missing)
    out.push_back(make("AU009", Verdict::Blind, path_text + ": inodes cannot be compared", std::string(kFixPath)));
  else if (checks == 0)
    out.push_back(make("AU009", Verdict::Blind,
                       fmt::format("no stat/access/readlink record of the runtime or of a container's processes "
                                   "({} of their events): the check half of a check/use pair is not recorded",
                                   runtime_events + container_events),
                       fix_lab));
  else
    out.push_back(make("AU009", Verdict::Blind,
                       "the runtime's checks are recorded but none of its uses (open, exec) with PATH records", fix_lab));

  // --- AU010: AU001's copies, scored
  {
    RuleCoverage au010 = au001;
    au010.rule = "AU010";
    au010.reason = "scores the AU001 copies: " + au001.reason + (opt.baseline ? "" : " (runs with --baseline)");
    out.push_back(std::move(au010));
  }

  // Losses the audit system reported: what looked covered may have gaps.
  if (f.loss_reports > 0)
    for (auto& r : out)
      if (r.rule != "AU008" && r.verdict == Verdict::Covered) {
        r.verdict = Verdict::Partial;
        r.reason += fmt::format("; but the audit system reported {} loss{} (AU008): records may be missing",
                                f.loss_reports, f.loss_reports == 1 ? "" : "es");
        r.fix = "raise the kernel backlog (auditctl -b 8192, --backlog_wait_time 60000) and do not rate-limit (-r 0)";
      }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Renderings

nlohmann::ordered_json coverage_json(const CoverageFacts& f, const std::vector<RuleCoverage>& v) {
  using J = nlohmann::ordered_json;
  J rules = J::object();
  for (const auto& r : v)
    rules[r.rule] = {{"verdict", std::string(verdict_name(r.verdict))},
                     {"reason", r.reason},
                     {"fix", r.fix.empty() ? J(nullptr) : J(r.fix)}};
  J sys = J::object();
  for (size_t c = 0; c < CoverageFacts::kClasses; ++c) {
    J row = J::object();
    for (size_t g = 0; g < CoverageFacts::kGroups; ++g)
      if (f.by[c][g])
        row[std::string(sys_group_name(static_cast<SysGroup>(g)))] = {
            {"events", f.by[c][g]}, {"with_path", f.with_path[c][g]}, {"with_cwd", f.with_cwd[c][g]}};
    sys[std::string(proc_class_name(static_cast<ProcClass>(c)))] = std::move(row);
  }
  auto copies = [](const CoverageFacts::CopyCounts& k) {
    return J{{"copies", k.copies},         {"with_helper", k.with_helper}, {"with_side", k.with_side},
             {"with_create", k.with_create}, {"with_check", k.with_check},
             {"with_daemon_opens", k.with_daemon_opens}};
  };
  J keys = J::object();
  for (const auto& [k, n] : f.keys) keys[k] = n;
  J lists = J::object();
  static constexpr std::string_view kLists[] = {"user", "task", "entry", "watch", "exit", "exclude", "filesystem", "io_uring"};
  for (size_t i = 0; i < f.rules_added_by_list.size(); ++i)
    if (f.rules_added_by_list[i]) lists[std::string(kLists[i])] = f.rules_added_by_list[i];
  J ev;
  ev["events"] = f.events;
  ev["syscall_events"] = f.syscall_events;
  ev["records"] = {{"SYSCALL", f.syscall_records}, {"EXECVE", f.execve_records}, {"PATH", f.path_records},
                   {"CWD", f.cwd_records},         {"PROCTITLE", f.proctitle_records},
                   {"DAEMON", f.daemon_records},   {"CONFIG_CHANGE", f.config_change_records},
                   {"other", f.other_records}};
  ev["path"] = {{"announced", f.path_announced}, {"short", f.path_short}, {"events", f.path_events},
                {"events_with_cwd", f.path_and_cwd}};
  ev["execve"] = {{"events", f.execve_events}, {"without_argv", f.execve_no_argv}, {"login", f.exec_login},
                  {"no_login", f.exec_nologin}, {"unattended", f.exec_unattended}, {"helpers", f.helper_execs},
                  {"clients", f.client_execs}};
  ev["syscalls"] = std::move(sys);
  ev["renames"] = {{"named", f.renames_named}, {"named_by_containers", f.renames_named_container}};
  ev["loops"] = {{"confirmed", f.loops}, {"unplaced", f.loops_unplaced}};
  ev["copies"] = {{"docker", {{"to-container", copies(f.docker_to)}, {"from-container", copies(f.docker_from)}}},
                  {"podman", {{"to-container", copies(f.podman_to)}, {"from-container", copies(f.podman_from)}}},
                  {"other", f.other_copies.copies}};
  ev["keys"] = std::move(keys);
  ev["keys_dropped"] = f.keys_dropped;
  ev["rules_added"] = std::move(lists);
  ev["loss_reports"] = f.loss_reports;
  ev["serial_gaps"] = f.serial_gaps;
  J out;
  out["rules"] = std::move(rules);
  out["evidence"] = std::move(ev);
  return out;
}

std::string coverage_text(const std::vector<RuleCoverage>& v, bool color) {
  auto paint = [&](Verdict d, std::string_view s) {
    if (!color) return std::string(s);
    std::string_view code = d == Verdict::Covered ? "32" : d == Verdict::Partial ? "33" : d == Verdict::Blind ? "1;31" : "2";
    return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
  };
  std::string out = "coverage (what this log lets each rule see; tocsin explain AU00N, docs/coverage.md):\n";
  for (const auto& r : v) {
    std::string name(verdict_name(r.verdict));
    out += fmt::format("  {} {}{} {}\n", r.rule, paint(r.verdict, name), std::string(8 - name.size(), ' '),
                       sanitize_for_terminal(r.reason));
    if (!r.fix.empty()) out += fmt::format("                 fix: {}\n", sanitize_for_terminal(r.fix));
  }
  return out;
}

std::string coverage_stats_line(const std::vector<RuleCoverage>& v) {
  std::string out = "coverage:";
  bool first = true;
  for (Verdict d : {Verdict::Covered, Verdict::Partial, Verdict::Blind, Verdict::Unknown}) {
    std::string ids;
    for (const auto& r : v)
      if (r.verdict == d) ids += " " + r.rule;
    if (ids.empty()) continue;
    out += fmt::format("{} {}{}", first ? "" : ";", verdict_name(d), ids);
    first = false;
  }
  return out;
}

}  // namespace tocsin::audit
