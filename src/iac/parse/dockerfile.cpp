// Dockerfile parser: follows BuildKit's line scanner (directives, escape character,
// continuations, comments inside continuations, heredocs) and keeps every piece located.
#include "iac/parse/dockerfile.hpp"
#include "core/strings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include <fmt/format.h>

namespace tocsin::df {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_space(char c) {
  // Most bytes are above ' ': one comparison settles them.
  if (static_cast<unsigned char>(c) > ' ') return false;
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

struct KindName {
  Kind kind;
  std::string_view name;
};
constexpr std::array<KindName, 19> kKinds = {{
    {Kind::From, "FROM"},
    {Kind::Run, "RUN"},
    {Kind::Cmd, "CMD"},
    {Kind::Entrypoint, "ENTRYPOINT"},
    {Kind::Copy, "COPY"},
    {Kind::Add, "ADD"},
    {Kind::Env, "ENV"},
    {Kind::Arg, "ARG"},
    {Kind::User, "USER"},
    {Kind::Workdir, "WORKDIR"},
    {Kind::Volume, "VOLUME"},
    {Kind::Expose, "EXPOSE"},
    {Kind::Label, "LABEL"},
    {Kind::Shell, "SHELL"},
    {Kind::Healthcheck, "HEALTHCHECK"},
    {Kind::Onbuild, "ONBUILD"},
    {Kind::Stopsignal, "STOPSIGNAL"},
    {Kind::Maintainer, "MAINTAINER"},
    {Kind::Unknown, ""},
}};

Kind kind_of(std::string_view upper_keyword) {
  for (const auto& k : kKinds) {
    if (k.kind != Kind::Unknown && k.name == upper_keyword) return k.kind;
  }
  return Kind::Unknown;
}

bool takes_flags(Kind k) {
  return k == Kind::From || k == Kind::Run || k == Kind::Copy || k == Kind::Add ||
         k == Kind::Healthcheck;
}

bool json_capable(Kind k) {
  return k == Kind::Run || k == Kind::Cmd || k == Kind::Entrypoint || k == Kind::Copy ||
         k == Kind::Add || k == Kind::Volume || k == Kind::Shell;
}

// One physical line: [begin, end) without its terminator; `next` is where the following starts.
struct Line {
  size_t begin;
  size_t end;
  size_t next;
};

// The physical lines of the file, one after the other (LF, CRLF or a lone CR ends a line).
// Computed as the parser advances instead of as a table: 50 MB of newlines made a 1.2 GB one.
class Lines {
 public:
  Lines() = default;
  Lines(std::string_view c, size_t start) : c_(c), pos_(start) { find(); }
  bool more() const { return pos_ < c_.size(); }
  const Line& cur() const { return cur_; }  // valid while more()
  void next() {
    pos_ = cur_.next;
    find();
  }

 private:
  void find() {
    if (pos_ >= c_.size()) return;
    size_t i = pos_;
    while (i < c_.size() && c_[i] != '\n' && c_[i] != '\r') ++i;
    if (i == c_.size()) {
      cur_ = {pos_, i, i};
    } else if (c_[i] == '\n') {
      cur_ = {pos_, i, i + 1};
    } else if (i + 1 < c_.size() && c_[i + 1] == '\n') {
      cur_ = {pos_, i, i + 2};  // CRLF
    } else {
      cur_ = {pos_, i, i + 1};  // a lone CR
    }
  }
  std::string_view c_;
  size_t pos_ = 0;
  Line cur_{};
};

// A logical line assembled from pieces of physical lines; all pieces come from the file.
struct Joined {
  struct Piece {
    size_t text_off;
    size_t file_off;
    size_t len;
  };
  std::string text;
  std::vector<Piece> pieces;

