// libFuzzer target for what `watch` reads from the Docker Engine API: bytes → the HTTP response
// head parser and the chunked-body decoder (fed whole and in pieces: both must agree) → JSON →
// a container start from an /events message, and container inspect → parse_inspect → RT001–RT005
// (host paths resolved under an empty directory) → the alerts' JSONL and text.
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "fuzz_util.hpp"
#include "runtime/container_checks.hpp"
#include "runtime/docker.hpp"
#include "runtime/docker_watch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin::runtime;
  static const std::string host_root = [] {
    char dir[] = "/tmp/tocsin-fuzz-root-XXXXXX";
    if (!::mkdtemp(dir)) __builtin_trap();
    return std::string(dir);
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);

  (void)parse_head(in);
  ChunkedDecoder whole, pieces;
  std::string out_whole, out_pieces;
  bool ok_whole = whole.feed(in, out_whole);
  bool ok_pieces = true;
  for (size_t i = 0; i < in.size() && ok_pieces && !pieces.done(); i += 7)
    ok_pieces = pieces.feed(in.substr(i, 7), out_pieces);
  if (ok_whole && ok_pieces && (whole.done() != pieces.done() || out_whole != out_pieces)) __builtin_trap();

  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return 0;
  (void)parse_start_event(j);
  ContainerInfo c = parse_inspect(j);
  CheckOptions opt;
  opt.host_root = host_root;
  for (const auto& a : check_container(c, opt)) {
    (void)to_jsonl(a);
    (void)to_text(a);
  }
  ContainerFeed feed;
  feed.push(j);
  return 0;
}
