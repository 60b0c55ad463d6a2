// `tocsin audit-rules`: prints the auditd rules the hunt detections need; with --check, reads
// the loaded rules (`auditctl -l`) or a rules file and reports what each detection can see.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_rules.hpp"
#include "audit/rules_check.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/spawn.hpp"
#include "core/text_sanitize.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin::cli {
namespace {

constexpr size_t kMaxRulesBytes = 16 * 1024 * 1024;

std::string first_existing(std::initializer_list<const char*> paths) {
  for (const char* p : paths)
    if (::access(p, X_OK) == 0) return p;
  return *paths.begin();
}

// Where the clients and the runtime live on this machine (auditctl matches -F exe= by path).
audit::CheckOptions check_options_for_this_host() {
  audit::CheckOptions o;
  o.docker_clients.clear();
  for (const char* p : {"/usr/bin/docker", "/usr/local/bin/docker"})
    if (::access(p, X_OK) == 0) o.docker_clients.emplace_back(p);
  if (o.docker_clients.empty()) o.docker_clients.emplace_back("/usr/bin/docker");
  o.podman = first_existing({"/usr/bin/podman", "/usr/local/bin/podman"});
  o.dockerd = first_existing({"/usr/sbin/dockerd", "/usr/bin/dockerd", "/usr/local/bin/dockerd"});
  o.containerd = first_existing({"/usr/bin/containerd", "/usr/local/bin/containerd"});
  o.runc = first_existing({"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"});
  return o;
}

}  // namespace

