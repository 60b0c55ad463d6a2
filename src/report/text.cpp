// Text for people, for every job:
// - scan: compiler-style `file:line:col: severity[ID] name: message`, the source line with a
//   caret under the range, related locations and the fix; long lines clipped around the range;
// - hunt: one block per copy (who, what, which container, verdict), then the other alerts, the
//   coverage and an INCOMPLETE line when evidence is missing;
// - watch: one line per alert.
// Everything that came from the scanned files or the audit data (a container process controls
// its argv, comm and paths) goes through sanitize_for_terminal.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "audit/coverage.hpp"
#include "audit/summary.hpp"
#include "core/iso8601.hpp"
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

namespace {

// The hunt report's colours (severity by weight, as the HTML badges), not the scan palette.
std::string paint(bool on, std::string_view code, std::string_view s) {
  if (!on) return std::string(s);
  return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
}

std::string_view sev_color(Severity s) {
  switch (s) {
    case Severity::critical:
      return "1;31";
    case Severity::high:
      return "31";
    case Severity::medium:
      return "33";
    case Severity::low:
      return "36";
    case Severity::info:
      return "2";
  }
  return "0";
}

std::string who(const AlertUser& u) {
  auto id = [](const std::optional<int64_t>& v) {
    if (!v) return std::string("?");
    if (login_id_unset(*v)) return std::string("unset");
    return std::to_string(*v);
  };
  return fmt::format("auid={} uid={} euid={} tty={} ses={}", id(u.auid), id(u.uid), id(u.euid),
                     u.tty ? safe(*u.tty) : std::string("?"), id(u.ses));
}

}  // namespace

std::string render_alerts_text(const std::vector<Alert>& alerts, bool color) {
  std::string out;
  const bool c = color;
  std::map<uint64_t, std::vector<const Alert*>> by_copy;
  for (const auto& a : alerts)
    if (a.copy_id && a.rule != "AU001") by_copy[a.copy_id].push_back(&a);
  size_t copies = 0;
  for (const auto& a : alerts) {
    if (a.rule != "AU001") continue;
    ++copies;
    const auto& cp = *a.docker_cp;
    out += fmt::format("{} {}  {}\n", paint(c, "1", "copy"), a.time_ms ? iso_time_ms(*a.time_ms) : std::string("?"),
                       a.host ? safe(*a.host) : std::string("(host unknown)"));
    if (a.user) out += fmt::format("  who:       {}\n", who(*a.user));
    out += fmt::format("  command:   {}\n", safe(a.command));
    out += fmt::format("  container: {}  {} {}\n", safe(cp.container), cp.direction, safe(cp.path));
    auto it = by_copy.find(a.copy_id);
    if (it == by_copy.end()) {
      out += fmt::format("  verdict:   {}\n", paint(c, "32", "no race seen"));
    } else {
      for (const Alert* r : it->second) {
        out += fmt::format("  verdict:   {} {} {}\n", paint(c, sev_color(r->severity), r->rule),
                           paint(c, sev_color(r->severity), to_string(r->severity)), safe(r->message));
        if (!r->reason.empty()) out += fmt::format("             why: {}\n", safe(r->reason));
      }
    }
    out += fmt::format("  events:    {}\n\n", fmt::join(a.event_ids, " "));
  }
  std::set<uint64_t> shown;
  for (const auto& a : alerts)
    if (a.rule == "AU001" && a.copy_id) shown.insert(a.copy_id);
  size_t others = 0;
  for (const auto& a : alerts) {
    if (a.rule == "AU001" || (a.copy_id && shown.count(a.copy_id))) continue;
    ++others;
    out += fmt::format("{} {} {}  {}\n", paint(c, sev_color(a.severity), a.rule),
                       paint(c, sev_color(a.severity), to_string(a.severity)),
                       a.time_ms ? iso_time_ms(*a.time_ms) : std::string("-"),
                       a.host ? safe(*a.host) : std::string("(host unknown)"));
    out += fmt::format("  {}\n", safe(a.message));
    if (!a.reason.empty()) out += fmt::format("  why:    {}\n", safe(a.reason));
    if (a.user) out += fmt::format("  who:    {}\n", who(*a.user));
    if (a.swap)
      out +=
          fmt::format("  swap:   pid {} {} x{} in {} ms\n", a.swap->pid,
                      safe(fmt::format("{}", fmt::join(a.swap->paths, " <-> "))), a.swap->count, a.swap->duration_ms);
    if (!a.file.empty()) out += fmt::format("  at:     {}{}\n", safe(a.file), a.line ? fmt::format(":{}", a.line) : "");
    if (!a.event_ids.empty()) out += fmt::format("  events: {}\n", fmt::join(a.event_ids, " "));
    out += "\n";
  }
  out += fmt::format("{} cop{}, {} other alert{}\n", copies, copies == 1 ? "y" : "ies", others, others == 1 ? "" : "s");
  return out;
}

std::string render_hunt_text(const HuntReport& r, bool color) {
  std::string out = render_alerts_text(r.alerts, color);
  if (r.coverage) out += "\n" + audit::coverage_text(r.coverage->verdicts, color);
  if (!audit::inputs_complete(r.inputs)) {
    size_t bad = 0;
    for (const auto& in : r.inputs)
      bad += in.status == audit::InputStatus::Damaged || in.status == audit::InputStatus::Unreadable;
    out += fmt::format(
        "INCOMPLETE: {} input{} could not be read completely; evidence is missing "
        "(the errors are on stderr)\n",
        bad, bad == 1 ? "" : "s");
  }
  return out;
}

std::string alert_line(const Alert& a) {
  // An early record says so before its message; the final record of the same alert follows.
  std::string line = fmt::format("{} {} [{}] {}{}", a.time_ms ? iso_time_ms(*a.time_ms) : std::string("-"), a.rule,
                                 to_string(a.severity), a.early ? "early: " : "", a.message);
  if (a.subject == Alert::Subject::container)
    line += fmt::format(" (container {} {})", a.container.name, a.container.id.substr(0, 12));
  if (a.response) {
    const auto& r = *a.response;
    line += fmt::format(" — response: {} {} {}", r.action, r.container.empty() ? std::string("-") : r.container,
                        r.ok ? "ok" : "not done");
    if (r.ms) line += fmt::format(" in {} ms", *r.ms);
    if (!r.detail.empty()) line += fmt::format(" ({})", r.detail);
  }
  return line;
}

}  // namespace tocsin::report
