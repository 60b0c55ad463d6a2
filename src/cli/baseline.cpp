// `tocsin baseline train|show|merge`: learn normal container copies (AU001) from audit history,
// inspect a model, and combine models from several hosts (AU010, docs/rules/AU010.md).
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "audit/baseline/baseline.hpp"
#include "audit/baseline/collect.hpp"
#include "cli/commands.hpp"
#include "cli/store_flags.hpp"
#include "core/text_sanitize.hpp"
#include "store/fleet.hpp"

namespace tocsin::cli {
namespace {

namespace bl = tocsin::audit::baseline;

struct BaselineArgs {
  std::vector<std::string> inputs;
  std::string output;
  std::string old_model;
  std::string input_format = "auto";
  std::string timezone;  // empty: the old model's zone, else the machine's
  bool quiet = false;
  std::string model;
  size_t top = 5;
  std::vector<std::string> models;
  SourceFlags source;  // train --source: the fleet store's copies
  std::string since, until;
};

int fail(const std::string& cmd, const std::string& msg) {
  fmt::print(stderr, "tocsin baseline {}: error: {}\n", cmd, sanitize_for_terminal(msg));
  return kExitError;
}

// `train --source`: the copies of the store (every host, or --host), counted in SQL.
int run_train_fleet(BaselineArgs& a, bl::Model& model, const std::string& zone_note) {
  if (!a.inputs.empty()) return fail("train", "--source trains from the fleet store: give no log files with it");
  store::FleetFilter f;
  f.hosts = a.source.hosts;
  auto parse = [](const std::string& s) { return s.empty() ? std::optional<uint64_t>() : parse_time_arg(s); };
  f.since_ms = parse(a.since);
  f.until_ms = parse(a.until);
  if ((!a.since.empty() && !f.since_ms) || (!a.until.empty() && !f.until_ms))
    return fail("train", "--since/--until: use ISO-8601 (2026-11-22, 2026-11-22T07:04:44Z, …+01:00) or a duration (2h, 30m, 7d)");
  auto client = store::connect(a.source.url, a.source.credentials);
  if (!client) return fail("train", client.error().message);
  auto t0 = std::chrono::steady_clock::now();
  auto n = store::train_from_store(*client, f, model);
  if (!n) return fail("train", n.error().message);
  auto st = model.save(a.output);
  if (!st) return fail("train", st.error().message);
  if (!a.quiet) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print(stderr, "tocsin baseline train: {} copies learned from {} in {:.2f} s; model {} ({} copies in total, hours of week in {})\n",
               *n, client->url().display(), secs, sanitize_for_terminal(a.output), model.copies(), model.zone().name());
    if (!zone_note.empty()) fmt::print(stderr, "tocsin baseline train: note: {} (give --timezone)\n", zone_note);
  }
  return kExitClean;
}

int run_train(BaselineArgs& a) {
  if (a.inputs.empty() && a.source.url.empty()) {
    if (::isatty(STDIN_FILENO)) return fail("train", "no input: give audit log files or directories, or - for stdin");
    a.inputs.push_back("-");
  }
  bl::Model model;
  if (!a.old_model.empty()) {
    auto old = bl::Model::load(a.old_model);
    if (!old) return fail("train", old.error().message);
    model = std::move(*old);
  }
  // Hours of week are counted in one zone per model: the one asked for, else the one the model
  // being continued uses, else the machine's.
  std::string zone_note;
  if (!a.timezone.empty()) {
    auto tz = bl::TimeZone::named(a.timezone);
    if (!tz) return fail("train", fmt::format("--timezone: {}", tz.error().message));
    auto st = model.set_zone(std::move(*tz));
    if (!st) return fail("train", fmt::format("--timezone {}: {} ({})", a.timezone, st.error().message, a.old_model));
  } else if (a.old_model.empty()) {
    (void)model.set_zone(bl::TimeZone::local(&zone_note));  // an empty model takes any zone
  }
  if (!a.source.url.empty()) return run_train_fleet(a, model, zone_note);
  if (!a.source.hosts.empty()) return fail("train", "--host selects hosts of the fleet store: give --source too");
  auto t0 = std::chrono::steady_clock::now();
  auto got = bl::collect_copies(a.inputs, a.input_format);
  if (!got) return fail("train", got.error().message);
  for (const auto& e : got->errors) fmt::print(stderr, "tocsin baseline train: error: {}\n", sanitize_for_terminal(e));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  size_t n = got->copies.size();
  bl::Model fresh;
  (void)fresh.set_zone(model.zone());  // empty: cannot fail
  fresh.train(std::move(got->copies));
  model.merge(fresh);
  auto st = model.save(a.output);
  if (!st) return fail("train", st.error().message);
  if (!a.quiet) {
    double mb = static_cast<double>(got->stats.bytes) / 1e6;
    fmt::print(stderr,
               "tocsin baseline train: {} events, {:.1f} MB in {:.2f} s ({:.0f} events/s); {} copies learned{}; "
               "model {} ({} copies in total, hours of week in {})\n",
               got->events, mb, secs, secs > 0 ? static_cast<double>(got->events) / secs : 0.0, n,
               a.old_model.empty() ? "" : fmt::format(", added to {}", sanitize_for_terminal(a.old_model)),
               sanitize_for_terminal(a.output), model.copies(),
               model.zone().name());
    if (!zone_note.empty()) fmt::print(stderr, "tocsin baseline train: note: {} (give --timezone)\n", zone_note);
    if (n == 0)
      fmt::print(stderr,
                 "tocsin baseline train: warning: no container copies (AU001) in the input: every copy will score "
                 "as never seen (check the audit rules: tocsin audit-rules)\n");
  }
  return got->errors.empty() ? kExitClean : kExitError;
}

int run_show(const BaselineArgs& a) {
  auto m = bl::Model::load(a.model);
  if (!m) return fail("show", m.error().message);
  // Host, user and container names in the model were learned from logs.
  fmt::print("{}", sanitize_for_terminal(m->describe(a.top), {.keep_tab = true, .keep_newline = true}));
  return kExitClean;
}

int run_merge(const BaselineArgs& a) {
  if (a.models.size() < 2) return fail("merge", "give at least two models");
  bl::Model out;
  std::string first;
  for (const auto& p : a.models) {
    auto m = bl::Model::load(p);
    if (!m) return fail("merge", m.error().message);
    if (auto st = out.can_merge(*m); !st) return fail("merge", fmt::format("{} and {}: {}", first, p, st.error().message));
    if (first.empty() || out.copies() == 0) first = p;
    out.merge(*m);
  }
  auto st = out.save(a.output);
  if (!st) return fail("merge", st.error().message);
  if (!a.quiet)
    fmt::print(stderr, "tocsin baseline merge: {} models, {} copies -> {}\n", a.models.size(), out.copies(),
               sanitize_for_terminal(a.output));
  return kExitClean;
}

}  // namespace

