// Subcommand registration: each subcommand lives in its own file and adds itself to the CLI11
// app with an `add_*` function; main.cpp only wires them together and maps exit codes.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::cli {

// Exit codes, the same for every command (PRODUCT.md).
inline constexpr int kExitClean = 0;     // nothing at or above the failure threshold
inline constexpr int kExitFindings = 1;  // findings/alerts at or above it
inline constexpr int kExitError = 2;     // usage or tool error

struct Command {
  CLI::App* app;
  std::function<int()> run;
};
using Commands = std::vector<Command>;

void add_scan(CLI::App& root, Commands& cmds);
void add_rules(CLI::App& root, Commands& cmds);      // `rules` and `explain`
void add_hunt(CLI::App& root, Commands& cmds);
void add_audit_rules(CLI::App& root, Commands& cmds);
void add_es_query(CLI::App& root, Commands& cmds);
void add_watch(CLI::App& root, Commands& cmds);
void add_verify(CLI::App& root, Commands& cmds);
// `tocsin verify FILE ... -- COMMAND ARGS`: what follows the first `--` (taken off argv by main).
std::vector<std::string>& verify_trailing_command();
void add_baseline(CLI::App& root, Commands& cmds);
void add_store(CLI::App& root, Commands& cmds);  // `store init|status` (store_flags.cpp)

// --since/--until values: ISO-8601 UTC or a duration before now (2h, 30m, 7d); nullopt when bad.
std::optional<uint64_t> parse_time_arg(const std::string& s);

// `tocsin --version`: version, rule count, compiler and library versions (version.cpp).
std::string version_text();

// True when stdout/stderr is a terminal and NO_COLOR is unset.
bool use_color(int fd);

}  // namespace tocsin::cli
