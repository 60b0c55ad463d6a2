// Configuration: `.tocsin.yaml`, found by walking up from the scanned path, plus the command
// line's overrides. Decides which rules run, their severities, the failure threshold and
// which paths are ignored.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/severity.hpp"

namespace tocsin {

struct Config {
  std::string source;                      // file the config came from, empty for defaults
  std::set<std::string> only;              // when not empty, only these rules run
  std::set<std::string> disabled;
  std::map<std::string, Severity> severity_overrides;
  Severity fail_on = Severity::low;        // exit 1 when a finding is at or above this
  std::optional<Severity> min_severity;    // findings below are not reported
  std::vector<std::string> ignore_paths;   // glob patterns, relative to the config's directory
  std::string base_dir;                    // directory of the config file

  bool rule_enabled(std::string_view id) const;
  Severity severity_for(std::string_view id, Severity dflt) const;
  // True when `path` (as given) is ignored by ignore_paths.
  bool path_ignored(std::string_view path) const;
};

// Parses a config file's text; errors carry the line/column of the offending key.
Result<Config> parse_config(std::string_view text, const std::string& source_name);
Result<Config> load_config(const std::string& path);
// Walks up from `start` (a file or directory) to `/` and returns the first `.tocsin.yaml`
// (or `.tocsin.yml`), if any.
std::optional<std::string> find_config(const std::string& start);

}  // namespace tocsin
