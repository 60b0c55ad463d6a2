// libFuzzer target for the baseline model file (`baseline train -o`, read by `hunt --baseline`
// and `watch --baseline`): bytes → Model::parse → describe, scoring a copy, and the round trip:
// a model that parsed must serialize to text that parses to the same serialization.
#include "audit/baseline/baseline.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin::audit::baseline;
  auto m = Model::parse(tocsin::fuzz::as_string(data, size), "fuzz.model");
  if (!m) return 0;
  (void)m->describe();
  (void)m->days();
  CopyRecord r;
  r.time_ms = 1795332882690;
  r.host = "h";
  r.auid = 1004;
  r.has_tty = true;
  r.tty = "pts0";
  r.container = "db-1";
  r.path = "/etc/passwd";
  r.direction = "from-container";
  Scorer scorer(*m);
  (void)scorer.score_copy(r);
  std::string text = m->serialize();
  auto again = Model::parse(text, "round-trip");
  if (!again || again->serialize() != text) __builtin_trap();
  Model merged;
  if (merged.can_merge(*m)) merged.merge(*m);
  return 0;
}
