// libFuzzer target for Compose files: bytes → YAML with positions → the Compose model → every
// DC rule → the scan reporters.
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tocsin::fuzz::scan_as("compose", "compose.yaml", tocsin::fuzz::as_string(data, size));
  return 0;
}
