// Unit tests for the core: positions, mapped text, the rule catalogue.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/rule_catalog.hpp"
#include "core/source.hpp"

using namespace tocsin;
namespace fs = std::filesystem;

TEST(SourceFile, LinesAndColumnsAreOneBased) {
  SourceFile s("f", "ab\ncdé\r\nx");
  EXPECT_EQ(s.line_count(), 3u);
  EXPECT_EQ(s.line_of(0), 1u);
  EXPECT_EQ(s.column_of(0), 1u);
  EXPECT_EQ(s.line_of(3), 2u);
  EXPECT_EQ(s.column_of(4), 2u);
  // 'é' is two bytes but one column
  EXPECT_EQ(s.column_of(7), 4u);
  EXPECT_EQ(s.line_text(2), "cdé");
  EXPECT_EQ(s.line_text(3), "x");
  auto r = s.range_of(3, 7);
  EXPECT_EQ(r.line, 2u);
  EXPECT_EQ(r.column, 1u);
  EXPECT_EQ(r.end_line, 2u);
  EXPECT_EQ(r.end_column, 4u);
  EXPECT_EQ(s.offset_of({2, 4}), 7u);
}

TEST(SourceFile, LoneCarriageReturnEndsALineAndOffsetsAtEndAreValid) {
  SourceFile s("f", "a\rb");
  EXPECT_EQ(s.line_count(), 2u);
  EXPECT_EQ(s.line_of(3), 2u);
  EXPECT_EQ(s.column_of(3), 2u);
  SourceFile empty("e", "");
  EXPECT_EQ(empty.line_of(0), 1u);
  EXPECT_EQ(empty.line_text(1), "");
}

TEST(SourceFile, InvalidUtf8CountsEachByte) {
  SourceFile s("f", std::string("\xff\xfe" "a", 3));
  EXPECT_EQ(s.column_of(2), 3u);
}

TEST(MappedText, MapsJoinedPiecesBackToTheFile) {
  // "RUN a \\\n  b" joined as "a   b": piece "a " at 4, piece "  b" at 8
  MappedText m;
  m.append_from("a ", 4);
  m.append_from("  b", 8);
  EXPECT_EQ(m.text(), "a   b");
  EXPECT_EQ(m.to_file(0), 4u);
  EXPECT_EQ(m.to_file(1), 5u);
  EXPECT_EQ(m.to_file(4), 10u);
  m.append_synthetic(" ", 11);
  EXPECT_EQ(m.to_file(5), 11u);
}

TEST(Catalog, SeveritiesParseAndMap) {
  EXPECT_EQ(parse_severity("critical"), Severity::critical);
  EXPECT_FALSE(parse_severity("severe"));
  EXPECT_EQ(sarif_level(Severity::high), "error");
  EXPECT_EQ(sarif_level(Severity::medium), "warning");
  EXPECT_EQ(security_severity(Severity::critical), "9.5");
}
