// The hunt summary record and its text lines (see summary.hpp).
#include "audit/summary.hpp"

#include <fmt/format.h>

#include "audit/input_stream.hpp"
#include "core/text_sanitize.hpp"

namespace tocsin::audit {

namespace {

using J = nlohmann::ordered_json;

J opt(const std::optional<uint64_t>& v) { return v ? J(*v) : J(nullptr); }

std::string shown(const std::string& file) { return file == "-" ? "<stdin>" : file; }

bool is_error(const InputReport& r) {
  return r.status == InputStatus::Damaged || r.status == InputStatus::Unreadable;
}

}  // namespace

bool inputs_complete(const std::vector<InputReport>& inputs) {
  for (const auto& r : inputs)
    if (is_error(r)) return false;
  return true;
}

J hunt_summary_json(const HuntStats& stats, const std::vector<InputReport>& inputs,
                    const J& extra) {
  J by_rule = J::object();
  for (const auto& [rule, n] : stats.by_rule) by_rule[rule] = n;
  J ins = J::array();
  J errors = J::array();
  J notes = J::array();
  for (const auto& r : inputs) {
    J issues = J::array();
    for (const auto& i : r.issues) {
      issues.push_back({{"line", opt(i.line)}, {"offset", opt(i.offset)}, {"message", i.message}});
      if (is_error(r))
        errors.push_back({{"file", r.file}, {"line", opt(i.line)}, {"offset", opt(i.offset)},
                          {"message", i.message}});
      else if (r.status == InputStatus::Skipped)
        notes.push_back({{"file", r.file}, {"message", i.message}});
    }
    J in;
    in["file"] = r.file;
    in["format"] = r.format.empty() ? J(nullptr) : J(r.gzip ? r.format + "+gzip" : r.format);
    in["bytes_on_disk"] = opt(r.bytes_on_disk);
    in["bytes_read"] = r.bytes_read;
    if (r.bytes_decompressed) in["bytes_decompressed"] = *r.bytes_decompressed;
    in["events"] = r.events;
    in["status"] = std::string(status_name(r.status));
    in["issues"] = std::move(issues);
    ins.push_back(std::move(in));
  }
  J j;
  j["tool"] = "tocsin";
  j["version"] = TOCSIN_VERSION;
  j["complete"] = inputs_complete(inputs);
  j["events"] = stats.events;
  j["records"] = stats.records;
  j["broken"] = stats.broken;
  j["serial_gaps"] = stats.serial_gaps;
  j["loss_reports"] = stats.by_rule.count("AU008") ? stats.by_rule.at("AU008") : 0;
  j["alerts"] = stats.alerts;
  j["by_rule"] = std::move(by_rule);
  if (stats.early) j["early_records"] = stats.early;  // watch: early records, not counted in alerts
  j["inputs"] = std::move(ins);
  j["errors"] = std::move(errors);
  j["notes"] = std::move(notes);
  if (extra.is_object())
    for (const auto& [k, v] : extra.items()) j[k] = v;
  return j;
}

std::string hunt_summary_jsonl(const HuntStats& stats, const std::vector<InputReport>& inputs,
                               const J& extra) {
  J line;
  line["summary"] = hunt_summary_json(stats, inputs, extra);
  std::string out = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // File names and rule keys come from the input: C1 and bidi controls as \u escapes too.
  escape_json_for_terminal(out);
  return out;
}

std::vector<std::string> input_error_lines(const std::vector<InputReport>& inputs) {
  std::vector<std::string> out;
  for (const auto& r : inputs) {
    if (!is_error(r)) continue;
    for (const auto& i : r.issues) {
      std::string msg = i.message;
      // Open errors already name the file.
      if (msg.rfind(r.file + ":", 0) == 0) out.push_back(msg);
      else out.push_back(fmt::format("{}: {}", shown(r.file), msg));
    }
    if (r.status == InputStatus::Damaged && r.bytes_on_disk)
      out.push_back(fmt::format("{}: {} of {} bytes on disk read{}", shown(r.file), r.bytes_read,
                                *r.bytes_on_disk,
                                r.bytes_decompressed
                                    ? fmt::format(" ({} bytes decompressed)", *r.bytes_decompressed)
                                    : std::string()));
  }
  return out;
}

std::vector<std::string> input_note_lines(const std::vector<InputReport>& inputs) {
  std::vector<std::string> out;
  for (const auto& r : inputs)
    if (r.status == InputStatus::Skipped)
      for (const auto& i : r.issues) out.push_back(fmt::format("{}: {}", shown(r.file), i.message));
  return out;
}

std::string inputs_stats_text(const std::vector<InputReport>& inputs) {
  uint64_t ok = 0, damaged = 0, unreadable = 0, skipped = 0, on_disk = 0, read = 0;
  bool unknown_size = false;
  for (const auto& r : inputs) {
    switch (r.status) {
      case InputStatus::Ok: ++ok; break;
      case InputStatus::Damaged: ++damaged; break;
      case InputStatus::Unreadable: ++unreadable; break;
      case InputStatus::Skipped: ++skipped; break;
    }
    if (r.status == InputStatus::Skipped) continue;
    read += r.bytes_read;
    if (r.bytes_on_disk) on_disk += *r.bytes_on_disk;
    else unknown_size = true;
  }
  return fmt::format("inputs: {} ok, {} damaged, {} unreadable, {} skipped; {} of {}{} on disk read",
                     ok, damaged, unreadable, skipped, human_bytes(read), human_bytes(on_disk),
                     unknown_size ? " (+ stdin/pipes)" : "");
}

}  // namespace tocsin::audit