  void add(std::string_view s, size_t file_off) {
    if (s.empty()) return;
    pieces.push_back({text.size(), file_off, s.size()});
    text.append(s);
  }
  size_t piece_index(size_t pos) const {
    auto it = std::upper_bound(pieces.begin(), pieces.end(), pos,
                               [](size_t p, const Piece& pc) { return p < pc.text_off; });
    return it == pieces.begin() ? 0 : static_cast<size_t>(it - pieces.begin()) - 1;
  }
  size_t to_file(size_t pos) const {
    if (pieces.empty()) return 0;
    if (pos >= text.size()) return pieces.back().file_off + pieces.back().len;
    const Piece& p = pieces[piece_index(pos)];
    return p.file_off + (pos - p.text_off);
  }
  Span span(size_t b, size_t e) const {
    if (e <= b) return {to_file(b), to_file(b)};
    return {to_file(b), to_file(e - 1) + 1};
  }
  MappedText sub(size_t b, size_t e) const {
    MappedText m;
    if (e <= b || pieces.empty()) return m;
    for (size_t i = piece_index(b); i < pieces.size(); ++i) {
      const Piece& p = pieces[i];
      size_t pb = std::max(b, p.text_off);
      size_t pe = std::min(e, p.text_off + p.len);
      if (pb >= pe) {
        if (p.text_off >= e) break;
        continue;
      }
      m.append_from(std::string_view(text).substr(pb, pe - pb), p.file_off + (pb - p.text_off));
    }
    return m;
  }
};

// Removes quotes and escape characters the way Docker's word processing does, without
// expanding variables (`$` is kept).
std::string unquote(std::string_view raw, char esc) {
  // Most words have nothing to remove: copy them in one go.
  const size_t n = raw.size();
  auto special = [esc](char ch) { return ch == esc || ch == '\'' || ch == '"'; };
  size_t i = 0;
  while (i < n && !special(raw[i])) ++i;
  if (i == n) return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  out.append(raw.data(), i);
  while (i < n) {
    char c = raw[i];
    if (c == esc && i + 1 < n) {
      out += raw[i + 1];
      i += 2;
    } else if (c == '\'') {
      ++i;
      size_t q = i;
      while (q < n && raw[q] != '\'') ++q;
      out.append(raw.data() + i, q - i);
      i = q;
      if (i < n) ++i;
    } else if (c == '"') {
      ++i;
      while (i < n && raw[i] != '"') {
        if (raw[i] == esc && i + 1 < n &&
            (raw[i + 1] == '"' || raw[i + 1] == esc || raw[i + 1] == '$')) {
          out += raw[i + 1];
          i += 2;
        } else {
          out += raw[i++];
        }
      }
      if (i < n) ++i;
    } else {
      size_t j = i + 1;
      while (j < n && !special(raw[j])) ++j;
      out.append(raw.data() + i, j - i);
      i = j;
    }
  }
  return out;
}

// End of the shell word starting at `i` (quotes and escapes respected).
size_t word_end(std::string_view s, size_t i, char esc) {
  const size_t n = s.size();
  while (i < n && !is_space(s[i])) {
    char c = s[i];
    if (c == esc && i + 1 < n) {
      i += 2;
    } else if (c == '\'' || c == '"') {
      size_t q = i + 1;
      while (q < n && s[q] != c) {
        if (c == '"' && s[q] == esc && q + 1 < n) ++q;
        ++q;
      }
      i = q < n ? q + 1 : n;
    } else {
      ++i;
    }
  }
  return i;
}

struct RawWord {
  size_t begin;  // offsets into the string that was split
  size_t end;
};

std::vector<RawWord> split_words(std::string_view s, char esc) {
  std::vector<RawWord> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i >= s.size()) break;
    size_t e = word_end(s, i, esc);
    out.push_back({i, e});
    i = e;
  }
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool parse_hex4(std::string_view s, size_t i, uint32_t& v) {
  if (i + 4 > s.size()) return false;
  v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    char c = s[k];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
    else return false;
  }
  return true;
}

struct JsonElem {
  std::string text;
  size_t begin;  // offsets of the quoted string in the parsed text
  size_t end;
};

