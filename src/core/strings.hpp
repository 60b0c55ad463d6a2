// Small string helpers every part uses, written once (they were copied into nine files, with
// two meanings of "base name"): keep domain knowledge out of here.
#pragma once
#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>

namespace tocsin {

// The text after the last '/' ("" for "dir/"; the whole text without a slash): the program name
// of an exe path or argv[0], a file's name. Paths that may end in '/' and mean the directory
// itself use dfa::base_name (iac/rules/dockerfile/dfa_util.hpp), which drops the slashes first.
inline std::string_view base_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// ASCII lower case (keywords, option names, header names); other bytes unchanged.
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Whether `s` is one of `list` (a program among names, a word among keywords).
inline bool one_of(std::string_view s, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace tocsin
