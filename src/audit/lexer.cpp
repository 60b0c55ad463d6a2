// auditd line lexer (see lexer.hpp).
#include "audit/lexer.hpp"

#include <algorithm>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace tocsin::audit {
namespace {

constexpr char kEnrichSep = '\x1d';

inline bool is_space(char c) { return c == ' ' || c == '\t'; }

constexpr size_t kNone = ~size_t{0};

// End of the token starting at `pos` (the next space or tab, or `end`), and in `eq` the first
// '=' before it (kNone if none): one pass does both, 16 bytes at a time where the line has them.
inline size_t token_end(const char* d, size_t pos, size_t end, size_t& eq) {
  eq = kNone;
#ifdef __SSE2__
  const __m128i eqv = _mm_set1_epi8('='), sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
  while (pos + 16 <= end) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + pos));
    auto ms = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, tab))));
    if (eq == kNone) {
      auto me = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, eqv)));
      if (ms) me &= (ms & (0u - ms)) - 1;  // only '=' before the first space counts
      if (me) eq = pos + static_cast<size_t>(__builtin_ctz(me));
    }
    if (ms) return pos + static_cast<size_t>(__builtin_ctz(ms));
    pos += 16;
  }
#endif
  for (; pos < end && !is_space(d[pos]); ++pos)
    if (eq == kNone && d[pos] == '=') eq = pos;
  return pos;
}

// End of the value starting at `vs`: past its closing '"' for a double-quoted one (the next '"',
// wherever that is: usually the token's last byte), else the end of its token (`te` when the
// caller already knows it, kNone to find it).
inline size_t value_end(const char* d, size_t vs, size_t end, size_t te) {
  if (vs < end && d[vs] == '"') {
    const void* q = std::memchr(d + vs + 1, '"', end - vs - 1);
    return q ? static_cast<size_t>(static_cast<const char*>(q) - d) + 1 : end;
  }
  if (te != kNone) return te;
  size_t eq;
  return token_end(d, vs, end, eq);
}

// Whether `lit` is at line[pos...]: a fixed-size compare (inlined loads, no memcmp call).
template <size_t N>
inline bool at(std::string_view line, size_t pos, const char (&lit)[N]) {
  return pos <= line.size() && line.size() - pos >= N - 1 && std::memcmp(line.data() + pos, lit, N - 1) == 0;
}