// Docker accepts the exec form only when the whole text is a JSON array of strings.
bool parse_json_array(std::string_view s, std::vector<JsonElem>& out) {
  size_t i = 0;
  const size_t n = s.size();
  auto ws = [&] {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  };
  ws();
  if (i >= n || s[i] != '[') return false;
  ++i;
  ws();
  if (i < n && s[i] == ']') {
    ++i;
    ws();
    return i == n;
  }
  while (true) {
    ws();
    if (i >= n || s[i] != '"') return false;
    JsonElem el{{}, i, 0};
    ++i;
    bool closed = false;
    while (i < n) {
      char c = s[i];
      if (c == '"') {
        closed = true;
        ++i;
        break;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c == '\\') {
        if (i + 1 >= n) return false;
        char e = s[i + 1];
        i += 2;
        switch (e) {
          case '"': el.text += '"'; break;
          case '\\': el.text += '\\'; break;
          case '/': el.text += '/'; break;
          case 'b': el.text += '\b'; break;
          case 'f': el.text += '\f'; break;
          case 'n': el.text += '\n'; break;
          case 'r': el.text += '\r'; break;
          case 't': el.text += '\t'; break;
          case 'u': {
            uint32_t cp = 0;
            if (!parse_hex4(s, i, cp)) return false;
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u') {
              uint32_t lo = 0;
              if (parse_hex4(s, i + 2, lo) && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
              }
            }
            if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
            append_utf8(el.text, cp);
            break;
          }
          default:
            return false;
        }
        continue;
      }
      el.text += c;
      ++i;
    }
    if (!closed) return false;
    el.end = i;
    out.push_back(std::move(el));
    ws();
    if (i >= n) return false;
    if (s[i] == ',') {
      ++i;
      continue;
    }
    if (s[i] == ']') {
      ++i;
      ws();
      return i == n;
    }
    return false;
  }
}

// `# name=value` at the top of the file (BuildKit's directive regex).
bool match_directive(std::string_view body, std::string& name, std::string& value,
                     size_t& value_off) {
  if (body.empty() || body[0] != '#') return false;
  size_t i = 1;
  while (i < body.size() && is_blank(body[i])) ++i;
  size_t nb = i;
  if (i >= body.size() || !std::isalpha(static_cast<unsigned char>(body[i]))) return false;
  while (i < body.size() && std::isalnum(static_cast<unsigned char>(body[i]))) ++i;
  size_t ne = i;
  while (i < body.size() && is_blank(body[i])) ++i;
  if (i >= body.size() || body[i] != '=') return false;
  ++i;
  while (i < body.size() && is_blank(body[i])) ++i;
  size_t ve = body.size();
  while (ve > i && is_space(body[ve - 1])) --ve;
  if (ve <= i) return false;
  name = ascii_lower(body.substr(nb, ne - nb));
  value = std::string(body.substr(i, ve - i));
  value_off = i;
  return true;
}

// Strips BuildKit's continuation marker (escape followed by optional blanks at end of line).
std::pair<std::string_view, bool> strip_continuation(std::string_view line, char esc) {
  size_t e = line.size();
  while (e > 0 && is_blank(line[e - 1])) --e;
  if (e > 0 && line[e - 1] == esc) return {line.substr(0, e - 1), true};
  return {line, false};
}

struct HeredocMarker {
  std::string delimiter;
  bool quoted = false;
  bool strip_tabs = false;
  size_t begin = 0;  // in the scanned text
  size_t end = 0;
};

bool heredoc_delim_char(char c) {
  return !is_space(c) && c != '<' && c != '>' && c != ';' && c != '|' && c != '&' && c != '(' &&
         c != ')';
}

// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`, `2<<EOF` words outside quotes.
std::vector<HeredocMarker> find_heredocs(std::string_view s, char esc) {
  std::vector<HeredocMarker> out;
  const size_t n = s.size();
  size_t i = 0;
  bool word_start = true;
  while (i < n) {
    char c = s[i];
    if (is_space(c)) {
      word_start = true;
      ++i;
      continue;
    }
    if (c == esc && i + 1 < n) {
      word_start = false;
      i += 2;
      continue;
    }
    if (c == '\'' || c == '"') {
      size_t q = i + 1;
      while (q < n && s[q] != c) {
        if (c == '"' && s[q] == esc && q + 1 < n) ++q;
        ++q;
      }
      i = q < n ? q + 1 : n;
      word_start = false;
      continue;
    }
    if (word_start) {
      size_t b = i;
      size_t j = i;
      while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      if (j + 1 < n && s[j] == '<' && s[j + 1] == '<' && (j + 2 >= n || s[j + 2] != '<')) {
        HeredocMarker m;
        m.begin = b;
        j += 2;
        if (j < n && s[j] == '-') {
          m.strip_tabs = true;
          ++j;
        }
        if (j < n && (s[j] == '"' || s[j] == '\'')) {
          char q = s[j];
          size_t k = j + 1;
          while (k < n && s[k] != q) ++k;
          if (k < n) {
            m.delimiter = std::string(s.substr(j + 1, k - j - 1));
            m.quoted = true;
            j = k + 1;
          }
        } else {
          while (j < n && heredoc_delim_char(s[j])) {
            if (s[j] == esc && j + 1 < n) {
              m.quoted = true;
              m.delimiter += s[j + 1];
              j += 2;
              continue;
            }
            if (s[j] == '"' || s[j] == '\'') {
              char q = s[j];
              size_t k = j + 1;
              while (k < n && s[k] != q) m.delimiter += s[k++];
              m.quoted = true;
              j = k < n ? k + 1 : n;
              continue;
            }
            m.delimiter += s[j++];
          }
        }
        if (!m.delimiter.empty()) {
          m.end = j;
          out.push_back(std::move(m));
          i = j;
          word_start = false;
          continue;
        }
      }
    }
    word_start = false;
    ++i;
  }
  return out;
}

