// The one front end from complete auditd text lines to events, shared by file input (the text
// source `hunt` reads) and live input (`watch`'s AuditStream): each line's header is lexed,
// the record goes to the assembler, and a line that is not audit data, a line over the length
// cap or a record dropped from an oversized event is counted and reported the same way for
// both, so `watch` and `hunt` agree on AU000 for the same bytes.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "audit/assembler.hpp"
#include "audit/lexer.hpp"
#include "audit/source.hpp"

namespace tocsin::audit {

// A line that is not read as a record (AU000): where, why, and the line (or its start).
struct BadLine {
  const std::string& file;
  uint64_t line = 0;
  std::string_view message;
  std::string_view text;
};
using BadLineFn = std::function<void(const BadLine&)>;

class LineReader {
 public:
  // Counts into `stats` (lines, bad_lines, long_lines, and the assembler's counters); events go
  // to `sink`; every bad line to `on_bad`.
  LineReader(AssemblerOptions opts, SourceStats& stats, EventSink sink, BadLineFn on_bad);
  // The lines that follow come from `file` (as events and bad lines name it).
  void set_file(const std::string& file);
  enum class Kind : uint8_t { Record, Blank, Bad };
  // One complete line, without its newline; `line_no` is 1-based in the file.
  Kind line(std::string_view text, uint64_t line_no);
  // A line longer than `max_line` bytes, skipped unread; `head` is its start.
  void long_line(std::string_view head, uint64_t line_no, size_t max_line);
  // The header of the last line read as a record.
  const LexedRecord& record() const { return rec_; }
  // False once the sink asked to stop.
  bool go() const { return !assembler_.stopped(); }
  Assembler& assembler() { return assembler_; }
  const Assembler& assembler() const { return assembler_; }

 private:
  void bad(uint64_t line_no, std::string_view message, std::string_view text);

  SourceStats& stats_;
  Assembler assembler_;
  BadLineFn on_bad_;
  LexedRecord rec_;
  std::shared_ptr<const std::string> file_;
};

}  // namespace tocsin::audit
