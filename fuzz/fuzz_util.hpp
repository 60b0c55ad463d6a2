// Helpers shared by the libFuzzer targets: the input as a string, an IaC analyzer by kind, and
// the hunt path (events → Engine → alerts → both renderers) that the audit inputs share.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/alert.hpp"
#include "audit/detections/engine.hpp"
#include "audit/source.hpp"
#include "core/text_sanitize.hpp"
#include "iac/analyzer.hpp"
#include "iac/config.hpp"
#include "iac/scan.hpp"
#include "report/report.hpp"

namespace tocsin::fuzz {

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

inline const iac::Analyzer* analyzer(std::string_view kind) {
  for (const auto& a : iac::analyzers())
    if (a->kind() == kind) return a.get();
  __builtin_trap();  // a renamed analyzer must not turn the target into a no-op
}

// One file through one analyzer (parser, model, every rule), then its findings through the
// text, JSON and SARIF reporters (source lines, snippets, fingerprints of hostile ranges).
inline void scan_as(std::string_view kind, const char* name, std::string text) {
  static const Config cfg;
  auto src = std::make_shared<const SourceFile>(name, std::move(text));
  std::vector<Finding> out;
  iac::scan_source(*src, cfg, out, analyzer(kind));
  if (out.empty()) return;
  std::map<std::string, SourcePtr> sources{{name, src}};
  report::ScanReport r{1, out, sources};
  (void)report::render_text(r, report::TextOptions{});
  (void)report::render_json(r);
  (void)report::render_sarif(r);
}

// Every event of `src` through the detection engine, as `hunt` runs it; the alerts through
// both hunt renderers.
inline void hunt(audit::EventSource& src) {
  audit::Engine engine;
  (void)src.for_each([&engine](audit::Event&& ev) {
    engine.on_event(ev);
    return true;
  });
  const auto& ss = src.stats();
  if (ss.bad_lines) engine.on_broken("fuzz", 1, "bad", ss.bad_lines);
  engine.end_of_file("fuzz");
  engine.finish();
  auto alerts = engine.take_alerts();
  for (const auto& a : alerts) (void)report::alert_jsonl(a);
  (void)report::render_alerts_text(alerts, false);
}

}  // namespace tocsin::fuzz
