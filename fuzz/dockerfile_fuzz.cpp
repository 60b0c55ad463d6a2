// libFuzzer target for the Dockerfile entry point: bytes → the whole Dockerfile analyzer (parser,
// evaluation, RUN shell scripts, every DF rule). Any crash or sanitizer report is a bug.
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
  static const iac::Analyzer* dockerfile = [] {
    for (const auto& a : iac::analyzers())
      if (a->kind() == "dockerfile") return a.get();
    return static_cast<const iac::Analyzer*>(nullptr);
  }();
  SourceFile src("Dockerfile", std::string(reinterpret_cast<const char*>(data), size));
  std::vector<Finding> out;
  iac::scan_source(src, cfg, out, dockerfile);
  return 0;
}
