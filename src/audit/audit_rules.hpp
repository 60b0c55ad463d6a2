// Generator for the auditd rules the hunt detections need (`tocsin audit-rules`): per-architecture
// syscall rules with tocsin keys, in the syntax `auditctl -R` and /etc/audit/rules.d/ accept.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tocsin::audit {

// Machines the rules can be written for. Arm is only the 32-bit compat ABI of aarch64.
enum class RulesArch { X86_64, I386, Aarch64 };

// lab: everything the detections can use (complete process tree, stat/readlink checks by the
// runtime); host: bounded volume for production hosts (see the header the generator prints).
enum class RulesScope { Lab, Host };

struct AuditRulesOptions {
  std::vector<RulesArch> arches;     // one: `-F arch=b64/b32`; several: explicit arch names
  RulesScope scope = RulesScope::Host;
  std::string key_prefix = "tocsin";  // keys are <prefix>_<purpose>
};

// "x86_64" | "i386" | "aarch64" | "all" (also accepts "amd64", "arm64", "x86", "i686").
Result<std::vector<RulesArch>> parse_rules_arch(std::string_view s);
Result<RulesScope> parse_rules_scope(std::string_view s);
// The machine this binary runs on (uname), x86_64 when it is none of the supported ones.
RulesArch host_rules_arch();
// A key prefix auditctl accepts and that leaves room for the suffixes ([A-Za-z0-9_-], 1..24).
bool valid_key_prefix(std::string_view p);

// The rules file text: a commented header (volume, backlog, trade-offs), then the rules.
std::string generate_audit_rules(const AuditRulesOptions& opts);

// Every key the generated rules use for these options (to remove exactly them:
// `auditctl -D -k KEY` for each).
std::vector<std::string> audit_rule_keys(const AuditRulesOptions& opts);

// The words of a rules-file line (split at spaces and tabs), as auditctl reads them.
std::vector<std::string_view> split_rule_words(std::string_view line);

// Syntax check of one rules-file line as auditctl reads it: blank, comment, or one of the
// rule forms we emit (-a/-A list,action with -F/-S/-k options, -w path -p perms -k key).
// Returns an error that names what is wrong. Not a full auditctl: it is the contract our
// generator must keep, so tests can check it without root.
Status check_audit_rule_line(std::string_view line);

}  // namespace tocsin::audit
