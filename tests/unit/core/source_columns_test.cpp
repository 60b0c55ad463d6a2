// SourceFile columns on huge lines: the column marks give the same answers as counting from
// the line start, and a one-line file with many positions stays fast.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/source.hpp"

using namespace tocsin;

namespace {

uint32_t naive_column(std::string_view s, size_t line_start, size_t off) {
  uint32_t col = 1;
  for (size_t i = line_start; i < off; ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++col;
  return col;
}

}  // namespace

TEST(SourceColumns, MarksAgreeWithCountingOnLongMultibyteLines) {
  // Lines of mixed widths (1-4 byte characters, a stray continuation byte) across many marks.
  std::string text;
  for (int line = 0; line < 4; ++line) {
    for (int i = 0; i < 9000; ++i) text += (i % 7 == 0) ? "é" : (i % 11 == 0) ? "日" : (i % 13 == 0) ? "🐳" : "a";
    if (line == 1) text += "\x80\x80";
    text += line == 2 ? "\r\n" : "\n";
  }
  text += "short\n";
  SourceFile s("f", text);
  ASSERT_EQ(s.line_count(), 6u);
  for (uint32_t ln = 1; ln <= 5; ++ln) {
    size_t start = s.line_start(ln);
    std::string_view line = s.line_text(ln);
    for (size_t k = 0; k <= line.size(); k += 997) {
      size_t off = start + k;
      uint32_t want = naive_column(text, start, off);
      ASSERT_EQ(s.column_of(off), want) << "line " << ln << " byte " << k;
      // offset_of maps the column back: to `off` itself when a character starts there
      size_t back = s.offset_of({ln, want});
      if (k < line.size() && (static_cast<unsigned char>(text[off]) & 0xC0) != 0x80) {
        ASSERT_EQ(back, off) << "line " << ln << " byte " << k;
      }
      ASSERT_EQ(s.column_of(back), want);
    }
  }
}

TEST(SourceColumns, ManyPositionsOnOneHugeLineStayLinear) {
  std::string line(8u << 20, 'a');
  SourceFile s("f", "x\n" + line + "\n");
  auto t0 = std::chrono::steady_clock::now();
  uint64_t sum = 0;
  for (size_t off = 2; off < line.size(); off += 997) sum += s.column_of(off);  // ~8,400 lookups
  for (uint32_t col = 1; col < line.size(); col += 997) sum += s.offset_of({2, col});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GT(sum, 0u);
  // Counting from the line start each time would read ~70 GB; the marks make it ~70 MB.
  EXPECT_LT(secs, 2.0);
  EXPECT_EQ(s.column_of(2 + 5'000'000), 5'000'001u);
  EXPECT_EQ(s.offset_of({2, 5'000'001}), 2u + 5'000'000u);
}
