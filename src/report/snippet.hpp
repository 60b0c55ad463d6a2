// Bounded source snippets for the reporters: the part of a line to show for a finding's range
// (the range with some context either side, at most kSnippetMaxBytes, cut on code point
// boundaries), so one huge line never makes a huge report. Clipped sides are marked with "…".
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tocsin::report {

inline constexpr size_t kSnippetMaxBytes = 240;  // of the source line shown per finding
inline constexpr size_t kSnippetContext = 80;    // bytes kept before the range when clipping
inline constexpr std::string_view kClipMarker = "…";

struct LineWindow {
  size_t begin = 0;  // byte offsets of the shown part in the line
  size_t end = 0;
  bool clipped_left() const { return begin > 0; }
  bool clipped_right(std::string_view line) const { return end < line.size(); }
};

// Byte offset in `line` of a 1-based column (code points, counted as SourceFile::column_of
// does); the line's size when the column is past its end.
size_t byte_of_column(std::string_view line, uint32_t column);
// 1-based column of a byte offset in `line`.
uint32_t column_of_byte(std::string_view line, size_t offset);

// The window of `line` to show for the byte range [start, stop).
LineWindow snippet_window(std::string_view line, size_t start, size_t stop,
                          size_t max_bytes = kSnippetMaxBytes, size_t context = kSnippetContext);

// At most `max_bytes` of `text` (cut on a code point boundary), with kClipMarker appended
// when something was cut.
std::string clip(std::string_view text, size_t max_bytes = kSnippetMaxBytes);

}  // namespace tocsin::report
