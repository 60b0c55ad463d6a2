// The report layer: one file per output format (text.cpp, json.cpp, jsonl.cpp, sarif.cpp,
// github.cpp, html.cpp, ...), each rendering what every job produces — scan findings
// (core/diagnostic.hpp), hunt reports and watch alerts (one alert record, core/alert.hpp). They
// render to a string; the CLI decides where it goes (stdout, --output, the watch output).
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "audit/coverage.hpp"
#include "audit/source.hpp"
#include "audit/summary.hpp"
#include "core/alert.hpp"
#include "core/diagnostic.hpp"
#include "core/source.hpp"
#include "iac/config.hpp"

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

// --- alerts (hunt, watch)

// The alert as JSON (the JSONL line's object; `hunt --format json` lists them): PRODUCT.md's
// audit alert shape, or its runtime alert shape for Subject::container.
nlohmann::ordered_json alert_json(const Alert& a);
// One JSONL line, no trailing newline (invalid UTF-8 replaced, C1/bidi controls escaped).
std::string alert_jsonl(const Alert& a);
// `watch --format text`: one line, "TIME RULE [severity] message[ (container NAME ID)]".
std::string alert_line(const Alert& a);
// The human alert report: one block per copy (who, what, which container, verdict), then the
// other alerts, then the count line.
std::string render_alerts_text(const std::vector<Alert>& alerts, bool color);

// A hunt's results: the alerts in report order, the engine's counts, every input with how
// completely it was read, and (a hunt over logs; a fleet hunt has none) the coverage.
struct HuntCoverage {
  audit::CoverageFacts facts;
  std::vector<audit::RuleCoverage> verdicts;
};
struct HuntReport {
  const std::vector<Alert>& alerts;
  const audit::HuntStats& stats;
  const std::vector<audit::InputReport>& inputs;
  const HuntCoverage* coverage = nullptr;
  std::string stats_line;  // the run's one-line summary (the HTML page shows it)
};
std::string render_hunt_text(const HuntReport& r, bool color);
std::string render_hunt_json(const HuntReport& r);
std::string render_hunt_jsonl(const HuntReport& r);  // alert lines, then the summary record
// `hunt --format html`: coverage, copies per user, timeline, alerts.
std::string render_hunt_html(const HuntReport& r);

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
