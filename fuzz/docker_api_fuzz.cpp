// libFuzzer target for what `watch` reads from the Docker Engine API (libcurl reads the HTTP):
// bytes → JSON → a container start from an /events message, and container inspect →
// parse_inspect → RT001–RT005 (host paths resolved under an empty directory) → the alerts'
// JSONL and text.
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "fuzz_util.hpp"
#include "runtime/container_checks.hpp"
#include "runtime/docker_watch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin::runtime;
  static const std::string host_root = [] {
    char dir[] = "/tmp/tocsin-fuzz-root-XXXXXX";
    if (!::mkdtemp(dir)) __builtin_trap();
    return std::string(dir);
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);

  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return 0;
  (void)parse_start_event(j);
  ContainerInfo c = parse_inspect(j);
  CheckOptions opt;
  opt.host_root = host_root;
  for (const auto& a : check_container(c, opt)) {
    (void)tocsin::report::alert_jsonl(a);
    (void)tocsin::report::alert_line(a);
  }
  ContainerFeed feed;
  feed.push(j);
  return 0;
}
