// Runs audit inputs through the hunt engine with only AU001 reporting, for baseline training.
#include "audit/baseline/collect.hpp"

#include <fmt/format.h>

#include "audit/detections/engine.hpp"
#include "audit/formats/json_source.hpp"
#include "audit/pipeline.hpp"
#include "audit/text_source.hpp"

namespace tocsin::audit::baseline {

Result<CollectResult> collect_copies(const std::vector<std::string>& inputs, const std::string& input_format) {
  auto expanded = expand_inputs(as_inputs(inputs));
  if (!expanded) return expanded.error();
  std::string fmt_name = input_format;
  if (fmt_name == "raw" || fmt_name == "enriched") fmt_name = "text";
  EngineOptions eo;
  eo.select.insert("AU001");
  Engine engine(eo);
  CollectResult out;
  engine.set_sink([&out](Alert&& a) {
    if (auto r = copy_record_from_alert(a)) out.copies.push_back(std::move(*r));
  });
  // Reading and lexing on this thread, the engine on another (as in hunt).
  EventPipeline pipe([&engine](const Event& ev) {
    engine.on_event(ev);
    return true;
  }, EventPipeline::default_threads());
  for (const auto& input : *expanded) {
    const std::string& file = input.path;
    auto src = open_event_source({input}, fmt_name);
    if (!src) {
      out.errors.push_back(src.error().message);
      continue;
    }
    Status st = (*src)->for_each([&pipe](Event&& ev) { return pipe.push(std::move(ev)); });
    pipe.drain();
    if (!st) out.errors.push_back(st.error().message);
    // A damaged input trains on part of the history only: an error, as in hunt.
    for (const auto& r : (*src)->input_reports())
      if (r.status == InputStatus::Damaged)
        for (const auto& i : r.issues) out.errors.push_back(fmt::format("{}: {}", r.file, i.message));
    engine.end_of_file(file == "-" ? "<stdin>" : file);
    out.stats += (*src)->stats();
  }
  engine.finish();
  out.events = engine.stats().events;
  return out;
}

}  // namespace tocsin::audit::baseline
