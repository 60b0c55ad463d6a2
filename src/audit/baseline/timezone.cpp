// Time zones for the baseline (see timezone.hpp): TZif files, POSIX TZ rules, and finding the
// machine's zone without touching the process's TZ environment.
//
// Kept instead of Howard Hinnant's date/tz (Debian 12: libhowardhinnant-date-dev 3.0.1, built
// with USE_OS_TZDB=1), measured against glibc's localtime_r as baseline_timezone_test does:
// - date::locate_zone ignores the TZif footer rule, so after the last listed transition (2037)
//   DST is gone: 897 of the test's 10,000 samples (10 zones, 1990-2060) are an hour off, all
//   after 2038; this reader has 0.
// - date/ptz.h (POSIX TZ strings) does not compile as C++20 with g++ 12 (hh_mm_ss is ambiguous
//   between date:: and std::chrono::); built as C++17 it rejects the RFC 8536 footer
//   extensions tzdata uses ("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", America/Nuuk), and "EST5EDT"
//   (no rule) gets no DST where glibc and this reader apply the US rule.
// - it does not read $TZDIR, and a machine without /usr/share/zoneinfo makes every lookup throw.
// absl::TimeZone (libabsl-dev, not installed here) was not measured.
#include "audit/baseline/timezone.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <vector>

#include "safeio/safe_file.hpp"

