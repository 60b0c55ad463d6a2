// `tocsin watch` (placeholder until implemented).
#include <fmt/format.h>

#include "cli/commands.hpp"

namespace tocsin::cli {

void add_watch(CLI::App& root, Commands& cmds) {
  auto* app = root.add_subcommand("watch", "(not implemented yet)");
  app->allow_extras();
  cmds.push_back({app, [] {
                    fmt::print(stderr, "tocsin watch: not implemented yet\n");
                    return kExitError;
                  }});
}

}  // namespace tocsin::cli
