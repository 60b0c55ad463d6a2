// Terminal sanitizer: every control and invalid byte is escaped visibly, valid text passes.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "core/text_sanitize.hpp"

using namespace tocsin;
using namespace std::string_literals;

namespace {

// An independent check of the output: valid UTF-8, no C0 but \t, no DEL, no C1 or bidi
// control code point.
bool terminal_clean(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (t & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp <= 0x9F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) return false;
    i += len;
  }
  return true;
}

}  // namespace

TEST(Sanitize, PrintableAndValidUtf8PassUnchanged) {
  for (std::string s : {"plain ascii ~!@#$%^&*()", "tab\tkept", "Grüße, 日本語, emoji 🐳",
                        "back\\slash \\x1b stays literal", ""}) {
    EXPECT_EQ(sanitize_for_terminal(s), s);
    EXPECT_TRUE(is_terminal_safe(s));
  }
}

TEST(Sanitize, C0ControlsAndDelBecomeHexEscapes) {
  EXPECT_EQ(sanitize_for_terminal("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(sanitize_for_terminal("x\x1b]0;title\x07y"), "x\\x1b]0;title\\x07y");  // OSC
  EXPECT_EQ(sanitize_for_terminal("cr\rlf\nnul"s + '\0' + "del\x7f"), "cr\\x0dlf\\x0anul\\x00del\\x7f");
  EXPECT_FALSE(is_terminal_safe("a\x1b"));
  // Only what the caller keeps passes.
  EXPECT_EQ(sanitize_for_terminal("a\tb", {.keep_tab = false}), "a\\x09b");
  EXPECT_EQ(sanitize_for_terminal("a\nb", {.keep_tab = true, .keep_newline = true}), "a\nb");
  EXPECT_EQ(sanitize_for_terminal("a\rb", {.keep_tab = true, .keep_newline = true}), "a\\x0db");
}

TEST(Sanitize, C1ControlsAsUtf8AndAsRawBytes) {
  EXPECT_EQ(sanitize_for_terminal("\xc2\x9b" "2J"), "\\u{9b}2J");  // U+009B CSI, valid UTF-8
  EXPECT_EQ(sanitize_for_terminal("\xc2\x85"), "\\u{85}");
  EXPECT_EQ(sanitize_for_terminal("\x9b" "2J"), "\\x9b2J");        // raw 8-bit CSI
  EXPECT_EQ(sanitize_for_terminal("\xc2\xa0"), "\xc2\xa0");        // U+00A0 is printable
}

TEST(Sanitize, InvalidUtf8ByteByByte) {
  EXPECT_EQ(sanitize_for_terminal("\xc0\xaf"), "\\xc0\\xaf");          // overlong '/'
  EXPECT_EQ(sanitize_for_terminal("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");  // overlong, 3 bytes
  EXPECT_EQ(sanitize_for_terminal("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate U+D800
  EXPECT_EQ(sanitize_for_terminal("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // > U+10FFFF
  EXPECT_EQ(sanitize_for_terminal("ab\xe6\x97"), "ab\\xe6\\x97");     // truncated at the end
  EXPECT_EQ(sanitize_for_terminal("\xe6\x97x"), "\\xe6\\x97x");        // truncated mid-string
  EXPECT_EQ(sanitize_for_terminal("\xff\xfe"), "\\xff\\xfe");
  // Resynchronises: the valid character after a bad byte survives.
  EXPECT_EQ(sanitize_for_terminal("\x80\xe6\x97\xa5"), "\\x80\xe6\x97\xa5");
}

TEST(Sanitize, BidiControlsAndLineSeparators) {
  EXPECT_EQ(sanitize_for_terminal("if (x\xe2\x80\xae) {"), "if (x\\u{202e}) {");  // RLO
  EXPECT_EQ(sanitize_for_terminal("\xe2\x81\xa6" "a" "\xe2\x81\xa9"), "\\u{2066}a\\u{2069}");
  EXPECT_EQ(sanitize_for_terminal("a\xe2\x80\xa8" "b"), "a\\u{2028}b");
  EXPECT_EQ(sanitize_for_terminal("\xe2\x80\xa6"), "\xe2\x80\xa6");  // U+2026 … is fine
}

TEST(Sanitize, OutputIsAlwaysCleanAndIdempotent) {
  // Every byte value, alone and in pairs with every lead byte.
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (int lead : {0xC2, 0xE2, 0xED, 0xF0, 0xF4})
    for (int i = 0x70; i < 0xC0; ++i) {
      all += static_cast<char>(lead);
      all += static_cast<char>(i);
      all += 'x';
    }
  std::string once = sanitize_for_terminal(all);
  EXPECT_TRUE(terminal_clean(once));
  EXPECT_TRUE(is_terminal_safe(once));
  EXPECT_EQ(sanitize_for_terminal(once), once);
}

TEST(Sanitize, DisplayColumnsCountCodePoints) {
  EXPECT_EQ(display_columns("abc"), 3u);
  EXPECT_EQ(display_columns("é…"), 2u);
  EXPECT_EQ(display_columns(sanitize_for_terminal("\x1b")), 4u);
}
