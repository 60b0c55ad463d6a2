// libFuzzer target for `.tocsin.yaml`: bytes → parse_config (yaml-cpp behind it, every key and
// value checked with its position) → the lookups a scan makes with the result.
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin;
  auto cfg = parse_config(fuzz::as_string(data, size), "/fuzz/.tocsin.yaml");
  if (!cfg) {
    (void)sanitize_for_terminal(cfg.error().message);
    return 0;
  }
  for (const char* id : {"DF001", "DC003", "K8003", "AU001", "SH001", "X"}) {
    (void)cfg->rule_enabled(id);
    (void)cfg->severity_for(id, Severity::high);
  }
  for (const char* p : {"/fuzz/a/Dockerfile", "/fuzz/vendor/x/compose.yaml", "rel/path", ""})
    (void)cfg->path_ignored(p);
  return 0;
}
