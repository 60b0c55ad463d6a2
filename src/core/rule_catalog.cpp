// Parses the front matter of the embedded rule pages into RuleInfo records.
#include "core/rule_catalog.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "core/embedded_docs.hpp"

namespace tocsin {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

struct Parsed {
  std::vector<RuleInfo> rules;
  std::vector<std::string> problems;
};

Parsed parse_all() {
  Parsed p;
  for (size_t i = 0; i < kEmbeddedDocCount; ++i) {
    const auto& doc = kEmbeddedDocs[i];
    std::string_view text = doc.content;
    RuleInfo info;
    if (text.substr(0, 4) != "---\n") {
      p.problems.push_back(fmt::format("{}: missing front matter", doc.name));
      continue;
    }
    size_t end = text.find("\n---\n", 3);
    if (end == std::string_view::npos) {
      p.problems.push_back(fmt::format("{}: unterminated front matter", doc.name));
      continue;
    }
    std::string_view fm = text.substr(4, end - 4);
    info.body = std::string(text.substr(end + 5));
    size_t pos = 0;
    while (pos <= fm.size()) {
      size_t nl = fm.find('\n', pos);
      if (nl == std::string_view::npos) nl = fm.size();
      std::string_view line = fm.substr(pos, nl - pos);
      pos = nl + 1;
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      auto key = trim(line.substr(0, colon));
      auto val = trim(line.substr(colon + 1));
      if (key == "id") info.id = val;
      else if (key == "name") info.name = val;
      else if (key == "family") info.family = val;
      else if (key == "summary") info.summary = val;
      else if (key == "maturity") info.maturity = val;
      else if (key == "severity") {
        auto s = parse_severity(val);
        if (!s) p.problems.push_back(fmt::format("{}: unknown severity '{}'", doc.name, val));
        else info.severity = *s;
      } else if (key == "tags") {
        if (!val.empty() && val.front() == '[') val.remove_prefix(1);
        if (!val.empty() && val.back() == ']') val.remove_suffix(1);
        size_t q = 0;
        while (q <= val.size()) {
          size_t c = val.find(',', q);
          if (c == std::string_view::npos) c = val.size();
          auto t = trim(val.substr(q, c - q));
          if (!t.empty()) info.tags.emplace_back(t);
          q = c + 1;
        }
      }
    }
    if (info.maturity.empty()) info.maturity = "stable";
    if (info.id.empty() || info.name.empty() || info.summary.empty() || info.family.empty()) {
      p.problems.push_back(fmt::format("{}: front matter needs id, name, family, summary", doc.name));
      continue;
    }
    if (std::string_view(doc.name) != info.id + ".md")
      p.problems.push_back(fmt::format("{}: file name does not match id {}", doc.name, info.id));
    p.rules.push_back(std::move(info));
  }
  std::sort(p.rules.begin(), p.rules.end(),
            [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });
  for (size_t i = 1; i < p.rules.size(); ++i)
    if (p.rules[i].id == p.rules[i - 1].id)
      p.problems.push_back(fmt::format("duplicate rule id {}", p.rules[i].id));
  return p;
}

const Parsed& parsed() {
  static const Parsed p = parse_all();
  return p;
}

}  // namespace

const std::vector<RuleInfo>& rule_catalog() { return parsed().rules; }

const RuleInfo* find_rule(std::string_view id) {
  const auto& rules = rule_catalog();
  auto it = std::lower_bound(rules.begin(), rules.end(), id,
                             [](const RuleInfo& r, std::string_view i) { return r.id < i; });
  if (it != rules.end() && it->id == id) return &*it;
  return nullptr;
}

bool rule_or_family_known(std::string_view id) {
  if (find_rule(id)) return true;
  for (const auto& r : rule_catalog())
    if (r.id.rfind(id, 0) == 0) return true;
  return false;
}

std::vector<std::string> catalog_problems() { return parsed().problems; }

}  // namespace tocsin
