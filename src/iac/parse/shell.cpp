// POSIX shell splitter: a lexer that locates words (quotes, escapes, expansions) and a
// recursive-descent parser over lists, pipelines and compound commands that emits every
// simple command, including those inside command substitutions. Never executes anything.
#include "iac/parse/shell.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace tocsin::sh {
namespace {

constexpr int kMaxDepth = 256;

constexpr bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
constexpr bool is_meta(char c) {
  return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>' ||
         c == '\n';
}
// Characters a word copies as they are (outside quotes and expansions), as a table: this
// test runs once per byte of every word.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> t{};
  for (int i = 0; i < 256; ++i) {
    char c = static_cast<char>(i);
    t[static_cast<size_t>(i)] = !is_blank(c) && !is_meta(c) && c != '\\' && c != '\'' &&
                                c != '"' && c != '$' && c != '`';
  }
  return t;
}();
bool is_plain(char c) { return kPlain[static_cast<unsigned char>(c)]; }
bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

enum class Tok { End, Word, Op, Newline, Redir };

struct Token {
  Tok type = Tok::End;
  size_t begin = 0;
  size_t end = 0;
  std::string_view op;  // for Op / Redir: a literal or a slice of the parsed text
  Word word;       // for Word
  std::vector<std::pair<size_t, size_t>> subs;  // command substitutions inside the word
};

struct Ctx {
  Script& out;
  CommandFilter keep = nullptr;
  size_t max_commands = kMaxCommands;
  long last_done = -1;  // index of the last simple command completed (-1: dropped or none)
  bool abort = false;
};

// The word starting at `i` when it is the reserved word `kw` in command position: preceded,
// blanks aside, by the start of the construct, an operator or another reserved word, and
// followed by a blank, an operator or the end.
bool reserved_word_at(std::string_view s, size_t i, size_t begin, size_t end, std::string_view kw) {
  if (i + kw.size() > end || s.substr(i, kw.size()) != kw) return false;
  size_t after = i + kw.size();
  if (after < end && !is_blank(s[after]) && !is_meta(s[after])) return false;
  size_t b = i;
  while (b > begin && is_blank(s[b - 1])) --b;
  if (b == begin) return true;
  char p = s[b - 1];
  if (p == ';' || p == '&' || p == '|' || p == '(' || p == '\n' || p == '{') return true;
  size_t w = b;
  while (w > begin && !is_blank(s[w - 1]) && !is_meta(s[w - 1])) --w;
  std::string_view prev = s.substr(w, b - w);
  return prev == "then" || prev == "do" || prev == "else" || prev == "!" || prev == "{";
}

// Finds the end of a `$(`/`${`/backtick/`"` construct opened just before `i`. Returns the
// index of the closing character, or `end` when unterminated. Iterative: no recursion.
// Inside `$(...)`, a `case ... esac` is tracked ('c' on the stack) so that the `)` ending a
// case pattern does not close the substitution.
size_t find_close(std::string_view s, size_t i, size_t end, char open) {
  std::vector<char> stack{open};
  const size_t begin = i;
  while (i < end) {
    char c = s[i];
    char top = stack.back();
    if ((top == '(' || top == 'c') && (c == 'c' || c == 'e')) {
      if (c == 'c' && reserved_word_at(s, i, begin, end, "case")) {
        stack.push_back('c');
        i += 4;
        continue;
      }
      if (c == 'e' && top == 'c' && reserved_word_at(s, i, begin, end, "esac")) {
        stack.pop_back();
        i += 4;
        continue;
      }
    }
    if (top == 'c') {
      // A case body: quoting and substitutions as in `$(`; a `)` ends a pattern, `(` may open
      // one; neither changes the nesting.
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '\'') {
        size_t q = s.find('\'', i + 1);
        i = (q == std::string_view::npos || q >= end) ? end : q + 1;
        continue;
      }
      if (c == '"' || c == '`') {
        stack.push_back(c);
      } else if (c == '$' && i + 1 < end && (s[i + 1] == '(' || s[i + 1] == '{')) {
        stack.push_back(s[i + 1]);
        ++i;
      }
      ++i;
      continue;
    }
    if (top == '"') {
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '"') {
        stack.pop_back();
      } else if (c == '$' && i + 1 < end && s[i + 1] == '(') {
        stack.push_back('(');
        ++i;
      } else if (c == '$' && i + 1 < end && s[i + 1] == '{') {
        stack.push_back('{');
        ++i;
      } else if (c == '`') {
        stack.push_back('`');
      }
    } else if (top == '`') {
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '`') stack.pop_back();
    } else {
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '\'') {
        size_t q = s.find('\'', i + 1);
        i = (q == std::string_view::npos || q >= end) ? end : q + 1;
        continue;
      }
      if (c == '"') {
        stack.push_back('"');
      } else if (c == '`') {
        stack.push_back('`');
      } else if (c == '$' && i + 1 < end && (s[i + 1] == '(' || s[i + 1] == '{')) {
        stack.push_back(s[i + 1]);
        ++i;
      } else if (c == '(' && top == '(') {
        stack.push_back('(');
      } else if (c == ')' && top == '(') {
        stack.pop_back();
      } else if (c == '{' && top == '{') {
        stack.push_back('{');
      } else if (c == '}' && top == '{') {
        stack.pop_back();
      }
    }
    if (stack.empty()) return i;
    ++i;
  }
  return end;
}

