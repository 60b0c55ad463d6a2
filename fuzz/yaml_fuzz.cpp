// libFuzzer target for the YAML entry points: bytes → the Compose and Kubernetes analyzers
// (positions, aliases, merge keys, depth and size limits, every DC/K8 rule).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "iac/analyzer.hpp"
#include "iac/scan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin;
  static const Config cfg;
  std::string text(reinterpret_cast<const char*>(data), size);
  for (const auto& a : iac::analyzers()) {
    if (a->kind() != "compose" && a->kind() != "kubernetes") continue;
    SourceFile src(a->kind() == "compose" ? "compose.yaml" : "manifest.yaml", text);
    std::vector<Finding> out;
    iac::scan_source(src, cfg, out, a.get());
  }
  return 0;
}
