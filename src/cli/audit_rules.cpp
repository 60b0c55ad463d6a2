// `tocsin audit-rules`: prints the auditd rules the hunt detections need.
#include <fmt/format.h>

#include <optional>
#include <string>

#include "audit/audit_rules.hpp"
#include "cli/commands.hpp"

namespace tocsin::cli {

void add_audit_rules(CLI::App& root, Commands& cmds) {
  struct Opts {
    std::optional<std::string> arch;
    std::string scope = "host";
    std::string key = "tocsin";
  };
  auto opts = std::make_shared<Opts>();
  auto* app = root.add_subcommand(
      "audit-rules",
      "Print the auditd rules the hunt detections need, ready for "
      "/etc/audit/rules.d/tocsin.rules");
  app->add_option("--arch", opts->arch,
                  "x86_64, i386, aarch64 or all (default: this machine's)");
  app->add_option("--scope", opts->scope,
                  "host: bounded volume for production; lab: everything the detections can use")
      ->capture_default_str();
  app->add_option("--key", opts->key, "key prefix: rules are tagged PREFIX_<purpose>")
      ->capture_default_str();
  cmds.push_back({app, [opts] {
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