class Parser {
 public:
  Parser(std::string_view s, size_t begin, size_t end, int depth, Ctx& ctx)
      : s_(s), pos_(begin), end_(end), depth_(depth), ctx_(ctx) {}

  void parse_all() {
    while (!ctx_.abort) {
      parse_list({}, false);
      if (ctx_.abort) break;  // a limit was reached: the rest is not "unexpected"
      const Token& t = peek();
      if (t.type == Tok::End) break;
      error("unexpected '" + token_text(t) + "'");
      consume();
    }
    finish_heredocs_at_end();
  }

 private:
  // ---- lexer -------------------------------------------------------------------------------
  void error(std::string msg) {
    if (ctx_.out.errors.size() < 64) ctx_.out.errors.push_back(std::move(msg));
  }

  std::string token_text(const Token& t) const {
    if (t.type == Tok::Word) return t.word.raw;
    if (t.type == Tok::Newline) return "newline";
    return std::string(t.op);
  }

  size_t skip_blanks(size_t i) const {
    while (i < end_) {
      char c = s_[i];
      if (is_blank(c)) {
        ++i;
      } else if (c == '\\' && i + 1 < end_ && s_[i + 1] == '\n') {
        i += 2;
      } else if (c == '\\' && i + 2 < end_ && s_[i + 1] == '\r' && s_[i + 2] == '\n') {
        i += 3;
      } else if (c == '#') {
        while (i < end_ && s_[i] != '\n') ++i;
      } else {
        break;
      }
    }
    return i;
  }

  const Token& peek() {
    if (cache_valid_ && cache_pos_ == pos_) return cache_;
    cache_ = scan(pos_);
    cache_pos_ = pos_;
    cache_valid_ = true;
    return cache_;
  }

  Token scan(size_t at) {
    Token t;
    size_t i = skip_blanks(at);
    t.begin = i;
    if (i >= end_) {
      t.type = Tok::End;
      t.end = end_;
      return t;
    }
    char c = s_[i];
    auto rest_starts = [&](std::string_view p) {
      return i + p.size() <= end_ && s_.substr(i, p.size()) == p;
    };
    if (c == '\n') {
      t.type = Tok::Newline;
      t.end = i + 1;
      return t;
    }
    // Every operator and redirection starts with a metacharacter or an fd number.
    if (!is_meta(c) && !std::isdigit(static_cast<unsigned char>(c))) {
      scan_word(i, t);
      return t;
    }
    // Redirections, with an optional file descriptor number.
    size_t d = i;
    while (d < end_ && std::isdigit(static_cast<unsigned char>(s_[d]))) ++d;
    if (d < end_ && (s_[d] == '<' || s_[d] == '>') && !(d + 1 < end_ && s_[d + 1] == '(')) {
      static constexpr std::array<std::string_view, 10> kRedirs = {
          "<<<", "<<-", "<<", "<>", "<&", "<", ">>", ">&", ">|", ">"};
      for (auto r : kRedirs) {
        if (d + r.size() <= end_ && s_.substr(d, r.size()) == r) {
          t.type = Tok::Redir;
          t.end = d + r.size();
          t.op = s_.substr(i, t.end - i);
          return t;
        }
      }
    }
    if (rest_starts("&>>") || rest_starts("&>")) {
      t.type = Tok::Redir;
      t.end = i + (rest_starts("&>>") ? 3 : 2);
      t.op = s_.substr(i, t.end - i);
      return t;
    }
    // The control operators, longest first (";;&", ";;", ";&", "&&", "||", "|&", and the single
    // characters), by their first character: this runs once per operator of every script.
    auto next_is = [&](char x) { return i + 1 < end_ && s_[i + 1] == x; };
    size_t len = 0;
    switch (c) {
      case ';':
        len = next_is(';') ? (i + 2 < end_ && s_[i + 2] == '&' ? 3 : 2) : next_is('&') ? 2 : 1;
        break;
      case '&':
        len = next_is('&') ? 2 : 1;
        break;
      case '|':
        len = next_is('|') || next_is('&') ? 2 : 1;
        break;
      case '(':
      case ')':
        len = 1;
        break;
      default:
        break;  // `<(`/`>(` (process substitution) and fd digits not before a redirection
    }
    if (len) {
      t.type = Tok::Op;
      t.end = i + len;
      t.op = s_.substr(i, len);
      return t;
    }
    scan_word(i, t);
    return t;
  }

