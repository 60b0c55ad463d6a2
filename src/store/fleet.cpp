// Fleet hunt and fleet baseline queries.
#include "store/fleet.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "store/columns.hpp"
#include "store/rows.hpp"
#include "store/schema.hpp"

namespace tocsin::store {
namespace {

std::string in_list(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + sql_quote(s);
  return out;
}

// WHERE clause of the time window and hosts (every table has host and time_ms).
std::string where_rows(const FleetFilter& f, bool untimed_pass) {
  std::vector<std::string> w;
  const char* keep = untimed_pass ? "has_time = 0 OR " : "";
  if (f.since_ms) w.push_back(fmt::format("({}time_ms >= {})", keep, *f.since_ms));
  if (f.until_ms) w.push_back(fmt::format("({}time_ms <= {})", keep, *f.until_ms));
  if (!f.hosts.empty()) w.push_back(fmt::format("host IN ({})", in_list(f.hosts)));
  std::string out;
  for (const auto& s : w) out += (out.empty() ? " WHERE " : " AND ") + s;
  return out;
}

// A JSON-format answer, read whole and checked: the row count the server reports must be the
// rows received.
Result<nlohmann::json> json_answer(Client& c, const std::string& sql) {
  auto body = c.query(sql);
  if (!body) return body.error();
  nlohmann::json j = nlohmann::json::parse(*body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("data") || !j["data"].is_array() || !j.contains("rows"))
    return Error{fmt::format("{}: an incomplete or malformed answer ({} bytes): the result would be partial",
                             c.url().display(), body->size())};
  auto rows = json_int(j["rows"]);
  if (!rows || static_cast<size_t>(*rows) != j["data"].size())
    return Error{fmt::format("{}: the answer holds {} rows but says {}: the result would be partial",
                             c.url().display(), j["data"].size(), rows.value_or(-1))};
  return j;
}

Error partial(const Error& e) {
  return Error{fmt::format("fleet query failed, no result shown (a shard down or the server unreachable would make it "
                           "partial): {}",
                           e.message)};
}

}  // namespace

Result<std::vector<Alert>> fleet_alerts(Client& c, const FleetFilter& f) {
  auto layout = read_layout(c);
  if (!layout) return layout.error();
  std::string cols;
  for (const auto& col : columns_of(Table::Alerts))
    if (std::string_view(col.name) != "version") cols += fmt::format("{}{}", cols.empty() ? "" : ", ", col.name);
  std::string where = where_rows(f, true);
  auto rule_list = [](const std::set<std::string>& s) { return in_list(std::vector<std::string>(s.begin(), s.end())); };
  if (!f.select.empty()) where += fmt::format("{}rule IN ({})", where.empty() ? " WHERE " : " AND ", rule_list(f.select));
  if (!f.ignore.empty()) where += fmt::format("{}rule NOT IN ({})", where.empty() ? " WHERE " : " AND ", rule_list(f.ignore));
  auto j = json_answer(c, fmt::format("SELECT {} FROM {} FINAL{} ORDER BY host, time_ms, rule, key FORMAT JSON", cols,
                                      layout->target(Table::Alerts), where));
  if (!j) return partial(j.error());
  std::vector<Alert> out;
  std::map<std::pair<std::string, std::string>, uint64_t> copy_ids;
  for (const auto& row : (*j)["data"]) {
    auto a = alert_from_row(row);
    if (!a) return Error{fmt::format("{}: {}", c.url().display(), a.error().message)};
    auto ce = row.find("copy_event");
    if (ce != row.end() && ce->is_string() && !ce->get<std::string>().empty()) {
      auto [it, fresh] = copy_ids.emplace(std::make_pair(*a->host, ce->get<std::string>()), copy_ids.size() + 1);
      a->copy_id = it->second;
    }
    out.push_back(std::move(*a));
  }
  std::stable_sort(out.begin(), out.end(), alert_less);
  return out;
}

Result<uint64_t> train_from_store(Client& c, const FleetFilter& f, audit::baseline::Model& model) {
  namespace bl = audit::baseline;
  auto layout = read_layout(c);
  if (!layout) return layout.error();
  const std::string table = layout->target(Table::Copies);
  const std::string where = where_rows(f, false);
  auto counts = json_answer(
      c, fmt::format("SELECT host, auid, uid, euid, tty, container, direction, path, intDiv(time_ms, 900000) AS q, "
                     "min(time_ms) AS first, max(time_ms) AS last, count() AS n FROM {} FINAL{} "
                     "GROUP BY host, auid, uid, euid, tty, container, direction, path, q FORMAT JSON",
                     table, where));
  if (!counts) return partial(counts.error());
  auto times = json_answer(c, fmt::format("SELECT host, auid, groupArray(time_ms) AS times FROM {} FINAL{} "
                                          "GROUP BY host, auid FORMAT JSON",
                                          table, where));
  if (!times) return partial(times.error());
  // A row as the AU001 alert it stood for, so the record follows the same rules as local
  // training (copy_record_from_alert: unset auid, euid else uid, terminal or not).
  auto record = [](const nlohmann::json& row, uint64_t time_ms) {
    Alert a;
    a.rule = "AU001";
    a.time_ms = time_ms;
    a.host = row.value("host", std::string());
    AlertUser u;
    auto num = [&row](const char* k) -> std::optional<int64_t> {
      auto it = row.find(k);
      return it == row.end() ? std::nullopt : json_int(*it);
    };
    u.auid = num("auid");
    u.uid = num("uid");
    u.euid = num("euid");
    if (auto it = row.find("tty"); it != row.end() && it->is_string()) u.tty = it->get<std::string>();
    a.user = u;
    a.docker_cp = AlertCopy{row.value("direction", std::string()), row.value("container", std::string()),
                            row.value("path", std::string()), std::nullopt};
    return bl::copy_record_from_alert(a);
  };
  bl::Model fresh;
  (void)fresh.set_zone(model.zone());  // empty: cannot fail
  uint64_t learned = 0;
  for (const auto& row : (*counts)["data"]) {
    auto first = json_int(row["first"]), last = json_int(row["last"]), n = json_int(row["n"]);
    if (!first || !last || !n || *n <= 0) return Error{fmt::format("{}: a malformed copy count row", c.url().display())};
    auto r = record(row, static_cast<uint64_t>(*first));
    if (!r) continue;
    fresh.count_copies(*r, static_cast<uint64_t>(*n), static_cast<uint64_t>(*first), static_cast<uint64_t>(*last));
    learned += static_cast<uint64_t>(*n);
  }
  // Rates per (host, user): several auid values can be one user ("unset").
  std::map<std::pair<std::string, std::string>, std::vector<uint64_t>> by_user;
  for (const auto& row : (*times)["data"]) {
    auto r = record(row, 1);
    if (!r) continue;
    auto& v = by_user[{bl::host_key(*r), bl::user_key(*r)}];
    for (const auto& t : row["times"])
      if (auto x = json_int(t)) v.push_back(static_cast<uint64_t>(*x));
  }
  for (auto& [k, v] : by_user) {
    std::sort(v.begin(), v.end());
    fresh.learn_rate(k.first, k.second, v);
  }
  model.merge(fresh);
  return learned;
}

}  // namespace tocsin::store

namespace tocsin::store {

Result<std::string> row_counts(Client& c) {
  auto layout = read_layout(c);
  if (!layout) return layout.error();
  std::string out = fmt::format("{}: schema {}, {}", c.url().display(), layout->version,
                                layout->cluster.empty() ? std::string("one server") : "cluster " + layout->cluster);
  for (Table t : kTables) {
    auto j = json_answer(c, fmt::format("SELECT count() AS n FROM {} FINAL FORMAT JSON", layout->target(t)));
    if (!j) return partial(j.error());
    auto n = (*j)["data"].empty() ? std::nullopt : json_int((*j)["data"][0]["n"]);
    out += fmt::format("\n  {:<15} {}", table_name(t), n.value_or(0));
  }
  return out;
}

}  // namespace tocsin::store
