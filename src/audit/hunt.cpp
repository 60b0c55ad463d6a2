// The hunt driver's read loop (see hunt.hpp).
#include "audit/hunt.hpp"

#include <chrono>

#include "audit/formats/json_source.hpp"
#include "audit/pipeline.hpp"
#include "audit/summary.hpp"
#include "audit/text_source.hpp"

namespace tocsin::audit {

namespace {

std::string map_input_format(const std::string& f) {
  if (f == "raw" || f == "enriched" || f == "text") return "text";
  return f;  // auto, es, es-export, laurel, ecs, auditbeat: audit-formats decides
}

}  // namespace

void report_broken(Engine& engine, const EventSource& source, const std::string& file) {
  const auto& ss = source.stats();
  if (!ss.bad_lines) return;
  const auto& iss = source.issues();
  std::string reason = iss.empty() ? std::string("not audit data") : iss.front().message;
  uint64_t line = iss.empty() ? 0 : iss.front().line;
  engine.on_broken(file, line, reason, ss.bad_lines);
}

Result<HuntResult> run_hunt(HuntOptions opt) {
  HuntResult out;
  auto expanded = expand_inputs(as_inputs(opt.inputs), &out.reports);
  if (!expanded) return expanded.error();
  Engine engine(opt.engine);
  if (opt.tap) {
    auto tap = opt.tap();
    if (!tap) return tap.error();
    if (*tap) engine.add_detection(std::move(*tap));
  }
  if (opt.on_alert) engine.set_sink(std::move(opt.on_alert));
  // Reading and lexing on this thread, detections on a second one (same results, same order).
  EventPipeline pipe(
      [&engine](const Event& ev) {
        engine.on_event(ev);
        return true;
      },
      opt.jobs ? opt.jobs : EventPipeline::default_threads());
  const std::string input_format = map_input_format(opt.input_format);
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& input : *expanded) {
    const std::string& file = input.path;
    auto src = open_event_source({input}, input_format);
    if (!src) {
      out.open_errors.push_back(src.error().message);
      out.io_error = true;
      continue;
    }
    const size_t first_report = out.reports.size();
    EventSource& s = **src;
    if (opt.progress)
      s.set_progress([&opt, &file](uint64_t done, uint64_t all) { opt.progress({file, done, all, false}); });
    Status st = s.for_each([&pipe](Event&& ev) { return pipe.push(std::move(ev)); });
    pipe.drain();
    if (opt.progress) opt.progress({file, 0, 0, true});
    out.reports.insert(out.reports.end(), s.input_reports().begin(), s.input_reports().end());
    bool reported = false;  // the source's reports already carry its error
    for (size_t r = first_report; r < out.reports.size(); ++r)
      reported |= out.reports[r].status == InputStatus::Unreadable;
    if (!st && !reported) {
      InputReport r;
      r.file = file;
      r.status = InputStatus::Unreadable;
      r.issues.push_back({std::nullopt, std::nullopt, st.error().message});
      out.reports.push_back(std::move(r));
    }
    const std::string shown = file == "-" ? "<stdin>" : file;
    report_broken(engine, s, shown);
    engine.end_of_file(shown);
    out.totals += s.stats();
  }
  engine.finish();
  out.alerts = engine.take_alerts();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.stats = engine.stats();
  if (!inputs_complete(out.reports)) out.io_error = true;
  out.coverage_facts = engine.coverage_facts();
  out.coverage = engine.coverage(opt.coverage);
  return out;
}

}  // namespace tocsin::audit
