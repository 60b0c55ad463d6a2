// Findings: what a rule reports, with exact ranges, related locations and optional fixes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/severity.hpp"

namespace tocsin {

struct Position {
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in code points
};

// end_column is exclusive: the column just after the last character (SARIF convention).
struct Range {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t end_line = 0;
  uint32_t end_column = 0;
};

struct Related {
  Range range;
  std::string message;
};

struct TextEdit {
  Range range;              // text replaced; an empty range inserts
  std::string replacement;
};

struct Fix {
  std::string description;
  std::vector<TextEdit> edits;
};

struct Finding {
  std::string rule;  // e.g. "DF001"
  Severity severity = Severity::medium;
  std::string file;  // path as given on the command line
  Range range;
  std::string message;
  std::vector<Related> related;
  std::optional<Fix> fix;
  // Why no automatic fix is offered, for rules that offer one when it is provably safe (shown by
  // `scan --diff` and in the JSON report); empty when there is a fix or the rule has none.
  std::string fix_refused;
};

// Orders findings by file, line, column, rule: the stable order of every report.
bool finding_less(const Finding& a, const Finding& b);

}  // namespace tocsin