void add_baseline(CLI::App& root, Commands& cmds) {
  auto args = std::make_shared<BaselineArgs>();
  auto* app = root.add_subcommand("baseline", "Learn normal container copies from audit history (AU010)");
  app->require_subcommand(1);
  app->footer(R"(A baseline counts how container copies (AU001) normally happen: per host and user
(auid), effective user, terminal or not, container name pattern (db-7f9c -> db-*), direction,
path prefix, hour of week and rate. `tocsin hunt --baseline MODEL` (or `tocsin watch --baseline
MODEL`, live) then scores every copy from 0 to 1 and reports rare ones as AU010 with the
reasons (tocsin explain AU010). Hours of week are counted in the model's time zone: --timezone,
else the machine's (TZ, /etc/localtime); the model records it, scoring uses it, and models in
different zones do not merge.

Examples:
  tocsin baseline train /var/log/audit/ -o copies.baseline        # learn from history
  tocsin baseline train --timezone Europe/Berlin logs/ -o berlin.baseline
  tocsin baseline train today.log --model copies.baseline -o copies.baseline   # add a day
  tocsin baseline merge host-a.baseline host-b.baseline -o fleet.baseline
  tocsin baseline train --source clickhouse://store:8123/tocsin --since 90d -o fleet.baseline
  tocsin baseline show copies.baseline
  tocsin hunt --baseline copies.baseline /var/log/audit/audit.log
  tocsin watch --audit-log /var/log/audit/audit.log --baseline copies.baseline)");

  auto* train = app->add_subcommand("train", "Learn from audit logs (any hunt input format)");
  train->add_option("inputs", args->inputs, "Audit logs: files (.gz ok), directories, or - for stdin");
  train->add_option("-o,--output", args->output, "Write the model here")->required();
  train->add_option("--model", args->old_model, "Continue from this model (incremental training; the old logs are not needed)");
  train->add_option("--timezone", args->timezone,
                    "Count hours of week in this zone (IANA name, e.g. Europe/Berlin, or UTC; default: the --model's "
                    "zone, else the machine's: TZ, /etc/localtime)");
  train->add_option("--input-format", args->input_format, "auto (default), raw, enriched, es, laurel, ecs")
      ->check(CLI::IsMember({"auto", "raw", "enriched", "text", "es", "es-export", "laurel", "ecs", "auditbeat"}));
  train->add_flag("-q,--quiet", args->quiet, "No statistics line on stderr");
  add_source_flags(train, args->source, "Learn the copies of every host (or --host H) shipped");
  train->add_option("--since", args->since, "With --source: copies at or after (ISO-8601 UTC or a duration ago: 30d)");
  train->add_option("--until", args->until, "With --source: copies at or before");
  cmds.push_back({train, [args] { return run_train(*args); }});

  auto* show = app->add_subcommand("show", "Print what a model learned");
  show->add_option("model", args->model, "The model file")->required();
  show->add_option("--top", args->top, "Values listed per feature (default 5)");
  cmds.push_back({show, [args] { return run_show(*args); }});

  auto* merge = app->add_subcommand("merge", "Combine models (e.g. from several hosts) by adding their counts");
  merge->add_option("models", args->models, "Two or more model files")->required();
  merge->add_option("-o,--output", args->output, "Write the merged model here")->required();
  merge->add_flag("-q,--quiet", args->quiet, "No summary line on stderr");
  cmds.push_back({merge, [args] { return run_merge(*args); }});
}

}  // namespace tocsin::cli