class Parser {
 public:
  Parser(const SourceFile& src, Dockerfile& df) : c_(src.content()), df_(df) {}

  void run();

 private:
  void error(std::string msg, Span sp) { df_.errors.push_back({std::move(msg), sp}); }
  // Keeps a comment that may be a pragma; false (after a located error) past kMaxComments.
  bool add_comment(std::string_view text, Span sp) {
    if (text.find("tocsin") == std::string_view::npos) return true;
    if (df_.comments.size() == kMaxComments) {
      error(fmt::format("more than {} tocsin comments; the rest of the file was not parsed", kMaxComments), sp);
      return false;
    }
    df_.comments.push_back({std::string(text), sp});
    return true;
  }
  Instruction build(const Joined& j, size_t b, size_t e, bool nested, size_t* rest_begin);
  void fill_pairs(Instruction& ins, const Joined& j, size_t rb, size_t re);
  void fill_words(Instruction& ins, const Joined& j, size_t rb, size_t re);
  void read_heredocs(Instruction& ins, const Joined& j, size_t rest_b);
  void add_stage(Instruction& ins);

  std::string_view c_;
  Dockerfile& df_;
  Lines lines_;
};

void Parser::fill_words(Instruction& ins, const Joined& j, size_t rb, size_t re) {
  std::string_view s = std::string_view(j.text).substr(rb, re - rb);
  const auto words = split_words(s, df_.escape);
  ins.args.reserve(ins.args.size() + words.size());
  for (const auto& w : words) {
    Word word;
    word.raw = std::string(s.substr(w.begin, w.end - w.begin));
    word.text = unquote(word.raw, df_.escape);
    word.span = j.span(rb + w.begin, rb + w.end);
    ins.args.push_back(std::move(word));
  }
}

void Parser::fill_pairs(Instruction& ins, const Joined& j, size_t rb, size_t re) {
  const char esc = df_.escape;
  std::string_view s = std::string_view(j.text).substr(rb, re - rb);
  auto words = split_words(s, esc);
  std::string kw = std::string(kind_name(ins.kind));
  if (words.empty()) {
    error(fmt::format("{} requires at least one argument", kw), ins.keyword_span);
    return;
  }
  auto has_eq = [&](const RawWord& w) {
    return s.substr(w.begin, w.end - w.begin).find('=') != std::string_view::npos;
  };
  if (ins.kind != Kind::Arg && !has_eq(words[0])) {
    // Legacy `ENV KEY value with spaces`: the value is the rest of the line. BuildKit splits the
    // raw text at the first blank, quotes or not (`LABEL "a b"` is key `"a`, value `b"`).
    Instruction::KeyValue kv;
    size_t kb = words[0].begin;
    size_t ke = kb;
    while (ke < s.size() && !is_space(s[ke])) ++ke;
    kv.key = unquote(s.substr(kb, ke - kb), esc);
    size_t vb = ke;
    while (vb < s.size() && is_space(s[vb])) ++vb;
    if (vb >= s.size()) {
      error(fmt::format("{} must have two arguments", kw), ins.keyword_span);
      kv.span = j.span(rb + kb, rb + ke);
    } else {
      kv.raw_value = std::string(s.substr(vb));
      kv.value = unquote(kv.raw_value, esc);
      kv.span = j.span(rb + kb, re);
    }
    kv.legacy = true;
    ins.pairs.push_back(std::move(kv));
    return;
  }
  for (const auto& w : words) {
    std::string_view raw = s.substr(w.begin, w.end - w.begin);
    Instruction::KeyValue kv;
    kv.span = j.span(rb + w.begin, rb + w.end);
    size_t eq = raw.find('=');
    if (eq == std::string_view::npos) {
      if (ins.kind != Kind::Arg) {
        error(fmt::format("syntax error - can't find = in \"{}\"; must be of the form: name=value",
                          raw),
              kv.span);
      }
      kv.key = unquote(raw, esc);
    } else {
      kv.key = unquote(raw.substr(0, eq), esc);
      kv.raw_value = std::string(raw.substr(eq + 1));
      kv.value = unquote(kv.raw_value, esc);
    }
    if (kv.key.empty()) error(fmt::format("{} names can not be blank", kw), kv.span);
    ins.pairs.push_back(std::move(kv));
  }
}

