// Row encoders and the stored-alert decoder.
#include "store/rows.hpp"

#include <fmt/format.h>

#include "core/severity.hpp"
#include "runtime/watch_resume.hpp"

namespace tocsin::store {
namespace {

template <class T>
nlohmann::ordered_json opt(const std::optional<T>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
}

void put_user(Row& r, const std::optional<AlertUser>& u) {
  r["auid"] = u ? opt(u->auid) : Row();
  r["uid"] = u ? opt(u->uid) : Row();
  r["euid"] = u ? opt(u->euid) : Row();
  r["ses"] = u ? opt(u->ses) : Row();
  r["tty"] = u ? opt(u->tty) : Row();
}

std::string str(const nlohmann::json& row, const char* k) {
  auto it = row.find(k);
  return it != row.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> opt_str(const nlohmann::json& row, const char* k) {
  auto it = row.find(k);
  if (it == row.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<int64_t> opt_int(const nlohmann::json& row, const char* k) {
  auto it = row.find(k);
  return it == row.end() ? std::nullopt : json_int(*it);
}

uint64_t u64(const nlohmann::json& row, const char* k) {
  auto v = opt_int(row, k);
  return v && *v > 0 ? static_cast<uint64_t>(*v) : 0;
}

std::vector<std::string> strings(const nlohmann::json& row, const char* k) {
  std::vector<std::string> out;
  auto it = row.find(k);
  if (it != row.end() && it->is_array())
    for (const auto& s : *it)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

Row base(const std::string& host, const std::string& key, uint64_t time_ms) {
  Row r;
  r["host"] = host;
  r["key"] = key;
  r["time_ms"] = time_ms;
  return r;
}

}  // namespace

std::optional<int64_t> json_int(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned()) return static_cast<int64_t>(v.get<uint64_t>());
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    long long x = std::strtoll(s.c_str(), &end, 10);
    if (errno || *end) return std::nullopt;
    return static_cast<int64_t>(x);
  }
  return std::nullopt;
}

Row alert_row(const Alert& a, const std::string& host, std::string_view copy_event, uint64_t version) {
  Row r = base(host, runtime::alert_key(a), a.time_ms.value_or(0));
  r["has_time"] = a.time_ms ? 1 : 0;
  r["host_known"] = a.host ? 1 : 0;
  r["rule"] = a.rule;
  r["severity"] = std::string(to_string(a.severity));
  r["event_ids"] = a.event_ids;
  r["message"] = a.message;
  r["reason"] = a.reason;
  r["has_user"] = a.user ? 1 : 0;
  put_user(r, a.user);
  r["has_cp"] = a.docker_cp ? 1 : 0;
  r["cp_direction"] = a.docker_cp ? a.docker_cp->direction : std::string();
  r["cp_container"] = a.docker_cp ? a.docker_cp->container : std::string();
  r["cp_path"] = a.docker_cp ? a.docker_cp->path : std::string();
  r["cp_resolved"] = a.docker_cp ? opt(a.docker_cp->resolved_path) : Row();
  r["has_swap"] = a.swap ? 1 : 0;
  r["swap_pid"] = a.swap ? a.swap->pid : 0;
  r["swap_paths"] = a.swap ? a.swap->paths : std::vector<std::string>();
  r["swap_count"] = a.swap ? a.swap->count : 0;
  r["swap_duration_ms"] = a.swap ? a.swap->duration_ms : 0;
  r["score"] = opt(a.score);
  r["copy_event"] = std::string(copy_event);
  r["command"] = a.command;
  r["file"] = a.file;
  r["line"] = a.line;
  r["version"] = version;
  return r;
}

Result<Alert> alert_from_row(const nlohmann::json& row) {
  Alert a;
  a.rule = str(row, "rule");
  if (a.rule.empty()) return Error{"a stored alert without a rule"};
  auto sev = parse_severity(str(row, "severity"));
  if (!sev) return Error{fmt::format("stored alert {} has an unknown severity '{}'", a.rule, str(row, "severity"))};
  a.severity = *sev;
  if (u64(row, "has_time")) a.time_ms = u64(row, "time_ms");
  // A fleet alert always names its host: the log's node=, else the name it was shipped under.
  a.host = str(row, "host");
  a.event_ids = strings(row, "event_ids");
  a.message = str(row, "message");
  a.reason = str(row, "reason");
  if (u64(row, "has_user")) {
    AlertUser u;
    u.auid = opt_int(row, "auid");
    u.uid = opt_int(row, "uid");
    u.euid = opt_int(row, "euid");
    u.ses = opt_int(row, "ses");
    u.tty = opt_str(row, "tty");
    a.user = u;
  }
  if (u64(row, "has_cp"))
    a.docker_cp =
        AlertCopy{str(row, "cp_direction"), str(row, "cp_container"), str(row, "cp_path"), opt_str(row, "cp_resolved")};
  if (u64(row, "has_swap")) {
    AlertSwap s;
    s.pid = opt_int(row, "swap_pid").value_or(0);
    s.paths = strings(row, "swap_paths");
    s.count = u64(row, "swap_count");
    s.duration_ms = u64(row, "swap_duration_ms");
    a.swap = s;
  }
  if (auto it = row.find("score"); it != row.end() && it->is_number()) a.score = it->get<double>();
  a.command = str(row, "command");
  a.file = str(row, "file");
  a.line = u64(row, "line");
  return a;
}

Row copy_row(const audit::Copy& c, const std::string& host, const std::vector<std::string>& verdicts,
             const std::optional<std::string>& resolved_path, uint64_t version) {
  Row r = base(host, c.client_event, c.start_ms);
  r["end_ms"] = std::max(c.end_ms, c.helper_ms);
  r["tool"] = c.cmd.tool;
  r["direction"] = c.cmd.direction;
  r["container"] = c.cmd.container;
  r["path"] = c.cmd.path;
  r["local_path"] = c.cmd.local;
  r["command"] = c.command_line;
  put_user(r, c.user);
  r["client_pid"] = c.client_pid;
  r["cwd"] = c.client_cwd;
  r["helper_event"] = c.helper_event;
  r["helper_pid"] = opt(c.helper_pid);
  r["helper_dir"] = opt(c.resolved_dir);
  r["rootfs"] = c.rootfs;
  r["resolved_path"] = opt(resolved_path);
  r["verdicts"] = verdicts;
  r["file"] = c.file;
  r["line"] = c.line;
  r["version"] = version;
  return r;
}

Row loop_row(const audit::LoopEpisode& ep, const std::string& host, const std::string& container_label,
             uint64_t version) {
  Row r = base(host, ep.first_event, ep.first_ms);
  r["last_ms"] = ep.last_ms;
  r["last_event"] = ep.last_event;
  r["pid"] = ep.pid;
  r["exe"] = ep.exe;
  r["path_a"] = ep.a;
  r["path_b"] = ep.b;
  r["count"] = ep.count;
  r["container"] = container_label;
  put_user(r, ep.user);
  r["file"] = ep.file;
  r["line"] = ep.line;
  r["version"] = version;
  return r;
}

std::optional<Row> helper_row(const audit::Copy& c, const std::string& host, uint64_t version) {
  if (!c.helper_pid || c.helper_event.empty()) return std::nullopt;
  Row r = base(host, c.helper_event, c.helper_ms);
  r["copy_event"] = c.client_event;
  r["kind"] = c.cmd.direction == "to-container" ? "docker-untar" : "docker-tar";
  r["pid"] = *c.helper_pid;
  r["dir"] = opt(c.resolved_dir);
  r["rootfs"] = c.rootfs;
  r["message"] = "";
  r["version"] = version;
  return r;
}

Row spawned_row(const Alert& a, const std::string& host, std::string_view copy_event, uint64_t version) {
  Row r = base(host, a.event_ids.empty() ? runtime::alert_key(a) : a.event_ids.front(), a.time_ms.value_or(0));
  r["copy_event"] = std::string(copy_event);
  r["kind"] = "spawned";
  r["pid"] = Row();
  r["dir"] = Row();
  r["rootfs"] = "";
  r["message"] = a.message;
  r["version"] = version;
  return r;
}

Row write_row(const Alert& a, const std::string& host, std::string_view copy_event, uint64_t version) {
  Row r = base(host, a.event_ids.empty() ? runtime::alert_key(a) : a.event_ids.front(), a.time_ms.value_or(0));
  r["copy_event"] = std::string(copy_event);
  r["message"] = a.message;
  r["version"] = version;
  return r;
}

Row coverage_row(const std::string& host, uint64_t hour_ms, const std::string& run, uint64_t events,
                 uint64_t records, uint64_t first_ms, uint64_t last_ms, uint64_t version) {
  // Keyed by the hour and its first event: the same log hunted again writes the same key, a
  // restarted watcher (which starts later in the hour) a row of its own.
  Row r = base(host, fmt::format("{}/{}", hour_ms, first_ms), hour_ms);
  r["run"] = run;
  r["events"] = events;
  r["records"] = records;
  r["first_ms"] = first_ms;
  r["last_ms"] = last_ms;
  r["verdict"] = "";
  r["detail"] = "";
  r["version"] = version;
  return r;
}

}  // namespace tocsin::store
