// Alert rendering: JSONL per PRODUCT.md and the human text report.
#include "audit/alert.hpp"

#include <fmt/format.h>

#include <ctime>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "audit/event.hpp"
#include "core/rule_catalog.hpp"
#include "core/text_sanitize.hpp"

namespace tocsin::audit {

std::string event_id(uint64_t sec, uint32_t msec, uint64_t serial) {
  return fmt::format("{}.{:03}:{}", sec, msec, serial);
}

std::string event_id(const Event& ev) { return event_id(ev.sec(), ev.msec(), ev.serial()); }

std::string iso_time_ms(uint64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, epoch_ms % 1000);
}

Severity rule_severity(std::string_view rule, Severity fallback) {
  const RuleInfo* r = find_rule(rule);
  return r ? r->severity : fallback;
}

// The kernel writes an unset login uid / session as (uint32_t)-1: no value, so null.
constexpr int64_t kUnsetId = 4294967295LL;

nlohmann::ordered_json alert_json(const Alert& a) {
  nlohmann::ordered_json j;
  j["rule"] = a.rule;
  j["severity"] = std::string(to_string(a.severity));
  j["time"] = a.time_ms ? nlohmann::ordered_json(iso_time_ms(*a.time_ms)) : nlohmann::ordered_json();
  j["host"] = a.host ? nlohmann::ordered_json(*a.host) : nlohmann::ordered_json();
  j["event_ids"] = a.event_ids;
  j["message"] = a.message;
  if (!a.reason.empty()) j["reason"] = a.reason;
  if (a.user) {
    nlohmann::ordered_json u;
    auto num = [](const std::optional<int64_t>& v) {
      return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
    };
    auto id = [](const std::optional<int64_t>& v) {
      return v && *v != kUnsetId && *v != -1 ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
    };
    u["auid"] = id(a.user->auid);
    u["uid"] = num(a.user->uid);
    u["euid"] = num(a.user->euid);
    u["tty"] = a.user->tty ? nlohmann::ordered_json(*a.user->tty) : nlohmann::ordered_json();
    u["ses"] = id(a.user->ses);
    j["user"] = std::move(u);
  }
  if (a.docker_cp) {
    nlohmann::ordered_json c;
    c["direction"] = a.docker_cp->direction;
    c["container"] = a.docker_cp->container;
    c["path"] = a.docker_cp->path;
    if (a.docker_cp->resolved_path) c["resolved_path"] = *a.docker_cp->resolved_path;
    j["docker_cp"] = std::move(c);
  }
  if (a.swap) {
    nlohmann::ordered_json s;
    s["pid"] = a.swap->pid;
    s["paths"] = a.swap->paths;
    s["count"] = a.swap->count;
    s["duration_ms"] = a.swap->duration_ms;
    j["swap"] = std::move(s);
  }
  if (a.score) j["score"] = *a.score;
  using J = nlohmann::ordered_json;
  j["process"] = {{"pid", a.pid ? J(*a.pid) : J()},
                  {"exe", a.exe.empty() ? J() : J(a.exe)},
                  {"command", a.command.empty() ? J() : J(a.command)}};
  j["input"] = a.file.empty() ? J() : J{{"file", a.file}, {"line", a.line ? J(a.line) : J()}};
  return j;
}

std::string to_jsonl(const Alert& a) {
  nlohmann::ordered_json j = alert_json(a);
  // Audit strings can hold any bytes: replace invalid UTF-8 rather than throw.
  std::string out = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  escape_json_for_terminal(out);  // C1 and bidi controls as \u escapes (see text_sanitize.hpp)
  return out;
}

bool alert_less(const Alert& a, const Alert& b) {
  uint64_t ta = a.time_ms.value_or(0), tb = b.time_ms.value_or(0);
  if (ta != tb) return ta < tb;
  if (a.rule != b.rule) return a.rule < b.rule;
  // Views of the ids themselves: `cond ? "" : front()` would make a temporary std::string and
  // leave the view dangling (clang's -Wdangling-gsl found it).
  std::string_view ea = a.event_ids.empty() ? std::string_view() : std::string_view(a.event_ids.front());
  std::string_view eb = b.event_ids.empty() ? std::string_view() : std::string_view(b.event_ids.front());
  return ea < eb;
}

