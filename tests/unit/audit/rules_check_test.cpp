// `tocsin audit-rules --check`: the rules parser (auditctl -R files and auditctl -l listings),
// the kernel filter model (first match wins on the exit list, task never, exclude and
// filesystem lists, perm classes, auid arithmetic) and the verdicts per detection, on the rule
// files in tests/data/audit-rules/, on tocsin's own rules, on the auditd examples shipped on the
// machine and the rule files in the shared corpus.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audit/audit_rules.hpp"
#include "audit/rules_check.hpp"

namespace tocsin::audit {
namespace {

const std::filesystem::path kData = std::filesystem::path(TOCSIN_SOURCE_DIR) / "tests" / "data" / "audit-rules";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RuleSet file(const std::string& name) { return parse_audit_rules(slurp(kData / name), name); }

std::string ours(RulesScope scope = RulesScope::Host) {
  AuditRulesOptions o;
  o.arches = {RulesArch::X86_64};
  o.scope = scope;
  return generate_audit_rules(o);
}

const DetectionCheck& det(const CheckReport& r, const std::string& id) {
  for (const auto& d : r.detections)
    if (d.rule == id) return d;
  static DetectionCheck none;
  ADD_FAILURE() << "no detection " << id;
  return none;
}

CheckVerdict verdict(const CheckReport& r, const std::string& id) { return det(r, id).verdict; }

// The need whose text contains `part`.
const NeedResult& need(const CheckReport& r, const std::string& id, const std::string& part) {
  for (const auto& n : det(r, id).needs)
    if (n.need.find(part) != std::string::npos) return n;
  static NeedResult none;
  ADD_FAILURE() << id << ": no need with '" << part << "'";
  return none;
}

std::string dump(const CheckReport& r) { return check_report_text(r, false); }

// ---- parser

TEST(RulesParse, SyntaxOfFilesAndListings) {
  auto rs = parse_audit_rules(
      "# comment\r\n"
      "-a exit,always -F arch=b64 -S 82,264 -S renameat2 -F auid>=1000 -F auid!=unset -k one -k two\r\n"
      "-a always,exit -F arch=b64 -S execve -F a1&0x243 -F key=\"quoted\" -C auid!=obj_uid\n"
      "-w /var/lib/docker/ -p wa -k docker\n"
      "-w /usr/bin/docker\n"
      "-a never,task\n"
      "-a always,exclude -F msgtype=CWD\n"
      "-b 320\n-r 100\n-e 1\n",
      "t.rules");
  EXPECT_TRUE(rs.notes.empty()) << rs.notes.front().message;
  ASSERT_EQ(rs.rules.size(), 6u);
  const auto& r0 = rs.rules[0];
  EXPECT_EQ(r0.list, FilterList::Exit);
  EXPECT_EQ(r0.action, RuleAction::Always);
  EXPECT_EQ(r0.line, 2u);
  EXPECT_EQ(r0.syscalls, (std::vector<std::string>{"rename", "renameat", "renameat2"}));
  EXPECT_EQ(r0.keys, (std::vector<std::string>{"one", "two"}));
  ASSERT_EQ(r0.fields.size(), 3u);
  EXPECT_EQ(r0.fields[1].op, ">=");
  EXPECT_EQ(rs.rules[1].keys, (std::vector<std::string>{"quoted"}));
  EXPECT_EQ(rs.rules[1].fields[1].op, "&");
  EXPECT_EQ(rs.rules[1].fields.back().name, "compare");
  EXPECT_TRUE(rs.rules[2].watch);
  EXPECT_EQ(rs.rules[2].watch_path, "/var/lib/docker");
  EXPECT_EQ(rs.rules[2].perms, "wa");
  EXPECT_TRUE(rs.rules[3].perms.empty());
  EXPECT_EQ(rs.rules[4].list, FilterList::Task);
  EXPECT_EQ(rs.rules[4].action, RuleAction::Never);
  EXPECT_EQ(rs.rules[5].list, FilterList::Exclude);
  EXPECT_EQ(rs.backlog_limit.value_or(0), 320);
  EXPECT_EQ(rs.rate_limit.value_or(0), 100);
  EXPECT_EQ(rs.enabled.value_or(-1), 1);
}

TEST(RulesParse, AuditctlListing) {
  auto rs = file("auditctl-l.txt");
  EXPECT_TRUE(rs.notes.empty());
  ASSERT_EQ(rs.rules.size(), 9u);
  EXPECT_TRUE(rs.rules[2].all_syscalls);
  EXPECT_EQ(rs.rules[2].perms, "wa");
  EXPECT_EQ(rs.rules[1].keys, (std::vector<std::string>{"tocsin_client"}));
  EXPECT_TRUE(rs.rules[3].watch);
  EXPECT_EQ(rs.rules[8].list, FilterList::Filesystem);
  EXPECT_TRUE(rs.has_tocsin_rules());
  EXPECT_FALSE(file("community-style.rules").has_tocsin_rules());
  EXPECT_TRUE(parse_audit_rules("No rules\n", "auditctl -l").rules.empty());
}

TEST(RulesParse, RejectedLinesStopAuditctlUnlessIgnored) {
  auto stop = file("stops-at-error.rules");
  ASSERT_EQ(stop.notes.size(), 1u);
  EXPECT_EQ(stop.notes[0].line, 2u);
  EXPECT_NE(stop.notes[0].message.find("stops here"), std::string::npos) << stop.notes[0].message;
  EXPECT_EQ(stop.rules.size(), 1u);
  auto go_on = file("ignores-errors.rules");
  ASSERT_EQ(go_on.notes.size(), 1u);
  EXPECT_NE(go_on.notes[0].message.find("-i"), std::string::npos);
  EXPECT_EQ(go_on.rules.size(), 2u);
  // Other rejections: a key on the exclude list, list/action typos, fields without operator.
  for (const char* bad : {"-a always,exclude -F msgtype=CWD -k x", "-a always,exclude -F msgtype=CWD -F perm=w",
                          "-a sometimes,exit -S execve", "-a always,exti -S execve", "-a always,exit -F auid",
                          "-a always,exit -Q x", "-w relative/path -p wa"}) {
    auto rs = parse_audit_rules(std::string(bad) + "\n-a always,exit -F arch=b64 -S execve -k e\n", "bad");
    EXPECT_EQ(rs.notes.size(), 1u) << bad;
    EXPECT_TRUE(rs.rules.empty()) << bad;
  }
}

TEST(RulesParse, HostileInputIsNotesNeverACrash) {
  // Numbers past 64 bits, empty parts, binary bytes, a huge field: parsed or noted.
  std::string text = "-a always,exit -F arch=b64 -S 99999999999999999999 -F auid>=-9223372036854775808 -k k\n"
                     "-a always,exit -F arch=b64 -S execve -F a0&0xffffffffffffffffff -F exit=-99999999999999999999 -k k\n"
                     "-a ,\n-a always,\n-w / -p\n-F\n\x01\x02\xff\n-a always,exit -C uid\n" +
                     std::string(100000, 'x') + "\n-e\n-b notanumber\n";
  auto rs = parse_audit_rules(text, "hostile");
  auto r = check_audit_rules(rs);
  EXPECT_EQ(r.detections.size(), 10u);
  EXPECT_FALSE(rs.notes.empty());
  EXPECT_FALSE(check_report_text(r, false).empty());
  EXPECT_FALSE(check_report_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).empty());
}

TEST(RulesParse, DeletionsAndPrepends) {
  auto del = file("deletes.rules");
  ASSERT_EQ(del.rules.size(), 1u) << dump(check_audit_rules(del));
  EXPECT_EQ(del.rules[0].keys, (std::vector<std::string>{"exec"}));
  auto pre = file("prepend-never.rules");
  ASSERT_EQ(pre.rules.size(), 3u);
  EXPECT_EQ(pre.rules[0].action, RuleAction::Never);
  EXPECT_EQ(pre.rules[0].line, 4u);
}

TEST(RulesParse, AuditStatus) {
  RuleSet rs;
  apply_audit_status(rs, "enabled 1\nfailure 1\npid 4242\nrate_limit 0\nbacklog_limit 64\nlost 7\nbacklog 0\n"
                         "backlog_wait_time 60000\nloginuid_immutable 0 unlocked\n");
  EXPECT_EQ(rs.enabled.value_or(-1), 1);
  EXPECT_EQ(rs.backlog_limit.value_or(-1), 64);
  EXPECT_EQ(rs.lost.value_or(-1), 7);
  EXPECT_EQ(rs.backlog_wait_time.value_or(-1), 60000);
  auto r = check_audit_rules(rs);
  EXPECT_EQ(verdict(r, "AU008"), CheckVerdict::Partial) << det(r, "AU008").summary;
  EXPECT_EQ(r.problems.size(), 1u);  // lost events
}

// ---- the filter model

TEST(RulesModel, TocsinHostRules) {
  auto r = check_audit_rules(parse_audit_rules(ours(), "tocsin audit-rules"));
  EXPECT_TRUE(r.rules->notes.empty()) << r.rules->notes.front().message;
  for (const char* id : {"AU001", "AU002", "AU003", "AU008", "AU010"})
    EXPECT_EQ(verdict(r, id), CheckVerdict::Covered) << id << "\n" << dump(r);
  // Host scope: the runtimes' writes and podman's own copy (client_ns/client_write/client_check),
  // but no reads, no runtime checks, not every execve.
  EXPECT_EQ(verdict(r, "AU005"), CheckVerdict::Covered) << dump(r);
  EXPECT_EQ(need(r, "AU005", "dockerd's writes").status, NeedStatus::Recorded);
  EXPECT_EQ(need(r, "AU005", "runc's writes").status, NeedStatus::Recorded);
  EXPECT_EQ(need(r, "AU005", "podman's writes").status, NeedStatus::Recorded);
  EXPECT_EQ(verdict(r, "AU004"), CheckVerdict::Partial) << dump(r);
  EXPECT_EQ(need(r, "AU004", "dockerd's copy helper").status, NeedStatus::Recorded);
  EXPECT_EQ(need(r, "AU004", "podman cp inside the container").status, NeedStatus::Recorded);
  EXPECT_EQ(need(r, "AU004", "reads of the copied file").status, NeedStatus::Missing);
  EXPECT_EQ(need(r, "AU004", "reads of the copied file").with_tocsin_lab, NeedStatus::Recorded);
  EXPECT_EQ(verdict(r, "AU006"), CheckVerdict::Blind);
  EXPECT_EQ(need(r, "AU006", "a program the helper starts").with_tocsin_lab, NeedStatus::Recorded);
  EXPECT_EQ(verdict(r, "AU007"), CheckVerdict::Partial);
  EXPECT_EQ(need(r, "AU007", "runtime binary").status, NeedStatus::Recorded);
  EXPECT_EQ(verdict(r, "AU009"), CheckVerdict::Partial);
  EXPECT_EQ(need(r, "AU009", "podman's checks").status, NeedStatus::Recorded);
  EXPECT_EQ(need(r, "AU009", "runc's checks").status, NeedStatus::Missing);
  EXPECT_EQ(need(r, "AU009", "runc's checks").with_tocsin_lab, NeedStatus::Recorded);
  EXPECT_EQ(check_exit_code(r), 1);
  EXPECT_EQ(check_exit_code(r, {"AU001", "AU002", "AU003", "AU004", "AU005", "AU007", "AU008", "AU010"}), 0);
  // The deciding rule is ours and named.
  const auto& n = need(r, "AU002", "vfs storage");
  ASSERT_NE(n.rule, nullptr);
  EXPECT_EQ(n.rule->keys.front(), "tocsin_swap");
}

TEST(RulesModel, TocsinLabRules) {
  auto r = check_audit_rules(parse_audit_rules(ours(RulesScope::Lab), "tocsin audit-rules --scope lab"));
  // The lab scope records every need, podman's own copy included.
  for (const char* id : {"AU001", "AU002", "AU003", "AU004", "AU005", "AU006", "AU007", "AU008", "AU009", "AU010"})
    EXPECT_EQ(verdict(r, id), CheckVerdict::Covered) << id << "\n" << dump(r);
  EXPECT_EQ(need(r, "AU009", "runc's checks").status, NeedStatus::Recorded);
  EXPECT_EQ(need(r, "AU009", "podman's checks").status, NeedStatus::Recorded);
  EXPECT_EQ(need(r, "AU004", "reads of the copied file").status, NeedStatus::Recorded);
  EXPECT_EQ(check_exit_code(r), 0);
}

TEST(RulesModel, CommunityStyleAloneAndFollowedByOurs) {
  auto alone = check_audit_rules(file("community-style.rules"));
  // The docker watch records the client's exec for everyone; podman only in root sessions.
  EXPECT_EQ(need(alone, "AU001", "/usr/bin/docker cp by a service").status, NeedStatus::Recorded) << dump(alone);
  EXPECT_EQ(need(alone, "AU001", "/usr/bin/podman cp in a login session").status, NeedStatus::Recorded);
  EXPECT_EQ(need(alone, "AU001", "/usr/bin/podman cp by a service").status, NeedStatus::Missing);
  EXPECT_EQ(verdict(alone, "AU001"), CheckVerdict::Partial);
  // The storage watch sees vfs containers, overlay mounts made later maybe, podman's not.
  EXPECT_EQ(need(alone, "AU002", "vfs storage").status, NeedStatus::Recorded);
  EXPECT_EQ(need(alone, "AU002", "vfs storage").rule->keys.front(), "docker");
  EXPECT_EQ(need(alone, "AU002", "overlay2 storage").status, NeedStatus::Possibly);
  EXPECT_EQ(need(alone, "AU002", "podman").status, NeedStatus::Missing);
  EXPECT_EQ(verdict(alone, "AU002"), CheckVerdict::Partial);
  EXPECT_EQ(need(alone, "AU003", "CWD").status, NeedStatus::Excluded);
  EXPECT_EQ(need(alone, "AU003", "CWD").record, "CWD");
  for (const char* id : {"AU004", "AU005", "AU006", "AU007", "AU009"})
    EXPECT_EQ(verdict(alone, id), CheckVerdict::Blind) << id << "\n" << dump(alone);
  EXPECT_EQ(verdict(alone, "AU008"), CheckVerdict::Covered);  // -b 8192
  // What tocsin's rules would add after it, and what stays excluded.
  EXPECT_EQ(need(alone, "AU004", "dockerd's copy helper").with_tocsin, NeedStatus::Recorded);
  EXPECT_EQ(need(alone, "AU007", "runc's execve").with_tocsin, NeedStatus::Excluded);

  auto both = check_audit_rules(parse_audit_rules(slurp(kData / "community-style.rules") + ours(), "both"));
  EXPECT_EQ(verdict(both, "AU001"), CheckVerdict::Covered) << dump(both);
  EXPECT_EQ(verdict(both, "AU002"), CheckVerdict::Covered) << dump(both);
  EXPECT_EQ(verdict(both, "AU003"), CheckVerdict::Partial);  // relative loop names lack CWD
  EXPECT_EQ(verdict(both, "AU004"), CheckVerdict::Partial);
  EXPECT_EQ(verdict(both, "AU005"), CheckVerdict::Partial);  // CWD of the runtime's writes
  EXPECT_EQ(verdict(both, "AU007"), CheckVerdict::Partial) << dump(both);
  EXPECT_EQ(need(both, "AU007", "runc's execve").status, NeedStatus::Excluded);
  EXPECT_EQ(need(both, "AU007", "runtime binary").status, NeedStatus::Recorded);
}

TEST(RulesModel, EarlierNeverRuleShadowsOursEvenAppended) {
  auto r = check_audit_rules(file("never-renames-first.rules"));
  EXPECT_EQ(verdict(r, "AU002"), CheckVerdict::Blind) << dump(r);
  EXPECT_EQ(verdict(r, "AU003"), CheckVerdict::Blind);
  const auto& n = need(r, "AU002", "vfs storage");
  EXPECT_EQ(n.status, NeedStatus::Shadowed);
  ASSERT_NE(n.rule, nullptr);
  EXPECT_EQ(n.rule->line, 2u);
  EXPECT_EQ(n.with_tocsin, NeedStatus::Shadowed);
  ASSERT_NE(n.with_tocsin_rule, nullptr);
  EXPECT_EQ(n.with_tocsin_rule->line, 2u) << "our appended rule comes too late";
  EXPECT_NE(dump(r).find("load tocsin's rules before it"), std::string::npos) << dump(r);
  EXPECT_EQ(verdict(r, "AU001"), CheckVerdict::Covered);
  // Prepended (-A) never rules shadow rules loaded before them.
  auto pre = check_audit_rules(file("prepend-never.rules"));
  EXPECT_EQ(need(pre, "AU002", "vfs storage").status, NeedStatus::Shadowed) << dump(pre);
  EXPECT_EQ(need(pre, "AU002", "vfs storage").rule->line, 4u);
}

TEST(RulesModel, NeverForProcessesWithoutLoginSession) {
  auto r = check_audit_rules(file("never-by-auid-unset.rules"));
  EXPECT_EQ(need(r, "AU001", "/usr/bin/docker cp in a login session").status, NeedStatus::Recorded);
  EXPECT_EQ(need(r, "AU001", "/usr/bin/docker cp by a service").status, NeedStatus::Shadowed);
  EXPECT_EQ(verdict(r, "AU001"), CheckVerdict::Partial);
  EXPECT_EQ(need(r, "AU004", "dockerd's copy helper").status, NeedStatus::Shadowed);
  EXPECT_EQ(verdict(r, "AU002"), CheckVerdict::Blind);
}

TEST(RulesModel, ExcludedRecordTypes) {
  auto r = check_audit_rules(file("exclude-path.rules"));
  // The clients' execve needs no PATH record.
  EXPECT_EQ(verdict(r, "AU001"), CheckVerdict::Covered) << dump(r);
  EXPECT_EQ(need(r, "AU001", "/usr/bin/docker cp by a service").status, NeedStatus::Recorded);
  EXPECT_EQ(need(r, "AU006", "a program the helper starts").status, NeedStatus::Recorded);
  // With our rules: renames recorded, but without their PATH records.
  auto both = check_audit_rules(parse_audit_rules(slurp(kData / "exclude-path.rules") + ours(), "both"));
  EXPECT_EQ(need(both, "AU002", "vfs storage").status, NeedStatus::Excluded);
  EXPECT_EQ(need(both, "AU002", "vfs storage").record, "PATH");
  EXPECT_EQ(verdict(both, "AU002"), CheckVerdict::Blind);
  // A filesystem never rule drops PATH records on that filesystem only.
  auto fs = check_audit_rules(file("overlay-fs-never.rules"));
  EXPECT_EQ(need(fs, "AU002", "vfs storage").status, NeedStatus::Recorded) << dump(fs);
  EXPECT_EQ(need(fs, "AU002", "overlay2 storage").status, NeedStatus::Excluded);
  EXPECT_EQ(need(fs, "AU002", "podman").status, NeedStatus::Excluded);
  EXPECT_EQ(verdict(fs, "AU002"), CheckVerdict::Partial);
}

TEST(RulesModel, ExecveOnlyAndNoAudit) {
  auto r = check_audit_rules(file("execve-only.rules"));
  EXPECT_EQ(verdict(r, "AU001"), CheckVerdict::Covered) << dump(r);
  EXPECT_EQ(verdict(r, "AU006"), CheckVerdict::Covered);
  for (const char* id : {"AU002", "AU003", "AU005", "AU009"}) EXPECT_EQ(verdict(r, id), CheckVerdict::Blind) << id;
  EXPECT_EQ(verdict(r, "AU004"), CheckVerdict::Partial);
  auto none = check_audit_rules(file("no-audit.rules"));
  for (const auto& d : none.detections)
    if (d.rule != "AU008") {
      EXPECT_EQ(d.verdict, CheckVerdict::Blind) << d.rule;
    }
  EXPECT_EQ(need(none, "AU001", "/usr/bin/docker cp in a login session").status, NeedStatus::Shadowed);
  EXPECT_EQ(need(none, "AU001", "/usr/bin/docker cp in a login session").with_tocsin, NeedStatus::Shadowed);
}

TEST(RulesModel, StorageWatchAndFailureOnlyRules) {
  auto r = check_audit_rules(file("storage-watch-only.rules"));
  EXPECT_EQ(verdict(r, "AU002"), CheckVerdict::Partial) << dump(r);
  EXPECT_EQ(verdict(r, "AU001"), CheckVerdict::Blind);
  // Writes below the storage directory, but not the daemon's writes elsewhere.
  EXPECT_EQ(need(r, "AU004", "the copy helper's creates").status, NeedStatus::Recorded);
  EXPECT_EQ(verdict(r, "AU005"), CheckVerdict::Blind);
  auto f = check_audit_rules(file("failed-access-only.rules"));
  EXPECT_EQ(verdict(f, "AU002"), CheckVerdict::Blind) << dump(f);
  EXPECT_EQ(verdict(f, "AU005"), CheckVerdict::Blind);
  auto stop = check_audit_rules(file("stops-at-error.rules"));
  EXPECT_EQ(verdict(stop, "AU002"), CheckVerdict::Blind);
  EXPECT_EQ(verdict(check_audit_rules(file("ignores-errors.rules")), "AU002"), CheckVerdict::Covered);
}

TEST(RulesModel, FieldSemantics) {
  auto one = [](const std::string& rule, const std::string& det_id, const std::string& part) {
    return need(check_audit_rules(parse_audit_rules(rule + "\n", "t")), det_id, part).status;
  };
  // auid>=1000 alone matches processes without a login session (unset is 4294967295).
  EXPECT_EQ(one("-a always,exit -F arch=b64 -S execve -F auid>=1000 -k x", "AU001", "/usr/bin/docker cp by a service"),
            NeedStatus::Recorded);
  EXPECT_EQ(one("-a always,exit -F arch=b64 -S execve -F auid>=1000 -F auid!=-1 -k x", "AU001",
                "/usr/bin/docker cp by a service"),
            NeedStatus::Missing);
  // 32-bit rules do not record 64-bit calls; a rule without arch does.
  EXPECT_EQ(one("-a always,exit -F arch=b32 -S execve -k x", "AU001", "/usr/bin/docker cp by a service"),
            NeedStatus::Missing);
  EXPECT_EQ(one("-a always,exit -S execve -k x", "AU001", "/usr/bin/docker cp by a service"), NeedStatus::Recorded);
  // perm classes: a write watch on runc sees a write, a read watch does not.
  EXPECT_EQ(one("-w /usr/sbin/runc -p wa -k x", "AU007", "runtime binary"), NeedStatus::Recorded);
  EXPECT_EQ(one("-w /usr/sbin/runc -p r -k x", "AU007", "runtime binary"), NeedStatus::Missing);
  EXPECT_EQ(one("-w /usr/bin/docker -p x -k x", "AU001", "/usr/bin/docker cp in a login"), NeedStatus::Recorded);
  // Open flags: a write-only rule does not record the helper's reads.
  EXPECT_EQ(one("-a always,exit -F arch=b64 -S openat -F exe=/usr/sbin/dockerd -F perm=w -k x", "AU004", "reads"),
            NeedStatus::Missing);
  EXPECT_EQ(one("-a always,exit -F arch=b64 -S openat -F exe=/usr/sbin/dockerd -F a2&0x243 -k x", "AU004",
                "the copy helper's creates"),
            NeedStatus::Recorded);
  // -C between the process's own ids is decided (root runs the client: uid == euid).
  EXPECT_EQ(one("-a always,exit -F arch=b64 -S execve -C uid!=euid -F euid=0 -k x", "AU001",
                "/usr/bin/docker cp by a service"),
            NeedStatus::Missing);
  EXPECT_EQ(one("-a always,exit -F arch=b64 -S execve -C auid!=obj_uid -k x", "AU001",
                "/usr/bin/docker cp by a service"),
            NeedStatus::Possibly);
  // Fields the model cannot decide leave a need possible, in both directions.
  EXPECT_EQ(one("-a always,exit -F arch=b64 -S execve -F pid=4242 -k x", "AU001", "/usr/bin/docker cp by a service"),
            NeedStatus::Possibly);
  EXPECT_EQ(one("-a never,exit -F arch=b64 -S execve -F ppid=1\n-a always,exit -F arch=b64 -S execve -k x", "AU001",
                "/usr/bin/docker cp by a service"),
            NeedStatus::Possibly);
  // A rule on another SELinux domain does not touch the runtime.
  EXPECT_EQ(one("-a never,exit -F subj_type=crond_t\n-a always,exit -F arch=b64 -S execve -k x", "AU001",
                "/usr/bin/docker cp by a service"),
            NeedStatus::Recorded);
  // A container's program named by its host path: maybe the one that renames.
  EXPECT_EQ(one("-a always,exit -F arch=b64 -S renameat2 -F exe=/var/lib/docker/vfs/dir/abc/bin/swap -k x", "AU002",
                "vfs storage"),
            NeedStatus::Possibly);
  EXPECT_EQ(one("-a always,exit -F arch=b64 -S renameat2 -F exe=/usr/bin/mv -k x", "AU002", "vfs storage"),
            NeedStatus::Missing);
  // Excluding by a uid the needs do not run as leaves them.
  EXPECT_EQ(one("-a always,exclude -F msgtype=PATH -F uid=4242\n-a always,exit -F arch=b64 -S renameat2 -k x", "AU002",
                "vfs storage"),
            NeedStatus::Recorded);
}

TEST(RulesModel, ReportRenderings) {
  auto r = check_audit_rules(parse_audit_rules(slurp(kData / "community-style.rules") + "-e 0\n", "c.rules"));
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(check_exit_code(r, {"AU008"}), 1) << "auditing disabled";
  auto j = check_report_json(r);
  EXPECT_EQ(j["source"], "c.rules");
  EXPECT_EQ(j["status"]["enabled"], 0);
  ASSERT_EQ(j["detections"].size(), 10u);
  EXPECT_EQ(j["detections"][1]["rule"], "AU002");
  EXPECT_EQ(j["detections"][1]["name"], "symlink-exchange-loop");
  bool excluded = false;
  for (const auto& n : j["detections"][2]["needs"])
    if (n["status"] == "excluded") excluded = n["record"] == "CWD" && n["rule"]["line"].get<int>() == 9;
  EXPECT_TRUE(excluded) << j["detections"][2].dump(2);
  std::string text = check_report_text(r, false);
  EXPECT_NE(text.find("problem: auditing is disabled"), std::string::npos);
  EXPECT_NE(text.find("CWD records dropped by c.rules line 9: -a always,exclude -F msgtype=CWD"), std::string::npos)
      << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

// ---- rule files written by others, read from the machine and the shared corpus

TEST(RulesModel, AuditdExamplesOnThisMachine) {
  const std::filesystem::path dir = "/usr/share/doc/auditd/examples/rules";
  if (!std::filesystem::exists(dir)) {
    if (std::getenv("CI")) FAIL() << "CI=true: auditd's example rules are missing (" << dir << ")";
    GTEST_SKIP() << "no " << dir;
  }
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".rules") continue;
    ++files;
    auto rs = parse_audit_rules(slurp(e.path()), e.path().filename().string());
    auto r = check_audit_rules(rs);
    ASSERT_EQ(r.detections.size(), 10u);
    const std::string name = e.path().filename().string();
    if (name == "10-no-audit.rules") {
      for (const auto& d : r.detections)
        if (d.rule != "AU008") {
          EXPECT_EQ(d.verdict, CheckVerdict::Blind) << name << " " << d.rule;
        }
    }
    if (name == "41-containers.rules" || name == "30-stig.rules" || name == "30-pci-dss-v31.rules") {
      // No execve rule, renameat2 not among their renames: blind to copies and loops.
      EXPECT_EQ(verdict(r, "AU001"), CheckVerdict::Blind) << name << "\n" << dump(r);
      EXPECT_EQ(verdict(r, "AU002"), CheckVerdict::Blind) << name;
    }
    if (name == "30-stig.rules") {
      // rename/renameat of login sessions only.
      EXPECT_FALSE(rs.rules.empty());
      EXPECT_TRUE(rs.notes.empty()) << rs.notes.front().message;
    }
  }
  EXPECT_GE(files, 20u);
}

