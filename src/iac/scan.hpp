// The scan engine: finds files (walking directories without leaving the scanned root),
// decides their kind, reads them through safeio, runs the analyzers, and applies the
// configuration (enabled rules, severity overrides, suppressions, ignored paths).
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/source.hpp"
#include "iac/analyzer.hpp"
#include "iac/config.hpp"
#include "safeio/resolve.hpp"

namespace tocsin::iac {

struct ScanOptions {
  std::vector<std::string> paths;            // files or directories; "-" is stdin
  std::optional<std::string> config_path;    // explicit --config
  bool no_config = false;                    // --no-config: ignore .tocsin.yaml files
  std::vector<std::string> select;           // --select: only these rules/families
  std::vector<std::string> ignore;           // --ignore: disable these rules/families
  std::optional<Severity> fail_on;           // --fail-on overrides the config
  std::optional<Severity> min_severity;
  size_t max_file_bytes = 64u << 20;         // larger files are reported, not read
  std::string stdin_name = "-";              // --stdin-filename: kind detection for stdin
  // --kind: the analyzer for files named on the command line and stdin ("dockerfile",
  // "compose", "kubernetes" or "script"); empty = by name and content. Walked files keep theirs.
  std::string kind;
  // --changed-since: when set, only these files are scanned (absolute, lexically normal
  // paths); the walk still decides kinds and applies ignore-paths as for any walked file.
  std::optional<std::set<std::string>> only_files;
  // Progress: called with the number of files scanned so far (every 200 files), and once with
  // the final count when the scan ends; empty = no progress. The scan itself prints nothing.
  std::function<void(size_t files_scanned, bool done)> progress;
  // How files found by the directory walk are opened (beneath the walked root, no symlinks).
  safeio::ResolveOptions resolve = safeio::resolve_options_from_env();
  // Tests: called with the path as shown just before a walked file is opened (to swap it).
  std::function<void(const std::string&)> before_open;
};

struct FileError {
  std::string path;
  std::string message;
};

// A file (or a document in it) that was skipped or only partly checked, with the reason: not an
// error (the exit code does not change), but every report lists it.
struct FileNote {
  std::string path;
  std::string message;
};

struct ScanResult {
  size_t files_scanned = 0;
  std::vector<Finding> findings;              // sorted, configuration applied
  std::map<std::string, SourcePtr> sources;   // files with findings (for reporters)
  std::vector<FileError> errors;              // tool errors: unreadable paths, bad config
  std::vector<FileNote> notes;                // files skipped or partly checked, in walk order
  Config config;                              // effective configuration (first path's)
  SourcePtr stdin_source;                     // what was read from stdin ("-"), for `--fix -`
};

// Loads configuration for the first path (or --config) and applies command-line overrides.
Result<Config> effective_config(const ScanOptions& opts);
ScanResult scan(const ScanOptions& opts);

// Analyzes one in-memory file with the given config (used by scan(), tests and stdin).
// `forced` picks the analyzer; otherwise it is chosen by name and content. Returns false
// when no analyzer claims the file. The analyzer's notes go to `notes` when given.
bool scan_source(const SourceFile& src, const Config& cfg, std::vector<Finding>& out,
                 const Analyzer* forced = nullptr, std::vector<std::string>* notes = nullptr);

// The analyzer that claims a path/content, or nullptr. A file claimed by name whose content
// the analyzer refuses is claimed by nobody; `refusal` (when given) then says why.
const Analyzer* classify(std::string_view path, std::string_view content, std::string* refusal = nullptr);

// The analyzer of a kind name (dockerfile, compose, kubernetes or k8s, script), or nullptr.
const Analyzer* analyzer_for_kind(std::string_view kind);

}  // namespace tocsin::iac