namespace {

std::string paint(bool on, std::string_view code, std::string_view s) {
  if (!on) return std::string(s);
  return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
}

std::string_view sev_color(Severity s) {
  switch (s) {
    case Severity::critical: return "1;31";
    case Severity::high: return "31";
    case Severity::medium: return "33";
    case Severity::low: return "36";
    case Severity::info: return "2";
  }
  return "0";
}

// Text is for terminals: argv, comm, paths and host names come from the log (a container
// process controls them), so none of it reaches a terminal raw.
std::string sanitize(std::string_view s) { return sanitize_for_terminal(s); }

std::string who(const AlertUser& u) {
  auto id = [](const std::optional<int64_t>& v) {
    if (!v) return std::string("?");
    if (*v == 4294967295LL || *v == -1) return std::string("unset");
    return std::to_string(*v);
  };
  return fmt::format("auid={} uid={} euid={} tty={} ses={}", id(u.auid), id(u.uid), id(u.euid),
                     u.tty ? sanitize(*u.tty) : std::string("?"), id(u.ses));
}

}  // namespace

std::string render_text(const std::vector<Alert>& alerts, const TextOptions& opt) {
  std::string out;
  const bool c = opt.color;
  std::map<uint64_t, std::vector<const Alert*>> by_copy;
  for (const auto& a : alerts)
    if (a.copy_id && a.rule != "AU001") by_copy[a.copy_id].push_back(&a);
  size_t copies = 0;
  for (const auto& a : alerts) {
    if (a.rule != "AU001") continue;
    ++copies;
    const auto& cp = *a.docker_cp;
    out += fmt::format("{} {}  {}\n", paint(c, "1", "copy"),
                       a.time_ms ? iso_time_ms(*a.time_ms) : std::string("?"),
                       a.host ? sanitize(*a.host) : std::string("(host unknown)"));
    if (a.user) out += fmt::format("  who:       {}\n", who(*a.user));
    out += fmt::format("  command:   {}\n", sanitize(a.command));
    out += fmt::format("  container: {}  {} {}\n", sanitize(cp.container), cp.direction,
                       sanitize(cp.path));
    auto it = by_copy.find(a.copy_id);
    if (it == by_copy.end()) {
      out += fmt::format("  verdict:   {}\n", paint(c, "32", "no race seen"));
    } else {
      for (const Alert* r : it->second) {
        out += fmt::format("  verdict:   {} {} {}\n", paint(c, sev_color(r->severity), r->rule),
                           paint(c, sev_color(r->severity), to_string(r->severity)),
                           sanitize(r->message));
        if (!r->reason.empty()) out += fmt::format("             why: {}\n", sanitize(r->reason));
      }
    }
    out += fmt::format("  events:    {}\n\n", fmt::join(a.event_ids, " "));
  }
  std::set<uint64_t> shown;
  for (const auto& a : alerts)
    if (a.rule == "AU001" && a.copy_id) shown.insert(a.copy_id);
  size_t others = 0;
  for (const auto& a : alerts) {
    if (a.rule == "AU001" || (a.copy_id && shown.count(a.copy_id))) continue;
    ++others;
    out += fmt::format("{} {} {}  {}\n", paint(c, sev_color(a.severity), a.rule),
                       paint(c, sev_color(a.severity), to_string(a.severity)),
                       a.time_ms ? iso_time_ms(*a.time_ms) : std::string("-"),
                       a.host ? sanitize(*a.host) : std::string("(host unknown)"));
    out += fmt::format("  {}\n", sanitize(a.message));
    if (!a.reason.empty()) out += fmt::format("  why:    {}\n", sanitize(a.reason));
    if (a.user) out += fmt::format("  who:    {}\n", who(*a.user));
    if (a.swap)
      out += fmt::format("  swap:   pid {} {} x{} in {} ms\n", a.swap->pid,
                         sanitize(fmt::format("{}", fmt::join(a.swap->paths, " <-> "))),
                         a.swap->count, a.swap->duration_ms);
    if (!a.file.empty())
      out += fmt::format("  at:     {}{}\n", sanitize(a.file), a.line ? fmt::format(":{}", a.line) : "");
    if (!a.event_ids.empty()) out += fmt::format("  events: {}\n", fmt::join(a.event_ids, " "));
    out += "\n";
  }
  out += fmt::format("{} cop{}, {} other alert{}\n", copies, copies == 1 ? "y" : "ies", others,
                     others == 1 ? "" : "s");
  return out;
}

}  // namespace tocsin::audit
