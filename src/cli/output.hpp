// Output helpers shared by the subcommands: writing reports to stdout or a file, replacing a
// file atomically (for --fix), and checking rule ids given on the command line.
#pragma once
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tocsin::cli {

// Writes `text` to stdout when `path` is empty or "-", otherwise to the file.
Status write_output(const std::string& path, std::string_view text);
// Replaces `path` with `text` through a temporary file in the same directory + rename,
// keeping the file's mode.
Status write_file_atomically(const std::string& path, std::string_view text);
// A known rule id (DF001) or family prefix (DF).
bool rule_or_family_known(std::string_view id);

}  // namespace tocsin::cli
