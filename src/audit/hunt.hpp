// The hunt driver: one read loop over audit inputs (expand the inputs, open each event source,
// events through the EventPipeline into the detection engine, input reports and damage, AU000
// per file, end of file, finish) shared by `hunt` and `baseline train`. Falco's single event
// loop (userspace/falco/app/actions/process_events.cpp) is the model. It prints nothing:
// progress goes to a callback, errors and notes come back in the result for the caller to show.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "audit/coverage.hpp"
#include "audit/detections/engine.hpp"
#include "audit/source.hpp"
#include "core/result.hpp"

namespace tocsin::audit {

// Progress through one input: `done` of `total` bytes (0 = unknown) now and then, and once more
// with `finished` set when the input has been read.
struct HuntProgress {
  const std::string& file;
  uint64_t done = 0;
  uint64_t total = 0;
  bool finished = false;
};

struct HuntOptions {
  std::vector<std::string> inputs;    // files (.gz ok), directories, "-" for stdin
  std::string input_format = "auto";  // auto, raw, enriched, text, es, es-export, laurel, ecs, auditbeat
  EngineOptions engine;
  unsigned jobs = 0;  // 0 = EventPipeline::default_threads()
  // Called for each input while it is read; unset = no progress.
  std::function<void(const HuntProgress&)> progress;
  // An extra detection seeing every event (e.g. the fleet store sink's recorder), made once the
  // inputs are listed, before anything is read; an Error from it ends the hunt with that error.
  std::function<Result<std::unique_ptr<Detection>>()> tap;
  // Alerts as they become final instead of collected in the result (e.g. baseline training,
  // which keeps only the copies).
  std::function<void(Alert&&)> on_alert;
  CoverageOptions coverage;
};

struct HuntResult {
  std::vector<Alert> alerts;  // sorted; empty when HuntOptions::on_alert was given
  HuntStats stats;
  // Every input, with how completely it was read (skipped ones included).
  std::vector<InputReport> reports;
  SourceStats totals;
  // Inputs whose event source could not be opened (no report is made for them).
  std::vector<std::string> open_errors;
  bool io_error = false;  // an input could not be opened, or evidence is missing
  CoverageFacts coverage_facts;
  std::vector<RuleCoverage> coverage;
  double seconds = 0;  // reading and detecting
};

// Tells the engine what of `file` `source` could not read as audit data (AU000: one summary
// per file, at the first bad line). Live input tells it line by line (runtime/audit_stream.hpp),
// to the same effect: both read lines through audit::LineReader.
void report_broken(Engine& engine, const EventSource& source, const std::string& file);

// Runs the hunt over `opt.inputs`. An Error only when the inputs cannot be listed (an unreadable
// directory) or the tap cannot be made; everything else is in the result.
Result<HuntResult> run_hunt(HuntOptions opt);

}  // namespace tocsin::audit
