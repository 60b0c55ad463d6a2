// Edit application and a small line-based unified diff (LCS over the changed middle part).
#include "iac/fix.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tocsin::iac {

std::string apply_edits(const SourceFile& src, const std::vector<TextEdit>& edits, size_t* skipped) {
  struct Abs {
    size_t b, e;
    const std::string* text;
  };
  std::vector<Abs> abs;
  for (const auto& e : edits) {
    size_t b = src.offset_of({e.range.line, e.range.column});
    size_t en = src.offset_of({e.range.end_line, e.range.end_column});
    if (en < b) en = b;
    abs.push_back({b, en, &e.replacement});
  }
  std::stable_sort(abs.begin(), abs.end(), [](const Abs& a, const Abs& b) { return a.b < b.b; });
  std::string out;
  size_t pos = 0;
  size_t dropped = 0;
  auto content = src.content();
  for (const auto& a : abs) {
    if (a.b < pos) {
      ++dropped;
      continue;
    }
    out.append(content.substr(pos, a.b - pos));
    out.append(*a.text);
    pos = a.e;
  }
  out.append(content.substr(std::min(pos, content.size())));
  if (skipped) *skipped = dropped;
  return out;
}

namespace {

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> v;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size() - 1;
    v.push_back(s.substr(pos, nl - pos + 1));
    pos = nl + 1;
  }
  return v;
}

}  // namespace

std::string unified_diff(const std::string& path, std::string_view before, std::string_view after) {
  if (before == after) return {};
  auto a = split_lines(before);
  auto b = split_lines(after);
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  // LCS on the middle (bounded: fixes are small; fall back to replace-all beyond the bound)
  size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  struct Op {
    char kind;
    std::string_view line;
  };
  std::vector<Op> ops;
  if (n * m <= 4'000'000) {
    std::vector<std::vector<uint32_t>> dp(n + 1, std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        dp[i][j] = a[pre + i] == b[pre + j] ? dp[i + 1][j + 1] + 1 : std::max(dp[i + 1][j], dp[i][j + 1]);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) { ops.push_back({' ', a[pre + i]}); ++i; ++j; }
      else if (i < n && (j == m || dp[i + 1][j] >= dp[i][j + 1])) { ops.push_back({'-', a[pre + i]}); ++i; }
      else { ops.push_back({'+', b[pre + j]}); ++j; }
    }
  } else {
    for (size_t i = 0; i < n; ++i) ops.push_back({'-', a[pre + i]});
    for (size_t j = 0; j < m; ++j) ops.push_back({'+', b[pre + j]});
  }
  // Surround with up to 3 lines of context and emit one hunk (fixes are local).
  size_t ctx_before = std::min<size_t>(pre, 3);
  size_t ctx_after = std::min<size_t>(suf, 3);
  size_t a_start = pre - ctx_before, b_start = pre - ctx_before;
  size_t a_len = ctx_before + ctx_after, b_len = ctx_before + ctx_after;
  for (const auto& o : ops) {
    if (o.kind != '+') ++a_len;
    if (o.kind != '-') ++b_len;
  }
  std::string out = fmt::format("--- a/{}\n+++ b/{}\n@@ -{},{} +{},{} @@\n", path, path,
                                a_len ? a_start + 1 : a_start, a_len, b_len ? b_start + 1 : b_start, b_len);
  auto emit = [&](char k, std::string_view line) {
    out += k;
    out.append(line);
    if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
  };
  for (size_t i = a_start; i < pre; ++i) emit(' ', a[i]);
  for (const auto& o : ops) emit(o.kind, o.line);
  for (size_t i = 0; i < ctx_after; ++i) emit(' ', a[a.size() - suf + i]);
  return out;
}

}  // namespace tocsin::iac
