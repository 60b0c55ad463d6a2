// Baseline scoring: per-feature rarity of a copy for its user on its host (backed off to the
// host), combined into one 0-1 score, with the sentences that explain it (docs/rules/AU010.md).
// The AU010 alert made from a score is the rule's own file, detections/AU010_rare_container_copy.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "audit/baseline/baseline.hpp"

namespace tocsin::audit::baseline {
namespace {

// Weights of the noisy-OR combination: how much one fully rare feature alone moves the score.
constexpr double kWeightHost = 1.0;
constexpr double kWeightUser = 1.0;
constexpr double kWeightRate = 1.0;
constexpr double kWeightTime = 0.9;
constexpr double kWeightContainer = 0.85;
constexpr double kWeightPath = 0.8;
constexpr double kWeightSensitive = 0.9;
constexpr double kWeightTty = 0.7;
constexpr double kWeightEuid = 0.7;
// Back-off: a value this user never used but others on the host use often keeps this share
// of its rarity (time habits are personal, so they back off less).
constexpr double kBackoffKeep = 0.6;
constexpr double kBackoffKeepTime = 0.9;
// Reasons below this contribution are left out of the explanation.
constexpr double kExplainMin = 0.15;

const char* const kDayNames[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

// Credentials and host-identity files: a copy out of one that is not a habit of the user is
// worth a look even when the path prefix is known to the host.
bool is_sensitive_path(std::string_view p) {
  static constexpr std::string_view kPrefixes[] = {"/run/secrets", "/var/run/secrets", "/etc/shadow", "/etc/gshadow",
                                                   "/etc/sudoers", "/root/", "/etc/kubernetes/", "/etc/ssl/private",
                                                   "/proc/"};
  static constexpr std::string_view kParts[] = {"/.ssh/", "/.aws/", "/.kube/", "/.docker/config.json", "/.gnupg/",
                                                "id_rsa", "id_ed25519", ".pem", ".key", "credentials", "/secrets/"};
  for (auto x : kPrefixes)
    if (p.substr(0, x.size()) == x) return true;
  for (auto x : kParts)
    if (p.find(x) != std::string_view::npos) return true;
  return false;
}

std::string who(const std::string& u) { return u == "unset" ? std::string("no-login (auid unset)") : "auid " + u; }

std::string times(uint64_t n) { return n == 1 ? std::string("once") : fmt::format("{} times", n); }

std::string shift_name(int how) {
  return fmt::format("{} {}", is_weekend(how) ? "weekend" : "weekday", is_night(how) ? "night" : "day");
}

// "03:12 on a Sunday (Europe/Berlin)": the copy's local time in the model's zone.
std::string when(uint64_t ms, const TimeZone& tz) {
  uint64_t local = tz.local_ms(ms);
  int how = hour_of_week(local);
  return fmt::format("{:02}:{:02} on a {} ({})", how % 24, (local / 1000 % 3600) / 60, kDayNames[how / 24], tz.name());
}

struct TimeCounts {
  uint64_t shift = 0, band = 0;
};
TimeCounts time_counts(const Model& m, std::string_view h, std::string_view u, int how, bool other_days = false) {
  TimeCounts t;
  bool we = is_weekend(how) != other_days, night = is_night(how);
  int hod = how % 24;
  for (int x = 0; x < 168; ++x) {
    if (is_weekend(x) != we) continue;
    uint64_t c = m.count(h, u, "how", std::to_string(x));
    if (!c) continue;
    if (is_night(x) == night) t.shift += c;
    int d = std::abs(x % 24 - hod);
    if (d <= 1 || d == 23) t.band += c;
  }
  return t;
}

}  // namespace

double rarity(uint64_t c, uint64_t n) {
  if (n == 0) return 0;  // nothing known: the user/host rarity speaks instead
  double conf = static_cast<double>(n) / (static_cast<double>(n) + 3.0);
  if (c == 0) return conf;
  // A value seen in at least 2% of the copies, or at least 3 times, is a habit.
  double limit = std::min(0.02 * static_cast<double>(n), 3.0);
  double cc = static_cast<double>(c);
  if (cc >= limit) return 0;
  return conf * (1.0 - cc / limit);
}

Scored score_copy(const Model& m, const CopyRecord& r, uint64_t copies_in_window) {
  Scored s;
  const std::string h = host_key(r), u = user_key(r);
  const std::string hl = r.host.empty() ? std::string("this host") : r.host;
  const double days = m.days();
  auto add = [&s](std::string feature, double rar, double w, std::string text) {
    if (rar <= 0) return;
    s.reasons.push_back({std::move(feature), std::min(1.0, rar), w, std::move(text)});
  };

  const uint64_t n_host = m.count(h, "*", "n");
  const uint64_t n_hu = m.count(h, u, "n");
  if (n_host == 0) {
    add("host", 1.0, kWeightHost,
        fmt::format("host {} is not in the baseline ({} copies learned over {:.0f} days on other hosts)", hl,
                    m.copies(), days));
  }
  if (n_hu == 0) {
    uint64_t elsewhere = m.count("*", u, "n");
    if (elsewhere)
      add("user", 0.8, kWeightUser,
          fmt::format("{} never copied on {} in {:.0f} days ({} on other hosts)", who(u), hl, days, times(elsewhere)));
    else
      add("user", 1.0, kWeightUser, fmt::format("{} never copied on any host in {:.0f} days", who(u), days));
  }

  if (n_hu > 0) {
    auto feats = features_of(r, m.zone());
    auto value = [&feats](std::string_view name) {
      for (const auto& f : feats)
        if (f.name == name) return f.value;
      return std::string();
    };
    auto backed = [&](std::string_view f, const std::string& v, double keep) {
      double ru = rarity(m.count(h, u, f, v), n_hu);
      double rh = rarity(m.count(h, "*", f, v), n_host);
      return ru * (keep + (1.0 - keep) * rh);
    };
    auto others = [&](std::string_view f, const std::string& v) {
      uint64_t all = m.count(h, "*", f, v), mine = m.count(h, u, f, v);
      return all > mine ? fmt::format("others on {} did {}", hl, times(all - mine)) : fmt::format("nobody on {} did", hl);
    };
    const bool from = r.direction == "from-container";
    const char* dirword = from ? "out of" : "into";

    // Container (name pattern), and the direction of copies with it.
    std::string ctr = value("ctr"), cdir = value("cdir");
    double r_ctr = backed("ctr", ctr, kBackoffKeep);
    double r_cdir = backed("cdir", cdir, kBackoffKeep);
    if (r_ctr >= 0.6 * r_cdir) {
      uint64_t c = m.count(h, u, "ctr", ctr);
      add("container", r_ctr, kWeightContainer,
          c ? fmt::format("{} copied with {} containers only {} in {:.0f} days ({})", who(u), ctr, times(c), days, others("ctr", ctr))
            : fmt::format("{} never copied with {} containers in {:.0f} days ({})", who(u), ctr, days, others("ctr", ctr)));
    } else {
      uint64_t c = m.count(h, u, "cdir", cdir);
      add("container", 0.6 * r_cdir, kWeightContainer,
          c ? fmt::format("{} copied {} {} containers only {} in {:.0f} days", who(u), dirword, ctr, times(c), days)
            : fmt::format("{} never copied {} {} containers in {:.0f} days ({})", who(u), dirword, ctr, days, others("cdir", cdir)));
    }

    // Path prefix inside the container, with the direction.
    std::string pv = value("path");
    double r_path = backed("path", pv, kBackoffKeep);
    {
      uint64_t c = m.count(h, u, "path", pv);
      std::string pre = path_prefix(r.path);
      add("path", r_path, kWeightPath,
          c ? fmt::format("{} copied {} {}/… only {}", who(u), dirword, pre == "/" ? "" : pre, times(c))
            : fmt::format("{} never copied {} {}/… in {:.0f} days ({})", who(u), dirword, pre == "/" ? "" : pre, days, others("path", pv)));
    }

    if (from && is_sensitive_path(r.path)) {
      double ru = rarity(m.count(h, u, "path", pv), n_hu);
      add("sensitive", ru, kWeightSensitive,
          fmt::format("{} is a credentials or identity path", r.path));
    }

    // Time of week: the shift (weekday/weekend x day/night) and the hour band (+-1 h, same kind
    // of day), so routine work at another hour of the same shift stays quiet.
    int how = hour_of_week(r.time_ms, m.zone());
    TimeCounts tu = time_counts(m, h, u, how), th = time_counts(m, h, "*", how);
    auto time_rarity = [&](const TimeCounts& t, uint64_t n) {
      double rs = rarity(t.shift, n), rb = rarity(t.band, n);
      return std::max(0.5 * rb, std::min(rs, rb));
    };
    // Working hours the user keeps on the other kind of day (weekday hours on a Saturday)
    // cap the time rarity: on-call work is unusual, not alarming.
    TimeCounts to = time_counts(m, h, u, how, true);
    double r_time_user = std::min(time_rarity(tu, n_hu), 0.3 + 0.7 * rarity(to.band, n_hu));
    double r_time = r_time_user * (kBackoffKeepTime + (1.0 - kBackoffKeepTime) * time_rarity(th, n_host));
    if (r_time > 0) {
      if (tu.shift == 0)
        add("time", r_time, kWeightTime,
            fmt::format("{} never copied on a {} in {:.0f} days; this copy at {}", who(u), shift_name(how), days, when(r.time_ms, m.zone())));
      else
        add("time", r_time, kWeightTime,
            tu.band ? fmt::format("{} copied around {:02}:00 on {}s only {}; this copy at {}", who(u), how % 24,
                                  is_weekend(how) ? "weekend day" : "weekday", times(tu.band), when(r.time_ms, m.zone()))
                    : fmt::format("{} never copied around {:02}:00 on {}s; this copy at {}", who(u), how % 24,
                                  is_weekend(how) ? "weekend day" : "weekday", when(r.time_ms, m.zone())));
    }

    // Terminal and effective user.
    std::string tty = value("tty");
    double r_tty = backed("tty", tty, kBackoffKeep);
    add("tty", r_tty, kWeightTty,
        r.has_tty ? fmt::format("{} never copied from a terminal before (this one from {})", who(u), r.tty)
                  : fmt::format("{} always copied from a terminal; this copy has none", who(u)));
    std::string euid = value("euid");
    double r_euid = backed("euid", euid, kBackoffKeep);
    add("euid", r_euid, kWeightEuid, fmt::format("{} never copied as euid {} before", who(u), euid));

    // Rate: copies by this user on this host in 10 minutes against the most ever seen.
    uint64_t mx = m.max_rate(h, u);
    double allowed = std::max(1.5 * static_cast<double>(mx), static_cast<double>(mx) + 3.0);
    double w = static_cast<double>(copies_in_window);
    if (w > allowed) {
      add("rate", std::min(1.0, (w - allowed) / allowed), kWeightRate,
          fmt::format("{} copies by {} on {} within 10 minutes; at most {} before", copies_in_window, who(u), hl, mx));
    }
  }

  double keep = 1.0;
  for (const auto& x : s.reasons) keep *= 1.0 - x.weight * x.rarity;
  s.score = std::clamp(1.0 - keep, 0.0, 1.0);
  std::sort(s.reasons.begin(), s.reasons.end(),
            [](const Reason& a, const Reason& b) { return a.weight * a.rarity > b.weight * b.rarity; });
  for (const auto& x : s.reasons) {
    if (x.weight * x.rarity < kExplainMin && !s.explanation.empty()) continue;
    if (!s.explanation.empty()) s.explanation += "; ";
    s.explanation += x.text;
  }
  if (s.explanation.empty()) s.explanation = "habitual copy";
  return s;
}

Scored Scorer::score_copy(const CopyRecord& r) {
  auto& ts = recent_[host_key(r) + '\x1f' + user_key(r)];
  ts.push_back(r.time_ms);
  // Times arrive nearly in order; drop what left the window.
  auto cut = std::remove_if(ts.begin(), ts.end(), [&r](uint64_t t) { return t + kRateWindowMs <= r.time_ms; });
  ts.erase(cut, ts.end());
  uint64_t w = static_cast<uint64_t>(std::count_if(ts.begin(), ts.end(), [&r](uint64_t t) { return t <= r.time_ms; }));
  return baseline::score_copy(model_, r, w);
}

std::vector<Alert> apply_baseline(const Model& m, const std::vector<Alert>& alerts, const ScoreOptions& opt) {
  struct Item {
    const Alert* alert;
    CopyRecord rec;
  };
  std::vector<Item> items;
  for (const auto& a : alerts)
    if (auto r = copy_record_from_alert(a)) {
      if (opt.fleet) r->host = std::string(kFleetHost);
      items.push_back({&a, std::move(*r)});
    }
  // The burst size of a copy: the busiest 10-minute window that contains it, so every copy of
  // a scripted loop is scored as part of the loop, not just the ones after the learned maximum.
  std::map<std::string, std::vector<size_t>> by_user;
  for (size_t i = 0; i < items.size(); ++i)
    by_user[host_key(items[i].rec) + '\x1f' + user_key(items[i].rec)].push_back(i);
  std::vector<uint64_t> window(items.size(), 1);
  for (auto& [k, idx] : by_user) {
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return items[a].rec.time_ms < items[b].rec.time_ms; });
    std::vector<uint64_t> starting(idx.size());  // copies in [t_j, t_j + 10 min)
    size_t hi = 0;
    for (size_t j = 0; j < idx.size(); ++j) {
      hi = std::max(hi, j);
      while (hi < idx.size() && items[idx[hi]].rec.time_ms < items[idx[j]].rec.time_ms + kRateWindowMs) ++hi;
      starting[j] = hi - j;
    }
    size_t lo = 0;
    for (size_t i = 0; i < idx.size(); ++i) {
      uint64_t t = items[idx[i]].rec.time_ms;
      while (items[idx[lo]].rec.time_ms + kRateWindowMs <= t) ++lo;
      uint64_t best = 1;
      for (size_t j = lo; j <= i; ++j) best = std::max(best, starting[j]);
      window[idx[i]] = best;
    }
  }
  std::vector<Alert> out;
  for (size_t i = 0; i < items.size(); ++i)
    if (auto a = rare_copy_alert(*items[i].alert, score_copy(m, items[i].rec, window[i]), opt)) out.push_back(std::move(*a));
  return out;
}

}  // namespace tocsin::audit::baseline
