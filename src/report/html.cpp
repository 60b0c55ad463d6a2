// Self-contained HTML reports, no script, no external resource (inline CSS, and a
// Content-Security-Policy that forbids loading anything), so a file can be opened from a CI
// artifact offline; every input-derived string is sanitized and escaped (xml_escape):
// - scan: findings grouped by file and rule, each with a source excerpt (the range marked), the
//   rule's summary, related lines; input errors and notes at the top;
// - hunt: the coverage verdicts, copies per user with their verdicts, a timeline per host and
//   container (inline SVG: copies, swap-loop episodes as bars, won races marked; each mark
//   links to its alert), and every alert with its events and input line.
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

// --- hunt

namespace {

constexpr std::string_view kHuntStyle = R"(
main{padding:16px 24px;max-width:1300px}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:16px 0;padding:8px 16px}
.incomplete{background:#fdecea;border-left:4px solid #c62828}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #eef0f3;vertical-align:top}
code{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.v-covered{color:#2e7d32}.v-partial{color:#f57f17}.v-blind{color:#c62828}.v-unknown{color:#5b6475}
.ok{color:#2e7d32}.muted{color:#5b6475}
)";

std::string sev_badge(Severity s) { return fmt::format("<span class=\"sev sev-{0}\">{0}</span>", to_string(s)); }

std::string user_label(const Alert& a) {
  if (!a.user) return "user unknown";
  auto id = [](const std::optional<int64_t>& v) {
    return !v ? std::string("?") : login_id_unset(*v) ? std::string("unset") : std::to_string(*v);
  };
  return fmt::format("auid {} (uid {}, tty {})", id(a.user->auid), id(a.user->uid),
                     a.user->tty ? *a.user->tty : std::string("?"));
}

bool won_race(std::string_view rule) { return rule == "AU003" || rule == "AU004" || rule == "AU005"; }

// The timeline: one lane per host and container, time on x; copies (AU001) as short blue
// bars, swap loops (AU002) as orange bars over their duration, won races as red marks, other
// alerts as grey marks. Each mark is a link to its alert and carries a <title>.
std::string timeline(const std::vector<Alert>& alerts) {
  std::map<uint64_t, std::string> copy_container;
  for (const auto& a : alerts)
    if (a.rule == "AU001" && a.docker_cp) copy_container[a.copy_id] = a.docker_cp->container;
  auto lane_of = [&](const Alert& a) {
    std::string c = a.docker_cp                                    ? a.docker_cp->container
                    : a.copy_id && copy_container.count(a.copy_id) ? copy_container[a.copy_id]
                                                                   : std::string("(host)");
    return (a.host ? *a.host : std::string("(host unknown)")) + " · " + c;
  };
  uint64_t t0 = UINT64_MAX, t1 = 0;
  std::vector<std::string> lanes;
  for (const auto& a : alerts) {
    if (!a.time_ms) continue;
    t0 = std::min(t0, *a.time_ms);
    t1 = std::max(t1, *a.time_ms + (a.swap ? a.swap->duration_ms : 0));
    std::string l = lane_of(a);
    if (std::find(lanes.begin(), lanes.end(), l) == lanes.end()) lanes.push_back(l);
  }
  if (lanes.empty()) return "<p class=\"muted\">No timed alerts.</p>";
  constexpr int kLabel = 260, kWidth = 1000, kLane = 30;
  const double span = std::max<double>(1.0, static_cast<double>(t1 - t0));
  auto x = [&](uint64_t t) { return kLabel + (static_cast<double>(t - t0) / span) * (kWidth - kLabel - 10); };
  std::string o = fmt::format(
      "<svg id=\"timeline\" width=\"{}\" height=\"{}\" role=\"img\">"
      "<title>Alerts per host and container, {} to {}</title>\n",
      kWidth, kLane * lanes.size() + 24, iso_time_ms(t0), iso_time_ms(t1));
  for (size_t i = 0; i < lanes.size(); ++i)
    o += fmt::format(
        "<text x=\"4\" y=\"{}\" font-size=\"12\">{}</text><line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" "
        "stroke=\"#dde1e7\"/>\n",
        kLane * i + 19, esc(lanes[i]), kLabel, kWidth - 10, kLane * i + 15, kLane * i + 15);
  for (size_t n = 0; n < alerts.size(); ++n) {
    const auto& a = alerts[n];
    if (!a.time_ms) continue;
    size_t lane = std::find(lanes.begin(), lanes.end(), lane_of(a)) - lanes.begin();
    double y = kLane * lane + 6;
    std::string title = esc(fmt::format("{} {} {}", a.rule, iso_time_ms(*a.time_ms), a.message));
    std::string shape;
    if (a.rule == "AU002" && a.swap) {
      double w = std::max(3.0, x(*a.time_ms + a.swap->duration_ms) - x(*a.time_ms));
      shape = fmt::format(
          "<rect class=\"mark swap\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"18\" fill=\"#fb8c00\" "
          "opacity=\"0.7\"/>",
          x(*a.time_ms), y, w);
    } else if (a.rule == "AU001") {
      shape = fmt::format(
          "<rect class=\"mark copy\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"4\" height=\"18\" fill=\"#1976d2\"/>",
          x(*a.time_ms), y);
    } else {
      shape = fmt::format("<circle class=\"mark {}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"6\" fill=\"{}\" stroke=\"#fff\"/>",
                          won_race(a.rule) ? "race" : "other", x(*a.time_ms), y + 9,
                          won_race(a.rule) ? "#c62828" : "#78909c");
    }
    o += fmt::format("<a href=\"#alert-{}\"><title>{}</title>{}</a>\n", n + 1, title, shape);
  }
  o += fmt::format(
      "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#5b6475\">{}</text>"
      "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#5b6475\" text-anchor=\"end\">{}</text></svg>",
      kLabel, kLane * lanes.size() + 18, iso_time_ms(t0), kWidth - 10, kLane * lanes.size() + 18, iso_time_ms(t1));
  return o;
}

}  // namespace

std::string render_hunt_html(const HuntReport& r) {
  const std::vector<Alert>& alerts = r.alerts;
  const std::vector<audit::RuleCoverage>* coverage = r.coverage ? &r.coverage->verdicts : nullptr;
  const bool complete = audit::inputs_complete(r.inputs);
  const std::string_view stats = r.stats_line;
  std::string o = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      "<title>tocsin hunt: {} alert{}</title><style>{}{}</style></head><body>\n"
      "<header><h1>tocsin hunt</h1><p id=\"summary\">{}</p></header>\n<main>\n",
      alerts.size(), alerts.size() == 1 ? "" : "s", kHtmlBaseStyle, kHuntStyle, esc(stats));
  if (!complete)
    o += "<section id=\"incomplete\" class=\"incomplete\"><h2>INCOMPLETE</h2><p>An input could not be read "
         "completely: evidence is missing (the errors are on stderr and in the JSON summary).</p></section>\n";
  if (coverage) {
    o += "<section id=\"coverage\"><h2>Coverage: what the log lets each detection see</h2><table>"
         "<tr><th>rule</th><th>verdict</th><th>why</th><th>fix</th></tr>\n";
    for (const auto& c : *coverage) {
      std::string v(audit::verdict_name(c.verdict));
      o += fmt::format(
          "<tr class=\"coverage\" data-rule=\"{}\"><td>{}</td><td class=\"v-{}\">{}</td><td>{}</td><td>{}</td></tr>\n",
          esc(c.rule), esc(c.rule), esc(v), esc(v), esc(c.reason), esc(c.fix));
    }
    o += "</table></section>\n";
  }
  // Index of each alert (its anchor) and the verdicts of each copy.
  std::map<uint64_t, std::vector<size_t>> by_copy;
  for (size_t i = 0; i < alerts.size(); ++i)
    if (alerts[i].copy_id && alerts[i].rule != "AU001") by_copy[alerts[i].copy_id].push_back(i);
  std::vector<std::string> users;
  std::map<std::string, std::vector<size_t>> copies;
  for (size_t i = 0; i < alerts.size(); ++i) {
    if (alerts[i].rule != "AU001") continue;
    auto& v = copies[user_label(alerts[i])];
    if (v.empty()) users.push_back(user_label(alerts[i]));
    v.push_back(i);
  }
  o += fmt::format(
      "<section id=\"timeline-section\"><h2>Timeline per host and container</h2>"
      "<p class=\"muted\">blue: copy · orange: swap loop · red: race won · grey: other</p>{}</section>\n",
      timeline(alerts));
  o += "<section id=\"copies\"><h2>Copies per user</h2>\n";
  if (users.empty()) o += "<p class=\"muted\">No copy seen.</p>\n";
  for (const auto& u : users) {
    o += fmt::format(
        "<h3 class=\"user\">{}</h3><table class=\"copies\"><tr><th>time</th><th>host</th><th>container</th>"
        "<th>direction, path</th><th>command</th><th>verdict</th></tr>\n",
        esc(u));
    for (size_t i : copies[u]) {
      const auto& a = alerts[i];
      std::string verdict;
      if (auto it = by_copy.find(a.copy_id); it != by_copy.end())
        for (size_t j : it->second)
          verdict += fmt::format("<a href=\"#alert-{}\">{}</a> {} ", j + 1, esc(alerts[j].rule),
                                 sev_badge(alerts[j].severity));
      else verdict = "<span class=\"ok\">no race seen</span>";
      o += fmt::format(
          "<tr class=\"copy\"><td><a href=\"#alert-{}\">{}</a></td><td>{}</td><td>{}</td><td>{} <code>{}</code></td>"
          "<td><code>{}</code></td><td class=\"verdict\">{}</td></tr>\n",
          i + 1, a.time_ms ? iso_time_ms(*a.time_ms) : "?", esc(a.host.value_or("?")), esc(a.docker_cp->container),
          esc(a.docker_cp->direction), esc(a.docker_cp->path), esc(a.command), verdict);
    }
    o += "</table>\n";
  }
  o += "</section>\n<section id=\"alerts\"><h2>Alerts</h2><table><tr><th>#</th><th>rule</th><th>time, host</th>"
       "<th>message</th><th>events, input</th></tr>\n";
  for (size_t i = 0; i < alerts.size(); ++i) {
    const auto& a = alerts[i];
    std::string events;
    for (const auto& e : a.event_ids) events += fmt::format("<code class=\"event\">{}</code> ", esc(e));
    if (!a.file.empty()) events += fmt::format("<br><code class=\"input\">{}:{}</code>", esc(a.file), a.line);
    o += fmt::format(
        "<tr class=\"alert\" id=\"alert-{}\" data-rule=\"{}\"><td>{}</td><td>{} {}</td><td>{}<br>{}</td>"
        "<td>{}{}</td><td>{}</td></tr>\n",
        i + 1, esc(a.rule), i + 1, esc(a.rule), sev_badge(a.severity), a.time_ms ? iso_time_ms(*a.time_ms) : "-",
        esc(a.host.value_or("?")), esc(a.message),
        a.reason.empty() ? "" : "<br><span class=\"muted\">why: " + esc(a.reason) + "</span>", events);
  }
  o += "</table></section>\n</main></body></html>\n";
  return o;
}

}  // namespace tocsin::report
