// Microbenchmarks of the hot paths: the audit text lexer + assembler + detection engine on a lab
// recording (what `hunt` spends its time on), and each IaC analyzer on the bundled examples.
// Throughput is reported in bytes/s so runs on different inputs compare.
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "audit/detections/engine.hpp"
#include "audit/text_source.hpp"
#include "iac/analyzer.hpp"
#include "iac/config.hpp"
#include "iac/scan.hpp"

namespace {

std::string in_source_dir(const std::string& rel) { return std::string(TOCSIN_SOURCE_DIR) + "/" + rel; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string gunzip_file(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open " + path);
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  const bool bad = n < 0;
  gzclose(f);
  if (bad) throw std::runtime_error("damaged " + path);
  return out;
}

// The whole hunt path minus file I/O: lexer, assembler, process table, copy tracking, rules.
void hunt_recording(benchmark::State& state, const char* recording) {
  const std::string log = gunzip_file(in_source_dir(std::string("tests/e2e/recordings/") + recording));
  size_t alerts = 0, events = 0;
  for (auto _ : state) {
    using namespace tocsin::audit;
    TextSource src = TextSource::from_memory(log, recording);
    Engine engine;
    events = 0;
    (void)src.for_each([&engine, &events](Event&& ev) {
      ++events;
      engine.on_event(ev);
      return true;
    });
    engine.end_of_file(recording);
    engine.finish();
    alerts = engine.take_alerts().size();
    benchmark::DoNotOptimize(alerts);
  }
  state.counters["events"] = static_cast<double>(events);
  state.counters["alerts"] = static_cast<double>(alerts);
  if (alerts == 0) state.SkipWithError("no alerts: the recording or the engine changed");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(log.size()));
}

// One analyzer (parser, model, every rule of its family) over every example file of its kind.
void scan_examples(benchmark::State& state, const char* kind, const char* dir) {
  const tocsin::iac::Analyzer* analyzer = nullptr;
  for (const auto& a : tocsin::iac::analyzers())
    if (a->kind() == kind) analyzer = a.get();
  if (!analyzer) {
    state.SkipWithError("no such analyzer");
    return;
  }
  std::vector<std::shared_ptr<const tocsin::SourceFile>> files;
  int64_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(in_source_dir(dir))) {
    auto text = read_file(e.path().string());
    bytes += static_cast<int64_t>(text.size());
    files.push_back(std::make_shared<const tocsin::SourceFile>(e.path().filename().string(), std::move(text)));
  }
  const tocsin::Config cfg;
  size_t findings = 0;
  for (auto _ : state) {
    std::vector<tocsin::Finding> out;
    for (const auto& f : files) tocsin::iac::scan_source(*f, cfg, out, analyzer);
    findings = out.size();
    benchmark::DoNotOptimize(findings);
  }
  if (findings == 0) state.SkipWithError("no findings: the examples or the rules changed");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * bytes);
}

}  // namespace

BENCHMARK_CAPTURE(hunt_recording, race_to_raw, "race-to.raw.log.gz")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(hunt_recording, podman_race_to, "podman-race-to.tocsin.raw.log.gz")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(scan_examples, dockerfile, "dockerfile", "examples/dockerfile")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(scan_examples, compose, "compose", "examples/compose")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(scan_examples, kubernetes, "kubernetes", "examples/kubernetes")->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
