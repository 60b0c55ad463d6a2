// Inline suppressions: `# tocsin ignore=DF001,DF003 reason` silences the listed rules on the
// next instruction/key; `# tocsin ignore-file=DF013 reason` silences them for the whole file.
// `all` stands for every rule. Parsers find the comments and say which lines they cover.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/source.hpp"

namespace tocsin {

struct Pragma {
  std::vector<std::string> rules;  // upper-case ids, or "all"
  bool file_wide = false;
  std::string reason;
};

// Parses the text of a comment (with or without the leading '#').
std::optional<Pragma> parse_pragma(std::string_view comment);

// A suppression comment that does nothing as written: `# tocsin ignore` with no `=IDS`, an
// unknown directive, or an id that names no rule or family (`ignore=DF999`).
struct PragmaProblem {
  uint32_t line = 0;
  std::string message;
};
// Checks every `# tocsin ...` comment of a file (whole-line or trailing) so that a pragma that
// silences nothing is reported instead of being ignored without a word.
std::vector<PragmaProblem> check_pragmas(const SourceFile& src);

class Suppressions {
 public:
  void add(const Pragma& p, uint32_t first_line, uint32_t last_line);
  bool suppressed(std::string_view rule, uint32_t line) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::vector<std::string> rules;
    bool file_wide;
    uint32_t first, last;
  };
  std::vector<Entry> entries_;
};

}  // namespace tocsin
