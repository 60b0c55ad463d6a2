// SourceFile: a file's bytes plus a line index, turning byte offsets into 1-based line/column.
// MappedText: text assembled from pieces of a file (joined continuation lines, YAML block
// scalars) that remembers where each piece came from, so positions map back to the file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diagnostic.hpp"

namespace tocsin {

class SourceFile {
 public:
  SourceFile(std::string path, std::string content);
  const std::string& path() const { return path_; }
  std::string_view content() const { return content_; }
  size_t size() const { return content_.size(); }
  size_t line_count() const { return line_starts_.size(); }
  // 1-based line containing byte offset `off` (off may equal size()).
  uint32_t line_of(size_t off) const;
  // 1-based column, counted in Unicode code points (invalid UTF-8 bytes count one each).
  uint32_t column_of(size_t off) const;
  Position position_of(size_t off) const { return {line_of(off), column_of(off)}; }
  // Range for [begin, end) byte offsets; end column is exclusive (SARIF convention).
  Range range_of(size_t begin, size_t end) const;
  // Byte offset of the start of a 1-based line.
  size_t line_start(uint32_t line) const;
  // Text of a 1-based line without its line terminator.
  std::string_view line_text(uint32_t line) const;
  // Byte offset of a 1-based (line, column) position.
  size_t offset_of(Position p) const;

 private:
  std::string path_;
  std::string content_;
  // Offsets as 32 bits: a file of newlines costs 4 bytes per byte here, not 8 (scan reads at
  // most 64 MiB per file; the constructor refuses content past 4 GiB).
  std::vector<uint32_t> line_starts_;
  // Column at every kColumnStride-th byte offset (index k-1 for offset k*stride), so columns
  // and offsets on a huge line cost O(stride), not O(line): a one-line file with many findings
  // stays linear.
  static constexpr size_t kColumnStride = 4096;
  std::vector<uint32_t> column_marks_;
  // The largest mark offset at or before `off` on the line starting at `line_start` (or
  // line_start itself) and the column there.
  std::pair<size_t, uint32_t> column_base(size_t line_start, size_t off) const;
};

using SourcePtr = std::shared_ptr<const SourceFile>;

class MappedText {
 public:
  // Appends text copied from the file at byte offset `file_off` (contiguous in the file).
  void append_from(std::string_view piece, size_t file_off);
  // Appends synthetic text (e.g. a joining space); maps to `file_off`.
  void append_synthetic(std::string_view piece, size_t file_off);
  const std::string& text() const { return text_; }
  // File byte offset for a position inside text() (pos may equal text().size()).
  size_t to_file(size_t pos) const;
  bool empty() const { return text_.empty(); }

 private:
  struct Seg {
    size_t text_off;
    size_t file_off;
    bool synthetic;
  };
  std::string text_;
  std::vector<Seg> segs_;
};

}  // namespace tocsin
