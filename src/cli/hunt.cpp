// `tocsin hunt`: offline hunt over audit logs (raw/ENRICHED text, rotated and gzipped files,
// directories, stdin, and the JSON formats) for docker cp races and runtime escapes.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "audit/alert.hpp"
#include "audit/baseline/baseline.hpp"
#include "audit/coverage.hpp"
#include "audit/detections/engine.hpp"
#include "audit/hunt.hpp"
#include "audit/summary.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/store_flags.hpp"
#include "core/iso8601.hpp"
#include "core/severity.hpp"
#include "core/suggest.hpp"
#include "core/text_sanitize.hpp"
#include "report/report.hpp"
#include "store/fleet.hpp"
#include "store/sink.hpp"

namespace tocsin::cli {
namespace {

struct HuntArgs {
  std::vector<std::string> inputs;
  std::string format;  // empty = text on a terminal, jsonl otherwise
  std::string output;
  std::string since, until;
  std::string fail_on = "low";
  std::vector<std::string> select, ignore;
  std::string input_format = "auto";
  bool quiet = false;
  bool no_color = false;
  std::string baseline;  // --baseline MODEL: AU010 scores the AU001 copies
  double baseline_threshold = tocsin::audit::baseline::kDefaultThreshold;
  bool fleet_scoring = false;  // --fleet: AU010 rare across the fleet, not on the copy's host
  unsigned jobs = 0;  // 0 = 2 on a machine with two or more CPUs, else 1
  SinkFlags sink;      // --sink: also ship to the fleet store
  SourceFlags source;  // --source: hunt the fleet store instead of logs
};

// "2h", "30m", "45s", "7d", "1w" before now; or ISO-8601 UTC: "2026-11-22",
// "2026-11-22T07:04:44", "2026-11-22 07:04:44.708Z", "…+01:00" (core/iso8601).
std::optional<uint64_t> parse_time(const std::string& s, uint64_t now_ms) {
  if (s.empty()) return std::nullopt;
  if (s.size() >= 2 && std::isdigit(static_cast<unsigned char>(s.front()))) {
    char unit = s.back();
    std::string num = s.substr(0, s.size() - 1);
    bool digits = !num.empty() && num.find_first_not_of("0123456789") == std::string::npos;
    uint64_t mult = unit == 's' ? 1000 : unit == 'm' ? 60000 : unit == 'h' ? 3600000
                  : unit == 'd' ? 86400000ULL : unit == 'w' ? 604800000ULL : 0;
    if (digits && mult && num.size() < 10) {
      uint64_t d = std::stoull(num) * mult;
      return d > now_ms ? 0 : now_ms - d;
    }
  }
  return parse_iso8601_ms(s, Iso8601Options{.date_only = true});
}

// --baseline: the AU010 alerts of the AU001 copies among `alerts`, added in report order.
void add_rare_copies(const HuntArgs& a, const std::optional<audit::baseline::Model>& bl_model,
                     std::vector<Alert>& alerts) {
  if (!bl_model) return;
  audit::baseline::ScoreOptions so;
  so.threshold = a.baseline_threshold;
  so.fleet = a.fleet_scoring;
  auto scored = audit::baseline::apply_baseline(*bl_model, alerts, so);
  alerts.insert(alerts.end(), scored.begin(), scored.end());
  std::stable_sort(alerts.begin(), alerts.end(), alert_less);
}

// The report (text or JSONL with its summary record), the notes and errors on stderr, the
// statistics line ("tocsin hunt: " + stats_head + alerts + stats_tail), and the exit code.
int report_hunt(const HuntArgs& a, const std::string& format, bool to_stdout, std::vector<Alert>& alerts,
                audit::HuntStats hs, const std::vector<audit::InputReport>& reports, bool io_error,
                const std::string& stats_head, const std::string& stats_tail, std::optional<Severity> fail_sev,
                bool never_fail, const report::HuntCoverage* coverage) {
  using namespace tocsin::audit;
  // The engine's counts plus the baseline's AU010 alerts, so counts match what is printed.
  hs.alerts = alerts.size();
  for (const auto& al : alerts)
    if (al.rule == "AU010") ++hs.by_rule[al.rule];
  // -o is replaced atomically (a symlink there is not followed), so the report is built first.
  std::string by;
  for (const auto& [rule, n] : hs.by_rule) by += fmt::format("{}{} {}", by.empty() ? "" : ", ", rule, n);
  const report::HuntReport rep{alerts, hs, reports, coverage,
                               fmt::format("{}{} alert{}{}; {}", stats_head, hs.alerts, hs.alerts == 1 ? "" : "s",
                                           by.empty() ? "" : " (" + by + ")", stats_tail)};
  std::string out;
  if (format == "json") out = report::render_hunt_json(rep);
  else if (format == "html") out = report::render_hunt_html(rep);
  else if (format == "jsonl") out = report::render_hunt_jsonl(rep);
  else out = report::render_hunt_text(rep, !a.no_color && to_stdout && use_color(STDOUT_FILENO));
  if (auto w = write_output(a.output, out); !w) {
    fmt::print(stderr, "tocsin hunt: error: {}\n", sanitize_for_terminal(w.error().message));
    io_error = true;
  }

  // Notes (once per skipped file) and located errors go to stderr even with --quiet.
  for (const auto& line : input_note_lines(reports)) fmt::print(stderr, "tocsin hunt: note: {}\n", sanitize_for_terminal(line));
  for (const auto& line : input_error_lines(reports)) fmt::print(stderr, "tocsin hunt: error: {}\n", sanitize_for_terminal(line));
  if (!a.quiet) {
    fmt::print(stderr, "tocsin hunt: {}\n", rep.stats_line);
    if (coverage)
      fmt::print(stderr, "tocsin hunt: {} (why and the fixes: the text report, or the summary's \"coverage\")\n",
                 coverage_stats_line(coverage->verdicts));
  }
  if (io_error) return kExitError;
  if (!never_fail)
    for (const auto& al : alerts)
      if (al.severity >= *fail_sev) return kExitFindings;
  return kExitClean;
}

// `hunt --source`: the stored alerts of the fleet, filtered in SQL; AU010 re-scored against
// --baseline when given (the stored AU010 of the shipping hosts are then left out).
int run_fleet_hunt(HuntArgs& a, audit::EngineOptions& eo, const std::optional<audit::baseline::Model>& bl_model,
                   const std::string& format, bool to_stdout, std::optional<Severity> fail_sev, bool never_fail) {
  using namespace tocsin::audit;
  auto t0 = std::chrono::steady_clock::now();
  store::FleetFilter f;
  f.since_ms = eo.since_ms;
  f.until_ms = eo.until_ms;
  f.hosts = a.source.hosts;
  f.select = eo.select;
  f.ignore = eo.ignore;
  if (bl_model) f.ignore.insert("AU010");
  auto client = store::connect(a.source.url, a.source.credentials);
  if (!client) {
    fmt::print(stderr, "tocsin hunt: error: {}\n", sanitize_for_terminal(client.error().message));
    return kExitError;
  }
  auto got = store::fleet_alerts(*client, f);
  if (!got) {
    fmt::print(stderr, "tocsin hunt: error: {}\n", sanitize_for_terminal(got.error().message));
    return kExitError;
  }
  std::vector<Alert> alerts = std::move(*got);
  add_rare_copies(a, bl_model, alerts);
  HuntStats hs;
  for (const auto& al : alerts)
    if (al.rule != "AU010") ++hs.by_rule[al.rule];  // report_hunt counts AU010
  InputReport r;
  r.file = client->url().display();
  r.format = "clickhouse";
  std::set<std::string> hosts;
  for (const auto& al : alerts) hosts.insert(al.host.value_or(""));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report_hunt(a, format, to_stdout, alerts, hs, {r}, false,
                     fmt::format("fleet store {}, {} host{} with alerts, {:.2f} s; ", client->url().display(), hosts.size(),
                                 hosts.size() == 1 ? "" : "s", secs),
                     "filters applied in SQL", fail_sev, never_fail, nullptr);
}

int run_hunt(HuntArgs& a) {
  using namespace tocsin::audit;
  auto fail = [](const std::string& msg) {
    fmt::print(stderr, "tocsin hunt: error: {}\n", sanitize_for_terminal(msg));
    return kExitError;
  };
  // --- flags
  auto fail_sev = parse_severity(a.fail_on);
  bool never_fail = a.fail_on == "none" || a.fail_on == "never";
  if (!fail_sev && !never_fail)
    return fail(fmt::format("--fail-on '{}': use info, low, medium, high, critical or none", a.fail_on));
  EngineOptions eo;
  std::set<std::string> known;
  for (const auto& id : builtin_detection_ids()) known.insert(id);
  auto suggest_id = [&](const std::string& id) {
    return did_you_mean(closest_match(id, std::vector<std::string>(known.begin(), known.end())));
  };
  for (const auto& id : split_rule_ids(a.select)) {
    if (!known.count(id)) return fail(fmt::format("--select {}: not a hunt rule (AU000-AU009){}", id, suggest_id(id)));
    eo.select.insert(id);
  }
  for (const auto& id : split_rule_ids(a.ignore)) {
    if (!known.count(id)) return fail(fmt::format("--ignore {}: not a hunt rule (AU000-AU009){}", id, suggest_id(id)));
    eo.ignore.insert(id);
  }
  uint64_t now_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
  if (!a.since.empty()) {
    eo.since_ms = parse_time(a.since, now_ms);
    if (!eo.since_ms) return fail(fmt::format("--since '{}': use ISO-8601 (2026-11-22, 2026-11-22T07:04:44Z, …+01:00) or a duration (2h, 30m, 7d)", a.since));
  }
  if (!a.until.empty()) {
    eo.until_ms = parse_time(a.until, now_ms);
    if (!eo.until_ms) return fail(fmt::format("--until '{}': use ISO-8601 (2026-11-22, 2026-11-22T07:04:44Z, …+01:00) or a duration (2h, 30m, 7d)", a.until));
  }
  static const std::set<std::string> kFormats = {"auto", "raw", "enriched", "text", "es", "es-export",
                                                 "laurel", "ecs", "auditbeat"};
  if (!kFormats.count(a.input_format))
    return fail(fmt::format("--input-format '{}': use auto, raw, enriched, es, laurel or ecs", a.input_format));
  const bool fleet = !a.source.url.empty();
  if (fleet && !a.inputs.empty()) return fail("--source hunts the fleet store: give no log files with it");
  if (fleet && !a.sink.url.empty()) return fail("--source and --sink together would ship the store into itself");
  if (!fleet && !a.source.hosts.empty()) return fail("--host selects hosts of the fleet store: give --source too");
  if (a.inputs.empty() && !fleet) {
    if (::isatty(STDIN_FILENO)) return fail("no input: give audit log files or directories, or - for stdin (see --help)");
    a.inputs.push_back("-");
  }
  const bool to_stdout = a.output.empty() || a.output == "-";
  std::string format = a.format;
  if (format.empty()) format = (to_stdout && ::isatty(STDOUT_FILENO)) ? "text" : "jsonl";

  std::optional<baseline::Model> bl_model;
  if (!a.baseline.empty()) {
    auto m = baseline::Model::load(a.baseline);
    if (!m) return fail(m.error().message);
    bl_model = a.fleet_scoring ? m->as_one_host(baseline::kFleetHost) : std::move(*m);
  } else if (a.fleet_scoring) {
    return fail("--fleet scores copies against a baseline: give --baseline MODEL too");
  }
  if (fleet) return run_fleet_hunt(a, eo, bl_model, format, to_stdout, fail_sev, never_fail);

  // --- read
  HuntOptions ho;
  ho.inputs = a.inputs;
  ho.input_format = a.input_format;
  ho.engine = eo;
  ho.jobs = a.jobs;
  ho.coverage.baseline = bl_model.has_value();  // what the data lets each rule see (docs/coverage.md)
  std::unique_ptr<store::Sink> sink;  // --sink: the store's rows come from the engine and the alerts
  if (!a.sink.url.empty())
    ho.tap = [&]() -> Result<std::unique_ptr<Detection>> {
      auto s = store::Sink::open(sink_options(a.sink, "hunt", false));
      if (!s) return s.error();
      sink = std::move(*s);
      return sink->tap();
    };
  if (!a.quiet && ::isatty(STDERR_FILENO))
    ho.progress = [shown = std::string(), file = std::string()](const HuntProgress& p) mutable {
      if (p.finished) {
        fmt::print(stderr, "\r\x1b[K");
        return;
      }
      if (p.file != file) shown = sanitize_for_terminal(file = p.file);
      if (p.total)
        fmt::print(stderr, "\r{}: {:.0f}%   ", shown,
                   100.0 * static_cast<double>(p.done) / static_cast<double>(p.total));
      else fmt::print(stderr, "\r{}: {:.1f} MB   ", shown, static_cast<double>(p.done) / 1e6);
    };
  auto got = audit::run_hunt(std::move(ho));
  if (!got) return fail(got.error().message);
  HuntResult& hr = *got;
  for (const auto& e : hr.open_errors) fmt::print(stderr, "tocsin hunt: error: {}\n", sanitize_for_terminal(e));
  bool io_error = hr.io_error;
  auto& alerts = hr.alerts;
  auto t0 = std::chrono::steady_clock::now();
  add_rare_copies(a, bl_model, alerts);
  double secs = hr.seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (sink) {
    for (const auto& al : alerts) sink->alert(al);
    if (auto st = sink->finish(); !st) {
      fmt::print(stderr, "tocsin hunt: error: {}\n", sanitize_for_terminal(st.error().message));
      io_error = true;
    }
  }

  // --- report
  const HuntStats& hs = hr.stats;
  const auto& reports = hr.reports;
  const bool complete = inputs_complete(reports);
  double mb = static_cast<double>(hr.totals.bytes) / 1e6;
  std::string stats = fmt::format(
      "{}{} events, {} records, {:.1f} MB in {:.2f} s ({:.1f} MB/s); {} broken (AU000), {} loss reports (AU008), {} "
      "serial gaps (normal with filtering rules); ",
      complete ? "" : "INCOMPLETE (evidence missing, see the errors above): ", hs.events, hs.records, mb, secs,
      secs > 0 ? mb / secs : 0.0, hs.broken, hs.by_rule.count("AU008") ? hs.by_rule.at("AU008") : 0, hs.serial_gaps);
  const report::HuntCoverage coverage{std::move(hr.coverage_facts), std::move(hr.coverage)};
  return report_hunt(a, format, to_stdout, alerts, hs, reports, io_error, stats, inputs_stats_text(reports), fail_sev,
                     never_fail, &coverage);
}

}  // namespace

std::optional<uint64_t> parse_time_arg(const std::string& s) {
  return parse_time(s, static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count()));
}