  void add_sub(Token& t, size_t b, size_t e) { t.subs.emplace_back(b, e); }

  // `$...` at i (s_[i] == '$'); appends to text, returns the index after it.
  size_t scan_dollar(size_t i, Token& t, std::string& text) {
    size_t n = end_;
    if (i + 1 >= n) {
      text += '$';
      return i + 1;
    }
    char c = s_[i + 1];
    if (c == '(') {
      t.word.has_expansion = true;
      if (i + 2 < n && s_[i + 2] == '(') {
        // Arithmetic: find the matching "))".
        size_t close = find_close(s_, i + 2, n, '(');
        size_t e = close < n ? close + 1 : n;
        if (close >= n) error("unterminated $((");
        text.append(s_.substr(i, e - i));
        return e;
      }
      size_t close = find_close(s_, i + 2, n, '(');
      if (close >= n) error("unterminated $(");
      add_sub(t, i + 2, std::min(close, n));
      size_t e = close < n ? close + 1 : n;
      text.append(s_.substr(i, e - i));
      return e;
    }
    if (c == '{') {
      t.word.has_expansion = true;
      size_t close = find_close(s_, i + 2, n, '{');
      if (close >= n) error("unterminated ${");
      size_t e = close < n ? close + 1 : n;
      text.append(s_.substr(i, e - i));
      return e;
    }
    if (is_name_start(c)) {
      t.word.has_expansion = true;
      size_t e = i + 1;
      while (e < n && is_name_char(s_[e])) ++e;
      text.append(s_.substr(i, e - i));
      return e;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '@' || c == '*' || c == '#' ||
        c == '?' || c == '-' || c == '$' || c == '!') {
      t.word.has_expansion = true;
      text.append(s_.substr(i, 2));
      return i + 2;
    }
    text += '$';
    return i + 1;
  }

  size_t scan_backtick(size_t i, Token& t, std::string& text) {
    t.word.has_expansion = true;
    size_t close = find_close(s_, i + 1, end_, '`');
    if (close >= end_) error("unterminated backtick");
    add_sub(t, i + 1, std::min(close, end_));
    size_t e = close < end_ ? close + 1 : end_;
    text.append(s_.substr(i, e - i));
    return e;
  }