TEST(RulesModel, CorpusRuleFilesParse) {
  const std::filesystem::path dir =
      std::filesystem::path(TOCSIN_SOURCE_DIR) / ".." / "shared" / "corpus" / "audit" / "elastic+go-libaudit" / "rule" / "testdata";
  if (!std::filesystem::exists(dir)) {
    if (std::getenv("CI")) FAIL() << "CI=true: corpus missing: " << dir;
    GTEST_SKIP() << "no corpus at " << dir;
  }
  size_t files = 0, rules = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".rules") continue;
    ++files;
    auto rs = parse_audit_rules(slurp(e.path()), e.path().filename().string());
    rules += rs.rules.size();
    auto r = check_audit_rules(rs);
    EXPECT_EQ(r.detections.size(), 10u);
    // None of these records the container clients' execve or renameat2.
    EXPECT_NE(verdict(r, "AU002"), CheckVerdict::Covered) << e.path().filename();
  }
  EXPECT_GE(files, 10u);
  EXPECT_GE(rules, 50u);
}

// ---- the command line

int run(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int rc = pclose(p);
  *out = text;
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(RulesCheckCli, FileArgumentFormatsAndExitCodes) {
  const std::string bin = TOCSIN_BINARY;
  std::string out;
  EXPECT_EQ(run(bin + " audit-rules --check " + (kData / "execve-only.rules").string() + " --format json", &out), 1);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["detections"][0]["verdict"], "covered");
  EXPECT_EQ(j["detections"][1]["verdict"], "blind");
  EXPECT_EQ(run(bin + " audit-rules --check " + (kData / "execve-only.rules").string() +
                    " --select AU001,AU006 --format json",
                &out),
            0)
      << out;
  EXPECT_EQ(run(bin + " audit-rules --check " + (kData / "execve-only.rules").string(), &out), 1);
  EXPECT_NE(out.find("AU002 blind"), std::string::npos) << out;
  EXPECT_EQ(run(bin + " audit-rules --check /nonexistent/x.rules", &out), 2);
  EXPECT_NE(out.find("/nonexistent/x.rules"), std::string::npos) << out;
  EXPECT_EQ(run(bin + " audit-rules --check " + (kData / "execve-only.rules").string() + " --select AU011", &out), 2);
  // Our own lab rules, checked as a file: nothing blind.
  std::string path = ::testing::TempDir() + "tocsin-lab.rules";
  {
    std::ofstream f(path);
    f << ours(RulesScope::Lab);
  }
  EXPECT_EQ(run(bin + " audit-rules --check " + path, &out), 0) << out;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tocsin::audit
