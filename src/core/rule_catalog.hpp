// The rule catalogue: every rule's metadata and documentation, read from the Markdown pages
// in docs/rules/ that are compiled into the binary (the single source for `tocsin rules`,
// `tocsin explain` and SARIF `rules[]`).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/severity.hpp"

namespace tocsin {

struct RuleInfo {
  std::string id;        // "DF001"
  std::string name;      // "copy-then-chmod" (describes the pattern)
  std::string family;    // dockerfile | compose | kubernetes | script | audit | runtime
  std::string summary;   // one line
  Severity severity = Severity::medium;  // default severity
  std::string maturity;  // stable | incubating
  std::vector<std::string> tags;
  std::string body;      // Markdown after the front matter
};

// All rules, sorted by id. Built once from the embedded docs.
const std::vector<RuleInfo>& rule_catalog();
const RuleInfo* find_rule(std::string_view id);
// A known rule id (DF001) or family prefix (DF); checked for --select/--ignore, the config and
// suppressions.
bool rule_or_family_known(std::string_view id);

// Problems with the embedded catalogue (bad front matter, duplicate ids); empty when sound.
std::vector<std::string> catalog_problems();

}  // namespace tocsin
