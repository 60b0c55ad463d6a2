// GitLab code quality report (the Code Climate issue subset GitLab reads): a JSON array of
// {type, check_name, description, categories, severity, fingerprint, location{path, lines}}.
// Inputs that could not be read are issues too (check_name "tocsin/input-error", blocker), so
// a merge request never shows a clean report of a run that did not read everything.
#include <nlohmann/json.hpp>

#include "core/rule_catalog.hpp"
#include "core/text_sanitize.hpp"
#include "report/markup.hpp"
#include "report/report.hpp"

namespace tocsin::report {
namespace {

// GitLab's scale: info, minor, major, critical, blocker.
const char* gitlab_severity(Severity s) {
  switch (s) {
    case Severity::info: return "info";
    case Severity::low: return "minor";
    case Severity::medium: return "major";
    case Severity::high: return "critical";
    case Severity::critical: return "blocker";
  }
  return "major";
}

}  // namespace

std::string render_codeclimate(const ScanReport& r) {
  using J = nlohmann::ordered_json;
  J issues = J::array();
  Fingerprints fingerprints;
  for (const auto& f : r.findings) {
    auto it = r.sources.find(f.file);
    std::string fp = fingerprints.next(f, it == r.sources.end() ? nullptr : it->second.get());
    const RuleInfo* info = find_rule(f.rule);
    J lines{{"begin", std::max<uint32_t>(f.range.line, 1)}};
    if (f.range.end_line > f.range.line) lines["end"] = f.range.end_line;
    issues.push_back({{"type", "issue"},
                      {"check_name", f.rule},
                      {"description", info ? f.rule + " " + info->name + ": " + f.message : f.message},
                      {"categories", J::array({"Security"})},
                      {"severity", gitlab_severity(f.severity)},
                      {"fingerprint", issue_fingerprint(f.file, fp)},
                      {"location", {{"path", relative_to_cwd(f.file).path}, {"lines", std::move(lines)}}}});
  }
  for (const auto& e : r.errors)
    issues.push_back({{"type", "issue"},
                      {"check_name", "tocsin/input-error"},
                      {"description", "tocsin could not read this input: " + e.message},
                      {"categories", J::array({"Bug Risk"})},
                      {"severity", "blocker"},
                      {"fingerprint", issue_fingerprint(e.file, "input-error\n" + e.message)},
                      {"location", {{"path", e.file.empty() ? std::string(".") : relative_to_cwd(e.file).path},
                                    {"lines", {{"begin", 1}}}}}});
  std::string out = issues.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  escape_json_for_terminal(out);
  return out + "\n";
}

}  // namespace tocsin::report