  void scan_word(size_t i, Token& t) {
    t.type = Tok::Word;
    std::string& text = t.word.text;
    const size_t n = end_;
    while (i < n) {
      char c = s_[i];
      if (is_blank(c) || c == '\n') break;
      if (is_meta(c)) {
        // Process substitution `<(...)` / `>(...)` at word start is part of the word.
        if ((c == '<' || c == '>') && i + 1 < n && s_[i + 1] == '(' && i == t.begin) {
          t.word.has_expansion = true;
          size_t close = find_close(s_, i + 2, n, '(');
          add_sub(t, i + 2, std::min(close, n));
          size_t e = close < n ? close + 1 : n;
          text.append(s_.substr(i, e - i));
          i = e;
          continue;
        }
        break;
      }
      if (c == '\\') {
        if (i + 1 >= n) {
          text += c;
          ++i;
        } else if (s_[i + 1] == '\n') {
          i += 2;
        } else {
          t.word.quoted = true;
          text += s_[i + 1];
          i += 2;
        }
      } else if (c == '\'') {
        t.word.quoted = true;
        size_t q = s_.find('\'', i + 1);
        if (q == std::string_view::npos || q >= n) {
          error("unterminated single quote");
          q = n;
        }
        text.append(s_.substr(i + 1, q - i - 1));
        i = q < n ? q + 1 : n;
      } else if (c == '$' && i + 1 < n && s_[i + 1] == '\'') {
        // ANSI-C quoting: backslash escapes are kept as written.
        t.word.quoted = true;
        size_t q = i + 2;
        while (q < n && s_[q] != '\'') q += (s_[q] == '\\') ? 2 : 1;
        if (q >= n) {
          error("unterminated $' quote");
          q = n;
        }
        text.append(s_.substr(i + 2, q - i - 2));
        i = q < n ? q + 1 : n;
      } else if (c == '"') {
        t.word.quoted = true;
        ++i;
        bool closed = false;
        while (i < n) {
          char d = s_[i];
          if (d == '"') {
            closed = true;
            ++i;
            break;
          }
          if (d == '\\' && i + 1 < n) {
            char e = s_[i + 1];
            if (e == '\n') {
              i += 2;
            } else if (e == '$' || e == '`' || e == '"' || e == '\\') {
              text += e;
              i += 2;
            } else {
              text += d;
              ++i;
            }
          } else if (d == '$') {
            i = scan_dollar(i, t, text);
          } else if (d == '`') {
            i = scan_backtick(i, t, text);
          } else {
            size_t j = i + 1;
            while (j < n && s_[j] != '"' && s_[j] != '\\' && s_[j] != '$' && s_[j] != '`') ++j;
            text.append(s_.data() + i, j - i);
            i = j;
          }
        }
        if (!closed) error("unterminated double quote");
      } else if (c == '$') {
        i = scan_dollar(i, t, text);
      } else if (c == '`') {
        i = scan_backtick(i, t, text);
      } else {
        size_t j = i + 1;
        while (j < n && is_plain(s_[j])) ++j;
        text.append(s_.data() + i, j - i);
        i = j;
      }
    }
    t.end = i;
    t.word.begin = t.begin;
    t.word.end = i;
    t.word.raw.assign(s_.data() + t.begin, i - t.begin);
  }

  // Moves the current token out of the cache and advances past it (consume() without a copy).
  Token take() {
    peek();
    Token t = std::move(cache_);
    pos_ = t.end;
    cache_valid_ = false;
    if (t.type == Tok::Newline && !pending_.empty()) skip_heredoc_bodies();
    return t;
  }

  void consume() {
    const Token& t = peek();
    pos_ = t.end;
    bool newline = t.type == Tok::Newline;
    cache_valid_ = false;
    if (newline && !pending_.empty()) skip_heredoc_bodies();
  }

  void skip_heredoc_bodies() {
    for (const auto& h : pending_) {
      bool found = false;
      while (pos_ < end_) {
        size_t nl = s_.find('\n', pos_);
        if (nl == std::string_view::npos || nl > end_) nl = end_;
        std::string_view line = s_.substr(pos_, nl - pos_);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (h.second) {
          while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
        }
        pos_ = nl < end_ ? nl + 1 : end_;
        if (line == h.first) {
          found = true;
          break;
        }
      }
      if (!found) error("unterminated here-document (no line \"" + h.first + "\")");
    }
    pending_.clear();
    cache_valid_ = false;
  }

  void finish_heredocs_at_end() { pending_.clear(); }

  // ---- parser ------------------------------------------------------------------------------
  struct Stops {
    std::vector<std::string_view> words;
    bool paren = false;   // `)` ends the list
    bool case_item = false;  // `;;`, `;&`, `;;&` end the list
  };

  static bool is_reserved(std::string_view w) {
    static constexpr std::array<std::string_view, 16> kReserved = {
        "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until",
        "for", "in", "{", "}", "!"};
    return std::find(kReserved.begin(), kReserved.end(), w) != kReserved.end();
  }

  // then/else/elif/fi/do/done/esac/}: a word that may end the list being parsed. (Compared as
  // string_views: the length is checked before any byte.)
  static bool closes_construct(std::string_view w) {
    return w.size() <= 4 && (w == "then" || w == "else" || w == "elif" || w == "fi" || w == "do" ||
                             w == "done" || w == "esac" || w == "}");
  }

  bool is_keyword(const Token& t, std::string_view kw) {
    return t.type == Tok::Word && !t.word.quoted && t.word.raw == kw;
  }

  bool at_stop(const Stops& st) {
    const Token& t = peek();
    if (t.type == Tok::End) return true;
    if (t.type == Tok::Op) {
      if (st.paren && t.op == ")") return true;
      if (st.case_item && (t.op == ";;" || t.op == ";&" || t.op == ";;&")) return true;
      return false;
    }
    if (t.type == Tok::Word && !t.word.quoted) {
      for (auto w : st.words) {
        if (t.word.raw == w) return true;
      }
    }
    return false;
  }

