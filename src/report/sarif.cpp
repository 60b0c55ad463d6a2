// SARIF 2.1.0: tool.driver.rules[] from the rule catalogue (fullDescription, help text and
// Markdown from the rule's doc page, helpUri to it, severity overrides applied), exact regions, related locations, partialFingerprints and fixes; invocations[0] says whether
// every input was read (executionSuccessful) and names each one that was not.
#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/rule_catalog.hpp"
#include "core/text_sanitize.hpp"
#include "report/markup.hpp"
#include "report/report.hpp"
#include "report/snippet.hpp"

namespace tocsin::report {
namespace {

using J = nlohmann::ordered_json;

constexpr size_t kMaxHashedLineBytes = 4096;

std::string percent_encode(std::string_view s) {
  std::string o;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') o += static_cast<char>(c);
    else o += fmt::format("%{:02X}", c);
  }
  return o;
}

// Paths inside the working directory are relative to %SRCROOT% (the checkout, as code
// scanning wants); paths outside it are relative to ROOT (file:///), so every artifact
// location has a uriBaseId and none leaks as a bare absolute URI.
J artifact(const std::string& file) {
  RelPath p = relative_to_cwd(file);
  if (p.inside) return {{"uri", percent_encode(p.path)}, {"uriBaseId", "%SRCROOT%"}};
  std::string_view abs = p.path;
  while (!abs.empty() && abs.front() == '/') abs.remove_prefix(1);
  return {{"uri", percent_encode(abs)}, {"uriBaseId", "ROOT"}};
}

// physicalLocation: the artifact, the exact region (with the bounded snippet of the range) and,
// beside it as SARIF wants, a contextRegion: a bounded window of the line around the range.
J physical_location(const std::string& file, const Range& r, const SourceFile* src) {
  J j{{"startLine", std::max<uint32_t>(r.line, 1)}, {"startColumn", std::max<uint32_t>(r.column, 1)}};
  if (r.end_line >= r.line && r.end_line > 0) {
    j["endLine"] = r.end_line;
    j["endColumn"] = std::max<uint32_t>(r.end_column, 1);
  }
  if (src && r.line >= 1 && r.line <= src->line_count()) {
    // Bounded snippets: the region's text on its first line, and a context window of that
    // line around it; each at most kSnippetMaxBytes, "…" where cut.
    std::string_view line = src->line_text(r.line);
    const size_t base = src->line_start(r.line);
    auto at = [&](uint32_t col) { return std::min(src->offset_of({r.line, col}) - base, line.size()); };
    size_t start = at(std::max<uint32_t>(r.column, 1));
    size_t stop = r.end_line == r.line ? std::max(start, at(std::max<uint32_t>(r.end_column, 1))) : line.size();
    std::string text = clip(line.substr(start, stop - start));
    if (r.end_line > r.line && text.size() == stop - start) text += kClipMarker;
    j["snippet"] = {{"text", std::move(text)}};
    LineWindow w = snippet_window(line, start, stop);
    std::string ctx = w.clipped_left() ? std::string(kClipMarker) : std::string();
    ctx += line.substr(w.begin, w.end - w.begin);
    if (w.clipped_right(line)) ctx += kClipMarker;
    return {{"artifactLocation", artifact(file)},
            {"region", std::move(j)},
            {"contextRegion", {{"startLine", r.line},
                               {"startColumn", src->column_of(base + w.begin)},
                               {"endLine", r.line},
                               {"endColumn", src->column_of(base + w.end)},
                               {"snippet", {{"text", std::move(ctx)}}}}}};
  }
  return {{"artifactLocation", artifact(file)}, {"region", std::move(j)}};
}

// A rule doc's plain-text forms, derived once per process: every SARIF report lists every rule,
// and deriving them each time was most of a small scan's SARIF time (the fuzz targets render
// SARIF per input: 0.25 s per input under ASan before this).
struct DocTexts {
  std::string full;  // fullDescription
  std::string help;  // help.text
};
const DocTexts& doc_texts(const RuleInfo& info) {
  static const std::map<std::string, DocTexts, std::less<>> texts = [] {
    std::map<std::string, DocTexts, std::less<>> m;
    for (const auto& r : rule_catalog()) {
      std::string full = doc_first_paragraph(r.body);
      if (full.empty() || full == r.summary) full = r.summary + ".";
      m.emplace(r.id, DocTexts{std::move(full), markdown_to_text(r.body)});
    }
    return m;
  }();
  return texts.at(info.id);
}

J rule_json(const RuleInfo& info, Severity severity) {
  J tags = J::array();
  tags.push_back("security");
  for (const auto& t : info.tags) tags.push_back(t);
  const DocTexts& doc = doc_texts(info);
  return {{"id", info.id},
          {"name", info.name},
          {"shortDescription", {{"text", info.summary}}},
          {"fullDescription", {{"text", doc.full}}},
          {"helpUri", docs_base_url() + "docs/rules/" + info.id + ".md"},
          {"help", {{"text", doc.help}, {"markdown", info.body}}},
          {"defaultConfiguration", {{"level", std::string(sarif_level(severity))}}},
          {"properties",
           {{"security-severity", std::string(security_severity(severity))},
            {"precision", info.maturity == "stable" ? "high" : "medium"},
            {"problem.severity", severity >= Severity::high ? "error" : "warning"},
            {"tags", tags}}}};
}

}  // namespace

