// Self-contained HTML scan report: findings grouped by file and rule, each with a source
// excerpt (the range marked), the rule's summary, related lines; input errors and notes at
// the top. No script, no external resource (inline CSS, and a Content-Security-Policy that
// forbids loading anything), so the file can be opened from a CI artifact offline. Every
// input-derived string is sanitized and escaped (xml_escape), as in the other reporters.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "core/rule_catalog.hpp"
#include "report/markup.hpp"
#include "report/report.hpp"
#include "report/snippet.hpp"

namespace tocsin::report {
namespace {

constexpr uint32_t kExcerptContext = 2;  // lines shown before and after a finding's line

constexpr std::string_view kStyle = R"(
main{padding:16px 24px;max-width:1200px}
.incomplete{background:#fdecea;border-left:4px solid #c62828;padding:8px 12px;margin-bottom:12px}
.notes{background:#fff8e1;border-left:4px solid #f9a825;padding:8px 12px;margin-bottom:12px}
nav ul{columns:2;padding-left:18px}
section.file{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:16px 0;padding:8px 16px}
section.file>h2{font-size:16px;font-family:ui-monospace,monospace;word-break:break-all}
section.rule>h3{font-size:15px;margin:12px 0 4px}
article.finding{border-top:1px solid #eef0f3;padding:6px 0}
pre.src{background:#f3f4f6;padding:6px 8px;overflow-x:auto;margin:4px 0}
pre.src .ln{color:#8a93a3;user-select:none}pre.src .hit{background:#fff3c4;display:inline-block;min-width:100%}
mark{background:#ffcc80}
.muted{color:#5b6475}
)";

std::string esc(std::string_view s) { return xml_escape(s); }

// The excerpt: a few lines around the finding, each clipped to kSnippetMaxBytes; on the
// finding's first line the range is marked.
std::string excerpt(const SourceFile& src, const Range& r) {
  if (r.line < 1 || r.line > src.line_count()) return {};
  uint32_t first = r.line > kExcerptContext ? r.line - kExcerptContext : 1;
  uint32_t last = std::min<uint32_t>(std::max(r.end_line, r.line) + kExcerptContext, src.line_count());
  last = std::min(last, r.line + 8);  // a long range shows its start
  std::string o = "<pre class=\"src\">";
  for (uint32_t n = first; n <= last; ++n) {
    std::string_view line = src.line_text(n);
    if (n > r.line && n == src.line_count() && line.empty()) break;  // the end of the file, not a line
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    o += fmt::format("<span class=\"ln\">{:>5} </span>", n);
    if (n != r.line) {
      o += esc(clip(line)) + "\n";
      continue;
    }
    size_t start = std::min<size_t>(byte_of_column(line, std::max<uint32_t>(r.column, 1)), line.size());
    size_t stop = r.end_line == r.line ? std::max(start, byte_of_column(line, std::max<uint32_t>(r.end_column, 1)))
                                       : line.size();
    stop = std::min(stop, line.size());
    LineWindow w = snippet_window(line, start, stop);
    size_t ms = std::clamp(start, w.begin, w.end), me = std::clamp(stop, ms, w.end);
    o += "<span class=\"hit\">";
    if (w.clipped_left()) o += std::string(kClipMarker);
    o += esc(line.substr(w.begin, ms - w.begin)) + "<mark>" + esc(line.substr(ms, me - ms)) + "</mark>" +
         esc(line.substr(me, w.end - me));
    if (w.clipped_right(line)) o += std::string(kClipMarker);
    o += "</span>\n";
  }
  return o + "</pre>";
}

}  // namespace

std::string render_html(const ScanReport& r) {
  // Files in report order, and per file its rules in order of their first finding.
  std::vector<std::string> files;
  std::map<std::string, std::vector<std::pair<std::string, std::vector<const Finding*>>>> by_file;
  std::array<size_t, 5> by_sev{};
  for (const auto& f : r.findings) {
    auto& rules = by_file[f.file];
    if (rules.empty()) files.push_back(f.file);
    auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& p) { return p.first == f.rule; });
    if (it == rules.end()) it = rules.insert(rules.end(), {f.rule, {}});
    it->second.push_back(&f);
    ++by_sev[static_cast<size_t>(f.severity)];
  }
  std::string counts;
  for (int s = 4; s >= 0; --s)
    if (by_sev[s]) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", by_sev[s], to_string(static_cast<Severity>(s)));

  std::string o = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width\">\n<title>tocsin scan: {} finding{}</title>\n"
      "<style>{}{}</style></head><body>\n<header><h1>tocsin scan</h1>"
      "<p id=\"summary\">{} finding{}{} in {} of {} file{} scanned · tocsin {}</p></header>\n<main>\n",
      r.findings.size(), r.findings.size() == 1 ? "" : "s", kHtmlBaseStyle, kStyle, r.findings.size(),
      r.findings.size() == 1 ? "" : "s", counts.empty() ? "" : " (" + counts + ")", files.size(), r.files_scanned,
      r.files_scanned == 1 ? "" : "s", TOCSIN_VERSION);
  if (!r.errors.empty()) {
    o += fmt::format("<section id=\"errors\" class=\"incomplete\"><h2>INCOMPLETE: {} input{} could not be read</h2><ul>\n",
                     r.errors.size(), r.errors.size() == 1 ? "" : "s");
    for (const auto& e : r.errors) o += "<li class=\"input-error\">" + esc(e.message) + "</li>\n";
    o += "</ul></section>\n";
  }
  if (!r.notes.empty()) {
    o += "<section id=\"notes\" class=\"notes\"><h2>Skipped or partly checked</h2><ul>\n";
    for (const auto& n : r.notes)
      o += "<li class=\"note\"><code>" + esc(n.file) + "</code>: " + esc(n.message) + "</li>\n";
    o += "</ul></section>\n";
  }
  if (files.empty() && r.errors.empty()) o += "<p id=\"clean\">No findings.</p>\n";
  if (!files.empty()) {
    o += "<nav id=\"files\"><h2>Files</h2><ul>\n";
    for (size_t i = 0; i < files.size(); ++i) {
      size_t n = 0;
      for (const auto& [rule, fs] : by_file[files[i]]) n += fs.size();
      o += fmt::format("<li><a href=\"#file-{}\">{}</a> <span class=\"muted\">({})</span></li>\n", i + 1,
                       esc(files[i]), n);
    }
    o += "</ul></nav>\n";
  }
  size_t fid = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& file = files[i];
    auto sit = r.sources.find(file);
    const SourceFile* src = sit == r.sources.end() ? nullptr : sit->second.get();
    o += fmt::format("<section class=\"file\" id=\"file-{}\"><h2>{}</h2>\n", i + 1, esc(file));
    for (const auto& [rule, fs] : by_file[file]) {
      const RuleInfo* info = find_rule(rule);
      o += fmt::format("<section class=\"rule\" data-rule=\"{}\"><h3>{} {} <span class=\"muted\">— {}</span></h3>\n",
                       esc(rule), esc(rule), info ? esc(info->name) : "", info ? esc(info->summary) : "");
      for (const Finding* f : fs) {
        const std::string sev(to_string(f->severity));
        o += fmt::format(
            "<article class=\"finding\" id=\"finding-{}\" data-rule=\"{}\" data-line=\"{}\">"
            "<p><span class=\"sev sev-{}\">{}</span> <span class=\"loc\">line {}, column {}</span> "
            "<span class=\"msg\">{}</span></p>\n",
            ++fid, esc(f->rule), f->range.line, sev, sev, f->range.line, f->range.column, esc(f->message));
        if (src) o += excerpt(*src, f->range) + "\n";
        if (!f->related.empty()) {
          o += "<ul class=\"related\">";
          for (const auto& x : f->related)
            o += fmt::format("<li>line {}: {}</li>", x.range.line, esc(x.message));
          o += "</ul>\n";
        }
        if (f->fix) o += "<p class=\"fix\">Automatic fix: " + esc(f->fix->description) + " (<code>tocsin scan --diff</code>)</p>\n";
        o += "</article>\n";
      }
      o += fmt::format("<p class=\"muted\">Why and how to fix: <code>tocsin explain {}</code></p></section>\n", esc(rule));
    }
    o += "</section>\n";
  }
  o += "</main></body></html>\n";
  return o;
}

}  // namespace tocsin::report
