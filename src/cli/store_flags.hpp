// Flag mapping for the fleet store: --sink (hunt, watch) and --source (hunt, baseline train);
// the work is in src/store/.
#pragma once
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "store/sink.hpp"

namespace tocsin::cli {

struct SinkFlags {
  std::string url, credentials, spool, host_name;
  uint64_t spool_max_mb = 256;
  double wait_s = 10;
};
void add_sink_flags(CLI::App* app, SinkFlags& f);
// The sink's options (note: prints "tocsin CMD: …" on stderr).
store::SinkOptions sink_options(const SinkFlags& f, const std::string& cmd, bool streaming,
                                const std::string& state_dir = {});

struct SourceFlags {
  std::string url, credentials;
  std::vector<std::string> hosts;
};
void add_source_flags(CLI::App* app, SourceFlags& f, const std::string& what);

}  // namespace tocsin::cli