Instruction Parser::build(const Joined& j, size_t b, size_t e, bool nested, size_t* rest_begin) {
  const std::string& t = j.text;
  Instruction ins;
  size_t i = b;
  while (i < e && is_space(t[i])) ++i;
  size_t kb = i;
  while (i < e && !is_space(t[i])) ++i;
  ins.keyword = upper(std::string_view(t).substr(kb, i - kb));
  ins.keyword_span = j.span(kb, i);
  ins.kind = kind_of(ins.keyword);
  while (i < e && is_space(t[i])) ++i;
  size_t re = e;
  while (re > i && is_space(t[re - 1])) --re;

  if (ins.kind == Kind::Unknown) {
    error(fmt::format("unknown instruction: {}", ins.keyword), ins.keyword_span);
  }
  if (takes_flags(ins.kind)) {
    while (i + 1 < re && t[i] == '-' && t[i + 1] == '-') {
      size_t we = std::min(word_end(std::string_view(t).substr(0, re), i, df_.escape), re);
      std::string_view word = std::string_view(t).substr(i, we - i);
      if (word == "--") break;
      Flag f;
      size_t eq = word.find('=');
      f.name = ascii_lower(word.substr(2, eq == std::string_view::npos ? std::string_view::npos : eq - 2));
      if (eq != std::string_view::npos) {
        f.has_value = true;
        f.value = std::string(word.substr(eq + 1));
        f.value_span = j.span(i + eq + 1, we);
      } else {
        f.value_span = j.span(we, we);
      }
      f.span = j.span(i, we);
      ins.flags.push_back(std::move(f));
      i = we;
      while (i < re && is_space(t[i])) ++i;
    }
  }
  ins.rest = j.sub(i, re);
  if (rest_begin != nullptr) *rest_begin = i;
  std::string_view rest = std::string_view(t).substr(i, re - i);

  switch (ins.kind) {
    case Kind::Env:
    case Kind::Label:
    case Kind::Arg:
      fill_words(ins, j, i, re);
      fill_pairs(ins, j, i, re);
      break;
    case Kind::Onbuild: {
      if (nested) {
        error("ONBUILD ONBUILD is not allowed", ins.keyword_span);
        break;
      }
      if (rest.empty()) {
        error("ONBUILD requires at least one argument", ins.keyword_span);
        break;
      }
      auto inner = std::make_unique<Instruction>(build(j, i, re, true, nullptr));
      if (inner->kind == Kind::From || inner->kind == Kind::Maintainer) {
        error(fmt::format("{} isn't allowed as an ONBUILD trigger", inner->keyword),
              inner->keyword_span);
      }
      fill_words(ins, j, i, re);
      ins.onbuild = std::move(inner);
      break;
    }
    case Kind::Healthcheck: {
      fill_words(ins, j, i, re);
      if (!ins.args.empty() && upper(ins.args[0].text) == "CMD") {
        // The command after CMD may be in exec form.
        size_t cb = i + (ins.args[0].raw.size());
        while (cb < re && is_space(t[cb])) ++cb;
        std::vector<JsonElem> elems;
        if (parse_json_array(std::string_view(t).substr(cb, re - cb), elems)) {
          ins.json_form = true;
          ins.args.resize(1);
          for (auto& el : elems) {
            Word w;
            w.raw = std::string(std::string_view(t).substr(cb + el.begin, el.end - el.begin));
            w.text = std::move(el.text);
            w.span = j.span(cb + el.begin, cb + el.end);
            ins.args.push_back(std::move(w));
          }
        }
      }
      break;
    }
    default: {
      std::vector<JsonElem> elems;
      if (json_capable(ins.kind) && !rest.empty() && rest[0] == '[' &&
          parse_json_array(rest, elems)) {
        ins.json_form = true;
        for (auto& el : elems) {
          Word w;
          w.raw = std::string(rest.substr(el.begin, el.end - el.begin));
          w.text = std::move(el.text);
          w.span = j.span(i + el.begin, i + el.end);
          ins.args.push_back(std::move(w));
        }
      } else {
        if (ins.kind == Kind::Shell) {
          error("SHELL requires the arguments to be in JSON form", ins.keyword_span);
        }
        fill_words(ins, j, i, re);
      }
      break;
    }
  }
  if (rest.empty() && ins.kind != Kind::Unknown && ins.kind != Kind::Onbuild &&
      ins.kind != Kind::Env && ins.kind != Kind::Label && ins.kind != Kind::Arg) {
    error(fmt::format("{} requires at least one argument", ins.keyword), ins.keyword_span);
  }
  return ins;
}

