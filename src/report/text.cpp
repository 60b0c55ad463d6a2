// Compiler-style text output: `file:line:col: severity[ID] name: message`, the source line
// with a caret under the range, related locations and the fix. Everything that came from the
// scanned files goes through sanitize_for_terminal; long lines are clipped around the range.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/rule_catalog.hpp"
#include "core/text_sanitize.hpp"
#include "report/report.hpp"
#include "report/snippet.hpp"

namespace tocsin::report {
namespace {

struct Palette {
  const char* bold = "";
  const char* reset = "";
  const char* dim = "";
  const char* green = "";
  const char* sev[5] = {"", "", "", "", ""};
};

Palette palette(bool color) {
  Palette p;
  if (!color) return p;
  p.bold = "\033[1m";
  p.reset = "\033[0m";
  p.dim = "\033[2m";
  p.green = "\033[32m";
  p.sev[0] = "\033[36m";    // info: cyan
  p.sev[1] = "\033[34m";    // low: blue
  p.sev[2] = "\033[33m";    // medium: yellow
  p.sev[3] = "\033[31m";    // high: red
  p.sev[4] = "\033[1;35m";  // critical: bold magenta
  return p;
}

// Input-derived text, made safe for a terminal (one line: newlines are escaped too).
std::string safe(std::string_view s) { return sanitize_for_terminal(s); }

// The source line, clipped to a window around the range, sanitized, with tabs as spaces so
// the caret line below stays aligned; `pad`/`width` place the caret in display columns.
struct ShownLine {
  std::string text;
  size_t pad = 0;
  size_t width = 1;
};

std::string shown_part(std::string_view s) {
  std::string out = sanitize_for_terminal(s);
  std::replace(out.begin(), out.end(), '\t', ' ');
  return out;
}

ShownLine show_line(const SourceFile& src, const Range& r) {
  std::string_view line = src.line_text(r.line);
  const size_t base = src.line_start(r.line);
  size_t start = std::min(src.offset_of({r.line, std::max<uint32_t>(r.column, 1)}) - base, line.size());
  size_t stop = r.end_line == r.line && r.end_column > r.column
                    ? std::min(src.offset_of({r.line, r.end_column}) - base, line.size())
                    : line.size();
  stop = std::max(stop, start);
  LineWindow w = snippet_window(line, start, stop);
  ShownLine out;
  if (w.clipped_left()) out.text += kClipMarker;
  std::string before = shown_part(line.substr(w.begin, start - w.begin));
  std::string range = shown_part(line.substr(start, std::min(stop, w.end) - start));
  out.pad = display_columns(out.text) + display_columns(before);
  out.width = std::max<size_t>(display_columns(range), 1);
  out.text += before;
  out.text += range;
  out.text += shown_part(line.substr(std::min(stop, w.end), w.end - std::min(stop, w.end)));
  if (w.clipped_right(line)) out.text += kClipMarker;
  return out;
}

}  // namespace

std::string render_text(const ScanReport& r, const TextOptions& opts) {
  Palette p = palette(opts.color);
  std::string out;
  std::array<size_t, 5> counts{};
  std::map<std::string, int> files_with;
  for (const auto& f : r.findings) {
    counts[static_cast<size_t>(f.severity)]++;
    files_with[f.file]++;
    const RuleInfo* info = find_rule(f.rule);
    auto sev = static_cast<size_t>(f.severity);
    const std::string file = safe(f.file);
    out += fmt::format("{}{}:{}:{}:{} {}{}{}[{}] {}: {}\n", p.bold, file, f.range.line,
                       f.range.column, p.reset, p.sev[sev], to_string(f.severity), p.reset, f.rule,
                       info ? info->name : std::string("?"), safe(f.message));
    auto it = r.sources.find(f.file);
    const SourceFile* src = it == r.sources.end() ? nullptr : it->second.get();
    if (opts.show_source && src && f.range.line >= 1 && f.range.line <= src->line_count()) {
      ShownLine line = show_line(*src, f.range);
      out += fmt::format("  {:>5} | {}\n", f.range.line, line.text);
      std::string caret(line.pad, ' ');
      caret += '^';
      caret += std::string(line.width - 1, '~');
      out += fmt::format("  {:>5} | {}{}{}\n", "", p.sev[sev], caret, p.reset);
    }
    for (const auto& rel : f.related)
      out += fmt::format("  {}{}:{}:{}: note: {}{}\n", p.dim, file, rel.range.line, rel.range.column,
                         safe(rel.message), p.reset);
    if (f.fix)
      out += fmt::format("  {}fix{} ({}): {}\n", p.green, p.reset,
                         f.fix->edits.empty() ? "manual" : "automatic with --fix", safe(f.fix->description));
  }
  size_t total = r.findings.size();
  if (total == 0) {
    out += fmt::format("{}no findings{} in {} file{} scanned\n", p.green, p.reset, r.files_scanned,
                       r.files_scanned == 1 ? "" : "s");
  } else {
    std::string parts;
    for (int s = 4; s >= 0; --s) {
      if (!counts[s]) continue;
      if (!parts.empty()) parts += ", ";
      parts += fmt::format("{} {}", counts[s], to_string(static_cast<Severity>(s)));
    }
    out += fmt::format("{}{} finding{}{} ({}) in {} of {} file{} scanned\n", p.bold, total,
                       total == 1 ? "" : "s", p.reset, parts, files_with.size(), r.files_scanned,
                       r.files_scanned == 1 ? "" : "s");
  }
  if (!r.errors.empty())
    out += fmt::format("INCOMPLETE: {} input{} could not be read (errors on stderr)\n",
                       r.errors.size(), r.errors.size() == 1 ? "" : "s");
  return out;
}

}  // namespace tocsin::report
