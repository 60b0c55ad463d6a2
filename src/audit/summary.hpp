// The hunt's summary: one JSON object that says what was read and how completely, what was
// found, and every input error — the last line of `--format jsonl` output (`{"summary": …}`) of
// hunt and watch, so a consumer reading only the report can tell a clean run from an incomplete
// one. Also the text form of the same facts for the stderr statistics line.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/detections/engine.hpp"
#include "audit/source.hpp"

namespace tocsin::audit {

// True when every input was read completely (skipped-by-policy inputs do not count against it).
bool inputs_complete(const std::vector<InputReport>& inputs);

// The summary object (without the {"summary": …} wrapper). Members, in order: tool, version,
// complete, events, records, broken, serial_gaps, loss_reports, alerts, by_rule, inputs[],
// errors[], notes[]; then every member of `extra` (e.g. a later "coverage"), which may also
// replace one of them.
nlohmann::ordered_json hunt_summary_json(const HuntStats& stats,
                                         const std::vector<InputReport>& inputs,
                                         const nlohmann::ordered_json& extra = nullptr);

// The JSONL line: {"summary": hunt_summary_json(...)} without a trailing newline.
std::string hunt_summary_jsonl(const HuntStats& stats, const std::vector<InputReport>& inputs,
                               const nlohmann::ordered_json& extra = nullptr);

// Lines for stderr, one per damaged or unreadable input issue ("FILE: message") and one per
// skipped input ("FILE: reason"), in input order.
std::vector<std::string> input_error_lines(const std::vector<InputReport>& inputs);
std::vector<std::string> input_note_lines(const std::vector<InputReport>& inputs);

// "inputs: 3 ok, 1 damaged, 0 unreadable, 2 skipped; 41.2 of 43.7 MB on disk read"
std::string inputs_stats_text(const std::vector<InputReport>& inputs);

}  // namespace tocsin::audit
