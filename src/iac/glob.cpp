// Iterative glob matcher with ** support (no recursion blow-up on hostile patterns).
#include "iac/glob.hpp"

#include <string>
#include <vector>

namespace tocsin {
namespace {

bool class_match(std::string_view pat, size_t& i, char c) {
  // pat[i] == '['; on return i points after ']'
  size_t j = i + 1;
  bool neg = false;
  if (j < pat.size() && (pat[j] == '!' || pat[j] == '^')) { neg = true; ++j; }
  bool matched = false;
  bool first = true;
  while (j < pat.size() && (first || pat[j] != ']')) {
    first = false;
    char lo = pat[j];
    if (j + 2 < pat.size() && pat[j + 1] == '-' && pat[j + 2] != ']') {
      if (c >= lo && c <= pat[j + 2]) matched = true;
      j += 3;
    } else {
      if (c == lo) matched = true;
      ++j;
    }
  }
  i = j < pat.size() ? j + 1 : j;
  return matched != neg;
}

// Recursive matcher; patterns come from the user's config and are short, and the path is
// bounded, so depth stays small. `*` does not cross '/', `**` does, "**/" also matches "".
bool match(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0;
  while (p < pat.size()) {
    char c = pat[p];
    if (c == '*') {
      bool deep = p + 1 < pat.size() && pat[p + 1] == '*';
      std::string_view rest = pat.substr(p + (deep ? 2 : 1));
      if (deep && !rest.empty() && rest.front() == '/') {
        if (match(rest.substr(1), s.substr(i))) return true;  // zero directories
      }
      for (size_t k = i; k <= s.size(); ++k) {
        if (match(rest, s.substr(k))) return true;
        if (k < s.size() && s[k] == '/' && !deep) break;
      }
      return false;
    }
    if (i >= s.size()) return false;
    if (c == '?') {
      if (s[i] == '/') return false;
      ++p; ++i;
      continue;
    }
    if (c == '[') {
      size_t q = p;
      if (s[i] == '/' || !class_match(pat, q, s[i])) return false;
      p = q; ++i;
      continue;
    }
    if (c != s[i]) return false;
    ++p; ++i;
  }
  return i == s.size();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return false;
  while (path.substr(0, 2) == "./") path.remove_prefix(2);
  while (pattern.substr(0, 2) == "./") pattern.remove_prefix(2);
  if (pattern.back() == '/') {
    // A directory pattern. As in .gitignore, `vendor/` (no other '/') matches a directory of
    // that name at any depth (`sub/vendor/x`); `/vendor/` and `a/vendor/` are anchored.
    std::string_view base = pattern.substr(0, pattern.size() - 1);
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    if (base.empty()) return false;
    std::string p;
    if (base.find('/') == std::string_view::npos) p = "**/";
    else if (base.front() == '/') base.remove_prefix(1);
    p += base;
    p += "/**";
    return match(p, path);
  }
  if (pattern.find('/') == std::string_view::npos) {
    // match any single component
    size_t start = 0;
    while (start <= path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string_view::npos) slash = path.size();
      if (match(pattern, path.substr(start, slash - start))) return true;
      start = slash + 1;
    }
    return false;
  }
  if (pattern.front() == '/') pattern.remove_prefix(1);
  if (match(pattern, path)) return true;
  // a pattern naming a directory also matches everything below it
  std::string deep(pattern);
  deep += "/**";
  return match(deep, path);
}

}  // namespace tocsin
