// EventSource helpers: issue recording, stats, and input format sniffing.
#include "audit/source.hpp"

namespace tocsin::audit {

std::vector<InputFile> as_inputs(const std::vector<std::string>& paths) {
  return std::vector<InputFile>(paths.begin(), paths.end());
}

std::string_view status_name(InputStatus s) {
  switch (s) {
    case InputStatus::Ok: return "ok";
    case InputStatus::Damaged: return "damaged";
    case InputStatus::Unreadable: return "unreadable";
    case InputStatus::Skipped: return "skipped";
  }
  return "ok";
}

SourceStats& SourceStats::operator+=(const SourceStats& o) {
  files += o.files;
  bytes += o.bytes;
  lines += o.lines;
  records += o.records;
  events += o.events;
  bad_lines += o.bad_lines;
  long_lines += o.long_lines;
  late_records += o.late_records;
  duplicate_records += o.duplicate_records;
  serial_gaps += o.serial_gaps;
  evicted_events += o.evicted_events;
  watermark_events += o.watermark_events;
  if (o.max_in_flight > max_in_flight) max_in_flight = o.max_in_flight;
  return *this;
}

void EventSource::add_issue(std::string_view file, uint64_t line, std::string message,
                            std::string_view excerpt) {
  if (issues_.size() >= max_issues_) return;
  issues_.push_back({std::string(file), line, std::move(message), std::string(excerpt)});
}

InputReport& EventSource::begin_input(std::string file, std::string format) {
  InputReport r;
  r.file = std::move(file);
  r.format = std::move(format);
  reports_.push_back(std::move(r));
  return reports_.back();
}

void EventSource::add_damage(std::optional<uint64_t> line, std::optional<uint64_t> offset,
                             std::string message) {
  if (reports_.empty()) return;
  InputReport& r = reports_.back();
  if (r.status != InputStatus::Unreadable) r.status = InputStatus::Damaged;
  r.issues.push_back({line, offset, std::move(message)});
}

void EventSource::mark_unreadable(const std::string& file, std::string message) {
  if (reports_.empty() || reports_.back().file != file) begin_input(file, "");
  InputReport& r = reports_.back();
  r.status = InputStatus::Unreadable;
  r.issues.push_back({std::nullopt, std::nullopt, std::move(message)});
}

bool starts_like_audit_text(std::string_view head) {
  if (head.size() >= 3 && head.compare(0, 3, "\xEF\xBB\xBF") == 0) head.remove_prefix(3);
  int looked = 0;
  size_t pos = 0;
  while (pos < head.size() && looked < 5) {
    size_t nl = head.find('\n', pos);
    std::string_view line = head.substr(pos, nl == std::string_view::npos ? head.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? head.size() : nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (line.substr(0, 4) == "----" || line.substr(0, 6) == "time->") continue;
    ++looked;
    // Records start the line (`type=`, `node=`); forwarded ones follow a syslog prefix that ends
    // in ": " ("... audispd: node=..."). Indented text (a quoted record in a README) is no log.
    size_t type = line.find("type=");
    const size_t msg = line.find("msg=audit(");
    if (type == std::string_view::npos || msg == std::string_view::npos || type > msg) continue;
    if (line.substr(0, 5) == "type=" || line.substr(0, 5) == "node=") return true;
    const size_t node = line.find(": node=");
    if (node != std::string_view::npos && node < type) type = node + 2;
    if (type >= 2 && line.substr(type - 2, 2) == ": " && line[0] != ' ' && line[0] != '\t')
      return true;
  }
  return false;
}

InputFormat sniff_format(std::string_view head) {
  if (head.size() >= 3 && head.compare(0, 3, "\xEF\xBB\xBF") == 0) head.remove_prefix(3);
  size_t i = 0;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
    ++i;
  if (i == head.size()) return InputFormat::Unknown;
  if (head[i] == '{' || head[i] == '[') return InputFormat::Json;
  // Audit text: a record header within the first lines (syslog prefixes allowed).
  std::string_view rest = head.substr(i, 64 * 1024);
  if (rest.find("type=") != std::string_view::npos &&
      rest.find("msg=audit(") != std::string_view::npos)
    return InputFormat::AuditText;
  return InputFormat::Unknown;
}

bool sniff_enriched(std::string_view head) { return head.find('\x1d') != std::string_view::npos; }

}  // namespace tocsin::audit
