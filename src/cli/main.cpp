// tocsin entry point: a shim that builds the command line and runs the chosen subcommand.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "core/suggest.hpp"
#include "core/text_sanitize.hpp"

namespace {

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> out{"help"};
  for (const auto* sub : app.get_subcommands({})) out.push_back(sub->get_name());
  return out;
}

// After a parse error: a "did you mean" for each `--flag` the chosen subcommand does not know.
void suggest_flags(const CLI::App& app, int argc, char** argv) {
  const CLI::App* sub = &app;
  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") break;
    if (a.rfind("--", 0) != 0) {
      if (sub == &app && a.front() != '-')
        for (const auto* s : app.get_subcommands({}))
          if (s->get_name() == a) sub = s;
      continue;
    }
    std::string flag(a.substr(0, a.find('=')));
    if (names.empty())
      for (const auto* o : sub->get_options())
        for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    if (std::find(names.begin(), names.end(), flag) != names.end()) continue;
    if (auto m = tocsin::closest_match(flag, names))
      fmt::print(stderr, "tocsin: unknown flag {}{}\n", flag, tocsin::did_you_mean(m));
  }
}

}  // namespace

namespace {

int run_main(int argc, char** argv) {
  using namespace tocsin::cli;
  CLI::App app{
      "tocsin finds time-of-check/time-of-use races around containers:\n"
      "  scan     Dockerfiles, Compose files, Kubernetes manifests, scripts and CI files\n"
      "  hunt     docker cp symlink-swap races (CVE-2018-15664 and relatives) in audit logs\n"
      "  watch    the same live, plus Docker Engine checks on every container start\n"
      "  verify   a race-free integrity check of a configuration file\n"
      "Exit codes: 0 clean, 1 findings at or above the failure threshold, 2 usage or tool error.\n"
      "Run `tocsin rules` for the catalogue, `tocsin explain ID` for one rule and\n"
      "`tocsin help CMD` (the same as `tocsin CMD --help`) for a command's flags.",
      "tocsin"};
  app.set_version_flag("--version", [] { return version_text(); }, "Print the version, rule count and build information");
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
  // An unknown command gets a "did you mean" (CLI11 would only say a subcommand is required).
  const auto names = subcommand_names(app);
  auto known_command = [&](std::string_view c) {
    if (std::find(names.begin(), names.end(), c) != names.end()) return true;
    fmt::print(stderr, "tocsin: unknown command '{}'{}; run `tocsin help` for the list\n",
               tocsin::sanitize_for_terminal(c), tocsin::did_you_mean(tocsin::closest_match(c, names)));
    return false;
  };
  std::vector<std::string> help_args;
  std::vector<char*> help_argv;
  if (argc > 1 && argv[1][0] != '-') {
    if (!known_command(argv[1])) return kExitError;
    // `tocsin help [CMD [SUB]]` prints exactly what `tocsin CMD [SUB] --help` prints.
    if (std::string_view(argv[1]) == "help") {
      if (argc > 2 && (std::string_view(argv[2]) == "help" || !known_command(argv[2]))) return kExitError;
      help_args.assign(argv, argv + argc);
      help_args.erase(help_args.begin() + 1);
      help_args.push_back("--help");
      for (auto& a : help_args) help_argv.push_back(a.data());
      argc = static_cast<int>(help_argv.size());
      argv = help_argv.data();
    }
  }
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
    if (rc != 0) suggest_flags(app, argc, argv);
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

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (...) {  // what the subcommands' own handler does not catch (setting up the parser)
    std::fputs("tocsin: internal error\n", stderr);
    return tocsin::cli::kExitError;
  }
}
