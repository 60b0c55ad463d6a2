// `tocsin baseline` (placeholder until implemented).
#include <fmt/format.h>

#include "cli/commands.hpp"

namespace tocsin::cli {

void add_baseline(CLI::App& root, Commands& cmds) {
  auto* app = root.add_subcommand("baseline", "(not implemented yet)");
  app->allow_extras();
  cmds.push_back({app, [] {
                    fmt::print(stderr, "tocsin baseline: not implemented yet\n");
                    return kExitError;
                  }});
}

}  // namespace tocsin::cli
