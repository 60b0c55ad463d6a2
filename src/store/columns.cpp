// Table names and column lists per table. Every table starts with host and key (the
// ReplacingMergeTree key), time_ms (the partition's day) and ends with version (the newest write
// of a key wins).
#include "store/columns.hpp"

namespace tocsin::store {
namespace {

#define TOCSIN_USER_COLUMNS                                                                     \
  {"auid", "Nullable(Int64)"}, {"uid", "Nullable(Int64)"}, {"euid", "Nullable(Int64)"},         \
      {"ses", "Nullable(Int64)"}, {"tty", "Nullable(String)"}

const std::vector<Column> kAlerts = {
    {"host", "String"}, {"key", "String"}, {"time_ms", "UInt64"}, {"has_time", "UInt8"},
    {"host_known", "UInt8"}, {"rule", "String"}, {"severity", "String"}, {"event_ids", "Array(String)"},
    {"message", "String"}, {"reason", "String"}, {"has_user", "UInt8"}, TOCSIN_USER_COLUMNS,
    {"has_cp", "UInt8"}, {"cp_direction", "String"}, {"cp_container", "String"}, {"cp_path", "String"},
    {"cp_resolved", "Nullable(String)"}, {"has_swap", "UInt8"}, {"swap_pid", "Int64"},
    {"swap_paths", "Array(String)"}, {"swap_count", "UInt64"}, {"swap_duration_ms", "UInt64"},
    {"score", "Nullable(Float64)"}, {"copy_event", "String"}, {"command", "String"}, {"file", "String"},
    {"line", "UInt64"}, {"version", "UInt64"}};

const std::vector<Column> kCopies = {
    {"host", "String"}, {"key", "String"}, {"time_ms", "UInt64"}, {"end_ms", "UInt64"}, {"tool", "String"},
    {"direction", "String"}, {"container", "String"}, {"path", "String"}, {"local_path", "String"},
    {"command", "String"}, TOCSIN_USER_COLUMNS, {"client_pid", "Int64"}, {"cwd", "String"},
    {"helper_event", "String"}, {"helper_pid", "Nullable(Int64)"}, {"helper_dir", "Nullable(String)"},
    {"rootfs", "String"}, {"resolved_path", "Nullable(String)"}, {"verdicts", "Array(String)"},
    {"file", "String"}, {"line", "UInt64"}, {"version", "UInt64"}};

const std::vector<Column> kLoops = {
    {"host", "String"}, {"key", "String"}, {"time_ms", "UInt64"}, {"last_ms", "UInt64"}, {"last_event", "String"},
    {"pid", "Int64"}, {"exe", "String"}, {"path_a", "String"}, {"path_b", "String"}, {"count", "UInt64"},
    {"container", "String"}, TOCSIN_USER_COLUMNS, {"file", "String"}, {"line", "UInt64"}, {"version", "UInt64"}};

// The copy helpers the runtime started (kind docker-untar/docker-tar, with the directory it was
// handed) and the programs a helper started (kind "spawned", AU006).
const std::vector<Column> kHelperExecs = {
    {"host", "String"}, {"key", "String"}, {"time_ms", "UInt64"}, {"copy_event", "String"}, {"kind", "String"},
    {"pid", "Nullable(Int64)"}, {"dir", "Nullable(String)"}, {"rootfs", "String"}, {"message", "String"},
    {"version", "UInt64"}};

// Writes of the runtime outside container storage during copies (AU005), charged to a copy
// (copy_event) when process lineage ties them to one.
const std::vector<Column> kRuntimeWrites = {
    {"host", "String"}, {"key", "String"}, {"time_ms", "UInt64"}, {"copy_event", "String"},
    {"message", "String"}, {"version", "UInt64"}};

// Per host and hour: what was read (events, records). `verdict` and `detail` are the place for
// coverage verdicts (whether the audit rules in force could see a race); written empty until
// they exist. The key is the hour and its first event (rows.cpp); `run` names the writer.
const std::vector<Column> kCoverage = {
    {"host", "String"}, {"key", "String"}, {"time_ms", "UInt64"}, {"run", "String"}, {"events", "UInt64"},
    {"records", "UInt64"}, {"first_ms", "UInt64"}, {"last_ms", "UInt64"}, {"verdict", "String"},
    {"detail", "String"}, {"version", "UInt64"}};

#undef TOCSIN_USER_COLUMNS

}  // namespace

const char* table_name(Table t) {
  switch (t) {
    case Table::Alerts:
      return "alerts";
    case Table::Copies:
      return "copies";
    case Table::Loops:
      return "loops";
    case Table::HelperExecs:
      return "helper_execs";
    case Table::RuntimeWrites:
      return "runtime_writes";
    case Table::Coverage:
      return "coverage";
  }
  return "?";
}

const std::vector<Column>& columns_of(Table t) {
  switch (t) {
    case Table::Alerts: return kAlerts;
    case Table::Copies: return kCopies;
    case Table::Loops: return kLoops;
    case Table::HelperExecs: return kHelperExecs;
    case Table::RuntimeWrites: return kRuntimeWrites;
    case Table::Coverage: return kCoverage;
  }
  return kAlerts;
}

}  // namespace tocsin::store