std::string line_hash(const Finding& f, const SourceFile* src) {
  std::string_view text;
  if (src && f.range.line >= 1 && f.range.line <= src->line_count()) text = src->line_text(f.range.line);
  // Bounded: on a huge line (one-line files with many findings) only its start is hashed, and
  // the occurrence index keeps the fingerprints apart; ordinary lines hash whole, as before.
  text = text.substr(0, kMaxHashedLineBytes);
  // FNV-1a 64 over the rule id and the line with all whitespace removed
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](unsigned char c) {
    h ^= c;
    h *= 1099511628211ULL;
  };
  for (char c : f.rule) mix(static_cast<unsigned char>(c));
  mix(0);
  for (char c : text)
    if (c != ' ' && c != '\t' && c != '\r') mix(static_cast<unsigned char>(c));
  return fmt::format("{:016x}", h);
}

std::string Fingerprints::next(const Finding& f, const SourceFile* src) {
  std::string h = line_hash(f, src);
  int n = ++seen_[f.file + "\n" + h];
  return fmt::format("{}:{}", h, n);
}

std::string render_sarif(const ScanReport& r) {
  const auto& catalog = rule_catalog();
  J rules = J::array();
  std::map<std::string, size_t> index;
  for (const auto& info : catalog) {
    index[info.id] = rules.size();
    // The configured severity (rules: {severity: {ID: LEVEL}}) is what GitHub reads here.
    rules.push_back(rule_json(info, r.config ? r.config->severity_for(info.id, info.severity) : info.severity));
  }
  J results = J::array();
  Fingerprints fingerprints;
  for (const auto& f : r.findings) {
    auto sit = r.sources.find(f.file);
    const SourceFile* src = sit == r.sources.end() ? nullptr : sit->second.get();
    J res;
    res["ruleId"] = f.rule;
    if (auto it = index.find(f.rule); it != index.end()) res["ruleIndex"] = it->second;
    res["level"] = std::string(sarif_level(f.severity));
    res["message"] = {{"text", f.message}};
    res["locations"] = J::array({{{"physicalLocation", physical_location(f.file, f.range, src)}}});
    if (!f.related.empty()) {
      J rel = J::array();
      int id = 1;
      for (const auto& x : f.related)
        rel.push_back({{"id", id++},
                       {"physicalLocation", physical_location(f.file, x.range, src)},
                       {"message", {{"text", x.message}}}});
      res["relatedLocations"] = std::move(rel);
    }
    res["partialFingerprints"] = {{"primaryLocationLineHash", fingerprints.next(f, src)}};
    if (f.fix && !f.fix->edits.empty()) {
      J reps = J::array();
      for (const auto& e : f.fix->edits) {
        J del{{"startLine", e.range.line}, {"startColumn", e.range.column},
              {"endLine", e.range.end_line}, {"endColumn", e.range.end_column}};
        reps.push_back({{"deletedRegion", del}, {"insertedContent", {{"text", e.replacement}}}});
      }
      res["fixes"] = J::array({{{"description", {{"text", f.fix->description}}},
                                {"artifactChanges", J::array({{{"artifactLocation", artifact(f.file)},
                                                               {"replacements", reps}}})}}});
    }
    res["properties"] = {{"severity", std::string(to_string(f.severity))},
                         {"security-severity", std::string(security_severity(f.severity))}};
    results.push_back(std::move(res));
  }
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec).string();
  if (cwd.empty() || cwd.back() != '/') cwd += '/';
  J run{{"tool", {{"driver", {{"name", "tocsin"},
                              {"version", TOCSIN_VERSION},
                              {"semanticVersion", TOCSIN_VERSION},
                              {"informationUri", docs_base_url() + "README.md"},
                              {"rules", std::move(rules)}}}}},
        // GitHub takes the category from the id (the part before the last '/').
        {"automationDetails", {{"id", "tocsin/scan/"}}},
        {"originalUriBaseIds", {{"%SRCROOT%", {{"uri", "file://" + percent_encode(cwd)}}},
                                {"ROOT", {{"uri", "file:///"}}}}},
        {"columnKind", "unicodeCodePoints"},
        {"results", std::move(results)}};
  // The invocation: executionSuccessful is false when an input could not be read, and each
  // such input is a notification, so a consumer that reads only this file sees the failure.
  J notes = J::array();
  for (const auto& e : r.errors) {
    J n{{"level", "error"}, {"message", {{"text", e.message}}}};
    if (!e.file.empty())
      n["locations"] = J::array({{{"physicalLocation", {{"artifactLocation", artifact(e.file)}}}}});
    notes.push_back(std::move(n));
  }
  // Files skipped or partly checked: notifications at level "note" (the run still succeeded).
  for (const auto& e : r.notes) {
    J n{{"level", "note"}, {"message", {{"text", e.message}}}};
    if (!e.file.empty())
      n["locations"] = J::array({{{"physicalLocation", {{"artifactLocation", artifact(e.file)}}}}});
    notes.push_back(std::move(n));
  }
  run["invocations"] = J::array({{{"executionSuccessful", r.errors.empty()},
                                  {"toolExecutionNotifications", std::move(notes)}}});
  J doc{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
        {"version", "2.1.0"},
        {"runs", J::array({std::move(run)})}};
  std::string out = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  escape_json_for_terminal(out);
  return out + "\n";
}

}  // namespace tocsin::report