  void skip_newlines() {
    while (!ctx_.abort && peek().type == Tok::Newline) consume();
  }

  bool expect_word(std::string_view kw) {
    skip_newlines();
    if (is_keyword(peek(), kw)) {
      consume();
      return true;
    }
    error("expected '" + std::string(kw) + "'");
    return false;
  }

  void set_next(Op op) {
    if (ctx_.last_done >= 0) ctx_.out.commands[static_cast<size_t>(ctx_.last_done)].next = op;
  }

  bool enter() {
    if (depth_ + 1 > kMaxDepth) {
      error("nesting deeper than 256 levels");
      ctx_.abort = true;
      return false;
    }
    ++depth_;
    return true;
  }
  void leave() { --depth_; }

  void parse_list(const Stops& st, bool /*unused*/) {
    while (!ctx_.abort) {
      skip_newlines();
      if (at_stop(st)) return;
      const Token& t = peek();
      if (t.type == Tok::Op && t.op != "(") {
        if (t.op == ")" || t.op == ";;" || t.op == ";&" || t.op == ";;&") return;
        error("unexpected '" + std::string(t.op) + "'");
        consume();
        continue;
      }
      if (t.type == Tok::Word && !t.word.quoted && closes_construct(t.word.raw))
        return;  // the caller decides whether this closes its construct
      size_t before = pos_;
      parse_and_or();
      const Token& sep = peek();
      if (sep.type == Tok::Op && (sep.op == ";" || sep.op == "&")) {
        set_next(sep.op == ";" ? Op::Seq : Op::Background);
        consume();
      } else if (sep.type == Tok::Newline) {
        set_next(Op::Seq);
        consume();
      } else if (pos_ == before) {
        // No progress: drop the token so garbage cannot loop forever.
        if (sep.type == Tok::End) return;
        if (at_stop(st)) return;
        error("unexpected '" + token_text(sep) + "'");
        consume();
      }
    }
  }

  void parse_and_or() {
    parse_pipeline();
    int saved = cond_;
    while (!ctx_.abort) {
      const Token& t = peek();
      if (t.type != Tok::Op || (t.op != "&&" && t.op != "||")) break;
      set_next(t.op == "&&" ? Op::And : Op::Or);
      consume();
      skip_newlines();
      cond_ = saved + 1;
      parse_pipeline();
    }
    cond_ = saved;
  }

  void parse_pipeline() {
    if (is_keyword(peek(), "!")) consume();
    parse_command();
    while (!ctx_.abort) {
      const Token& t = peek();
      if (t.type != Tok::Op || (t.op != "|" && t.op != "|&")) break;
      set_next(Op::Pipe);
      consume();
      skip_newlines();
      pipe_pending_ = true;
      parse_command();
    }
    pipe_pending_ = false;
  }

  void skip_redirects_after_compound() {
    while (!ctx_.abort && peek().type == Tok::Redir) {
      Token r = take();
      if (peek().type == Tok::Word) {
        Token w = take();
        if (r.op.find("<<") != std::string_view::npos &&
            r.op.find("<<<") == std::string_view::npos) {
          add_heredoc(r.op, w.word);
        }
      }
    }
  }

  void add_heredoc(std::string_view op, const Word& w) {
    pending_.emplace_back(w.text, op.size() >= 3 && op.substr(op.size() - 3) == "<<-");
  }

  void parse_body(const Stops& st) {
    if (!enter()) return;
    parse_list(st, false);
    leave();
  }