void Parser::read_heredocs(Instruction& ins, const Joined& j, size_t rest_b) {
  auto markers = find_heredocs(ins.rest.text(), df_.escape);
  bool reported = false;
  for (auto& m : markers) {
    Heredoc h;
    h.delimiter = std::move(m.delimiter);
    h.quoted = m.quoted;
    h.strip_tabs = m.strip_tabs;
    h.marker = j.span(rest_b + m.begin, rest_b + m.end);
    size_t body_b = lines_.more() ? lines_.cur().begin : c_.size();
    size_t body_e = c_.size();
    h.terminated = false;
    while (lines_.more()) {
      const Line ln = lines_.cur();
      lines_.next();
      std::string_view text = c_.substr(ln.begin, ln.end - ln.begin);
      std::string_view cand = text;
      size_t tabs = 0;
      if (h.strip_tabs) {
        while (tabs < cand.size() && cand[tabs] == '\t') ++tabs;
        cand = cand.substr(tabs);
      }
      if (cand == h.delimiter) {
        h.terminated = true;
        body_e = ln.begin;
        ins.full_span.end = ln.end;
        break;
      }
      h.content.append_from(text.substr(tabs), ln.begin + tabs);
      h.content.append_synthetic("\n", ln.end);
      ins.full_span.end = ln.end;
    }
    h.body = {body_b, std::max(body_b, body_e)};
    if (!h.terminated && !reported) {
      error(fmt::format("unterminated heredoc: no line \"{}\" before the end of the file",
                        h.delimiter),
            h.marker);
      reported = true;
    }
    ins.heredocs.push_back(std::move(h));
  }
}

void Parser::add_stage(Instruction& ins) {
  Stage st;
  st.first = df_.instructions.size();
  st.last = st.first;
  if (const Flag* p = ins.flag("platform")) st.platform = p->value;
  if (!ins.args.empty()) st.base = ins.args[0].text;
  if (ins.args.size() >= 3 && ascii_lower(ins.args[1].text) == "as") {
    st.name = ascii_lower(ins.args[2].text);
  }
  if (ins.args.size() == 2 || ins.args.size() > 3 ||
      (ins.args.size() == 3 && ascii_lower(ins.args[1].text) != "as")) {
    error("FROM requires either one or three arguments (FROM <image> [AS <name>])",
          ins.keyword_span);
  }
  std::string base_l = ascii_lower(st.base);
  for (size_t k = 0; k < df_.stages.size(); ++k) {
    if (!df_.stages[k].name.empty() && df_.stages[k].name == base_l) {
      st.base_stage = static_cast<int>(k);
    }
    if (!st.name.empty() && df_.stages[k].name == st.name) {
      error(fmt::format("duplicate stage name \"{}\"", st.name), ins.args[2].span);
    }
  }
  if (st.base_stage < 0 && !base_l.empty() &&
      std::all_of(base_l.begin(), base_l.end(),
                  [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }) &&
      base_l.size() < 6) {
    size_t idx = std::stoul(base_l);
    if (idx < df_.stages.size()) st.base_stage = static_cast<int>(idx);
  }
  df_.stages.push_back(std::move(st));
}

