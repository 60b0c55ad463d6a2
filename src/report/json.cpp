// The JSON report of PRODUCT.md: {"tool", "version", "files_scanned", "findings": [...],
// "errors": [{"file", "message"}], "notes": [{"file", "message"}]} (errors: inputs that could
// not be read; notes: files or documents skipped or partly checked; both always present).
#include <nlohmann/json.hpp>

#include "core/text_sanitize.hpp"
#include "report/report.hpp"

namespace tocsin::report {

namespace {
nlohmann::ordered_json range_json(const Range& r) {
  return {{"line", r.line}, {"column", r.column}, {"end_line", r.end_line}, {"end_column", r.end_column}};
}
}  // namespace

std::string render_json(const ScanReport& r) {
  using J = nlohmann::ordered_json;
  J findings = J::array();
  Fingerprints fingerprints;
  for (const auto& f : r.findings) {
    J j;
    j["rule"] = f.rule;
    j["severity"] = std::string(to_string(f.severity));
    j["file"] = f.file;
    j["line"] = f.range.line;
    j["column"] = f.range.column;
    j["end_line"] = f.range.end_line;
    j["end_column"] = f.range.end_column;
    j["message"] = f.message;
    if (!f.related.empty()) {
      J rel = J::array();
      for (const auto& x : f.related) {
        J o = range_json(x.range);
        o["message"] = x.message;
        rel.push_back(std::move(o));
      }
      j["related"] = std::move(rel);
    }
    if (f.fix) {
      J edits = J::array();
      for (const auto& e : f.fix->edits) {
        J o = range_json(e.range);
        o["replacement"] = e.replacement;
        edits.push_back(std::move(o));
      }
      j["fix"] = {{"description", f.fix->description}, {"edits", std::move(edits)}};
    } else if (!f.fix_refused.empty()) {
      j["fix_refused"] = f.fix_refused;
    }
    auto it = r.sources.find(f.file);
    j["fingerprint"] = fingerprints.next(f, it == r.sources.end() ? nullptr : it->second.get());
    findings.push_back(std::move(j));
  }
  J doc;
  doc["tool"] = "tocsin";
  doc["version"] = TOCSIN_VERSION;
  doc["files_scanned"] = r.files_scanned;
  doc["findings"] = std::move(findings);
  // Always present: empty only when every input was read.
  J errors = J::array();
  for (const auto& e : r.errors) errors.push_back({{"file", e.file}, {"message", e.message}});
  doc["errors"] = std::move(errors);
  // Always present: what was skipped or only partly checked, and why (not errors).
  J notes = J::array();
  for (const auto& n : r.notes) notes.push_back({{"file", n.file}, {"message", n.message}});
  doc["notes"] = std::move(notes);
  std::string out = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  escape_json_for_terminal(out);  // C1 and bidi controls as \u escapes (see text_sanitize.hpp)
  return out + "\n";
}

}  // namespace tocsin::report