  void parse_command() {
    if (ctx_.abort) return;
    const Token& t = peek();
    if (t.type == Tok::Op && t.op == "(") {
      // `(( arithmetic ))` or a subshell.
      // `((` that does not end in `))` is two subshells (`((a) || b)`), as in bash and dash.
      size_t close = t.end < end_ && s_[t.end] == '(' ? find_close(s_, t.end + 1, end_, '(') : end_;
      if (close < end_ && close + 1 < end_ && s_[close + 1] == ')') {
        pos_ = close + 2;
        cache_valid_ = false;
        skip_redirects_after_compound();
        return;
      }
      if (t.end < end_ && s_[t.end] == '(' && close >= end_) {
        error("unterminated (( arithmetic");
        pos_ = end_;
        cache_valid_ = false;
        return;
      }
      consume();
      Stops st;
      st.paren = true;
      parse_body(st);
      if (peek().type == Tok::Op && peek().op == ")") {
        consume();
      } else if (!ctx_.abort) {
        error("unterminated subshell: expected ')'");
      }
      skip_redirects_after_compound();
      return;
    }
    if (t.type == Tok::Word && !t.word.quoted && t.word.raw.size() <= 8) {
      const std::string_view w = t.word.raw;
      if (w == "if") return parse_if();
      if (w == "while" || w == "until") return parse_while();
      if (w == "for" || w == "select") return parse_for();
      if (w == "case") return parse_case();
      if (w == "{") {
        consume();
        Stops st;
        st.words = {"}"};
        parse_body(st);
        expect_word("}");
        skip_redirects_after_compound();
        return;
      }
      if (w == "function") {
        consume();
        if (peek().type == Tok::Word) consume();
        if (peek().type == Tok::Op && peek().op == "(") {
          consume();
          if (peek().type == Tok::Op && peek().op == ")") consume();
        }
        skip_newlines();
        if (!enter()) return;
        parse_command();
        leave();
        return;
      }
    }
    if (t.type == Tok::Word && !t.word.quoted) {
      // `name() body`: the next two tokens are the operators `(` and `)` exactly when the
      // next non-blank characters are, so look at characters instead of scanning tokens.
      const std::string& w = t.word.raw;
      if (is_name_start(w.empty() ? ' ' : w[0]) && t.subs.empty()) {
        size_t open = skip_blanks(t.end);
        if (open < end_ && s_[open] == '(') {
          size_t close = skip_blanks(open + 1);
          if (close < end_ && s_[close] == ')') {
            pos_ = close + 1;
            cache_valid_ = false;
            skip_newlines();
            if (!enter()) return;
            parse_command();
            leave();
            return;
          }
        }
      }
    }
    parse_simple();
  }

  void parse_if() {
    consume();  // if
    if (!enter()) return;
    ++cond_;
    parse_list({{"then"}, false, false}, false);
    --cond_;
    expect_word("then");
    parse_list({{"elif", "else", "fi"}, false, false}, false);
    while (!ctx_.abort) {
      skip_newlines();
      if (is_keyword(peek(), "elif")) {
        consume();
        ++cond_;
        parse_list({{"then"}, false, false}, false);
        --cond_;
        expect_word("then");
        parse_list({{"elif", "else", "fi"}, false, false}, false);
      } else if (is_keyword(peek(), "else")) {
        consume();
        parse_list({{"fi"}, false, false}, false);
      } else {
        break;
      }
    }
    leave();
    expect_word("fi");
    skip_redirects_after_compound();
  }

  void parse_while() {
    consume();
    if (!enter()) return;
    ++cond_;
    parse_list({{"do"}, false, false}, false);
    --cond_;
    expect_word("do");
    parse_list({{"done"}, false, false}, false);
    leave();
    expect_word("done");
    skip_redirects_after_compound();
  }

  void parse_for() {
    consume();  // for / select
    if (peek().type == Tok::Op && peek().op == "(" && peek().end < end_ &&
        s_[peek().end] == '(') {
      size_t close = find_close(s_, peek().end + 1, end_, '(');
      size_t e = close < end_ ? close + 1 : end_;
      if (e < end_ && s_[e] == ')') ++e;
      pos_ = e;
      cache_valid_ = false;
    } else if (peek().type == Tok::Word) {
      consume();  // the variable name
    }
    skip_newlines();
    if (is_keyword(peek(), "in")) {
      consume();
      while (!ctx_.abort && peek().type == Tok::Word) {
        Token w = take();
        parse_subs(w);
      }
    }
    if (peek().type == Tok::Op && peek().op == ";") consume();
    skip_newlines();
    if (!expect_word("do")) return;
    if (!enter()) return;
    parse_list({{"done"}, false, false}, false);
    leave();
    expect_word("done");
    skip_redirects_after_compound();
  }

  void parse_case() {
    consume();  // case
    if (peek().type == Tok::Word) {
      Token w = take();
      parse_subs(w);
    }
    skip_newlines();
    if (!expect_word("in")) return;
    if (!enter()) return;
    while (!ctx_.abort) {
      skip_newlines();
      const Token& t = peek();
      if (t.type == Tok::End) {
        error("unterminated case: expected 'esac'");
        break;
      }
      if (is_keyword(t, "esac")) break;
      size_t before = pos_;
      if (t.type == Tok::Op && t.op == "(") consume();
      // Pattern words separated by `|` up to `)`.
      while (!ctx_.abort) {
        const Token& p = peek();
        if (p.type == Tok::Word || (p.type == Tok::Op && p.op == "|")) {
          consume();
          continue;
        }
        break;
      }
      if (peek().type == Tok::Op && peek().op == ")") {
        consume();
      } else {
        error("expected ')' after a case pattern");
      }
      Stops st;
      st.words = {"esac"};
      st.case_item = true;
      parse_list(st, false);
      const Token& sep = peek();
      if (sep.type == Tok::Op && (sep.op == ";;" || sep.op == ";&" || sep.op == ";;&")) consume();
      if (pos_ == before) {
        if (peek().type == Tok::End) break;
        consume();
      }
    }
    leave();
    expect_word("esac");
    skip_redirects_after_compound();
  }

