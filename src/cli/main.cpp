// tocsin entry point: a shim that builds the command line and runs the chosen subcommand.
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string_view>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace tocsin::cli;
  CLI::App app{
      "tocsin finds time-of-check/time-of-use races around containers:\n"
      "  scan     Dockerfiles, Compose files, Kubernetes manifests, scripts and CI files\n"
      "  hunt     docker cp symlink-swap races (CVE-2018-15664 and relatives) in audit logs\n"
      "  watch    the same live, plus Docker Engine checks on every container start\n"
      "  verify   a race-free integrity check of a configuration file\n"
      "Exit codes: 0 clean, 1 findings at or above the failure threshold, 2 usage or tool error.\n"
      "Run `tocsin rules` for the catalogue and `tocsin explain ID` for one rule.",
      "tocsin"};
  app.set_version_flag("--version", std::string("tocsin ") + TOCSIN_VERSION);
  app.require_subcommand(1);
  Commands cmds;
  add_scan(app, cmds);
  add_hunt(app, cmds);
  add_watch(app, cmds);
  add_baseline(app, cmds);
  add_store(app, cmds);
  add_verify(app, cmds);
  add_rules(app, cmds);
  add_audit_rules(app, cmds);
  add_es_query(app, cmds);
  // `verify FILE ... -- COMMAND ARGS`: the command is not tocsin's to parse (its flags are its own).
  if (argc > 2 && std::string_view(argv[1]) == "verify")
    for (int i = 2; i < argc; ++i)
      if (std::string_view(argv[i]) == "--") {
        verify_trailing_command().assign(argv + i + 1, argv + argc);
        argc = i;
        break;
      }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitClean : kExitError;
  }
  try {
    for (auto& c : cmds)
      if (c.app->parsed()) return c.run();
  } catch (const std::exception& e) {
    fmt::print(stderr, "tocsin: internal error: {}\n", e.what());
    return kExitError;
  }
  return kExitError;
}
