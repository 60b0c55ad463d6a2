// Terminal safety: the one function every text renderer passes input-derived strings through
// (file names, messages, source lines, audit argv/comm/paths), so that a scanned file or a
// container process cannot send escape sequences to the reader's terminal. Also the JSON
// counterpart: serialized JSON made terminal-safe with spec-valid \u escapes.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace tocsin {

struct SanitizeOptions {
  bool keep_tab = true;       // '\t' passes through (false: shown as \x09)
  bool keep_newline = false;  // '\n' passes through (false: shown as \x0a; a message is one line)
};

// What is escaped, visibly and unambiguously enough for a human:
// - C0 controls (0x00-0x1F, except the kept \t/\n), DEL, and every byte of an invalid UTF-8
//   sequence (stray continuation bytes, raw 0x80-0x9F, overlong forms, surrogates, code points
//   over U+10FFFF, truncated sequences) become `\xNN`;
// - valid UTF-8 that a terminal or an editor acts on becomes `\u{XXXX}`: C1 controls
//   (U+0080-U+009F), bidirectional embeddings, overrides and isolates (U+202A-U+202E,
//   U+2066-U+2069: "Trojan source"), and the line/paragraph separators U+2028/U+2029;
// - everything else (printable ASCII, valid UTF-8) is unchanged. Backslashes are not doubled:
//   the output is for reading, and sanitizing twice changes nothing.
std::string sanitize_for_terminal(std::string_view s, SanitizeOptions opt = {});
void append_for_terminal(std::string& out, std::string_view s, SanitizeOptions opt = {});
// True when sanitize_for_terminal(s, opt) == s.
bool is_terminal_safe(std::string_view s, SanitizeOptions opt = {});

// Columns a sanitized string takes: its code points (wide characters count one).
size_t display_columns(std::string_view sanitized);

// Serialized JSON (valid UTF-8, as nlohmann's dump with error_handler_t::replace writes it)
// made terminal-safe in place: raw DEL, C1 controls, bidi controls and U+2028/U+2029 become
// \u escapes. JSON allows any character to be escaped, and these bytes can only occur inside
// strings, so the document means the same.
void escape_json_for_terminal(std::string& json);

}  // namespace tocsin
