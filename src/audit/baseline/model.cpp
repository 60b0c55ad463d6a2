// Baseline model: feature extraction from copies, counting, merging and the versioned file.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "audit/baseline/baseline.hpp"
#include "safeio/atomic_write.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin::audit::baseline {
namespace {

constexpr char kSep = '\x1f';
constexpr size_t kMaxModelBytes = 256u << 20;

// A part holding the separator itself (a hostile path or container name, or a crafted model
// file; found by the fuzzer) would split into other parts: it is stored with U+241F (SYMBOL FOR
// UNIT SEPARATOR) instead, the same when training, scoring and loading, so counts still match
// and a model survives its round trip.
void append_part(std::string& k, std::string_view part) {
  for (char c : part) {
    if (c == kSep) k += "\xe2\x90\x9f";
    else k.push_back(c);
  }
}

std::string make_key(std::string_view h, std::string_view u, std::string_view f, std::string_view v) {
  std::string k;
  k.reserve(h.size() + u.size() + f.size() + v.size() + 3);
  append_part(k, h);
  k.push_back(kSep);
  append_part(k, u);
  k.push_back(kSep);
  append_part(k, f);
  k.push_back(kSep);
  append_part(k, v);
  return k;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (true) {
    size_t j = s.find(sep, i);
    if (j == std::string_view::npos) {
      out.push_back(s.substr(i));
      return out;
    }
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
}

// Fields in the file are percent-escaped so that tabs, newlines and empty values survive.
std::string escape(std::string_view s) {
  if (s.empty()) return "%";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || c == '%' || u == 0x7f) out += fmt::format("%{:02X}", u);
    else out.push_back(c);
  }
  return out;
}

std::optional<std::string> unescape(std::string_view s) {
  if (s == "%") return std::string();
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int a = hex(s[i + 1]), b = hex(s[i + 2]);
    if (a < 0 || b < 0) return std::nullopt;
    out.push_back(static_cast<char>(a * 16 + b));
    i += 2;
  }
  return out;
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

bool all_digits(std::string_view t) {
  return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool has_digit(std::string_view t) {
  return std::any_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool all_hex(std::string_view t) {
  return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}
bool all_alnum(std::string_view t) {
  return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
  });
}

// A name token that varies between instances of the same service: numbers, hashes, the random
// suffixes of Kubernetes pods and compose replicas.
std::string normalise_token(std::string_view t, bool last) {
  if (all_digits(t)) return "*";
  // A hex suffix ("web-ecaa", compose/docker random ids) even without a digit.
  if (last && t.size() >= 4 && all_hex(t)) return "*";
  if (t.size() >= 4 && all_hex(t) && has_digit(t)) return "*";
  if (t.size() >= 5 && all_alnum(t) && has_digit(t)) {
    // "x2k4z" (k8s pod suffix), "7f9c8d6b5": mixed letters and digits, not a word + number.
    size_t first_digit = t.find_first_of("0123456789");
    bool word_then_number = all_digits(t.substr(first_digit)) && first_digit >= 2;
    if (!word_then_number) return "*";
  }
  // "web1", "replica03": keep the word.
  size_t end = t.size();
  while (end > 0 && t[end - 1] >= '0' && t[end - 1] <= '9') --end;
  if (end < t.size() && end > 0) return std::string(t.substr(0, end)) + "*";
  return std::string(t);
}

const char* const kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

}  // namespace

std::optional<CopyRecord> copy_record_from_alert(const Alert& a) {
  if (a.rule != "AU001" || !a.docker_cp || !a.time_ms) return std::nullopt;
  CopyRecord r;
  r.host = a.host.value_or("");
  if (a.user) {
    if (login_id_set(a.user->auid) && *a.user->auid >= 0) r.auid = a.user->auid;
    r.euid = a.user->euid ? a.user->euid : a.user->uid;
    if (a.user->tty && !a.user->tty->empty() && *a.user->tty != "(none)") {
      r.has_tty = true;
      r.tty = *a.user->tty;
    }
  }
  r.container = a.docker_cp->container;
  r.direction = a.docker_cp->direction;
  r.path = a.docker_cp->path;
  r.time_ms = *a.time_ms;
  return r;
}

std::string user_key(const CopyRecord& r) {
  return login_id_set(r.auid) ? std::to_string(*r.auid) : std::string("unset");
}
std::string host_key(const CopyRecord& r) { return r.host.empty() ? std::string("-") : r.host; }

