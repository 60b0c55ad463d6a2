// Complete lines -> records -> events, for file and live input (see line_reader.hpp).
#include "audit/line_reader.hpp"

#include <fmt/format.h>

namespace tocsin::audit {

LineReader::LineReader(AssemblerOptions opts, SourceStats& stats, EventSink sink, BadLineFn on_bad)
    : stats_(stats), assembler_(opts, stats, std::move(sink)), on_bad_(std::move(on_bad)) {}

void LineReader::set_file(const std::string& file) {
  if (!file_ || *file_ != file) file_ = std::make_shared<const std::string>(file);
}

void LineReader::bad(uint64_t line_no, std::string_view message, std::string_view text) {
  if (!file_) set_file(std::string());
  if (on_bad_) on_bad_(BadLine{*file_, line_no, message, text});
}

LineReader::Kind LineReader::line(std::string_view text, uint64_t line_no) {
  ++stats_.lines;
  LexStatus st = lex_header(text, rec_);
  if (st == LexStatus::Blank) return Kind::Blank;
  if (st != LexStatus::Ok) {
    ++stats_.bad_lines;
    bad(line_no, lex_status_message(st), text);
    return Kind::Bad;
  }
  if (!file_) set_file(std::string());
  const uint64_t before = assembler_.oversized_records();
  assembler_.add(text, rec_, {}, file_, line_no);
  // Counted (as a bad line) by the assembler; said where.
  if (assembler_.oversized_records() != before) bad(line_no, "record dropped: its event exceeds the size limit", text);
  return Kind::Record;
}

void LineReader::long_line(std::string_view head, uint64_t line_no, size_t max_line) {
  ++stats_.lines;
  ++stats_.long_lines;
  ++stats_.bad_lines;
  bad(line_no, fmt::format("line longer than {} bytes skipped", max_line), head);
}

}  // namespace tocsin::audit