void add_hunt(CLI::App& root, Commands& cmds) {
  auto args = std::make_shared<HuntArgs>();
  auto* app = root.add_subcommand("hunt", "Hunt audit logs for docker cp races and runtime escapes");
  app->footer(R"(What it finds (tocsin explain AU00N for each):
  AU001 info      every docker/podman/nerdctl/kubectl cp: who (auid, uid, tty, session), host,
                  container, direction, path
  AU002 high      a symlink-exchange loop (renameat2 storm on one pair of names)
  AU003 critical  a copy raced by such a loop on its path, in the same container (CVE-2018-15664)
  AU004 critical  the daemon resolved the copy path elsewhere (docker-untar a1="/" for /w/dir/x)
  AU005 critical  the runtime wrote outside container storage during a copy
  AU006 critical  a docker-tar/docker-untar helper started a program (CVE-2019-14271)
  AU007 critical  cwd/exec via /proc/self/fd/N (CVE-2024-21626), write to /proc/PID/exe (CVE-2019-5736)
  AU008 medium    the audit system reported lost events
  AU009 high      the runtime or a starting container's first process checked a path, then
                  used the name and got another inode (race)
  AU000 low       input that is not audit data (one summary per file)
The audit rules these need: tocsin audit-rules.

Examples:
  tocsin hunt /var/log/audit/                      # every rotated log, oldest first (.gz too)
  tocsin hunt --since 24h --fail-on high audit.log # CI/cron: exit 1 on high or critical
  ausearch --raw -ts today | tocsin hunt -         # from stdin
  tocsin hunt --format jsonl -o alerts.jsonl logs/ # one JSON alert per line for a SIEM
  tocsin hunt --format json -o hunt.json logs/     # one document: summary, coverage, alerts
  tocsin hunt --format html -o hunt.html logs/     # a page: timeline, copies per user, coverage
  tocsin hunt --ignore AU001 audit.log             # races only, no copy inventory
  tocsin hunt --input-format es export.json        # the Elasticsearch export (also laurel, ecs)
  tocsin hunt --sink clickhouse://store:8123/tocsin /var/log/audit/     # also ship to the fleet store
  tocsin hunt --source clickhouse://store:8123/tocsin --since 30d --host db-7   # hunt the fleet store

Output: text (the default on a terminal) lists each copy with who ran it, the container, and a
verdict, then the other alerts, then the coverage section; jsonl prints one alert per line and,
as the last line, a {"summary": {...}} record: complete (every input read fully), counts, and per
input its format, bytes on disk, bytes read (compressed) and decompressed, events, status (ok,
damaged, unreadable, skipped) and issues, plus a flat "errors" list, the "notes" and "coverage".
Each alert carries "process" {pid, exe, command} and "input" {file, line} where the records have
them (null otherwise); an unset auid or ses (4294967295 in the log) is null. json prints one
document {"tool", "version", "summary", "coverage", "alerts": [...]} with the same objects.
A statistics line goes to stderr (events, records, MB/s, broken records, loss reports, serial
gaps, inputs ok/damaged/unreadable/skipped and bytes read of bytes on disk), starting with
INCOMPLETE when evidence is missing, then a coverage line.
Coverage: for each rule AU001-AU010, what this log lets it see, decided from the data itself
(record types present, syscalls per process class, PATH and CWD records against what events
announce, rule keys, each copy's own records): covered, partial, blind (the log shows the records
it needs are not kept) or unknown (nothing in the log would have produced them), with the reason
and the fix. A log with no swap loop has no container renames because there was no loop: that is
unknown, never covered. tocsin audit-rules --check answers the same from the rules
(docs/coverage.md).
Input integrity: a damaged input (gzip CRC/length error, corrupt or truncated gzip, trailing
garbage after the last member, read error, a file that shrank or was replaced while read) or an
unreadable one is an error, one located line each on stderr ("FILE: gzip CRC error after 1.2 MB
(member 1, offset N): ..."); the events before the damage are still hunted. In a directory,
symlinks and subdirectories are skipped, and so are files that do not look like audit data (a
README, non-audit JSON): one note each on stderr and in the summary, exit code unaffected.
Fleet store (docs/deploy/fleet-store.md): --sink ships the alerts and evidence rows (copies with
their verdicts, helper execs, loop episodes, runtime writes, events per hour) in batches from a
background thread, spooling to a local file while the store is unreachable; --source prints the
stored alerts of every host (or --host H) with --since/--until/--select/--ignore applied in SQL,
exactly as the local hunts printed them; a shard that cannot answer is an error (exit 2), never
a smaller answer. Credentials: --sink-credentials/--source-credentials FILE or
TOCSIN_CLICKHOUSE_USER/TOCSIN_CLICKHOUSE_PASSWORD, never in the URL.
Exit codes: 0 no alert at or above --fail-on, 1 at least one, 2 incomplete evidence (an input
damaged or unreadable, even when alerts were found: they are still printed) or a bad flag.)");
  app->add_option("inputs", args->inputs, "Audit logs: files (.gz ok), directories, or - for stdin");
  app->add_option("-f,--format", args->format,
                  "text, jsonl, json (one document: summary, coverage, alerts) or html (a self-contained page); default: "
                  "text on a terminal, "
                  "jsonl otherwise")
      ->check(CLI::IsMember({"text", "jsonl", "json", "html"}));
  app->add_option("-o,--output", args->output,
                  "Write the report to FILE instead of stdout (replaced atomically; a symlink there is "
                  "replaced, not followed)");
  app->add_option("--since", args->since, "Only alerts at or after: ISO-8601 time (2026-11-22, 2026-11-22T07:04:44Z, …+01:00; no zone = UTC) or a duration ago (2h, 30m, 7d)");
  app->add_option("--until", args->until, "Only alerts at or before: ISO-8601 UTC time or a duration ago");
  app->add_option("--fail-on", args->fail_on, "Exit 1 when an alert is at or above: info, low (default), medium, high, critical, none");
  app->add_option("--select", args->select, "Only these rules (comma-separated, e.g. AU003,AU004)")->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->add_option("--ignore", args->ignore, "Skip these rules (comma-separated)")->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app->add_option("--input-format", args->input_format, "auto (default), raw, enriched, es, laurel, ecs");
  app->add_flag("-q,--quiet", args->quiet, "No statistics line and no progress on stderr");
  app->add_flag("--no-color", args->no_color, "No colour in text output (NO_COLOR=1 in the environment too)");
  app->add_option("--baseline", args->baseline, "Score each AU001 copy against this model (tocsin baseline train) and report rare ones as AU010");
  app->add_option("--baseline-threshold", args->baseline_threshold, "AU010 from this score (0-1, default 0.7)")
      ->check(CLI::Range(0.0, 1.0));
  app->add_flag("--fleet", args->fleet_scoring,
                "With --baseline: score each copy against the whole fleet as one host (rare across hosts) instead of "
                "against its own host");
  app->add_option("-j,--jobs", args->jobs,
                  "Threads: 1 reads and detects on one thread; 2 (the default with two or more CPUs) "
                  "reads and lexes on one while the detections run on the other. Same results either way")
      ->check(CLI::Range(1u, 2u));
  add_sink_flags(app, args->sink);
  add_source_flags(app, args->source, "Hunt the alerts of every host (or --host H) shipped");
  cmds.push_back({app, [args] { return run_hunt(*args); }});
}

}  // namespace tocsin::cli
