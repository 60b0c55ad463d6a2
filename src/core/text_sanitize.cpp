// Terminal-safe rendering of untrusted text (see text_sanitize.hpp for what is escaped).
#include "core/text_sanitize.hpp"

#include <array>
#include <cstdint>

namespace tocsin {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void put_byte_escape(std::string& out, unsigned char b) {
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 0xF];
}

void put_code_point_escape(std::string& out, uint32_t cp) {
  out += "\\u{";
  bool started = false;
  for (int shift = 20; shift >= 0; shift -= 4) {
    unsigned d = (cp >> shift) & 0xF;
    if (d == 0 && !started && shift > 0) continue;
    started = true;
    out += kHex[d];
  }
  out += '}';
}

// Code points that are valid UTF-8 but act on a terminal or on how text is displayed.
constexpr bool is_active_code_point(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

// Length of the valid UTF-8 sequence at s[i] (2-4) with its code point, or 0 when the bytes
// there are not one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
size_t utf8_sequence(std::string_view s, size_t i, uint32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // over U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char t = b(k);
    if (k == 1 ? (t < lo || t > hi) : (t < 0x80 || t > 0xBF)) return 0;
    cp = (cp << 6) | (t & 0x3F);
  }
  return len;
}

// Bytes that need a look: C0, DEL and everything non-ASCII.
constexpr std::array<bool, 256> kLook = [] {
  std::array<bool, 256> t{};
  for (int i = 0; i < 256; ++i) t[static_cast<size_t>(i)] = i < 0x20 || i >= 0x7F;
  return t;
}();

// Appends the sanitized form of `s` to *out, copying unchanged runs in one piece; with
// kCheckOnly, only answers whether anything needs escaping (false at the first such byte).
template <bool kCheckOnly>
bool walk(std::string_view s, SanitizeOptions opt, std::string* out) {
  size_t i = 0, run = 0;
  const size_t n = s.size();
  auto flush = [&](size_t upto) {
    if constexpr (!kCheckOnly) out->append(s.data() + run, upto - run);
  };
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (!kLook[c]) {
      ++i;
      continue;
    }
    if (c < 0x80) {
      if ((c == '\t' && opt.keep_tab) || (c == '\n' && opt.keep_newline)) {
        ++i;
        continue;
      }
      if constexpr (kCheckOnly) return false;
      flush(i);
      put_byte_escape(*out, c);
      run = ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t len = utf8_sequence(s, i, cp);
    if (len && !is_active_code_point(cp)) {
      i += len;
      continue;
    }
    if constexpr (kCheckOnly) return false;
    flush(i);
    if (len) {
      put_code_point_escape(*out, cp);
      i += len;
    } else {
      put_byte_escape(*out, c);  // one invalid byte; resynchronise on the next one
      ++i;
    }
    run = i;
  }
  flush(n);
  return true;
}

}  // namespace

void append_for_terminal(std::string& out, std::string_view s, SanitizeOptions opt) {
  walk<false>(s, opt, &out);
}

std::string sanitize_for_terminal(std::string_view s, SanitizeOptions opt) {
  std::string out;
  out.reserve(s.size());
  walk<false>(s, opt, &out);
  return out;
}

bool is_terminal_safe(std::string_view s, SanitizeOptions opt) { return walk<true>(s, opt, nullptr); }

size_t display_columns(std::string_view sanitized) {
  size_t n = 0;
  for (unsigned char c : sanitized)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

void escape_json_for_terminal(std::string& json) {
  // Fast path: none of the lead bytes of what is escaped (DEL, C2 for C1, E2 for the rest).
  size_t first = json.find_first_of("\x7f\xc2\xe2");
  if (first == std::string::npos) return;
  std::string out;
  out.reserve(json.size() + 16);
  out.append(json, 0, first);
  auto u_escape = [&](uint32_t cp) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
  };
  std::string_view s = json;
  size_t i = first;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0x7F) {
      u_escape(0x7F);
      ++i;
      continue;
    }
    if (c == 0xC2 || c == 0xE2) {
      uint32_t cp = 0;
      size_t len = utf8_sequence(s, i, cp);
      if (len && is_active_code_point(cp)) {
        u_escape(cp);
        i += len;
        continue;
      }
    }
    out += static_cast<char>(c);
    ++i;
  }
  json = std::move(out);
}

}  // namespace tocsin
