// EventSource helpers: issue recording, stats, and input format sniffing.
#include "audit/source.hpp"

namespace tocsin::audit {

std::vector<InputFile> as_inputs(const std::vector<std::string>& paths) {
  return std::vector<InputFile>(paths.begin(), paths.end());
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
