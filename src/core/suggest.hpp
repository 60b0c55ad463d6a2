// "Did you mean": the closest known word to a misspelt subcommand, flag or rule id.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin {

// Levenshtein distance (insert, delete, substitute; a swap of two neighbours counts once),
// case-insensitive.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible typo (distance at
// most 1 for short words, 2 from 5 characters, a third of the length for long ones); nullopt
// otherwise or on a tie between different candidates.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Closest rule id or family prefix (DF, DC, K8, SH, AU, RT...) to `id`, for messages.
std::optional<std::string> closest_rule_id(std::string_view id);

// " (did you mean X?)" or "" — for appending to an error or warning.
std::string did_you_mean(const std::optional<std::string>& s);

}  // namespace tocsin
