// --sink / --source flags and `tocsin store init|status`.
#include "cli/store_flags.hpp"

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/text_sanitize.hpp"
#include "store/fleet.hpp"
#include "store/schema.hpp"

namespace tocsin::cli {

void add_sink_flags(CLI::App* app, SinkFlags& f) {
  app->add_option("--sink", f.url,
                  "Also ship alerts and evidence rows to the fleet store: clickhouse://HOST:PORT/DB (clickhouses:// for "
                  "TLS, ?ca=FILE&cert=FILE&key=FILE); batched, retried, spooled locally while it is unreachable");
  app->add_option("--sink-credentials", f.credentials,
                  "File with user=NAME and password=SECRET lines (default: TOCSIN_CLICKHOUSE_USER / "
                  "TOCSIN_CLICKHOUSE_PASSWORD; never on the command line)");
  app->add_option("--spool", f.spool,
                  "Spool file for rows the store could not take yet (default: in the state directory, "
                  "TOCSIN_STATE_DIR or /var/lib/tocsin)");
  app->add_option("--spool-max-mb", f.spool_max_mb, "Bound of the spool (default 256 MB; rows beyond it are reported as unshipped)")
      ->check(CLI::Range(1, 1 << 20));
  app->add_option("--host-name", f.host_name, "Host name of rows from logs without node= (default: this machine's)");
  app->add_option("--sink-wait", f.wait_s, "At the end, keep trying to empty the spool this many seconds (default 10)")
      ->check(CLI::Range(0.0, 3600.0));
}

store::SinkOptions sink_options(const SinkFlags& f, const std::string& cmd, bool streaming, const std::string& state_dir) {
  store::SinkOptions o;
  o.url = f.url;
  o.credentials_file = f.credentials;
  o.spool_path = f.spool;
  o.state_dir = state_dir;
  o.host = f.host_name;
  o.spool_max_bytes = f.spool_max_mb << 20;
  o.close_wait_ms = static_cast<uint64_t>(f.wait_s * 1000);
  o.streaming = streaming;
  o.note = [cmd](const std::string& m) { fmt::print(stderr, "tocsin {}: {}\n", cmd, sanitize_for_terminal(m)); };
  return o;
}

void add_source_flags(CLI::App* app, SourceFlags& f, const std::string& what) {
  app->add_option("--source", f.url, fmt::format("{} from the fleet store (clickhouse://HOST:PORT/DB) instead of local logs", what));
  app->add_option("--source-credentials", f.credentials,
                  "File with user=NAME and password=SECRET lines (default: TOCSIN_CLICKHOUSE_USER / TOCSIN_CLICKHOUSE_PASSWORD)");
  app->add_option("--host", f.hosts, "With --source: only these hosts (repeat the flag)")->take_all();
}

namespace {

struct StoreArgs {
  std::string url, cluster, credentials;
};

int fail(const std::string& cmd, const std::string& msg) {
  fmt::print(stderr, "tocsin store {}: error: {}\n", cmd, sanitize_for_terminal(msg));
  return kExitError;
}

}  // namespace

void add_store(CLI::App& root, Commands& cmds) {
  auto args = std::make_shared<StoreArgs>();
  auto* app = root.add_subcommand("store", "The optional fleet store (ClickHouse): create or migrate it, show what it holds");
  app->require_subcommand(1);
  app->footer(R"(The store keeps slim rows from every host's hunt and watch (--sink): alerts, copies with their
verdicts, helper execs, swap-loop episodes, runtime writes outside storage, events per host and
hour. `tocsin hunt --source URL` and `tocsin baseline train --source URL` read it. Credentials come
from --credentials FILE or TOCSIN_CLICKHOUSE_USER / TOCSIN_CLICKHOUSE_PASSWORD, never the URL.

Examples:
  tocsin store init clickhouse://127.0.0.1:8123/tocsin                   # one server
  tocsin store init clickhouse://shard1:8123/tocsin --cluster tocsin_fleet  # on every shard
  tocsin store status clickhouse://127.0.0.1:8123/tocsin
See docs/deploy/fleet-store.md.)");
  auto* init = app->add_subcommand("init", "Create the database and tables, or migrate them to this tocsin's schema");
  init->add_option("url", args->url, "clickhouse://HOST:PORT/DB")->required();
  init->add_option("--cluster", args->cluster,
                   "Also create the Distributed tables over this cluster (from the server's remote_servers); run init on "
                   "every shard");
  init->add_option("--credentials", args->credentials, "File with user=NAME and password=SECRET lines");
  cmds.push_back({init, [args] {
    auto c = store::connect(args->url, args->credentials);
    if (!c) return fail("init", c.error().message);
    auto done = store::init_store(*c, args->cluster);
    if (!done) return fail("init", done.error().message);
    for (const auto& d : *done) fmt::print("{}\n", sanitize_for_terminal(d));
    return kExitClean;
  }});
  auto* status = app->add_subcommand("status", "Schema version and rows per table (duplicates counted once)");
  status->add_option("url", args->url, "clickhouse://HOST:PORT/DB")->required();
  status->add_option("--credentials", args->credentials, "File with user=NAME and password=SECRET lines");
  cmds.push_back({status, [args] {
    auto c = store::connect(args->url, args->credentials);
    if (!c) return fail("status", c.error().message);
    auto counts = store::row_counts(*c);
    if (!counts) return fail("status", counts.error().message);
    fmt::print("{}\n", sanitize_for_terminal(*counts, {.keep_newline = true}));
    return kExitClean;
  }});
}

}  // namespace tocsin::cli
