// libFuzzer target for `hunt` on audit text: bytes → TextSource (lexer, assembler) → the
// detection engine (process table, container and copy tracking, swap loops, AU000–AU009) →
// alerts → JSONL and text renderers. Small assembler bounds so eviction paths are reached.
#include "audit/text_source.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin::audit;
  TextSourceOptions opts;
  opts.max_line = 4096;
  opts.read_chunk = 1024;
  opts.assembler.max_in_flight = 16;
  opts.assembler.watermark_ms = 1000;
  TextSource src = TextSource::from_memory(tocsin::fuzz::as_string(data, size), "fuzz.log", opts);
  tocsin::fuzz::hunt(src);
  return 0;
}