// Eight ASCII digits at p (the first is the most significant) as a number, or -1 if any of
// them is not a digit: SWAR, a few multiplications instead of a loop.
inline int64_t parse8_digits(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  const uint64_t lo = x - 0x3030303030303030ULL;                  // each byte: digit value...
  const uint64_t hi = x + 0x4646464646464646ULL;                  // ...and no byte above '9'
  if ((lo | hi) & 0x8080808080808080ULL) return -1;
  uint64_t v = lo;
  v = (v * 10) + (v >> 8);                                        // pairs
  v = (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
       (((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >> 32;
  return static_cast<int64_t>(v);
}

// Parses decimal digits at s[pos...]; returns false when there are none or on overflow.
bool parse_dec(std::string_view s, size_t& pos, uint64_t& out) {
  const size_t start = pos;
  const size_t limit = std::min(s.size(), start + 19);  // 19 digits cannot overflow
  uint64_t v = 0;
  // Seconds since the epoch have ten digits: take eight at once.
  if (pos + 8 <= limit)
    if (int64_t e = parse8_digits(s.data() + pos); e >= 0) {
      v = static_cast<uint64_t>(e);
      pos += 8;
    }
  while (pos < limit) {
    const auto d = static_cast<unsigned>(static_cast<unsigned char>(s[pos]) - '0');
    if (d > 9) break;
    v = v * 10 + d;
    ++pos;
  }
  if (pos == limit && pos < s.size() && s[pos] >= '0' && s[pos] <= '9') return false;
  out = v;
  return pos > start;
}

// Offset of "needle" in s at a token start (at 0 or after a space), searching from `from`.
size_t find_token(std::string_view s, std::string_view needle, size_t from, size_t limit) {
  while (from < limit) {
    size_t p = s.find(needle, from);
    if (p == std::string_view::npos || p >= limit) return std::string_view::npos;
    if (p == 0 || is_space(s[p - 1])) return p;
    from = p + 1;
  }
  return std::string_view::npos;
}

void push_field(std::vector<FieldRef>& fields, size_t ks, size_t ke, size_t vs, size_t ve) {
  fields.push_back({static_cast<uint32_t>(ks), static_cast<uint32_t>(ke - ks),
                    static_cast<uint32_t>(vs), static_cast<uint32_t>(ve - vs)});
}

// Lexes key=value pairs in line[pos, end). `nested` is true inside msg='...'.
void lex_fields(std::string_view line, size_t pos, size_t end, std::vector<FieldRef>& fields, int depth) {
  const char* d = line.data();
  while (pos < end) {
    while (pos < end && is_space(d[pos])) ++pos;
    if (pos >= end) break;
    // Most fields are one token (kernel values never hold a space: auditd hex-encodes them), so
    // one scan finds both the '=' and the end; quoted values are checked against the token.
    const size_t ks = pos;
    size_t eq;
    const size_t te = token_end(d, pos, end, eq);
    if (eq == kNone) {
      pos = te;  // a bare word (AVC's "avc:  denied  { read } for"): not a field
      continue;
    }
    const size_t ke = eq;
    const size_t vs = eq + 1;
    if (ke == ks) {
      pos = te;  // "=value" without key: skip the value
      continue;
    }
    if (vs < end && d[vs] == '\'' && depth == 0) {
      // Nested user message: find the closing quote, skipping double-quoted parts.
      size_t p = vs + 1;
      size_t close = end;
      while (p < end) {
        char c = d[p];
        if (c == '"') {
          const void* q = std::memchr(d + p + 1, '"', end - p - 1);
          if (!q) break;
          p = static_cast<size_t>(static_cast<const char*>(q) - d) + 1;
          continue;
        }
        if (c == '\'') {
          close = p;
          break;
        }
        ++p;
      }
      if (key_is(std::string_view(d + ks, ke - ks), "msg")) {
        lex_fields(line, vs + 1, close, fields, depth + 1);
      } else {
        push_field(fields, ks, ke, vs, close < end ? close + 1 : end);
      }
      pos = close < end ? close + 1 : end;
    } else {
      pos = value_end(d, vs, end, te);
      push_field(fields, ks, ke, vs, pos);
    }
  }
}

}  // namespace

std::string_view lex_status_message(LexStatus s) {
  switch (s) {
    case LexStatus::Ok: return "ok";
    case LexStatus::Blank: return "blank line";
    case LexStatus::NoType: return "not an audit record (no type= field)";
    case LexStatus::NoTimestamp: return "audit record without msg=audit(SEC.MS:SERIAL): header";
    case LexStatus::BadTimestamp: return "malformed msg=audit(SEC.MS:SERIAL): header";
  }
  return "?";
}

namespace {
// The last timestamp text parsed on this thread and its values (see lex_impl).
struct TimestampCache {
  char text[32];
  uint8_t len = 0;  // 0: empty
  uint32_t msec = 0;
  uint64_t sec = 0, serial = 0;
};
thread_local TimestampCache t_timestamp;

LexStatus parse_timestamp(std::string_view line, size_t& pos, LexedRecord& out);

LexStatus lex_impl(std::string_view line, LexedRecord& out, std::vector<FieldRef>* fields_out) {
  out = LexedRecord{};
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  size_t pos = 0;
  while (pos < line.size() && is_space(line[pos])) ++pos;
  if (pos == line.size()) return LexStatus::Blank;

  // Fast path: the line starts with node= or type=. Otherwise (a syslog or dispatcher prefix)
  // look for the tokens within the first 1 KiB.
  size_t node_at = std::string_view::npos;
  size_t type_at = std::string_view::npos;
  if (at(line, pos, "type=")) {
    type_at = pos;
  } else if (at(line, pos, "node=")) {
    node_at = pos;
  } else {
    size_t limit = std::min<size_t>(line.size(), 1024);
    node_at = find_token(line, "node=", pos, limit);
    if (node_at == std::string_view::npos) type_at = find_token(line, "type=", pos, limit);
  }
  if (node_at != std::string_view::npos) {
    size_t p = node_at + 5;
    size_t ns = p;
    while (p < line.size() && !is_space(line[p])) ++p;
    out.node = line.substr(ns, p - ns);
    while (p < line.size() && is_space(line[p])) ++p;
    if (at(line, p, "type=")) {
      type_at = p;
    } else {
      type_at = find_token(line, "type=", p, std::min<size_t>(line.size(), p + 1024));
    }
  }
  if (type_at == std::string_view::npos) return LexStatus::NoType;
  out.text_begin = static_cast<uint32_t>(node_at != std::string_view::npos ? node_at : type_at);

  pos = type_at + 5;
  size_t ts = pos;
  while (pos < line.size() && !is_space(line[pos])) ++pos;
  out.type_name = line.substr(ts, pos - ts);
  if (out.type_name.empty()) return LexStatus::NoType;
  out.type = record_type_from_name(out.type_name);
  if (out.type != RecordType::Other) {
    out.type_number = static_cast<uint32_t>(out.type);
  } else if (out.type_name.size() > 9 && out.type_name.compare(0, 8, "UNKNOWN[") == 0) {
    auto n = parse_unsigned(out.type_name.substr(8, out.type_name.size() - 9), 10);
    if (n && *n < 100000) out.type_number = static_cast<uint32_t>(*n);
  }

  while (pos < line.size() && is_space(line[pos])) ++pos;
  // auditd writes "msg=audit(", the raw dispatcher/netlink format just "audit(".
  if (at(line, pos, "msg=audit(")) {
    pos += 10;
  } else if (at(line, pos, "audit(")) {
    pos += 6;
  } else {
    return LexStatus::NoTimestamp;
  }
  // The records of one event share their "SEC.MS:SERIAL": when this one repeats the previous
  // line's (byte for byte, followed by ')'), take its parsed values.
  TimestampCache& tc = t_timestamp;
  if (tc.len != 0 && line.size() - pos > tc.len && line[pos + tc.len] == ')' &&
      std::memcmp(line.data() + pos, tc.text, tc.len) == 0) {
    out.sec = tc.sec;
    out.msec = tc.msec;
    out.serial = tc.serial;
    pos += tc.len;
  } else {
    const size_t ts_start = pos;
    LexStatus st = parse_timestamp(line, pos, out);
    if (st != LexStatus::Ok) return st;
    tc.len = 0;
    if (pos - ts_start <= sizeof(tc.text)) {
      std::memcpy(tc.text, line.data() + ts_start, pos - ts_start);
      tc.len = static_cast<uint8_t>(pos - ts_start);
      tc.sec = out.sec;
      tc.msec = out.msec;
      tc.serial = out.serial;
    }
  }
  if (pos >= line.size() || line[pos] != ')') return LexStatus::BadTimestamp;
  ++pos;
  if (pos < line.size() && line[pos] == ':') ++pos;
  out.header_end = static_cast<uint32_t>(pos);

  if (!fields_out) return LexStatus::Ok;
  out.interp_begin = lex_body(line, pos, *fields_out, &out.enriched);
  return LexStatus::Ok;
}

// SEC.MS:SERIAL at line[pos...], up to (not including) the ')'.
LexStatus parse_timestamp(std::string_view line, size_t& pos, LexedRecord& out) {
  uint64_t v = 0;
  if (!parse_dec(line, pos, v)) return LexStatus::BadTimestamp;
  out.sec = v;
  if (pos >= line.size() || line[pos] != '.') return LexStatus::BadTimestamp;
  ++pos;
  size_t ms_start = pos;
  if (!parse_dec(line, pos, v) || pos - ms_start > 9) return LexStatus::BadTimestamp;
  // Scale to milliseconds whatever the number of digits written (auditd writes 3).
  size_t digits = pos - ms_start;
  while (digits < 3) { v *= 10; ++digits; }
  while (digits > 3) { v /= 10; --digits; }
  out.msec = static_cast<uint32_t>(v);
  if (pos >= line.size() || line[pos] != ':') return LexStatus::BadTimestamp;
  ++pos;
  if (!parse_dec(line, pos, v)) return LexStatus::BadTimestamp;
  out.serial = v;
  return LexStatus::Ok;
}

}  // namespace

LexStatus lex_line(std::string_view line, LexedRecord& out, std::vector<FieldRef>& fields) {
  fields.clear();
  return lex_impl(line, out, &fields);
}

LexStatus lex_header(std::string_view line, LexedRecord& out) { return lex_impl(line, out, nullptr); }

uint32_t lex_body(std::string_view line, size_t pos, std::vector<FieldRef>& fields, bool* enriched) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  size_t end = line.size();
  if (pos > end) pos = end;
  const void* sep = std::memchr(line.data() + pos, kEnrichSep, end - pos);
  size_t raw_end = sep ? static_cast<size_t>(static_cast<const char*>(sep) - line.data()) : end;
  lex_fields(line, pos, raw_end, fields, 0);
  auto interp_begin = static_cast<uint32_t>(fields.size());
  if (sep) lex_fields(line, raw_end + 1, end, fields, 1);
  if (enriched) *enriched = sep != nullptr;
  return interp_begin;
}

namespace {
struct PathField {
  std::string_view name;
  std::optional<std::string_view> PathFieldsRaw::*member;
};
// In the order the kernel writes them (audit_log_name()); objtype (older kernels' name for
// nametype) last.
constexpr PathField kPathFields[] = {
    {"item", &PathFieldsRaw::item},     {"name", &PathFieldsRaw::name},
    {"inode", &PathFieldsRaw::inode},   {"dev", &PathFieldsRaw::dev},
    {"mode", &PathFieldsRaw::mode},     {"ouid", &PathFieldsRaw::ouid},
    {"ogid", &PathFieldsRaw::ogid},     {"rdev", &PathFieldsRaw::rdev},
    {"nametype", &PathFieldsRaw::nametype}, {"objtype", &PathFieldsRaw::objtype}};
}  // namespace

std::optional<std::string_view>* PathFieldsRaw::slot(std::string_view key) {
  for (const PathField& f : kPathFields)
    if (f.name.size() == key.size() && std::memcmp(f.name.data(), key.data(), key.size()) == 0)
      return &(this->*f.member);
  return nullptr;
}

bool scan_path_fields(std::string_view text, size_t pos, PathFieldsRaw& out) {
  out = PathFieldsRaw{};
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.remove_suffix(1);
  const char* d = text.data();
  size_t end = text.size();
  if (pos > end) pos = end;
  if (const void* sep = std::memchr(d + pos, kEnrichSep, end - pos))
    end = static_cast<size_t>(static_cast<const char*>(sep) - d);
  int missing = 9;  // all but objtype
  // Fast path: the kernel writes these fields first and in kPathFields' order; a file that does
  // not exist has only item, name and nametype. Each expected key is compared in place; at the
  // first surprise the general loop below takes over from there.
  for (const PathField& f : kPathFields) {
    size_t p = pos;
    while (p < end && is_space(d[p])) ++p;
    const size_t n = f.name.size();
    if (end - p <= n + 1 || std::memcmp(d + p, f.name.data(), n) != 0 || d[p + n] != '=')
      continue;  // a field left out (no inode for a name that does not exist): try the next
    const size_t vs = p + n + 1;
    if (d[vs] == '\'') return false;
    pos = value_end(d, vs, end, kNone);
    out.*f.member = std::string_view(d + vs, pos - vs);
    if (f.member != &PathFieldsRaw::objtype) --missing;
  }
  while (pos < end && missing > 0) {
    while (pos < end && is_space(d[pos])) ++pos;
    if (pos >= end) break;
    const size_t ks = pos;
    size_t eq;
    const size_t te = token_end(d, pos, end, eq);
    if (eq == kNone || eq == ks) {  // a bare word, or a value without key
      pos = te;
      continue;
    }
    const size_t vs = eq + 1;
    if (vs < end && d[vs] == '\'') return false;
    pos = value_end(d, vs, end, te);
    std::optional<std::string_view>* slot = out.slot(std::string_view(d + ks, eq - ks));
    if (slot && !*slot) {
      *slot = std::string_view(d + vs, pos - vs);
      if (slot != &out.objtype) --missing;
    }
  }
  return true;
}

}  // namespace tocsin::audit
