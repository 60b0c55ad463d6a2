// libFuzzer target for one JSON audit input (built once per flavour, TOCSIN_FUZZ_FLAVOR =
// es-export, laurel or auditbeat): bytes → JsonSource (NDJSON lines, whole-file arrays and
// `_search` responses, gzip) → the flavour's mapping to events → the detection engine →
// alerts → JSONL and text renderers.
#include "audit/formats/json_source.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin::audit;
  static const JsonFlavor flavor = [] {
    auto f = parse_json_flavor(TOCSIN_FUZZ_FLAVOR);
    if (!f) __builtin_trap();
    return *f;
  }();
  JsonSourceOptions opts;
  opts.flavor = flavor;
  opts.max_document = 1u << 16;  // the over-long document path with small inputs
  opts.read_chunk = 4096;
  JsonSource src = JsonSource::from_memory(tocsin::fuzz::as_string(data, size), "fuzz.json", opts);
  tocsin::fuzz::hunt(src);
  return 0;
}
