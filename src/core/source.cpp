// Line index and offset→position mapping for source files and mapped text.
#include "core/source.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <tuple>

namespace tocsin {

bool finding_less(const Finding& a, const Finding& b) {
  return std::tie(a.file, a.range.line, a.range.column, a.rule, a.message) <
         std::tie(b.file, b.range.line, b.range.column, b.rule, b.message);
}

SourceFile::SourceFile(std::string path, std::string content)
    : path_(std::move(path)), content_(std::move(content)) {
  if (content_.size() > UINT32_MAX) throw std::length_error("SourceFile: content over 4 GiB");
  line_starts_.reserve(content_.size() / 32 + 2);
  line_starts_.push_back(0);
  const char* data = content_.data();
  const size_t n = content_.size();
  if (std::memchr(data, '\r', n) == nullptr) {
    // No carriage returns (the usual case): only '\n' ends lines, so jump between them.
    size_t i = 0;
    while (const void* nl = std::memchr(data + i, '\n', n - i)) {
      i = static_cast<size_t>(static_cast<const char*>(nl) - data) + 1;
      line_starts_.push_back(static_cast<uint32_t>(i));
    }
  } else {
    for (size_t i = 0; i < content_.size(); ++i) {
      char c = content_[i];
      if (c == '\n') {
        line_starts_.push_back(static_cast<uint32_t>(i + 1));
      } else if (c == '\r' && (i + 1 >= content_.size() || content_[i + 1] != '\n')) {
        line_starts_.push_back(static_cast<uint32_t>(i + 1));  // lone CR ends a line too
      }
    }
  }
  if (n < kColumnStride) return;
  column_marks_.reserve(n / kColumnStride);
  size_t prev = 0;
  uint32_t col = 1;
  for (size_t mark = kColumnStride; mark <= n; mark += kColumnStride) {
    // column_of(mark): from its line's start, or on from the previous mark on the same line.
    size_t start = line_starts_[line_of(mark) - 1];
    size_t from = prev;
    if (start > prev) {
      from = start;
      col = 1;
    }
    for (size_t i = from; i < mark; ++i)
      if ((static_cast<unsigned char>(data[i]) & 0xC0) != 0x80) ++col;
    column_marks_.push_back(col);
    prev = mark;
  }
}

std::pair<size_t, uint32_t> SourceFile::column_base(size_t line_start, size_t off) const {
  size_t k = off / kColumnStride;
  if (k == 0 || k > column_marks_.size() || k * kColumnStride <= line_start) return {line_start, 1};
  return {k * kColumnStride, column_marks_[k - 1]};
}

uint32_t SourceFile::line_of(size_t off) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
  return static_cast<uint32_t>(it - line_starts_.begin());
}

uint32_t SourceFile::column_of(size_t off) const {
  off = std::min(off, content_.size());
  auto [start, col] = column_base(line_starts_[line_of(off) - 1], off);
  for (size_t i = start; i < off; ++i) {
    auto b = static_cast<unsigned char>(content_[i]);
    if ((b & 0xC0) != 0x80) ++col;  // count lead bytes and ASCII, not continuation bytes
  }
  return col;
}

Range SourceFile::range_of(size_t begin, size_t end) const {
  if (end < begin) end = begin;
  auto b = position_of(begin);
  auto e = position_of(end);
  return {b.line, b.column, e.line, e.column};
}

size_t SourceFile::line_start(uint32_t line) const {
  if (line == 0) return 0;
  if (line > line_starts_.size()) return content_.size();
  return line_starts_[line - 1];
}

std::string_view SourceFile::line_text(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  size_t b = line_starts_[line - 1];
  size_t e = line < line_starts_.size() ? line_starts_[line] : content_.size();
  while (e > b && (content_[e - 1] == '\n' || content_[e - 1] == '\r')) --e;
  return std::string_view(content_).substr(b, e - b);
}

size_t SourceFile::offset_of(Position p) const {
  size_t off = line_start(p.line);
  auto text = line_text(p.line);
  uint32_t col = 1;
  size_t i = 0;
  if (text.size() >= kColumnStride && p.column > 1) {
    // Start from the last mark on this line whose column is not past the one asked for; a
    // mark inside a multi-byte character belongs to the character that starts after it.
    size_t lo = off / kColumnStride + 1, hi = (off + text.size()) / kColumnStride;
    hi = std::min(hi, column_marks_.size());
    size_t best = 0;
    while (lo <= hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (column_marks_[mid - 1] <= p.column) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best) {
      i = best * kColumnStride - off;
      col = column_marks_[best - 1];
      while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    }
  }
  while (i < text.size() && col < p.column) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    ++col;
  }
  return off + i;
}

void MappedText::append_from(std::string_view piece, size_t file_off) {
  if (piece.empty()) return;
  segs_.push_back({text_.size(), file_off, false});
  text_.append(piece);
}

void MappedText::append_synthetic(std::string_view piece, size_t file_off) {
  if (piece.empty()) return;
  segs_.push_back({text_.size(), file_off, true});
  text_.append(piece);
}

size_t MappedText::to_file(size_t pos) const {
  if (segs_.empty()) return 0;
  auto it = std::upper_bound(segs_.begin(), segs_.end(), pos,
                             [](size_t p, const Seg& s) { return p < s.text_off; });
  if (it == segs_.begin()) return segs_.front().file_off;
  const Seg& s = *(it - 1);
  if (s.synthetic) return s.file_off;
  return s.file_off + (pos - s.text_off);
}

}  // namespace tocsin