  // Parses the command substitutions of a word as nested commands.
  void parse_subs(const Token& t) {
    for (const auto& [b, e] : t.subs) {
      if (ctx_.abort) return;
      if (depth_ + 1 > kMaxDepth) {
        error("nesting deeper than 256 levels");
        ctx_.abort = true;
        return;
      }
      Parser sub(s_, b, e, depth_ + 1, ctx_);
      sub.cond_ = cond_;
      sub.parse_all_nested();
    }
  }

  void parse_all_nested() {
    while (!ctx_.abort) {
      parse_list({}, false);
      if (ctx_.abort) break;
      const Token& t = peek();
      if (t.type == Tok::End) break;
      error("unexpected '" + token_text(t) + "'");
      consume();
    }
  }

  static bool is_assignment(const Word& w) {
    const std::string& r = w.raw;
    if (r.empty() || !is_name_start(r[0])) return false;
    size_t i = 1;
    while (i < r.size() && is_name_char(r[i])) ++i;
    if (i < r.size() && r[i] == '+') ++i;
    return i < r.size() && r[i] == '=';
  }

  void parse_simple() {
    size_t slot = ctx_.out.commands.size();
    ctx_.out.commands.emplace_back();
    bool have_tokens = false;
    size_t begin = peek().begin;
    size_t end = begin;
    // The words' buffer of the last dropped command, reused: a filtered parse allocates it once.
    std::vector<Word> words = std::move(spare_words_);
    words.clear();
    std::vector<Redirect> redirects;
    std::vector<Word> assignments;
    bool dbracket = false;
    while (!ctx_.abort) {
      const Token& t = peek();
      if (t.type == Tok::Word) {
        if (dbracket && std::string_view(t.word.raw) == "]]" && !t.word.quoted) dbracket = false;
        Token w = take();
        end = w.end;
        have_tokens = true;
        // The word's substitutions are parsed before the word is moved out of the token.
        parse_subs(w);
        if (words.empty() && is_assignment(w.word)) {
          assignments.push_back(std::move(w.word));
        } else {
          if (words.empty() && std::string_view(w.word.raw) == "[[" && !w.word.quoted) dbracket = true;
          words.push_back(std::move(w.word));
        }
        continue;
      }
      if (t.type == Tok::Redir) {
        Token r = take();
        have_tokens = true;
        end = r.end;
        Redirect rd;
        rd.op = std::string(r.op);
        if (dbracket) {
          Word w;
          w.text = r.op;
          w.raw = r.op;
          w.begin = r.begin;
          w.end = r.end;
          words.push_back(std::move(w));
          continue;
        }
        if (peek().type == Tok::Word) {
          Token w = take();
          end = w.end;
          if (r.op.find("<<") != std::string_view::npos &&
              r.op.find("<<<") == std::string_view::npos) {
            add_heredoc(r.op, w.word);
          }
          parse_subs(w);
          rd.target = std::move(w.word);
        } else {
          error("redirection '" + rd.op + "' without a target");
        }
        redirects.push_back(std::move(rd));
        continue;
      }
      if (dbracket && t.type == Tok::Op) {
        Word w;
        w.text = t.op;
        w.raw = t.op;
        w.begin = t.begin;
        w.end = t.end;
        consume();
        words.push_back(std::move(w));
        continue;
      }
      break;
    }
    if (!have_tokens) {
      spare_words_ = std::move(words);
      if (slot + 1 == ctx_.out.commands.size()) ctx_.out.commands.pop_back();
      else ctx_.out.commands[slot].begin = ctx_.out.commands[slot].end = begin;
      return;
    }
    Command& c = ctx_.out.commands[slot];
    c.assignments = std::move(assignments);
    c.words = std::move(words);
    c.redirects = std::move(redirects);
    c.depth = depth_;
    c.conditional = cond_ > 0;
    c.piped_from_prev = pipe_pending_;
    pipe_pending_ = false;
    c.begin = begin;
    c.end = end;
    if (ctx_.keep && !ctx_.keep(c)) {
      // Only this command's own substitutions can follow its slot: the shift is bounded.
      spare_words_ = std::move(c.words);
      ctx_.out.commands.erase(ctx_.out.commands.begin() + static_cast<std::ptrdiff_t>(slot));
      ctx_.last_done = -1;
      return;
    }
    ctx_.last_done = static_cast<long>(slot);
    if (ctx_.out.commands.size() >= ctx_.max_commands && !ctx_.abort) {
      ctx_.abort = true;
      ctx_.out.stopped_at = c.end;
      error("more than " + std::to_string(ctx_.max_commands) + " commands; the rest was not parsed");
    }
  }