std::string container_pattern(std::string_view name) {
  if (name.empty()) return "?";
  if (name.size() >= 12 && all_hex(name)) return "<id>";
  // kubectl: "ns/pod" keeps the namespace; runs of variable tokens collapse to one "*"
  // ("web-7f9c8d6b5-x2k4z" -> "web-*").
  std::string out;
  bool prev_var = false;
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find_first_of("-_./", i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view raw = name.substr(i, j - i);
    std::string tok = normalise_token(raw, i > 0 && j == name.size());
    // The pod suffix after a replica-set hash ("-snxg4") is random even when it reads like a word.
    if (prev_var && j == name.size() && raw.size() <= 10 && all_alnum(raw)) tok = "*";
    bool var = tok == "*";
    if (!(var && prev_var)) {
      if (i > 0) out.push_back(name[i - 1]);
      out += tok;
    }
    prev_var = var;
    i = j + 1;
  }
  return out.empty() ? std::string("?") : out;
}

std::string path_prefix(std::string_view path) {
  // The directory of the requested path (a trailing slash means the path is a directory).
  std::string p(path);
  bool is_dir = !p.empty() && p.back() == '/';
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (!is_dir) {
    size_t s = p.rfind('/');
    p = s == std::string::npos ? std::string(".") : s == 0 ? std::string("/") : p.substr(0, s);
  }
  if (p.empty() || p[0] != '/') return p.empty() ? "." : p.substr(0, p.find('/'));
  // First two components.
  size_t a = p.find('/', 1);
  if (a == std::string::npos) return p;
  size_t b = p.find('/', a + 1);
  return b == std::string::npos ? p : p.substr(0, b);
}

int hour_of_week(uint64_t epoch_ms, const TimeZone& tz) { return hour_of_week(tz.local_ms(epoch_ms)); }

int hour_of_week(uint64_t epoch_ms) {
  uint64_t secs = epoch_ms / 1000;
  uint64_t days = secs / 86400;
  int hour = static_cast<int>((secs % 86400) / 3600);
  int dow = static_cast<int>((days + 3) % 7);  // 1970-01-01 was a Thursday; Monday = 0
  return dow * 24 + hour;
}
bool is_weekend(int how) { return how / 24 >= 5; }
bool is_night(int how) {
  int h = how % 24;
  return h < 7 || h >= 19;
}
std::string describe_how(int how) { return fmt::format("{} {:02}:00", kDays[(how / 24) % 7], how % 24); }

std::vector<Feature> features_of(const CopyRecord& r, const TimeZone& tz) {
  std::string ctr = container_pattern(r.container);
  const char* dir = r.direction == "from-container" ? "from" : "to";
  return {
      {"euid", r.euid ? std::to_string(*r.euid) : std::string("?")},
      {"tty", r.has_tty ? "tty" : "none"},
      {"ctr", ctr},
      {"cdir", fmt::format("{} {}", dir, ctr)},
      {"path", fmt::format("{} {}", dir, path_prefix(r.path))},
      {"how", std::to_string(hour_of_week(r.time_ms, tz))},
  };
}

void Model::add(std::string_view h, std::string_view u, std::string_view f, std::string_view v, uint64_t n) {
  counts_[make_key(h, u, f, v)] += n;
}
void Model::raise_max(std::string_view h, std::string_view u, std::string_view f, uint64_t v) {
  auto& m = maxima_[make_key(h, u, f, "")];
  m = std::max(m, v);
}

uint64_t Model::count(std::string_view h, std::string_view u, std::string_view f, std::string_view v) const {
  auto it = counts_.find(make_key(h, u, f, v));
  return it == counts_.end() ? 0 : it->second;
}
uint64_t Model::max_rate(std::string_view h, std::string_view u) const {
  auto it = maxima_.find(make_key(h, u, "rate10m", ""));
  return it == maxima_.end() ? 0 : it->second;
}
double Model::days() const {
  if (!copies() || last_ms_ <= first_ms_) return 1;
  return std::max(1.0, static_cast<double>(last_ms_ - first_ms_) / 86400000.0);
}

void Model::train(std::vector<CopyRecord> records) {
  std::sort(records.begin(), records.end(), [](const CopyRecord& a, const CopyRecord& b) { return a.time_ms < b.time_ms; });
  std::unordered_map<std::string, std::vector<uint64_t>> times;  // host\x1fuser -> times
  for (const auto& r : records) {
    count_copies(r, 1, r.time_ms, r.time_ms);
    times[make_key(host_key(r), user_key(r), "", "")].push_back(r.time_ms);
  }
  for (auto& [k, ts] : times) {
    auto parts = split(k, kSep);
    learn_rate(parts[0], parts[1], ts);
  }
}

void Model::count_copies(const CopyRecord& r, uint64_t n, uint64_t first_ms, uint64_t last_ms) {
  std::string h = host_key(r), u = user_key(r);
  add("*", "*", "n", "", n);
  add(h, "*", "n", "", n);
  add("*", u, "n", "", n);
  add(h, u, "n", "", n);
  for (const auto& f : features_of(r, zone_)) {
    add(h, u, f.name, f.value, n);
    add(h, "*", f.name, f.value, n);
  }
  if (!first_ms_ || first_ms < first_ms_) first_ms_ = first_ms;
  last_ms_ = std::max(last_ms_, last_ms);
}

