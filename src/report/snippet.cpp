// Snippet windows and clipping (see snippet.hpp).
#include "report/snippet.hpp"

#include <algorithm>

namespace tocsin::report {
namespace {

bool is_continuation(std::string_view s, size_t i) {
  return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
}

// Moves a cut back off UTF-8 continuation bytes (at most 3: a sequence is at most 4 bytes;
// an invalid run of continuation bytes is cut anywhere after that).
size_t back_to_boundary(std::string_view s, size_t i) {
  for (int k = 0; k < 3 && i > 0 && is_continuation(s, i); ++k) --i;
  return i;
}

}  // namespace

size_t byte_of_column(std::string_view line, uint32_t column) {
  uint32_t col = 1;
  size_t i = 0;
  while (i < line.size() && col < column) {
    ++i;
    while (i < line.size() && is_continuation(line, i)) ++i;
    ++col;
  }
  return i;
}

uint32_t column_of_byte(std::string_view line, size_t offset) {
  offset = std::min(offset, line.size());
  uint32_t col = 1;
  for (size_t i = 0; i < offset; ++i)
    if (!is_continuation(line, i)) ++col;
  return col;
}

LineWindow snippet_window(std::string_view line, size_t start, size_t stop, size_t max_bytes, size_t context) {
  start = std::min(start, line.size());
  stop = std::clamp(stop, start, line.size());
  LineWindow w{0, line.size()};
  if (line.size() <= max_bytes) return w;
  size_t e = std::min(stop, start + max_bytes);
  size_t room = max_bytes - (e - start);
  size_t left = std::min({start, context, room});
  w.begin = start - left;
  w.end = std::min(line.size(), e + (room - left));
  w.begin = back_to_boundary(line, w.begin);
  if (w.end < line.size()) w.end = back_to_boundary(line, w.end);
  if (w.end < w.begin) w.end = w.begin;
  return w;
}

std::string clip(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = back_to_boundary(text, max_bytes);
  std::string out(text.substr(0, cut));
  out += kClipMarker;
  return out;
}

}  // namespace tocsin::report
