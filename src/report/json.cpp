// The JSON formats of PRODUCT.md, for every job:
// - scan: {"tool", "version", "files_scanned", "findings": [...], "errors": [{"file",
//   "message"}], "notes": [{"file", "message"}]} (errors: inputs that could not be read; notes:
//   files or documents skipped or partly checked; both always present);
// - an alert (hunt, watch): the object each JSONL line carries (alert_json);
// - hunt: {"tool", "version", "summary", "coverage", "alerts": [...]}.
#include <nlohmann/json.hpp>

#include "audit/coverage.hpp"
#include "audit/summary.hpp"
#include "core/iso8601.hpp"
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

namespace {

nlohmann::ordered_json response_json(const AlertResponse& r) {
  using J = nlohmann::ordered_json;
  J j{{"action", r.action}, {"container", r.container}, {"ok", r.ok}, {"ms", r.ms ? J(*r.ms) : J()}};
  if (!r.detail.empty()) j["detail"] = r.detail;
  return j;
}

// PRODUCT.md's runtime alert: rule, severity, time, host, message, container{id,name,image},
// then the check's details ("mount", "config", ...).
nlohmann::ordered_json container_alert_json(const Alert& a) {
  nlohmann::ordered_json j;
  j["rule"] = a.rule;
  j["severity"] = std::string(to_string(a.severity));
  j["time"] = iso_time_ms(a.time_ms.value_or(0));
  j["host"] = a.host ? nlohmann::ordered_json(*a.host) : nlohmann::ordered_json(nullptr);
  j["message"] = a.message;
  j["container"] = {{"id", a.container.id}, {"name", a.container.name}, {"image", a.container.image}};
  for (auto it = a.details.begin(); it != a.details.end(); ++it) j[it.key()] = it.value();
  return j;
}

}  // namespace

nlohmann::ordered_json alert_json(const Alert& a) {
  if (a.subject == Alert::Subject::container) return container_alert_json(a);
  nlohmann::ordered_json j;
  j["rule"] = a.rule;
  if (a.early) j["stage"] = "early";
  j["severity"] = std::string(to_string(a.severity));
  j["time"] = a.time_ms ? nlohmann::ordered_json(iso_time_ms(*a.time_ms)) : nlohmann::ordered_json();
  j["host"] = a.host ? nlohmann::ordered_json(*a.host) : nlohmann::ordered_json();
  j["event_ids"] = a.event_ids;
  j["message"] = a.message;
  if (!a.reason.empty()) j["reason"] = a.reason;
  if (a.user) {
    nlohmann::ordered_json u;
    auto num = [](const std::optional<int64_t>& v) {
      return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
    };
    auto id = [](const std::optional<int64_t>& v) {
      return login_id_set(v) ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
    };
    u["auid"] = id(a.user->auid);
    u["uid"] = num(a.user->uid);
    u["euid"] = num(a.user->euid);
    u["tty"] = a.user->tty ? nlohmann::ordered_json(*a.user->tty) : nlohmann::ordered_json();
    u["ses"] = id(a.user->ses);
    j["user"] = std::move(u);
  }
  if (a.docker_cp) {
    nlohmann::ordered_json c;
    c["direction"] = a.docker_cp->direction;
    c["container"] = a.docker_cp->container;
    c["path"] = a.docker_cp->path;
    if (a.docker_cp->resolved_path) c["resolved_path"] = *a.docker_cp->resolved_path;
    j["docker_cp"] = std::move(c);
  }
  if (a.swap) {
    nlohmann::ordered_json s;
    s["pid"] = a.swap->pid;
    s["paths"] = a.swap->paths;
    s["count"] = a.swap->count;
    s["duration_ms"] = a.swap->duration_ms;
    j["swap"] = std::move(s);
  }
  if (a.score) j["score"] = *a.score;
  using J = nlohmann::ordered_json;
  j["process"] = {{"pid", a.pid ? J(*a.pid) : J()},
                  {"exe", a.exe.empty() ? J() : J(a.exe)},
                  {"command", a.command.empty() ? J() : J(a.command)}};
  j["input"] = a.file.empty() ? J() : J{{"file", a.file}, {"line", a.line ? J(a.line) : J()}};
  if (a.response) j["response"] = response_json(*a.response);
  return j;
}

std::string render_hunt_json(const HuntReport& r) {
  // One document: the summary (what was read, how completely, counts), the coverage, and
  // the alerts; the same objects as the JSONL lines.
  nlohmann::ordered_json doc;
  doc["tool"] = "tocsin";
  doc["version"] = TOCSIN_VERSION;
  doc["summary"] = audit::hunt_summary_json(r.stats, r.inputs);
  doc["coverage"] =
      r.coverage ? audit::coverage_json(r.coverage->facts, r.coverage->verdicts) : nlohmann::ordered_json();
  doc["alerts"] = nlohmann::ordered_json::array();
  for (const auto& al : r.alerts) doc["alerts"].push_back(alert_json(al));
  std::string out = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  escape_json_for_terminal(out);  // audit strings: C1 and bidi controls as \u escapes
  return out + "\n";
}

}  // namespace tocsin::report
