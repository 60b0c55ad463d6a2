// libFuzzer target for Kubernetes manifests: bytes → YAML with positions → the workload model →
// every K8 rule → the scan reporters.
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tocsin::fuzz::scan_as("kubernetes", "manifest.yaml", tocsin::fuzz::as_string(data, size));
  return 0;
}