void add_audit_rules(CLI::App& root, Commands& cmds) {
  struct Opts {
    std::optional<std::string> arch;
    std::string scope = "host";
    std::string key = "tocsin";
    std::string check_file;
    std::string format = "text";
    std::vector<std::string> select, ignore;
  };
  auto opts = std::make_shared<Opts>();
  auto* app = root.add_subcommand(
      "audit-rules",
      "Print the auditd rules the hunt detections need, ready for "
      "/etc/audit/rules.d/tocsin.rules; --check reports what loaded rules (or a rules file) let "
      "each detection see");
  app->add_option("--arch", opts->arch,
                  "x86_64, i386, aarch64 or all (default: this machine's)");
  app->add_option("--scope", opts->scope,
                  "host: bounded volume for production; lab: everything the detections can use")
      ->capture_default_str();
  app->add_option("--key", opts->key, "key prefix: rules are tagged PREFIX_<purpose>")
      ->capture_default_str();
  auto* check = app->add_option("--check", opts->check_file,
                                "Check rules instead of printing ours: the loaded rules (auditctl -l and -s, as "
                                "root) or, given a FILE, a rules file in auditctl -R syntax. Per detection: what "
                                "is recorded (by which rule), missing, shadowed by an earlier never rule or "
                                "excluded by an exclude filter, and what tocsin audit-rules would add")
                    ->expected(0, 1)
                    ->type_name("[FILE]");
  app->add_option("--format", opts->format, "with --check: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  app->add_option("--select", opts->select,
                  "with --check: only these detections decide the exit code (e.g. AU002,AU003,AU004)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->add_option("--ignore", opts->ignore,
                  "with --check: these detections do not decide the exit code (e.g. AU006,AU009 for host-scope "
                  "rules)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->footer(R"(Examples:
  tocsin audit-rules > /etc/audit/rules.d/tocsin.rules && augenrules --load
  tocsin audit-rules --scope lab --arch all
  tocsin audit-rules --check                        # the rules loaded now (root: auditctl -l, -s)
  tocsin audit-rules --check /etc/audit/audit.rules --format json
  tocsin audit-rules --check --ignore AU006,AU009   # host scope does not record those (see --scope lab)

--check models the kernel's filter lists: the exit list (syscall rules, -w watches and -F dir=
tree rules, in the order they were added) is first-match-wins, so an earlier `-a never,exit`
rule defeats a later `always` rule; `-a never,task` stops all records of the tasks it matches;
`-a always,exclude -F msgtype=T` drops every record of type T (CWD, PATH, EXECVE…); `-a
never,filesystem -F fstype=F` drops PATH records on F. Fields it cannot decide for a need (pid,
ppid, obj_*, most subj_*, -C against the file's owner) make the need "possibly". The programs
the needs name (docker, podman, dockerd, containerd, runc) are looked up on this machine.
docs/coverage.md has the details.
Exit codes with --check: 0 no detection blind, 1 a detection (of those --select/--ignore keep)
is blind or auditing is disabled (enabled 0), 2 the rules could not be read.)");
  cmds.push_back({app, [opts, check] {
                    if (check->count() > 0) {
                      audit::RuleSet rs;
                      if (!opts->check_file.empty()) {
                        auto text = safeio::read_file(opts->check_file, kMaxRulesBytes);
                        if (!text) {
                          fmt::print(stderr, "tocsin audit-rules: {}\n", sanitize_for_terminal(text.error().message));
                          return kExitError;
                        }
                        rs = audit::parse_audit_rules(*text, opts->check_file);
                      } else {
                        const std::string auditctl =
                            first_existing({"/usr/sbin/auditctl", "/sbin/auditctl", "/usr/bin/auditctl"});
                        auto listed = run_capture({auditctl, "-l"});
                        if (!listed) {
                          fmt::print(stderr, "tocsin audit-rules: cannot read the loaded rules: {} (root is needed; "
                                             "or give a rules file: --check FILE)\n",
                                     sanitize_for_terminal(listed.error().message));
                          return kExitError;
                        }
                        rs = audit::parse_audit_rules(*listed, "auditctl -l");
                        if (auto st = run_capture({auditctl, "-s"})) audit::apply_audit_status(rs, *st);
                      }
                      std::vector<std::string> counted;
                      auto select = split_rule_ids(opts->select), ignore = split_rule_ids(opts->ignore);
                      for (int i = 1; i <= 10; ++i) {
                        std::string id = fmt::format("AU{:03d}", i);
                        bool keep = select.empty() || std::find(select.begin(), select.end(), id) != select.end();
                        if (std::find(ignore.begin(), ignore.end(), id) != ignore.end()) keep = false;
                        if (keep) counted.push_back(id);
                      }
                      for (const auto& id : select)
                        if (std::find(counted.begin(), counted.end(), id) == counted.end() &&
                            std::find(ignore.begin(), ignore.end(), id) == ignore.end()) {
                          fmt::print(stderr, "tocsin audit-rules: --select {}: not a hunt rule (AU001-AU010)\n",
                                     sanitize_for_terminal(id));
                          return kExitError;
                        }
                      auto report = audit::check_audit_rules(rs, check_options_for_this_host());
                      if (opts->format == "json") {
                        auto j = audit::check_report_json(report);
                        j["counted"] = counted;
                        std::string out = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
                        escape_json_for_terminal(out);  // rule files are input: C1/bidi as \u escapes
                        fmt::print("{}\n", out);
                      } else {
                        fmt::print("{}", audit::check_report_text(report, ::isatty(STDOUT_FILENO) != 0));
                      }
                      return audit::check_exit_code(report, counted) ? kExitFindings : kExitClean;
                    }
                    audit::AuditRulesOptions o;
                    if (opts->arch) {
                      auto a = audit::parse_rules_arch(*opts->arch);
                      if (!a) {
                        fmt::print(stderr, "tocsin audit-rules: {}\n", a.error().message);
                        return kExitError;
                      }
                      o.arches = *a;
                    } else {
                      o.arches = {audit::host_rules_arch()};
                    }
                    auto s = audit::parse_rules_scope(opts->scope);
                    if (!s) {
                      fmt::print(stderr, "tocsin audit-rules: {}\n", s.error().message);
                      return kExitError;
                    }
                    o.scope = *s;
                    if (!audit::valid_key_prefix(opts->key)) {
                      fmt::print(stderr,
                                 "tocsin audit-rules: --key '{}': use 1-24 letters, digits, '_' "
                                 "or '-'\n",
                                 opts->key);
                      return kExitError;
                    }
                    o.key_prefix = opts->key;
                    fmt::print("{}", audit::generate_audit_rules(o));
                    return kExitClean;
                  }});
}

}  // namespace tocsin::cli
