// Parsing of `tocsin ignore=` pragmas and the suppression lookup.
#include "iac/suppress.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

#include "core/rule_catalog.hpp"
#include "core/suggest.hpp"

namespace tocsin {

namespace {

// The text after `tocsin` in a comment that addresses tocsin (`# tocsin ...`, `// tocsin:`),
// or nullopt for any other comment.
std::optional<std::string_view> tocsin_directive(std::string_view c) {
  while (!c.empty() && (c.front() == '#' || c.front() == ' ' || c.front() == '\t' || c.front() == '/'))
    c.remove_prefix(1);
  constexpr std::string_view kTag = "tocsin";
  if (c.substr(0, kTag.size()) != kTag) return std::nullopt;
  c.remove_prefix(kTag.size());
  if (!c.empty() && c.front() != ' ' && c.front() != ':' && c.front() != '\t' && c.front() != '\r') return std::nullopt;
  while (!c.empty() && (c.front() == ' ' || c.front() == ':' || c.front() == '\t')) c.remove_prefix(1);
  while (!c.empty() && (c.back() == ' ' || c.back() == '\r')) c.remove_suffix(1);
  return c;
}

}  // namespace

std::optional<Pragma> parse_pragma(std::string_view comment) {
  auto directive = tocsin_directive(comment);
  if (!directive) return std::nullopt;
  std::string_view c = *directive;
  Pragma p;
  std::string_view list;
  if (c.substr(0, 12) == "ignore-file=") {
    p.file_wide = true;
    c.remove_prefix(12);
  } else if (c.substr(0, 7) == "ignore=") {
    c.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  size_t end = 0;
  while (end < c.size() && c[end] != ' ' && c[end] != '\t') ++end;
  list = c.substr(0, end);
  c.remove_prefix(end);
  while (!c.empty() && (c.front() == ' ' || c.front() == '\t')) c.remove_prefix(1);
  while (!c.empty() && (c.back() == ' ' || c.back() == '\r')) c.remove_suffix(1);
  p.reason = std::string(c);
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string id(list.substr(start, comma - start));
    std::transform(id.begin(), id.end(), id.begin(), [](unsigned char ch) { return std::toupper(ch); });
    if (id == "ALL") id = "all";
    if (!id.empty()) p.rules.push_back(std::move(id));
    start = comma + 1;
  }
  if (p.rules.empty()) return std::nullopt;
  return p;
}

std::vector<PragmaProblem> check_pragmas(const SourceFile& src) {
  std::vector<PragmaProblem> out;
  if (src.content().find("tocsin") == std::string_view::npos) return out;
  const auto lines = static_cast<uint32_t>(src.line_count());
  for (uint32_t ln = 1; ln <= lines; ++ln) {
    std::string_view line = src.line_text(ln);
    // Cheap pre-filter: most lines say nothing to tocsin.
    size_t t = line.find("tocsin");
    if (t == std::string_view::npos) continue;
    size_t hash = line.rfind('#', t);
    if (hash == std::string_view::npos) continue;
    // A whole-line comment, or a trailing one after whitespace (`key: v  # tocsin ...`).
    if (hash > 0 && line[hash - 1] != ' ' && line[hash - 1] != '\t') continue;
    auto d = tocsin_directive(line.substr(hash));
    if (!d) continue;
    std::string_view dir = *d;
    if (dir.empty()) continue;  // "# tocsin" alone: prose, not a directive
    std::string_view word = dir.substr(0, dir.find_first_of(" =\t"));
    if (word != "ignore" && word != "ignore-file") {
      // Only words that look like a directive are flagged: a comment *about* tocsin is prose.
      if (edit_distance(word, "ignore") <= 2 || edit_distance(word, "ignore-file") <= 2)
        out.push_back({ln, fmt::format("unknown suppression directive '{}' (use `# tocsin ignore=ID reason` "
                                       "or `# tocsin ignore-file=ID reason`)", word)});
      continue;
    }
    auto p = parse_pragma(line.substr(hash));
    if (!p) {
      out.push_back({ln, fmt::format("suppression `# tocsin {}` names no rule and silences nothing; write "
                                     "`# tocsin {}=ID[,ID] reason` (or `=all`)", word, word)});
      continue;
    }
    for (const auto& id : p->rules)
      if (id != "all" && !rule_or_family_known(id))
        out.push_back({ln, fmt::format("suppression names unknown rule '{}'{}; it silences nothing for it", id,
                                       did_you_mean(closest_rule_id(id)))});
  }
  return out;
}

void Suppressions::add(const Pragma& p, uint32_t first_line, uint32_t last_line) {
  entries_.push_back({p.rules, p.file_wide, first_line, last_line});
}

bool Suppressions::suppressed(std::string_view rule, uint32_t line) const {
  for (const auto& e : entries_) {
    if (!e.file_wide && (line < e.first || line > e.last)) continue;
    for (const auto& r : e.rules)
      if (r == "all" || r == rule) return true;
  }
  return false;
}

}  // namespace tocsin