void Parser::run() {
  size_t start = 0;
  if (auto nul = c_.find('\0'); nul != std::string_view::npos) {
    error("binary content (NUL byte): this is not a Dockerfile", {nul, nul + 1});
    return;
  }
  if (c_.substr(0, 3) == "\xEF\xBB\xBF") start = 3;
  lines_ = Lines(c_, start);
  bool directives_done = false;
  bool saw_from = false;
  while (lines_.more()) {
    const Line ln = lines_.cur();
    std::string_view t = c_.substr(ln.begin, ln.end - ln.begin);
    size_t ws = 0;
    while (ws < t.size() && is_space(t[ws])) ++ws;
    std::string_view body = t.substr(ws);
    if (!directives_done) {
      std::string name;
      std::string value;
      size_t voff = 0;
      if (match_directive(body, name, value, voff) &&
          (name == "syntax" || name == "escape" || name == "check")) {
        Span sp{ln.begin + ws, ln.end};
        bool dup = std::any_of(df_.directives.begin(), df_.directives.end(),
                               [&](const Directive& d) { return d.name == name; });
        if (dup) {
          error(fmt::format("only one {} parser directive can be used", name), sp);
        } else if (name == "escape") {
          if (value == "`" || value == "\\") {
            df_.escape = value[0];
          } else {
            error(fmt::format("invalid escape token '{}' does not match ` or \\", value),
                  {ln.begin + ws + voff, ln.begin + ws + voff + value.size()});
          }
        }
        if (!dup) df_.directives.push_back({name, value, sp});
        lines_.next();
        continue;
      }
      directives_done = true;
    }
    if (body.empty()) {
      lines_.next();
      continue;
    }
    if (body[0] == '#') {
      if (!add_comment(body.substr(1), {ln.begin + ws, ln.end})) return;
      lines_.next();
      continue;
    }
    Joined j;
    auto [first, cont] = strip_continuation(body, df_.escape);
    j.add(first, ln.begin + ws);
    size_t last_end = ln.end;
    lines_.next();
    while (cont && lines_.more()) {
      const Line l2 = lines_.cur();
      std::string_view t2 = c_.substr(l2.begin, l2.end - l2.begin);
      size_t ws2 = 0;
      while (ws2 < t2.size() && is_space(t2[ws2])) ++ws2;
      lines_.next();
      if (ws2 < t2.size() && t2[ws2] == '#') {
        if (!add_comment(t2.substr(ws2 + 1), {l2.begin + ws2, l2.end})) return;
        continue;
      }
      if (ws2 == t2.size()) continue;  // empty continuation line: BuildKit skips it
      auto [piece, more] = strip_continuation(t2, df_.escape);
      j.add(piece, l2.begin);
      cont = more;
      last_end = l2.end;
    }
    size_t b = 0;
    while (b < j.text.size() && is_space(j.text[b])) ++b;
    if (b == j.text.size()) continue;  // only an escape character

    size_t rest_b = 0;
    Instruction ins = build(j, 0, j.text.size(), false, &rest_b);
    ins.span = {ln.begin + ws, last_end};
    ins.full_span = ins.span;
    if ((ins.kind == Kind::Run || ins.kind == Kind::Copy || ins.kind == Kind::Add) &&
        !ins.json_form && ins.rest.text().find("<<") != std::string::npos) {
      read_heredocs(ins, j, rest_b);
    }
    if (ins.kind == Kind::From) {
      saw_from = true;
      add_stage(ins);
    } else if (!saw_from && ins.kind != Kind::Arg && ins.kind != Kind::Unknown) {
      error(fmt::format("{} before the first FROM: no build stage in current context",
                        ins.keyword),
            ins.keyword_span);
    }
    if (!df_.stages.empty()) {
      ins.stage = static_cast<int>(df_.stages.size()) - 1;
      if (ins.onbuild) ins.onbuild->stage = ins.stage;
      df_.stages.back().last = df_.instructions.size();
    }
    if (df_.instructions.size() == kMaxInstructions) {
      error(fmt::format("more than {} instructions; the rest of the file was not parsed", kMaxInstructions),
            ins.keyword_span);
      return;
    }
    df_.instructions.push_back(std::move(ins));
  }
  if (!saw_from) {
    size_t at = df_.instructions.empty() ? 0 : df_.instructions.front().keyword_span.begin;
    error(df_.instructions.empty() ? "the Dockerfile has no instructions (no FROM)"
                                   : "the Dockerfile has no FROM instruction",
          {at, at});
  }
}

}  // namespace

