// Compiler-style text output: `file:line:col: severity[ID] name: message`, the source line
// with a caret under the range, related locations and the fix.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/rule_catalog.hpp"
#include "report/report.hpp"

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

// Replaces tabs and control bytes so the caret line stays aligned; returns the printable line.
std::string printable(std::string_view line) {
  std::string out;
  out.reserve(std::min<size_t>(line.size(), 400));
  size_t cols = 0;
  for (size_t i = 0; i < line.size() && cols < 300; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '\t') out += ' ';
    else if (c < 0x20 || c == 0x7f) out += '?';
    else out += static_cast<char>(c);
    if ((c & 0xC0) != 0x80) ++cols;
  }
  if (cols >= 300) out += " …";
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
    out += fmt::format("{}{}:{}:{}:{} {}{}{}[{}] {}: {}\n", p.bold, f.file, f.range.line,
                       f.range.column, p.reset, p.sev[sev], to_string(f.severity), p.reset, f.rule,
                       info ? info->name : std::string("?"), f.message);
    auto it = r.sources.find(f.file);
    const SourceFile* src = it == r.sources.end() ? nullptr : it->second.get();
    if (opts.show_source && src && f.range.line >= 1 && f.range.line <= src->line_count()) {
      auto line = printable(src->line_text(f.range.line));
      out += fmt::format("  {:>5} | {}\n", f.range.line, line);
      uint32_t start = std::max<uint32_t>(f.range.column, 1);
      uint32_t end = f.range.end_line == f.range.line ? f.range.end_column : 0;
      // column counts code points; the printable line keeps them, so pad by code points
      size_t width = 0;
      for (unsigned char c : line)
        if ((c & 0xC0) != 0x80) ++width;
      if (end == 0 || end > width + 1) end = static_cast<uint32_t>(width + 1);
      if (end <= start) end = start + 1;
      std::string caret(start - 1, ' ');
      caret += '^';
      caret += std::string(end - start - 1, '~');
      out += fmt::format("  {:>5} | {}{}{}\n", "", p.sev[sev], caret, p.reset);
    }
    for (const auto& rel : f.related)
      out += fmt::format("  {}{}:{}:{}: note: {}{}\n", p.dim, f.file, rel.range.line, rel.range.column,
                         rel.message, p.reset);
    if (f.fix)
      out += fmt::format("  {}fix{} ({}): {}\n", p.green, p.reset,
                         f.fix->edits.empty() ? "manual" : "automatic with --fix", f.fix->description);
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
