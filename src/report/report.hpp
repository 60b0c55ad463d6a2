// Reporters for scan results: one per output format, each in its own file. They render to a
// string; the CLI decides where it goes (stdout or --output).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/source.hpp"

namespace tocsin::report {

// An input the scan could not read (or a broken configuration: empty file). Every format
// carries these, so a report read on its own cannot look clean when the run was not.
struct InputError {
  std::string file;
  std::string message;
};

struct ScanReport {
  size_t files_scanned = 0;
  const std::vector<Finding>& findings;
  const std::map<std::string, SourcePtr>& sources;  // for source lines and fingerprints
  std::vector<InputError> errors = {};
};

struct TextOptions {
  bool color = false;
  bool show_source = true;
};

std::string render_text(const ScanReport& r, const TextOptions& opts);
std::string render_json(const ScanReport& r);
std::string render_sarif(const ScanReport& r);
std::string render_github(const ScanReport& r);

// Stable fingerprint of a finding: rule + the trimmed text of its first line (+ occurrence
// index added by the SARIF reporter), so it survives lines moving up or down.
std::string line_hash(const Finding& f, const SourceFile* src);

}  // namespace tocsin::report
