// `tocsin watch`: live detection. Follows an audit log across rotation (or reads an audisp
// plugin stream on stdin) through the hunt's parser and detections (runtime/audit_watch), and/or
// watches the Docker Engine API for containers started with race-prone mounts (RT001–RT005);
// with --respond, pauses or stops the container of a swap loop or raced copy (runtime/respond).
// This file maps flags to options, runs the drivers, and renders what they report.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <thread>

#include "audit/alert.hpp"
#include "audit/baseline/baseline.hpp"
#include "audit/coverage.hpp"
#include "audit/detections/engine.hpp"
#include "audit/summary.hpp"
#include "cli/commands.hpp"
#include "cli/store_flags.hpp"
#include "core/severity.hpp"
#include "core/text_sanitize.hpp"
#include "report/report.hpp"
#include "runtime/alert_output.hpp"
#include "runtime/audit_watch.hpp"
#include "runtime/docker_watch.hpp"
#include "runtime/respond.hpp"
#include "runtime/watch_resume.hpp"

namespace tocsin::cli {
namespace {

std::atomic<bool> g_stop{false};
// Live copies are reported this long (log time) after their last activity: the alert is due
// within 2 s of the copy, and a copy's client and helper come within milliseconds.
constexpr uint64_t kLiveCopySettleMs = 1000;
extern "C" void on_stop_signal(int) { g_stop.store(true); }

struct WatchArgs {
  std::string audit_log, state, format = "jsonl", output = "-", docker_host = "unix:///var/run/docker.sock";
  std::string host_root = "/";
  bool audisp = false, from_start = false, docker = false, check_running = false, once = false, no_early = false;
  std::string fail_on = "low";  // --once: exit 1 for a container check at or above this
  // 20 ms, not 100: with auditd writing the log, the sleep between reads was most of watch's own
  // share of an early record's latency (p50 55-70 -> 10-12 ms, p99 ~100 -> 19-35 ms;
  // bench/watch_latency_auditd.sh, docs/performance.md); idle cost 0.05 -> 0.35 % of a core.
  int poll_ms = 20, idle_flush_ms = 1000, checkpoint_ms = 1000;
  double exit_after_s = 0;
  double coverage_every_min = 10;  // a {"coverage": …} line this often (minutes), 0 = only at exit
  std::string baseline;  // --baseline MODEL: AU010 scores each live AU001 copy
  double baseline_threshold = audit::baseline::kDefaultThreshold;
  SinkFlags sink;  // --sink: also ship to the fleet store
  // --respond (docs/response.md)
  std::string respond;  // "" (off), "pause", "stop", "dry-run"
  std::vector<std::string> respond_allow, respond_deny;
  unsigned respond_rate = 6;
  std::string respond_for, respond_engine = "docker";
};

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

// Audit (AU) and runtime (RT) alerts alike: one record, one renderer per format.
std::string render(const Alert& a, runtime::AlertFormat f) {
  return f == runtime::AlertFormat::Jsonl ? report::alert_jsonl(a) : report::alert_line(a);
}

// Notes name files and carry Engine/log text: sanitized for the terminal.
void note(const std::string& msg) { fmt::print(stderr, "tocsin watch: {}\n", sanitize_for_terminal(msg)); }

}  // namespace

void add_watch(CLI::App& root, Commands& cmds) {
  auto args = std::make_shared<WatchArgs>();
  auto* app = root.add_subcommand("watch", "Live: follow an audit log or audisp stream; watch the Docker Engine");
  auto* log = app->add_option("--audit-log", args->audit_log, "follow this audit log across rotation");
  auto* disp = app->add_flag("--audisp", args->audisp, "read an audisp plugin stream (string format) on stdin")->excludes(log);
  app->add_option("--state", args->state, "save the position here and resume from it; a restart reads again from before the oldest copy or swap loop still open and does not repeat the alerts already written")->needs(log);
  app->add_flag("--from-start", args->from_start, "with no saved position, read the existing log too (default: from the end)")->needs(log);
  app->add_flag("--docker", args->docker, "watch container starts on the Docker Engine API (RT001-RT005)");
  app->add_option("--docker-host", args->docker_host, "Docker socket (unix://PATH)");
  app->add_option("--host-root", args->host_root, "the host's / as seen by tocsin (e.g. /host in a pod)");
  app->add_flag("--check-running", args->check_running, "check the containers already running first");
  app->add_flag("--once", args->once, "check the running containers and exit (implies --docker --check-running)");
  app->add_option("-f,--format", args->format, "jsonl or text")->check(CLI::IsMember({"jsonl", "text"}));
  app->add_option("--fail-on", args->fail_on,
                  "With --once: exit 1 when a check is at or above: info, low (default), medium, high, critical, none")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical", "none"}));
  app->add_option("-o,--output", args->output, "'-' (stdout), 'syslog', or a file (appended)");
  app->add_flag("--no-early", args->no_early,
                "write each alert once, when its copy or loop is complete (as hunt does); by default AU001-AU004 "
                "are also written as early records (\"stage\": \"early\") as soon as their evidence exists: "
                "the copy client's exec, a swap loop's establishment, a copy overlapping an established loop, "
                "the helper's resolved path (docs/live.md)");
  app->add_option("--poll-ms", args->poll_ms, "log poll interval in ms (default 20)")->check(CLI::Range(5, 10000));
  app->add_option("--idle-flush-ms", args->idle_flush_ms, "complete in-flight events after this much quiet")->check(CLI::Range(10, 600000));
  app->add_option("--exit-after", args->exit_after_s, "stop after this many seconds (tests, benchmarks)");
  app->add_option("--coverage-every", args->coverage_every_min,
                  "write what the data lets each rule see (covered/partial/blind/unknown) this often, in "
                  "minutes: a {\"coverage\": …} line in jsonl, a 'coverage:' line in text (default 10; 0 = only in "
                  "the summary at exit)")
      ->check(CLI::Range(0.0, 1440.0));
  app->add_option("--baseline", args->baseline,
                  "score each copy (AU001) against this model (tocsin baseline train) and report rare ones as AU010");
  app->add_option("--baseline-threshold", args->baseline_threshold, "AU010 from this score (0-1, default 0.7)")
      ->check(CLI::Range(0.0, 1.0));
  add_sink_flags(app, args->sink);
  auto* respond =
      app->add_option("--respond", args->respond,
                      "act on the container that runs a swap loop (AU002) or races a copy (AU003): 'pause' it "
                      "(freezes every process in it: its service stops answering until unpaused), 'stop' it, or "
                      "'dry-run' (decide and record what would be done, change nothing; the default when --respond "
                      "is given without a value). Acts through the engine's API, once per container, never on a "
                      "host process; every alert about it carries \"response\" {action, container, ok, ms, detail}. "
                      "Undo a pause with `docker unpause NAME` (docs/response.md)")
          ->expected(0, 1)
          ->default_str("dry-run")
          ->check(CLI::IsMember({"pause", "stop", "dry-run"}));
  app->add_option("--respond-allow", args->respond_allow,
                  "act only on containers matching one of these entries: name:GLOB, image:GLOB, label:KEY=VALUE, "
                  "label:KEY (repeatable)")
      ->needs(respond);
  app->add_option("--respond-deny", args->respond_deny,
                  "never act on containers matching this entry (same forms; repeatable; deny wins over allow)")
      ->needs(respond);
  app->add_option("--respond-rate", args->respond_rate,
                  "at most this many actions per minute (default 6); over it the alert records action none, "
                  "\"rate limit\"")
      ->check(CLI::Range(1u, 10000u))
      ->needs(respond);
  app->add_option("--respond-for", args->respond_for,
                  "with --respond pause: unpause after this long (30s, 5m, 2h); default: stay paused until "
                  "`docker unpause NAME`")
      ->needs(respond);
  app->add_option("--respond-engine", args->respond_engine,
                  "act through 'docker' (the Engine API at --docker-host; also podman's API socket) or 'podman' "
                  "(the podman CLI)")
      ->check(CLI::IsMember({"docker", "podman"}))
      ->needs(respond);
  (void)disp;
  cmds.push_back({app, [args] {
    if (args->once) args->docker = args->check_running = true;
    const bool never_fail = args->fail_on == "none";
    const Severity fail_sev = never_fail ? Severity::critical : *parse_severity(args->fail_on);
    bool audit_mode = !args->audit_log.empty() || args->audisp;
    if (!audit_mode && !args->docker) {
      note("nothing to watch: give --audit-log PATH, --audisp, and/or --docker");
      return kExitError;
    }
    std::unique_ptr<runtime::Responder> responder;
    if (!args->respond.empty()) {
      if (!audit_mode) {
        note("--respond acts on audit alerts (AU002, AU003): give --audit-log PATH or --audisp too");
        return kExitError;
      }
      runtime::RespondOptions ropt;
      ropt.action = args->respond;
      ropt.allow = args->respond_allow;
      ropt.deny = args->respond_deny;
      ropt.rate_per_min = args->respond_rate;
      for (const auto* list : {&ropt.allow, &ropt.deny})
        for (const auto& e : *list)
          if (auto s = runtime::check_policy_entry(e); !s) {
            note(s.error().message);
            return kExitError;
          }
      if (!args->respond_for.empty()) {
        if (ropt.action == "stop") {
          note("--respond-for unpauses: it goes with --respond pause (or dry-run), not stop");
          return kExitError;
        }
        auto d = runtime::parse_duration_ms(args->respond_for);
        if (!d) {
          note(fmt::format("--respond-for {}", d.error().message));
          return kExitError;
        }
        ropt.for_ms = *d;
      }
      responder = std::make_unique<runtime::Responder>(
          std::move(ropt),
          args->respond_engine == "podman" ? runtime::podman_cli_engine() : runtime::docker_engine(args->docker_host),
          note);
    }
    std::optional<audit::baseline::Model> model;
    if (!args->baseline.empty()) {
      if (!audit_mode) {
        note("--baseline scores audit copies: give --audit-log PATH or --audisp too");
        return kExitError;
      }
      auto m = audit::baseline::Model::load(args->baseline);
      if (!m) {
        note(m.error().message);
        return kExitError;
      }
      model = std::move(*m);
    }
    auto out = runtime::AlertOutput::open(args->output, args->format == "text" ? runtime::AlertFormat::Text : runtime::AlertFormat::Jsonl);
    if (!out) {
      note(out.error().message);
      return kExitError;
    }
    auto& output = **out;
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGPIPE, SIG_IGN);

    std::atomic<uint64_t> alerts{0}, failing{0};
    runtime::ContainerFeed feed;
    runtime::DockerWatchOptions dopt;
    dopt.host = args->docker_host;
    dopt.check.host_root = args->host_root;
    if (auto h = hostname(); !h.empty()) dopt.hostname = h;
    runtime::DockerWatcher watcher(
        dopt,
        [&](Alert&& a) {
          ++alerts;
          if (!never_fail && a.severity >= fail_sev) ++failing;
          output.write(render(a, output.format()), a.severity);
        },
        note, audit_mode ? &feed : nullptr);

    if (args->check_running) {
      auto s = watcher.check_running();
      if (!s) {
        note(s.error().message);
        return kExitError;
      }
      if (args->once && !audit_mode) return failing.load() > 0 ? kExitFindings : kExitClean;
    }
    if (!audit_mode) {
      std::thread stopper;
      if (args->exit_after_s > 0)
        stopper = std::thread([&] {
          auto end = now_ms() + static_cast<uint64_t>(args->exit_after_s * 1000);
          while (!g_stop.load() && now_ms() < end) std::this_thread::sleep_for(std::chrono::milliseconds(50));
          g_stop.store(true);
        });
      auto s = watcher.run(g_stop);
      g_stop.store(true);
      if (stopper.joinable()) stopper.join();
      if (!s) {
        note(s.error().message);
        return kExitError;
      }
      return kExitClean;
    }
    audit::EngineOptions eopt;
    eopt.copy_settle_ms = kLiveCopySettleMs;
    eopt.early = !args->no_early;
    audit::Engine engine(eopt);
    // AU010 as in hunt (the same scoring and alert), one copy at a time as copies close.
    audit::baseline::ScoreOptions sopt;
    sopt.threshold = args->baseline_threshold;
    runtime::ResumeTracker resume;
    runtime::LiveAlerts live(resume, model ? &*model : nullptr, sopt);
    // --sink: the default spool sits beside the --state file.
    std::unique_ptr<store::Sink> sink;
    if (!args->sink.url.empty()) {
      std::string state_dir;
      if (auto slash = args->state.rfind('/'); slash != std::string::npos) state_dir = args->state.substr(0, slash);
      else if (!args->state.empty()) state_dir = ".";
      auto s = store::Sink::open(sink_options(args->sink, "watch", true, state_dir));
      if (!s) {
        note(s.error().message);
        return kExitError;
      }
      sink = std::move(*s);
      engine.add_detection(sink->tap());
    }
    engine.set_sink([&](Alert&& a) {
      for (auto& al : live.take(std::move(a))) {
        // Before the alert is written, so the line carries what was done (alerts a run before a
        // restart already wrote are dropped by take(): that run acted on them).
        if (responder) responder->handle(al);
        ++alerts;
        output.write(render(al, output.format()), al.severity);
        if (sink && !al.early) sink->alert(al);  // the store keeps the final records
      }
    });
    std::thread docker_thread;
    if (args->docker) docker_thread = std::thread([&] { (void)watcher.run(g_stop); });
    audit::InputReport input;
    audit::CoverageOptions copt;
    copt.baseline = model.has_value();
    // What the data lets each rule see, every --coverage-every minutes (wall clock): a watcher
    // that is blind to a rule says so while it runs, not only when it stops.
    const uint64_t every_ms = static_cast<uint64_t>(args->coverage_every_min * 60000.0);
    uint64_t next_coverage_ms = now_ms() + every_ms;
    auto periodic = [&] {
      if (responder) responder->tick();
      if (every_ms == 0 || now_ms() < next_coverage_ms) return;
      next_coverage_ms = now_ms() + every_ms;
      auto verdicts = engine.coverage(copt);
      if (output.format() == runtime::AlertFormat::Jsonl) {
        nlohmann::ordered_json line;
        line["coverage"] = audit::coverage_json(engine.coverage_facts(), verdicts);
        line["coverage"]["time"] = iso_time_ms(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count()));
        output.write(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), Severity::info);  // escaped there
      } else {
        output.write(audit::coverage_stats_line(verdicts), Severity::info);
      }
    };
    runtime::AuditWatchOptions wo;
    wo.audit_log = args->audit_log;
    wo.audisp = args->audisp;
    wo.state = args->state;
    wo.from_start = args->from_start;
    wo.poll_ms = args->poll_ms;
    wo.idle_flush_ms = args->idle_flush_ms;
    wo.checkpoint_ms = args->checkpoint_ms;
    wo.exit_after_s = args->exit_after_s;
    int code =
        runtime::follow_audit(wo, engine, feed, resume, input, g_stop, {note, periodic}) ? kExitClean : kExitError;
    g_stop.store(true);
    if (docker_thread.joinable()) docker_thread.join();
    // The last JSONL record, as in hunt: what was read, whether completely, and the coverage.
    const auto verdicts = engine.coverage(copt);
    if (output.format() == runtime::AlertFormat::Jsonl) {
      nlohmann::ordered_json extra;
      if (responder) extra["responses"] = responder->counts_json();
      extra["coverage"] = audit::coverage_json(engine.coverage_facts(), verdicts);
      output.write(audit::hunt_summary_jsonl(engine.stats(), {input}, extra), Severity::info);
    } else {
      output.write(audit::coverage_stats_line(verdicts), Severity::info);
    }
    if (responder) {
      responder->finish();
      if (output.format() != runtime::AlertFormat::Jsonl) note(responder->counts_line());
    }
    if (sink)
      if (auto st = sink->finish(); !st) {
        note(fmt::format("error: {}", st.error().message));
        code = kExitError;
      }
    return code;
  }});
}

}  // namespace tocsin::cli
