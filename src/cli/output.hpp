// Output helpers shared by the subcommands: writing reports to stdout or a file, replacing a
// file atomically (for --fix), and checking rule ids given on the command line.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tocsin::cli {

// Writes `text` to stdout when `path` is empty or "-"; into a FIFO or character device as it
// is; otherwise replaces the file atomically (safeio::write_file_atomic: a symlink at `path` is
// replaced, never followed).
Status write_output(const std::string& path, std::string_view text);
// Replaces `path` with `text` atomically (safeio::write_file_atomic), keeping the file's mode
// and owner (--fix).
Status write_file_atomically(const std::string& path, std::string_view text);
// False (after saying which, with a "did you mean") when an id is no rule or family.
bool check_rule_ids(const std::vector<std::string>& ids, std::string_view cmd, std::string_view flag);
// Rule ids from repeated, comma-separated options (--select DF001,df002 --select DC001),
// trimmed and upper-cased.
std::vector<std::string> split_rule_ids(const std::vector<std::string>& in);

}  // namespace tocsin::cli
