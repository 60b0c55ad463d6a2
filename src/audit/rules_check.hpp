// `tocsin audit-rules --check`: reads audit rules (a rules file in `auditctl -R` syntax, or the
// output of `auditctl -l`), models the kernel's filter lists, and evaluates against them what
// each hunt rule needs: per detection, which needs are recorded (and by which rule), which are
// missing, shadowed (the exit list is first-match-wins: an earlier `never` rule, a `task,never`
// rule or an exclude filter defeats a later `always` rule) or excluded, and what tocsin's own
// rules would add. Kernel semantics modelled: docs/coverage.md.
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tocsin::audit {

enum class FilterList : uint8_t { Exit, Task, User, Exclude, Filesystem, Uring };
enum class RuleAction : uint8_t { Always, Never };
std::string_view filter_list_name(FilterList l);

struct RuleField {
  std::string name;   // "auid", "exe", "a2", "msgtype"; "compare" for -C
  std::string op;     // "=", "!=", "<", ">", "<=", ">=", "&", "&="
  std::string value;  // as written
};

struct AuditRule {
  uint64_t line = 0;  // 1-based line of the source
  std::string source;  // file name, "auditctl -l", "tocsin audit-rules"
  std::string text;    // the line as written (trimmed)
  FilterList list = FilterList::Exit;
  RuleAction action = RuleAction::Always;
  bool watch = false;       // -w PATH (a watch on a file, or a tree rule on a directory)
  std::string watch_path;   // -w PATH
  std::string perms;        // -p (watch) or -F perm=; empty = any
  bool all_syscalls = true;  // no -S (or -S all)
  std::vector<std::string> syscalls;  // names (numbers resolved with the arch's table)
  std::vector<RuleField> fields;      // -F and -C, in order (arch, perm and key kept here too)
  std::vector<std::string> keys;
};

struct RuleSet {
  std::string source;
  std::vector<AuditRule> rules;  // in the kernel's order per list (-A prepends applied)
  struct Note {
    uint64_t line = 0;
    std::string message;
  };
  std::vector<Note> notes;  // lines not evaluated, loading stopped, -e 0 …
  // Audit status: from `auditctl -s`, or the file's own -e/-b/-r lines when present.
  std::optional<int64_t> enabled, backlog_limit, rate_limit, lost, backlog_wait_time;
  // Keys of tocsin's own rules found in the set ("tocsin_client" …).
  bool has_tocsin_rules(std::string_view prefix = "tocsin") const;
};

// Parses rules text: `auditctl -R` files (with -D, -b, -e, -i …) and `auditctl -l` output.
// A line auditctl would reject is a note; without -i before it, auditctl -R stops there, and
// so does the rule set (a note says so). Never fails: the notes carry what was not understood.
RuleSet parse_audit_rules(std::string_view text, const std::string& source);
// Adds `auditctl -s` output (enabled, backlog_limit, rate_limit, lost, backlog_wait_time).
void apply_audit_status(RuleSet& rs, std::string_view status_text);

// What a detection needs and how the rule set treats it.
enum class NeedStatus : uint8_t {
  Recorded,       // a rule records it and the records it needs are kept
  Possibly,       // a rule may record it (fields the model cannot decide: subj_*, pid, -C …)
  Shadowed,       // an earlier never rule (or task,never) matches first
  Excluded,       // the event is recorded but a record type it needs is dropped (exclude list)
  Missing,        // no rule records it
};
std::string_view need_status_name(NeedStatus s);

struct NeedResult {
  std::string need;        // "docker cp by a service (auid unset): the client's execve with argv"
  // "all" (required), "any" or "any:<group>" (one of the alternatives of that group is
  // required), "support" (improves what the detection sees)
  std::string role;
  NeedStatus status = NeedStatus::Missing;
  const AuditRule* rule = nullptr;  // the deciding rule (recording, shadowing or excluding)
  std::string record;       // Excluded: the record type dropped ("CWD")
  // The same need with tocsin audit-rules appended after the set (host scope, lab scope).
  NeedStatus with_tocsin = NeedStatus::Missing;
  NeedStatus with_tocsin_lab = NeedStatus::Missing;
  const AuditRule* with_tocsin_rule = nullptr;  // the deciding rule then (a shadow stays)
};

enum class CheckVerdict : uint8_t { Covered, Partial, Blind };
std::string_view check_verdict_name(CheckVerdict v);

struct DetectionCheck {
  std::string rule;  // "AU001"
  CheckVerdict verdict = CheckVerdict::Blind;
  std::string summary;  // one line
  std::vector<NeedResult> needs;
};

struct CheckOptions {
  // Where the programs live on the checked host (auditctl compares -F exe= by path).
  std::vector<std::string> docker_clients = {"/usr/bin/docker"};
  std::string podman = "/usr/bin/podman";
  std::string dockerd = "/usr/sbin/dockerd";
  std::string containerd = "/usr/bin/containerd";
  std::string runc = "/usr/sbin/runc";
  bool compare_with_tocsin = true;  // evaluate the set + tocsin audit-rules (host and lab scope)
};

struct CheckReport {
  std::string source;
  std::vector<DetectionCheck> detections;  // AU001..AU010
  std::vector<std::string> problems;       // auditing disabled, small backlog, rate limit …
  // Rule sets the results point into (kept alive with the report).
  std::shared_ptr<const RuleSet> rules, with_tocsin, with_tocsin_lab;
};

CheckReport check_audit_rules(const RuleSet& rs, const CheckOptions& opt = {});

// Renderings. `select` limits which detections count for the exit code (empty = all).
std::string check_report_text(const CheckReport& r, bool color);
nlohmann::ordered_json check_report_json(const CheckReport& r);
// 1 when a detection (of those counted) is blind or auditing is disabled, else 0.
int check_exit_code(const CheckReport& r, const std::vector<std::string>& counted = {});

}  // namespace tocsin::audit