void Model::learn_rate(std::string_view host, std::string_view user, const std::vector<uint64_t>& sorted_times) {
  const auto& ts = sorted_times;
  uint64_t best = 0;
  size_t lo = 0;
  for (size_t hi = 0; hi < ts.size(); ++hi) {
    while (ts[hi] - ts[lo] >= kRateWindowMs) ++lo;
    best = std::max<uint64_t>(best, hi - lo + 1);
  }
  raise_max(host, user, "rate10m", best);
  raise_max(host, "*", "rate10m", best);
}

Status Model::set_zone(TimeZone tz) {
  if (tz.name() != zone_.name() && !counts_.empty())
    return Error{fmt::format("the model counts hours of week in {}; it cannot switch to {} (train a new model)",
                             zone_.name(), tz.name())};
  zone_ = std::move(tz);
  return ok_status();
}

Status Model::can_merge(const Model& o) const {
  if (o.zone_.name() == zone_.name() || counts_.empty() || o.counts_.empty()) return ok_status();
  return Error{fmt::format("the models count hours of week in different time zones ({} and {}): "
                           "retrain one with --timezone {}",
                           zone_.name(), o.zone_.name(), zone_.name())};
}

void Model::merge(const Model& o) {
  if (counts_.empty()) zone_ = o.zone_;
  for (const auto& [k, v] : o.counts_) counts_[k] += v;
  for (const auto& [k, v] : o.maxima_) {
    auto& m = maxima_[k];
    m = std::max(m, v);
  }
  if (o.first_ms_ && (!first_ms_ || o.first_ms_ < first_ms_)) first_ms_ = o.first_ms_;
  last_ms_ = std::max(last_ms_, o.last_ms_);
}

Model Model::as_one_host(std::string_view name) const {
  Model m;
  m.zone_ = zone_;
  m.first_ms_ = first_ms_;
  m.last_ms_ = last_ms_;
  for (const auto& [k, v] : counts_) {
    auto p = split(k, kSep);
    m.add(p[0] == "*" ? std::string_view("*") : name, p[1], p[2], p[3], v);
  }
  for (const auto& [k, v] : maxima_) {
    auto p = split(k, kSep);
    m.raise_max(p[0] == "*" ? std::string_view("*") : name, p[1], p[2], v);
  }
  return m;
}

std::string Model::serialize() const {
  std::string out = fmt::format("tocsin-baseline {}\n", kModelVersion);
  out += "# container copies (AU001) counted per host, user (auid), feature and value; see docs/rules/AU010.md\n";
  out += "# c COUNT HOST USER FEATURE VALUE | m MAX HOST USER FEATURE | span FIRST_MS LAST_MS | tz ZONE of the hours\n";
  out += fmt::format("span\t{}\t{}\n", first_ms_, last_ms_);
  out += fmt::format("tz\t{}\n", escape(zone_.name()));
  std::map<std::string, uint64_t> sorted(counts_.begin(), counts_.end());
  auto line = [&out](char kind, uint64_t n, const std::string& key, bool with_value) {
    auto p = split(key, kSep);
    out += fmt::format("{}\t{}\t{}\t{}\t{}", kind, n, escape(p[0]), escape(p[1]), escape(p[2]));
    if (with_value) out += "\t" + escape(p[3]);
    out += "\n";
  };
  for (const auto& [k, v] : sorted) line('c', v, k, true);
  std::map<std::string, uint64_t> msorted(maxima_.begin(), maxima_.end());
  for (const auto& [k, v] : msorted) line('m', v, k, false);
  return out;
}

