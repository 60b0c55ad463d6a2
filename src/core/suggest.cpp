// Edit distance and the "did you mean" pick used by the CLI, the config and suppressions.
#include "core/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <set>

#include "core/rule_catalog.hpp"

namespace tocsin {

size_t edit_distance(std::string_view a, std::string_view b) {
  auto lc = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  // Optimal string alignment: three rows are enough for the neighbour swap.
  std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = lc(a[i - 1]) == lc(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && lc(a[i - 1]) == lc(b[j - 2]) && lc(a[i - 2]) == lc(b[j - 1]))
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.size()];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.empty()) return std::nullopt;
  const size_t limit = word.size() < 5 ? 1 : std::max<size_t>(2, word.size() / 3);
  size_t best = limit + 1;
  std::optional<std::string> pick;
  bool tie = false;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best) {
      best = d;
      pick = c;
      tie = false;
    } else if (d == best && pick && *pick != c) {
      tie = true;
    }
  }
  if (tie) return std::nullopt;
  return pick;
}

std::optional<std::string> closest_rule_id(std::string_view id) {
  // The same number with other zero padding (DF0001, df1) is the likeliest meaning; plain edit
  // distance would tie DF0001 between DF001 and DF000.
  if (id.size() > 2) {
    std::string fam(id.substr(0, 2));
    for (auto& c : fam) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string_view num = id.substr(2);
    if (num.size() <= 6 && num.find_first_not_of("0123456789") == std::string_view::npos) {
      auto candidate = fmt::format("{}{:03}", fam, std::stoi(std::string(num)));
      if (find_rule(candidate)) return candidate;
    }
  }
  std::vector<std::string> ids;
  std::set<std::string> families;
  for (const auto& r : rule_catalog()) {
    ids.push_back(r.id);
    families.insert(r.id.substr(0, 2));  // DF, DC, K8, SH, AU, RT
  }
  ids.insert(ids.end(), families.begin(), families.end());
  return closest_match(id, ids);
}

std::string did_you_mean(const std::optional<std::string>& s) {
  return s ? " (did you mean " + *s + "?)" : std::string();
}

}  // namespace tocsin
