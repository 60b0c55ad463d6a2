// Coverage verdicts: what the audit data itself shows each hunt rule (AU001-AU010) can see.
// While the hunt runs, the tracker counts cheaply what the log holds — record types, syscall
// groups per process class (container client, runtime, container process), PATH and CWD
// records against what the events announce, rule keys, rule loads, each copy's own records —
// and at the end each rule gets `covered`, `partial`, `blind` or `unknown`, with the reason and
// the fix. "Absent" is never read as "not recorded" unless the data shows it (docs/coverage.md).
#pragma once
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::audit {

class Event;
struct Copy;
struct LoopEpisode;
struct ProcessInfo;

enum class Verdict : uint8_t {
  Covered,  // the records the rule needs are in the log
  Partial,  // some are, some are shown to be missing
  Blind,    // the log shows that they are not recorded
  Unknown,  // nothing in the log would have produced them, and nothing shows they would be kept
};
std::string_view verdict_name(Verdict v);

struct RuleCoverage {
  std::string rule;  // "AU001"
  Verdict verdict = Verdict::Unknown;
  std::string reason;  // one line: what the data shows
  std::string fix;     // what to change; empty when covered
};

// Who made a syscall, as far as the log tells.
enum class ProcClass : uint8_t {
  Client,     // docker, nerdctl, kubectl, and `podman cp` (which copies in its own pid)
  Runtime,    // dockerd and its helpers, containerd(-shim), runc, crun, conmon, podman otherwise
              // (run, exec, cleanup) and its copy re-execs
  Container,  // a process attributed to a container (lineage from runc init / the shim, storage paths)
  Other,      // host processes, and container processes the log cannot place
  Count
};
std::string_view proc_class_name(ProcClass c);

// Syscall groups the rules read.
enum class SysGroup : uint8_t {
  Exec,       // execve, execveat
  Rename,     // rename, renameat, renameat2
  Write,      // opens for writing, creat, mkdir, link, symlink, unlink, chmod, chown, …
  Open,       // opens for reading
  Check,      // stat, lstat, newfstatat, statx, access, faccessat, readlink
  Namespace,  // mount, umount2, unshare, setns, pivot_root, chroot
  Chdir,      // chdir, fchdir
  Other,
  Count
};
std::string_view sys_group_name(SysGroup g);

// The counts the verdicts rest on (also printed as the coverage object's "evidence").
struct CoverageFacts {
  static constexpr size_t kClasses = static_cast<size_t>(ProcClass::Count);
  static constexpr size_t kGroups = static_cast<size_t>(SysGroup::Count);
  uint64_t events = 0;
  uint64_t syscall_events = 0;  // events with a SYSCALL record
  // Records by type.
  uint64_t syscall_records = 0, execve_records = 0, path_records = 0, cwd_records = 0,
           proctitle_records = 0, daemon_records = 0, config_change_records = 0, other_records = 0;
  uint64_t path_announced = 0;   // syscall events whose items= announces PATH records
  uint64_t path_short = 0;       // … of them with no PATH record at all
  uint64_t path_events = 0;      // syscall events with at least one PATH record
  uint64_t path_and_cwd = 0;     // … of them with a CWD record too
  uint64_t execve_events = 0;    // successful execve/execveat
  uint64_t execve_no_argv = 0;   // … of them without an EXECVE record
  uint64_t exec_login = 0, exec_nologin = 0;  // … with argv, auid set / unset
  uint64_t exec_unattended = 0;  // … of programs that are neither client nor runtime, auid unset
  uint64_t helper_execs = 0;     // docker-untar/docker-tar, podman's chrootuser-open/buildah-copier
  uint64_t client_execs = 0;     // docker/podman/nerdctl/kubectl executed (any subcommand)
  // Successful syscall events by process class and group, and how many had PATH / CWD records.
  std::array<std::array<uint64_t, kGroups>, kClasses> by{}, with_path{}, with_cwd{};
  uint64_t renames_named = 0;            // renames with two DELETE names (what AU002 counts)
  uint64_t renames_named_container = 0;  // … by container processes
  uint64_t loops = 0, loops_unplaced = 0;  // confirmed swap loops; … whose names are not absolute
  // Copies by engine shape and direction (closed copies).
  struct CopyCounts {
    uint64_t copies = 0;
    uint64_t with_helper = 0;   // docker: the helper's execve (argv) was recorded
    uint64_t with_side = 0;     // the helper's (or podman's in-namespace) file syscalls were recorded
    uint64_t with_create = 0;   // … one of them created a name (to-container)
    uint64_t with_check = 0;    // podman copy-out: its check of the requested name was recorded
    uint64_t with_daemon_opens = 0;  // docker without helper: dockerd's own opens during the copy
  };
  CopyCounts docker_to, docker_from, podman_to, podman_from, other_copies;
  uint64_t loss_reports = 0;  // AU008 alerts (set from the engine's stats)
  uint64_t serial_gaps = 0;
  // Rule keys of syscall events (bounded), and rules loaded while the log was written
  // (CONFIG_CHANGE op=add_rule) per filter list.
  std::vector<std::pair<std::string, uint64_t>> keys;
  uint64_t keys_dropped = 0;
  std::array<uint64_t, 8> rules_added_by_list{};  // index = list number (4 exit, 5 exclude, …)
};

class CoverageTracker {
 public:
  // One event, after the process table saw it (`proc` is its process, null when unknown).
  void on_event(const Event& ev, const ProcessInfo* proc);
  void on_copy_closed(const Copy& c);
  void on_loop_confirmed(const LoopEpisode& ep);
  CoverageFacts& facts() { return f_; }
  const CoverageFacts& facts() const { return f_; }

 private:
  void count_key(std::string_view raw);
  CoverageFacts f_;
  // The exe of the previous event and its class (events come in runs of one process).
  std::string last_exe_;
  int last_exe_kind_ = -1;
  std::string last_key_raw_;
  size_t last_key_slot_ = SIZE_MAX;
  // The previous event's syscall name and its group (runs of one syscall: loops, scans).
  std::string last_syscall_;
  uint8_t last_group_ = 0;
};

struct CoverageOptions {
  bool baseline = false;  // AU010 runs (--baseline)
};

// One verdict per rule, AU001..AU010 in order.
std::vector<RuleCoverage> coverage_verdicts(const CoverageFacts& f, const CoverageOptions& opt = {});

// {"rules": {"AU001": {"verdict", "reason", "fix"}, …}, "evidence": {…}} (docs/output.md).
nlohmann::ordered_json coverage_json(const CoverageFacts& f, const std::vector<RuleCoverage>& v);
// The text report's section: one block per rule (verdict, reason, fix).
std::string coverage_text(const std::vector<RuleCoverage>& v, bool color);
// One stderr line: "coverage: covered AU001 AU004; partial AU005; blind AU002 AU003; unknown AU009".
std::string coverage_stats_line(const std::vector<RuleCoverage>& v);

}  // namespace tocsin::audit
