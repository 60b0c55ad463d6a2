// Self-contained HTML hunt report: the coverage verdicts, copies per user with their verdicts,
// a timeline per host and container (inline SVG: copies, swap-loop episodes as bars, won races
// marked; each mark links to its alert), and every alert with its events and input line. No
// script, no external resource, a CSP that forbids loads; audit strings (argv, paths, host
// names come from the log) are sanitized and escaped.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "audit/alert.hpp"
#include "report/markup.hpp"
#include "report/report.hpp"

namespace tocsin::report {
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

std::string esc(std::string_view s) { return xml_escape(s); }

std::string sev_badge(Severity s) {
  return fmt::format("<span class=\"sev sev-{0}\">{0}</span>", to_string(s));
}

std::string user_label(const audit::Alert& a) {
  if (!a.user) return "user unknown";
  auto id = [](const std::optional<int64_t>& v) {
    return !v ? std::string("?") : (*v == 4294967295LL || *v == -1) ? std::string("unset") : std::to_string(*v);
  };
  return fmt::format("auid {} (uid {}, tty {})", id(a.user->auid), id(a.user->uid),
                     a.user->tty ? *a.user->tty : std::string("?"));
}

bool won_race(std::string_view rule) { return rule == "AU003" || rule == "AU004" || rule == "AU005"; }

// The timeline: one lane per host and container, time on x; copies (AU001) as short blue
// bars, swap loops (AU002) as orange bars over their duration, won races as red marks, other
// alerts as grey marks. Each mark is a link to its alert and carries a <title>.
std::string timeline(const std::vector<audit::Alert>& alerts) {
  std::map<uint64_t, std::string> copy_container;
  for (const auto& a : alerts)
    if (a.rule == "AU001" && a.docker_cp) copy_container[a.copy_id] = a.docker_cp->container;
  auto lane_of = [&](const audit::Alert& a) {
    std::string c = a.docker_cp ? a.docker_cp->container
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
      kWidth, kLane * lanes.size() + 24, audit::iso_time_ms(t0), audit::iso_time_ms(t1));
  for (size_t i = 0; i < lanes.size(); ++i)
    o += fmt::format("<text x=\"4\" y=\"{}\" font-size=\"12\">{}</text><line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" "
                     "stroke=\"#dde1e7\"/>\n",
                     kLane * i + 19, esc(lanes[i]), kLabel, kWidth - 10, kLane * i + 15, kLane * i + 15);
  for (size_t n = 0; n < alerts.size(); ++n) {
    const auto& a = alerts[n];
    if (!a.time_ms) continue;
    size_t lane = std::find(lanes.begin(), lanes.end(), lane_of(a)) - lanes.begin();
    double y = kLane * lane + 6;
    std::string title = esc(fmt::format("{} {} {}", a.rule, audit::iso_time_ms(*a.time_ms), a.message));
    std::string shape;
    if (a.rule == "AU002" && a.swap) {
      double w = std::max(3.0, x(*a.time_ms + a.swap->duration_ms) - x(*a.time_ms));
      shape = fmt::format("<rect class=\"mark swap\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"18\" fill=\"#fb8c00\" opacity=\"0.7\"/>",
                          x(*a.time_ms), y, w);
    } else if (a.rule == "AU001") {
      shape = fmt::format("<rect class=\"mark copy\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"4\" height=\"18\" fill=\"#1976d2\"/>",
                          x(*a.time_ms), y);
    } else {
      shape = fmt::format("<circle class=\"mark {}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"6\" fill=\"{}\" stroke=\"#fff\"/>",
                          won_race(a.rule) ? "race" : "other", x(*a.time_ms), y + 9,
                          won_race(a.rule) ? "#c62828" : "#78909c");
    }
    o += fmt::format("<a href=\"#alert-{}\"><title>{}</title>{}</a>\n", n + 1, title, shape);
  }
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#5b6475\">{}</text>"
                   "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#5b6475\" text-anchor=\"end\">{}</text></svg>",
                   kLabel, kLane * lanes.size() + 18, audit::iso_time_ms(t0), kWidth - 10, kLane * lanes.size() + 18,
                   audit::iso_time_ms(t1));
  return o;
}

}  // namespace

std::string render_hunt_html(const std::vector<audit::Alert>& alerts, const std::vector<audit::RuleCoverage>* coverage,
                             bool complete, std::string_view stats) {
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
      o += fmt::format("<tr class=\"coverage\" data-rule=\"{}\"><td>{}</td><td class=\"v-{}\">{}</td><td>{}</td><td>{}</td></tr>\n",
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
  o += fmt::format("<section id=\"timeline-section\"><h2>Timeline per host and container</h2>"
                   "<p class=\"muted\">blue: copy · orange: swap loop · red: race won · grey: other</p>{}</section>\n",
                   timeline(alerts));
  o += "<section id=\"copies\"><h2>Copies per user</h2>\n";
  if (users.empty()) o += "<p class=\"muted\">No copy seen.</p>\n";
  for (const auto& u : users) {
    o += fmt::format("<h3 class=\"user\">{}</h3><table class=\"copies\"><tr><th>time</th><th>host</th><th>container</th>"
                     "<th>direction, path</th><th>command</th><th>verdict</th></tr>\n",
                     esc(u));
    for (size_t i : copies[u]) {
      const auto& a = alerts[i];
      std::string verdict;
      if (auto it = by_copy.find(a.copy_id); it != by_copy.end())
        for (size_t j : it->second)
          verdict += fmt::format("<a href=\"#alert-{}\">{}</a> {} ", j + 1, esc(alerts[j].rule), sev_badge(alerts[j].severity));
      else
        verdict = "<span class=\"ok\">no race seen</span>";
      o += fmt::format("<tr class=\"copy\"><td><a href=\"#alert-{}\">{}</a></td><td>{}</td><td>{}</td><td>{} <code>{}</code></td>"
                       "<td><code>{}</code></td><td class=\"verdict\">{}</td></tr>\n",
                       i + 1, a.time_ms ? audit::iso_time_ms(*a.time_ms) : "?", esc(a.host.value_or("?")),
                       esc(a.docker_cp->container), esc(a.docker_cp->direction), esc(a.docker_cp->path),
                       esc(a.command), verdict);
    }
    o += "</table>\n";
  }
  o += "</section>\n<section id=\"alerts\"><h2>Alerts</h2><table><tr><th>#</th><th>rule</th><th>time, host</th>"
       "<th>message</th><th>events, input</th></tr>\n";
  for (size_t i = 0; i < alerts.size(); ++i) {
    const auto& a = alerts[i];
    std::string events;
    for (const auto& e : a.event_ids) events += fmt::format("<code class=\"event\">{}</code> ", esc(e));
    if (!a.file.empty())
      events += fmt::format("<br><code class=\"input\">{}:{}</code>", esc(a.file), a.line);
    o += fmt::format("<tr class=\"alert\" id=\"alert-{}\" data-rule=\"{}\"><td>{}</td><td>{} {}</td><td>{}<br>{}</td>"
                     "<td>{}{}</td><td>{}</td></tr>\n",
                     i + 1, esc(a.rule), i + 1, esc(a.rule), sev_badge(a.severity),
                     a.time_ms ? audit::iso_time_ms(*a.time_ms) : "-", esc(a.host.value_or("?")), esc(a.message),
                     a.reason.empty() ? "" : "<br><span class=\"muted\">why: " + esc(a.reason) + "</span>", events);
  }
  o += "</table></section>\n</main></body></html>\n";
  return o;
}

}  // namespace tocsin::report
