// Schema DDL and migrations for ClickHouse 18.16 and later (no TTL, no LowCardinality, no
// DateTime64: times are epoch milliseconds in UInt64, days come from them for partitions).
#include "store/schema.hpp"

#include <fmt/format.h>

#include <chrono>

#include "store/columns.hpp"

namespace tocsin::store {
namespace {

std::string create_local(const std::string& db, Table t) {
  std::string cols;
  for (const auto& c : columns_of(t)) cols += fmt::format("{}{} {}", cols.empty() ? "" : ", ", c.name, c.type);
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {db}.{t}_local ({cols}) ENGINE = ReplacingMergeTree(version) "
      "PARTITION BY toYYYYMMDD(toDateTime(intDiv(time_ms, 1000))) ORDER BY (host, key)",
      fmt::arg("db", db), fmt::arg("t", table_name(t)), fmt::arg("cols", cols));
}

std::string create_front(const std::string& db, Table t, const std::string& cluster) {
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {db}.{t} AS {db}.{t}_local ENGINE = Distributed({c}, {db}, {t}_local, cityHash64(host))",
      fmt::arg("db", db), fmt::arg("t", table_name(t)), fmt::arg("c", cluster));
}

bool valid_cluster(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

std::string Layout::target(Table t) const {
  return cluster.empty() ? fmt::format("{}_local", table_name(t)) : std::string(table_name(t));
}

Result<std::vector<std::string>> init_store(Client& c, const std::string& cluster) {
  if (!cluster.empty() && !valid_cluster(cluster))
    return Error{fmt::format("--cluster '{}': a cluster name from the server's remote_servers (letters, digits, '_')", cluster)};
  const std::string& db = c.url().database;
  std::vector<std::string> done;
  if (auto r = c.query(fmt::format("CREATE DATABASE IF NOT EXISTS {}", db), false); !r) return r.error();
  if (auto r = c.query(fmt::format("CREATE TABLE IF NOT EXISTS {}.tocsin_schema (version UInt32, applied_ms UInt64, "
                                   "cluster String, note String) ENGINE = TinyLog",
                                   db));
      !r)
    return r.error();
  auto cur = c.query(fmt::format("SELECT max(version) FROM {}.tocsin_schema FORMAT TSV", db));
  if (!cur) return cur.error();
  uint32_t have = static_cast<uint32_t>(std::strtoul(cur->c_str(), nullptr, 10));
  if (have > kSchemaVersion)
    return Error{fmt::format("{}: schema version {} is newer than this tocsin's ({}): upgrade tocsin",
                             c.url().display(), have, kSchemaVersion)};
  // Migrations, in order; each step is idempotent (IF NOT EXISTS), so an init interrupted
  // half-way is simply run again.
  struct Migration {
    uint32_t version;
    const char* note;
  };
  static constexpr Migration kMigrations[] = {
      {1, "tables: alerts, copies, loops, helper_execs, runtime_writes, coverage"},
  };
  const uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count());
  for (const auto& m : kMigrations) {
    if (m.version <= have) continue;
    if (m.version == 1)
      for (Table t : kTables) {
        if (auto r = c.query(create_local(db, t)); !r) return r.error();
        done.push_back(fmt::format("created {}.{}_local", db, table_name(t)));
      }
    if (auto r = c.query(fmt::format("INSERT INTO {}.tocsin_schema VALUES ({}, {}, {}, {})", db, m.version, now,
                                     sql_quote(cluster), sql_quote(m.note)));
        !r)
      return r.error();
    done.push_back(fmt::format("schema version {}: {}", m.version, m.note));
    have = m.version;
  }
  if (!cluster.empty()) {
    auto have_tables = c.query(fmt::format("SELECT name FROM system.tables WHERE database = {} FORMAT TSV", sql_quote(db)));
    if (!have_tables) return have_tables.error();
    for (Table t : kTables) {
      if (("\n" + *have_tables).find(fmt::format("\n{}\n", table_name(t))) != std::string::npos) continue;
      if (auto r = c.query(create_front(db, t, cluster)); !r) return r.error();
      done.push_back(fmt::format("{}.{}: Distributed over cluster {}", db, table_name(t), cluster));
    }
    // The layout readers see: the cluster of the latest row.
    auto last = c.query(fmt::format("SELECT cluster FROM {}.tocsin_schema ORDER BY applied_ms DESC, version DESC LIMIT 1 FORMAT TSV", db));
    if (!last) return last.error();
    std::string known = *last;
    while (!known.empty() && known.back() == '\n') known.pop_back();
    if (known != cluster) {
      if (auto r = c.query(fmt::format("INSERT INTO {}.tocsin_schema VALUES ({}, {}, {}, 'cluster front')", db, have, now,
                                       sql_quote(cluster)));
          !r)
        return r.error();
    }
  }
  if (done.empty()) done.push_back(fmt::format("{} is at schema version {}: nothing to do", c.url().display(), have));
  return done;
}

Result<Layout> read_layout(Client& c) {
  const std::string& db = c.url().database;
  auto r = c.query(fmt::format(
      "SELECT version, cluster FROM {}.tocsin_schema ORDER BY applied_ms DESC, version DESC LIMIT 1 FORMAT TSV", db));
  if (!r) {
    if (r.error().message.find("HTTP") != std::string::npos &&
        (r.error().message.find("Code: 60") != std::string::npos || r.error().message.find("Code: 81") != std::string::npos))
      return Error{fmt::format("{}: no tocsin store there: run `tocsin store init {}` first", c.url().display(),
                               c.url().display())};
    return r.error();
  }
  Layout l;
  std::string_view t = *r;
  auto tab = t.find('\t');
  if (tab == std::string_view::npos)
    return Error{fmt::format("{}: the store has no schema version: run `tocsin store init {}`", c.url().display(),
                             c.url().display())};
  l.version = static_cast<uint32_t>(std::strtoul(std::string(t.substr(0, tab)).c_str(), nullptr, 10));
  std::string_view cl = t.substr(tab + 1);
  while (!cl.empty() && (cl.back() == '\n' || cl.back() == '\r')) cl.remove_suffix(1);
  l.cluster = std::string(cl);
  if (l.version != kSchemaVersion)
    return Error{fmt::format("{}: schema version {}, this tocsin uses {}: {}", c.url().display(), l.version,
                             kSchemaVersion,
                             l.version < kSchemaVersion ? fmt::format("run `tocsin store init {}`", c.url().display())
                                                        : std::string("upgrade tocsin"))};
  return l;
}

}  // namespace tocsin::store