namespace tocsin::audit::baseline {
namespace {

constexpr size_t kMaxTzifBytes = 1u << 20;
constexpr int64_t kDay = 86400;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (400-year eras of 146097 days, years
// counted from March so the leap day ends the year).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = floor_div(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The civil year of an epoch day (the inverse of the above).
int64_t year_of_day(int64_t days) {
  days += 719468;
  const int64_t era = floor_div(days, 146097);
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

// ---- POSIX TZ rules ("CET-1CEST,M3.5.0,M10.5.0/3"), the footer of TZif v2+ files.

struct RuleDate {
  char kind = 'M';      // 'M' month.week.day, 'J' Julian day 1-365 (no Feb 29), 'n' day 0-365
  int a = 0, b = 0, c = 0;
  int64_t time = 7200;  // local seconds after midnight (may be negative or past 24 h)
};

struct PosixRule {
  int64_t std_off = 0, dst_off = 0;  // seconds east of UTC
  bool has_dst = false;
  RuleDate start, end;

  // The UTC second a rule date takes effect in `year`, given the offset in force before it.
  static int64_t transition(const RuleDate& r, int64_t year, int64_t off_before) {
    int64_t day = days_from_civil(year, 1, 1);
    if (r.kind == 'J') {
      day += r.a - 1 + (is_leap(year) && r.a >= 60 ? 1 : 0);
    } else if (r.kind == 'n') {
      day += r.a;
    } else {
      const int64_t first = days_from_civil(year, r.a, 1);
      const int64_t wd_first = ((first + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday; Sunday = 0
      int64_t dom = 1 + (r.c - wd_first + 7) % 7 + (r.b - 1) * 7;
      while (dom > days_in_month(year, r.a)) dom -= 7;  // week 5: the last such weekday
      day = first + dom - 1;
    }
    return day * kDay + r.time - off_before;
  }

  int64_t offset(int64_t t) const {
    if (!has_dst) return std_off;
    const int64_t year = year_of_day(floor_div(t + std_off, kDay));
    const int64_t s = transition(start, year, std_off), e = transition(end, year, dst_off);
    const bool dst = s < e ? (t >= s && t < e) : !(t >= e && t < s);  // southern zones: DST spans new year
    return dst ? dst_off : std_off;
  }
};

class RuleParser {
 public:
  explicit RuleParser(std::string_view s) : s_(s) {}

  std::optional<PosixRule> parse() {
    PosixRule r;
    int64_t off = 0;
    if (!name() || !hms(off, 24)) return std::nullopt;
    r.std_off = -off;  // POSIX counts west of UTC as positive
    if (done()) return r;
    if (!name()) return std::nullopt;
    r.has_dst = true;
    r.dst_off = r.std_off + 3600;
    if (!done() && peek() != ',') {
      if (!hms(off, 24)) return std::nullopt;
      r.dst_off = -off;
    }
    if (done()) {
      // No rule given: POSIX leaves it to the implementation; glibc uses the US rule.
      r.start = {'M', 3, 2, 0, 7200};
      r.end = {'M', 11, 1, 0, 7200};
      return r;
    }
    if (!eat(',') || !date(r.start) || !eat(',') || !date(r.end) || !done()) return std::nullopt;
    return r;
  }

 private:
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  bool digit() const { return peek() >= '0' && peek() <= '9'; }
  bool number(int64_t& v, int max_digits) {
    if (!digit()) return false;
    v = 0;
    for (int k = 0; k < max_digits && digit(); ++k) v = v * 10 + (s_[i_++] - '0');
    return true;
  }
  bool name() {
    if (eat('<')) {
      size_t close = s_.find('>', i_);
      if (close == std::string_view::npos || close - i_ < 3) return false;
      i_ = close + 1;
      return true;
    }
    size_t start = i_;
    while (!done() && ((peek() >= 'A' && peek() <= 'Z') || (peek() >= 'a' && peek() <= 'z'))) ++i_;
    return i_ - start >= 3;
  }
  // [+|-]hh[:mm[:ss]] in seconds; hours up to `max_hours`.
  bool hms(int64_t& out, int64_t max_hours) {
    int64_t sign = 1;
    if (eat('-')) sign = -1;
    else eat('+');
    int64_t h = 0, m = 0, sec = 0;
    if (!number(h, 3) || h > max_hours) return false;
    if (eat(':')) {
      if (!number(m, 2) || m > 59) return false;
      if (eat(':') && (!number(sec, 2) || sec > 59)) return false;
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool date(RuleDate& d) {
    int64_t a = 0, b = 0, c = 0;
    if (eat('M')) {
      if (!number(a, 2) || a < 1 || a > 12 || !eat('.') || !number(b, 1) || b < 1 || b > 5 || !eat('.') ||
          !number(c, 1) || c > 6)
        return false;
      d = {'M', static_cast<int>(a), static_cast<int>(b), static_cast<int>(c), 7200};
    } else if (eat('J')) {
      if (!number(a, 3) || a < 1 || a > 365) return false;
      d = {'J', static_cast<int>(a), 0, 0, 7200};
    } else {
      if (!number(a, 3) || a > 365) return false;
      d = {'n', static_cast<int>(a), 0, 0, 7200};
    }
    if (eat('/')) return hms(d.time, 167);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// ---- TZif (RFC 8536)

class Bytes {
 public:
  explicit Bytes(std::string_view d) : d_(d) {}
  bool has(size_t n) const { return pos_ <= d_.size() && d_.size() - pos_ >= n; }
  size_t pos() const { return pos_; }
  void seek(size_t p) { pos_ = p; }
  uint8_t u8() { return static_cast<uint8_t>(d_[pos_++]); }
  uint32_t u32() {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v = (v << 8) | u8();
    return v;
  }
  int64_t i64() {
    uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v = (v << 8) | u8();
    return static_cast<int64_t>(v);
  }
  std::string_view rest() const { return d_.substr(std::min(pos_, d_.size())); }

 private:
  std::string_view d_;
  size_t pos_ = 0;
};

struct Counts {
  uint32_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
  size_t block(size_t time_size) const {
    return time * time_size + time + type * 6 + chars + leap * (time_size + 4) + isstd + isut;
  }
};

bool read_header(Bytes& b, char& version, Counts& c) {
  if (!b.has(44)) return false;
  size_t at = b.pos();
  if (b.u8() != 'T' || b.u8() != 'Z' || b.u8() != 'i' || b.u8() != 'f') return false;
  version = static_cast<char>(b.u8());
  b.seek(at + 20);
  c.isut = b.u32();
  c.isstd = b.u32();
  c.leap = b.u32();
  c.time = b.u32();
  c.type = b.u32();
  c.chars = b.u32();
  // RFC 8536 limits; anything else is a broken file.
  return c.type >= 1 && c.type <= 256 && c.chars >= 1 && c.time <= (1u << 20) && c.leap <= (1u << 16) &&
         (c.isut == 0 || c.isut == c.type) && (c.isstd == 0 || c.isstd == c.type);
}

const std::vector<std::string_view>& utc_aliases() {
  static const std::vector<std::string_view> k = {
      "UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu", "GMT", "Etc/GMT",
      "GMT0", "Etc/GMT0", "GMT+0", "Etc/GMT+0", "GMT-0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich"};
  return k;
}

bool plausible_zone_name(std::string_view n) {
  if (n.empty() || n.size() > 255 || n.front() == '/' || n.back() == '/') return false;
  for (char ch : n)
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '/' ||
          ch == '_' || ch == '-' || ch == '+' || ch == '.'))
      return false;
  size_t i = 0;
  while (i <= n.size()) {
    size_t j = n.find('/', i);
    if (j == std::string_view::npos) j = n.size();
    std::string_view part = n.substr(i, j - i);
    if (part.empty() || part == "." || part == "..") return false;
    i = j + 1;
  }
  return true;
}

// "/usr/share/zoneinfo/posix/Europe/Berlin" -> "Europe/Berlin".
std::optional<std::string> zone_from_path(std::string_view p) {
  size_t at = p.rfind("zoneinfo/");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view n = p.substr(at + 9);
  for (std::string_view pre : {"posix/", "right/"})
    if (n.substr(0, pre.size()) == pre) n.remove_prefix(pre.size());
  if (n.empty()) return std::nullopt;
  return std::string(n);
}

}  // namespace

struct TimeZone::Data {
  std::vector<int64_t> times;  // transitions, UTC seconds, ascending
  std::vector<uint8_t> idx;    // type in force from each transition
  std::vector<int32_t> offs;   // per type: seconds east of UTC
  std::optional<PosixRule> rule;  // after the last transition (or always, when there is none)
};

TimeZone::TimeZone() = default;

Result<TimeZone> TimeZone::from_tzif(std::string_view name, std::string_view data) {
  auto bad = [&](std::string_view why) {
    return Error{fmt::format("time zone {}: not a usable TZif file ({})", name, why)};
  };
  Bytes b(data);
  char version = 0;
  Counts c;
  if (!read_header(b, version, c)) return bad("bad header");
  size_t time_size = 4;
  if (version >= '2') {
    // Skip the 32-bit block: the 64-bit one after the second header supersedes it.
    if (!b.has(c.block(4))) return bad("truncated");
    b.seek(b.pos() + c.block(4));
    if (!read_header(b, version, c)) return bad("bad second header");
    time_size = 8;
  }
  if (!b.has(c.block(time_size))) return bad("truncated");
  auto d = std::make_shared<Data>();
  d->times.reserve(c.time);
  for (uint32_t k = 0; k < c.time; ++k) {
    int64_t t = time_size == 8 ? b.i64() : static_cast<int64_t>(static_cast<int32_t>(b.u32()));
    if (!d->times.empty() && t <= d->times.back()) return bad("transitions out of order");
    d->times.push_back(t);
  }
  for (uint32_t k = 0; k < c.time; ++k) {
    uint8_t i = b.u8();
    if (i >= c.type) return bad("bad type index");
    d->idx.push_back(i);
  }
  for (uint32_t k = 0; k < c.type; ++k) {
    auto off = static_cast<int32_t>(b.u32());
    b.u8();  // isdst
    b.u8();  // abbreviation index
    if (off <= -89999 || off >= 93600) return bad("offset out of range");
    d->offs.push_back(off);
  }
  b.seek(b.pos() + c.chars + c.leap * (time_size + 4) + c.isstd + c.isut);
  if (time_size == 8) {
    // Footer: "\n<POSIX TZ rule>\n" (the rule may be empty).
    std::string_view rest = b.rest();
    if (rest.size() >= 2 && rest.front() == '\n') {
      size_t end = rest.find('\n', 1);
      if (end != std::string_view::npos && end > 1) {
        d->rule = RuleParser(rest.substr(1, end - 1)).parse();
        if (!d->rule) return bad("unreadable footer rule");
      }
    }
  }
  TimeZone z;
  z.name_ = std::string(name);
  z.data_ = std::move(d);
  return z;
}

Result<TimeZone> TimeZone::named(std::string_view name) {
  for (auto alias : utc_aliases())
    if (name == alias) return TimeZone();
  if (plausible_zone_name(name)) {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("TZDIR"); env && *env) dirs.emplace_back(env);
    dirs.emplace_back("/usr/share/zoneinfo");
    for (const auto& dir : dirs) {
      auto text = safeio::read_file(dir + "/" + std::string(name), kMaxTzifBytes);
      if (text) return from_tzif(name, *text);
    }
  }
  if (auto rule = RuleParser(name).parse()) {
    auto d = std::make_shared<Data>();
    d->rule = *rule;
    TimeZone z;
    z.name_ = std::string(name);
    z.data_ = std::move(d);
    return z;
  }
  return Error{fmt::format("unknown time zone '{}': give an IANA name from /usr/share/zoneinfo "
                           "(e.g. Europe/Berlin), UTC, or a POSIX TZ string (e.g. CET-1CEST,M3.5.0,M10.5.0/3)",
                           name)};
}

TimeZone TimeZone::local(std::string* note) {
  auto say = [note](std::string s) {
    if (note) *note = std::move(s);
  };
  if (const char* tz = std::getenv("TZ"); tz && *tz) {
    std::string v = tz;
    if (v.front() == ':') v.erase(0, 1);
    std::optional<std::string> name = v;
    if (!v.empty() && v.front() == '/') name = zone_from_path(v);
    if (name)
      if (auto z = named(*name)) return std::move(*z);
    say(fmt::format("TZ='{}' names no time zone this machine knows; using UTC", tz));
    return TimeZone();
  }
  char buf[4096];
  ssize_t n = ::readlink("/etc/localtime", buf, sizeof buf - 1);
  if (n > 0) {
    if (auto name = zone_from_path(std::string_view(buf, static_cast<size_t>(n))))
      if (auto z = named(*name)) return std::move(*z);
  }
  if (auto text = safeio::read_file("/etc/timezone", 4096)) {
    std::string name = text->substr(0, text->find('\n'));
    while (!name.empty() && (name.back() == ' ' || name.back() == '\r' || name.back() == '\t')) name.pop_back();
    if (!name.empty())
      if (auto z = named(name)) return std::move(*z);
  }
  say("the machine's time zone is not named by TZ, /etc/localtime or /etc/timezone; using UTC");
  return TimeZone();
}

int64_t TimeZone::offset_s(uint64_t epoch_ms) const {
  if (!data_) return 0;
  const Data& d = *data_;
  const auto t = static_cast<int64_t>(epoch_ms / 1000);
  if (d.times.empty()) return d.rule ? d.rule->offset(t) : d.offs.front();
  if (t < d.times.front()) return d.offs.front();
  size_t i = static_cast<size_t>(std::upper_bound(d.times.begin(), d.times.end(), t) - d.times.begin()) - 1;
  if (i + 1 == d.times.size() && d.rule) return d.rule->offset(t);
  return d.offs[d.idx[i]];
}

uint64_t TimeZone::local_ms(uint64_t epoch_ms) const {
  int64_t off = offset_s(epoch_ms) * 1000;
  if (off < 0 && static_cast<uint64_t>(-off) > epoch_ms) return 0;
  return static_cast<uint64_t>(static_cast<int64_t>(epoch_ms) + off);
}

}  // namespace tocsin::audit::baseline