  std::string_view s_;
  size_t pos_;
  size_t end_;
  int depth_;
  Ctx& ctx_;
  int cond_ = 0;
  bool pipe_pending_ = false;
  std::vector<std::pair<std::string, bool>> pending_;  // here-doc delimiters, strip tabs
  std::vector<Word> spare_words_;
  Token cache_;
  size_t cache_pos_ = 0;
  bool cache_valid_ = false;
};

}  // namespace

std::string_view Command::name() const {
  if (words.empty()) return {};
  std::string_view w = words[0].text;
  size_t slash = w.rfind('/');
  if (slash != std::string_view::npos && slash + 1 < w.size()) w.remove_prefix(slash + 1);
  return w;
}

namespace {

std::string_view base_name(std::string_view w) {
  size_t slash = w.rfind('/');
  if (slash != std::string_view::npos && slash + 1 < w.size()) w.remove_prefix(slash + 1);
  return w;
}

bool is_option(std::string_view w) { return w.size() > 1 && w[0] == '-'; }

// Skips options; `with_arg` lists short options that take a separate argument.
size_t skip_options(const std::vector<Word>& words, size_t i, std::string_view with_arg,
                    bool allow_assignments) {
  while (i < words.size()) {
    std::string_view w = words[i].text;
    if (w == "--") return i + 1;
    if (allow_assignments && !w.empty() && is_name_start(w[0]) &&
        w.find('=') != std::string_view::npos) {
      size_t k = 0;
      while (k < w.size() && is_name_char(w[k])) ++k;
      if (k < w.size() && w[k] == '=') {
        ++i;
        continue;
      }
    }
    if (!is_option(w)) return i;
    if (w.size() >= 2 && w[1] == '-') {  // long option; `--opt=value` carries its value
      ++i;
      continue;
    }
    // Short option cluster: an argument-taking option at the end takes the next word.
    char last = w.back();
    bool takes = with_arg.find(last) != std::string_view::npos;
    ++i;
    if (takes && w.size() == 2) ++i;
  }
  return i;
}

}  // namespace

size_t Command::real_command_index() const {
  size_t i = 0;
  size_t guard = 0;
  while (i < words.size() && guard++ < words.size() + 1) {
    std::string_view n = base_name(words[i].text);
    size_t next = i;
    if (n == "sudo" || n == "doas") {
      next = skip_options(words, i + 1, "ugprChDTUt", true);
    } else if (n == "env") {
      next = skip_options(words, i + 1, "uCS", true);
    } else if (n == "exec") {
      next = skip_options(words, i + 1, "a", false);
    } else if (n == "nice") {
      next = skip_options(words, i + 1, "n", false);
    } else if (n == "nohup" || n == "builtin") {
      next = i + 1;
    } else if (n == "command") {
      next = skip_options(words, i + 1, "", false);
    } else if (n == "time") {
      next = skip_options(words, i + 1, "fo", false);
    } else if (n == "timeout") {
      next = skip_options(words, i + 1, "sk", false);
      if (next < words.size()) ++next;  // the duration
    } else if (n == "xargs") {
      next = skip_options(words, i + 1, "IinPLsdEa", false);
    } else if (n == "stdbuf") {
      next = skip_options(words, i + 1, "ioe", false);
    } else if (n == "gosu" || n == "su-exec") {
      next = i + 2;
    } else {
      return i;
    }
    if (next >= words.size()) return i;  // only the wrapper: it is the command
    i = next;
  }
  return i < words.size() ? i : 0;
}

Script parse(std::string_view text, CommandFilter keep, size_t max_commands) {
  Script script;
  Ctx ctx{script, keep, max_commands};
  Parser p(text, 0, text.size(), 0, ctx);
  p.parse_all();
  return script;
}

}  // namespace tocsin::sh