std::string_view kind_name(Kind k) {
  for (const auto& e : kKinds) {
    if (e.kind == k) return e.kind == Kind::Unknown ? std::string_view("UNKNOWN") : e.name;
  }
  return "UNKNOWN";
}

const Flag* Instruction::flag(std::string_view name) const {
  for (const auto& f : flags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::optional<size_t> Dockerfile::next_instruction_after(size_t offset) const {
  auto it = std::lower_bound(instructions.begin(), instructions.end(), offset,
                             [](const Instruction& ins, size_t off) { return ins.span.begin < off; });
  if (it == instructions.end()) return std::nullopt;
  return static_cast<size_t>(it - instructions.begin());
}

namespace {

// A line quoted in a refusal: bounded, and only printable ASCII (the message goes to terminals).
std::string quote_line(std::string_view line) {
  std::string out;
  for (char c : line.substr(0, 60)) out += (c >= ' ' && c < 0x7f) ? c : '?';
  if (line.size() > 60) out += "...";
  return out;
}

// `FROM [--flag...] image [AS name]`: the shape BuildKit accepts.
bool from_shape(std::string_view rest, bool& python_import) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && is_space(rest[i])) ++i;
    size_t j = i;
    while (j < rest.size() && !is_space(rest[j])) ++j;
    if (j > i) words.push_back(rest.substr(i, j - i));
    i = j;
  }
  python_import = words.size() >= 2 && words[1] == "import";
  while (!words.empty() && words.front().rfind("--", 0) == 0) words.erase(words.begin());
  return words.size() == 1 || (words.size() == 3 && ascii_lower(words[1]) == "as");
}

}  // namespace

std::optional<std::string> implausible_dockerfile(std::string_view head, bool named) {
  if (head.rfind("\xEF\xBB\xBF", 0) == 0) head.remove_prefix(3);
  if (head.find('\0') != std::string_view::npos) return std::string("binary content");
  // A shebang is a comment to Docker (`#!/bin/echo docker build . -f` makes a Dockerfile
  // executable): the lines after it decide, and name the script when they are not instructions.
  std::string_view shebang;
  if (head.rfind("#!", 0) == 0) shebang = head.substr(0, head.find('\n'));
  auto other = [&](const std::string& why) {
    return shebang.empty() ? why : fmt::format("a script (`{}`)", quote_line(shebang));
  };
  bool saw_arg = false;
  size_t pos = 0;
  while (pos < head.size()) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) nl = head.size();
    std::string_view line = head.substr(pos, nl - pos);
    pos = nl + 1;
    while (!line.empty() && (is_blank(line.front()) || line.front() == '\r')) line.remove_prefix(1);
    while (!line.empty() && (is_blank(line.back()) || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line.rfind("{{", 0) == 0 || line.rfind("{%", 0) == 0)
      return fmt::format("a template (`{}`)", quote_line(line));
    size_t w = 0;
    while (w < line.size() && !is_blank(line[w])) ++w;
    std::string_view word = line.substr(0, w);
    const Kind kind = kind_of(upper(word));
    if (kind == Kind::Arg && !named) {
      saw_arg = true;
      continue;  // ARGs before the first FROM
    }
    if (kind == Kind::From) {
      bool python = false;
      bool shape = from_shape(line.substr(w), python);
      if (python) return fmt::format("Python source (`{}`)", quote_line(line));
      if (shape || named) return std::nullopt;
      return other(fmt::format("its first instruction `{}` is not `FROM image [AS name]`", quote_line(line)));
    }
    if (kind != Kind::Unknown && named) return std::nullopt;
    // A broken instruction (`FORM ubuntu`, `RUNN x`) in a file named Dockerfile is still a
    // Dockerfile (DF000 says what is wrong); lower-case or other words are another language.
    const bool upper_word = w >= 2 && std::all_of(word.begin(), word.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (named && upper_word) return std::nullopt;
    if (saw_arg) return other(fmt::format("`{}` follows the ARGs where FROM must", quote_line(line)));
    return other(fmt::format("its first line `{}` is not a Dockerfile instruction", quote_line(line)));
  }
  if (named) return std::nullopt;  // only comments: an empty Dockerfile (DF000)
  return other(saw_arg ? "no FROM after its ARGs" : "no instruction");
}

Dockerfile parse_dockerfile(const SourceFile& src) {
  Dockerfile df;
  Parser p(src, df);
  p.run();
  return df;
}

}  // namespace tocsin::df