Result<Model> Model::parse(std::string_view text, std::string_view name) {
  Model m;
  int lineno = 0;
  auto bad = [&](std::string_view why) {
    return Error{fmt::format("{}:{}: not a tocsin baseline model: {} (re-create it with `tocsin baseline train`)",
                             name, lineno, why), lineno, 0};
  };
  size_t i = 0;
  bool header = false;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view ln = text.substr(i, j - i);
    i = j + 1;
    ++lineno;
    if (!ln.empty() && ln.back() == '\r') ln.remove_suffix(1);
    if (!header) {
      if (ln.substr(0, 16) != "tocsin-baseline ") return bad("missing the 'tocsin-baseline N' header");
      auto v = parse_u64(ln.substr(16));
      if (!v) return bad("bad version");
      // Version 1 had no zone line: its hours are UTC, which is what an unset zone means.
      if (*v < 1 || *v > static_cast<uint64_t>(kModelVersion))
        return bad(fmt::format("version {} (this tocsin reads versions 1 to {})", *v, kModelVersion));
      header = true;
      continue;
    }
    if (ln.empty() || ln[0] == '#') continue;
    auto p = split(ln, '\t');
    if (p[0] == "tz" && p.size() == 2) {
      auto zone_name = unescape(p[1]);
      if (!zone_name) return bad("bad escape");
      auto tz = TimeZone::named(*zone_name);
      if (!tz) return Error{fmt::format("{}:{}: {}", name, lineno, tz.error().message), lineno, 0};
      m.zone_ = std::move(*tz);
    } else if (p[0] == "span" && p.size() == 3) {
      auto a = parse_u64(p[1]), b = parse_u64(p[2]);
      if (!a || !b) return bad("bad span");
      m.first_ms_ = *a;
      m.last_ms_ = *b;
    } else if ((p[0] == "c" && p.size() == 6) || (p[0] == "m" && p.size() == 5)) {
      auto n = parse_u64(p[1]);
      if (!n) return bad("bad count");
      std::string f[4];
      for (size_t k = 2; k < p.size(); ++k) {
        auto u = unescape(p[k]);
        if (!u) return bad("bad escape");
        f[k - 2] = std::move(*u);
      }
      if (p[0] == "c") m.counts_[make_key(f[0], f[1], f[2], f[3])] += *n;
      else m.raise_max(f[0], f[1], f[2], *n);
    } else {
      return bad("unknown line");
    }
  }
  if (!header) return bad("empty file");
  return m;
}

Result<Model> Model::load(const std::string& path) {
  auto text = safeio::read_file(path, kMaxModelBytes);
  if (!text) return Error{fmt::format("cannot read model {}: {}", path, text.error().message)};
  return parse(*text, path);
}

Status Model::save(const std::string& path) const {
  return safeio::write_file_atomic(path, serialize());
}

std::string Model::describe(size_t top) const {
  std::string out = fmt::format("baseline: {} copies over {:.1f} days", copies(), days());
  if (first_ms_) out += fmt::format(" ({} .. {})", iso_time_ms(first_ms_), iso_time_ms(last_ms_));
  out += fmt::format("; hours of week in {}\n", zone_.name());
  // host -> users, from the "n" counts.
  std::map<std::string, std::map<std::string, uint64_t>> hosts;
  std::map<std::string, std::map<std::string, std::vector<std::pair<uint64_t, std::string>>>> feats;
  for (const auto& [k, v] : counts_) {
    auto p = split(k, kSep);
    if (p[0] == "*") continue;
    if (p[2] == "n") hosts[std::string(p[0])][std::string(p[1])] = v;
    else if (p[1] != "*") feats[std::string(p[0]) + kSep + std::string(p[1])][std::string(p[2])].emplace_back(v, std::string(p[3]));
  }
  for (const auto& [h, users] : hosts) {
    out += fmt::format("host {}: {} copies, busiest 10 minutes: {}\n", h, users.count("*") ? users.at("*") : 0,
                       maxima_.count(make_key(h, "*", "rate10m", "")) ? maxima_.at(make_key(h, "*", "rate10m", "")) : 0);
    for (const auto& [u, n] : users) {
      if (u == "*") continue;
      out += fmt::format("  auid {}: {} copies ({:.1f}/day), at most {} in 10 minutes\n", u, n,
                         static_cast<double>(n) / days(), max_rate(h, u));
      auto it = feats.find(std::string(h).append(1, kSep).append(u));
      if (it == feats.end()) continue;
      // Time of week as shifts, the rest as top values.
      uint64_t shift[4] = {0, 0, 0, 0};
      for (auto& [name, vals] : it->second) {
        if (name == "how") {
          for (auto& [c, v] : vals) {
            int how = std::atoi(v.c_str());
            shift[(is_weekend(how) ? 2 : 0) + (is_night(how) ? 1 : 0)] += c;
          }
          continue;
        }
        std::sort(vals.begin(), vals.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
        std::string line;
        for (size_t k = 0; k < vals.size() && k < top; ++k)
          line += fmt::format("{}{} ({})", k ? ", " : "", vals[k].second, vals[k].first);
        if (vals.size() > top) line += fmt::format(", … {} more", vals.size() - top);
        static const std::map<std::string, std::string> kLabel = {{"euid", "euid"}, {"tty", "terminal"}, {"ctr", "containers"},
                                                                  {"cdir", "direction"}, {"path", "paths"}};
        auto lb = kLabel.find(name);
        out += fmt::format("    {:<10} {}\n", lb == kLabel.end() ? name : lb->second, line);
      }
      out += fmt::format("    {:<10} weekday day {}, weekday night {}, weekend day {}, weekend night {}\n", "time",
                         shift[0], shift[1], shift[2], shift[3]);
    }
  }
  return out;
}

}  // namespace tocsin::audit::baseline
