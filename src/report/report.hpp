// Reporters for scan results: one per output format, each in its own file. They render to a
// string; the CLI decides where it goes (stdout or --output).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "audit/alert.hpp"
#include "audit/coverage.hpp"
#include "core/config.hpp"
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
  // Files (or documents) skipped or partly checked, with the reason: listed, not errors.
  std::vector<InputError> notes = {};
  // The effective configuration, when known: which rules ran (junit lists them) and severity
  // overrides (SARIF rules[] carry them). Null: every scan rule, default severities.
  const Config* config = nullptr;
};

struct TextOptions {
  bool color = false;
  bool show_source = true;
};

std::string render_text(const ScanReport& r, const TextOptions& opts);
std::string render_json(const ScanReport& r);
std::string render_sarif(const ScanReport& r);
std::string render_github(const ScanReport& r);
std::string render_codeclimate(const ScanReport& r);  // GitLab code quality
std::string render_junit(const ScanReport& r);
std::string render_checkstyle(const ScanReport& r);
std::string render_html(const ScanReport& r);  // self-contained, no network
// `hunt --format html`: coverage, copies per user, timeline, alerts; `stats` is the summary line.
std::string render_hunt_html(const std::vector<audit::Alert>& alerts, const std::vector<audit::RuleCoverage>* coverage,
                             bool complete, std::string_view stats);

// Stable fingerprint of a finding: rule + the trimmed text of its first line, so it survives
// lines moving up or down.
std::string line_hash(const Finding& f, const SourceFile* src);

// Fingerprints unique within a file, for findings taken in report order: `HASH:N`, the line
// hash and its occurrence in the file (two findings of one rule on the same line text differ
// by N). SARIF's primaryLocationLineHash and JSON's fingerprint are both this value.
class Fingerprints {
 public:
  std::string next(const Finding& f, const SourceFile* src);

 private:
  std::map<std::string, int> seen_;
};

}  // namespace tocsin::report
