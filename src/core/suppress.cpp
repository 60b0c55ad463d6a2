// Parsing of `tocsin ignore=` pragmas and the suppression lookup.
#include "core/suppress.hpp"

#include <algorithm>
#include <cctype>

namespace tocsin {

std::optional<Pragma> parse_pragma(std::string_view c) {
  while (!c.empty() && (c.front() == '#' || c.front() == ' ' || c.front() == '\t' || c.front() == '/'))
    c.remove_prefix(1);
  constexpr std::string_view kTag = "tocsin";
  if (c.substr(0, kTag.size()) != kTag) return std::nullopt;
  c.remove_prefix(kTag.size());
  if (c.empty() || (c.front() != ' ' && c.front() != ':' && c.front() != '\t')) return std::nullopt;
  while (!c.empty() && (c.front() == ' ' || c.front() == ':' || c.front() == '\t')) c.remove_prefix(1);
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
