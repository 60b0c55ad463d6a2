// `tocsin es-query`: prints the Elasticsearch query that pre-selects the events the hunt needs
// in a cluster laid out like the seed's `auditd*` indices.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "audit/es_query.hpp"
#include "cli/commands.hpp"

namespace tocsin::cli {

void add_es_query(CLI::App& root, Commands& cmds) {
  struct Opts {
    audit::EsQueryOptions q;
    std::string format = "body";
  };
  auto opts = std::make_shared<Opts>();
  auto* app = root.add_subcommand(
      "es-query",
      "Print the Elasticsearch query (JSON) that pre-selects the events the hunt needs; feed the "
      "hits back with `tocsin hunt --input-format es-export`");
  app->add_option("--index", opts->q.index, "index pattern")->capture_default_str();
  app->add_option("--since", opts->q.since, "how far back: 90m, 24h, 7d, or a date")
      ->capture_default_str();
  app->add_option("--time-field", opts->q.time_field, "event time field")->capture_default_str();
  app->add_option("--key", opts->q.key_prefix, "key prefix used with `tocsin audit-rules`")
      ->capture_default_str();
  app->add_option("--size", opts->q.size, "hits per page (1..10000)")->capture_default_str();
  app->add_option("--format", opts->format,
                  "body (the JSON), console (Kibana Dev Tools), curl (a shell command)")
      ->capture_default_str();
  app->add_option("--url", opts->q.url, "cluster URL for --format curl")->capture_default_str();
  cmds.push_back({app, [opts] {
                    auto f = audit::parse_es_query_format(opts->format);
                    if (!f) {
                      fmt::print(stderr, "tocsin es-query: {}\n", f.error().message);
                      return kExitError;
                    }
                    opts->q.format = *f;
                    auto text = audit::generate_es_query(opts->q);
                    if (!text) {
                      fmt::print(stderr, "tocsin es-query: {}\n", text.error().message);
                      return kExitError;
                    }
                    fmt::print("{}", *text);
                    return kExitClean;
                  }});
}

}  // namespace tocsin::cli
