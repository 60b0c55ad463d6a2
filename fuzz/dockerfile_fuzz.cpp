// libFuzzer target for the Dockerfile entry point: bytes → the whole Dockerfile analyzer (parser,
// evaluation, RUN shell scripts, every DF rule) → the scan reporters. Any crash or sanitizer
// report is a bug.
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tocsin::fuzz::scan_as("dockerfile", "Dockerfile", tocsin::fuzz::as_string(data, size));
  return 0;
}
