// Store rows as JSON objects (JSONEachRow): encoders from what the hunt engine knows (alerts,
// closed copies, loop episodes) and the decoder that turns a stored alert back into the Alert a
// local hunt printed. `host` is the row's host: the log's node= when it has one, else the name
// the shipper was given (a fleet row always names its host).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "audit/alert.hpp"
#include "audit/detections/model.hpp"
#include "core/result.hpp"

namespace tocsin::store {

using Row = nlohmann::ordered_json;

// An alert's key: the rule and the first event it rests on (runtime::alert_key, the identity
// `watch --state` uses across restarts too).
Row alert_row(const Alert& a, const std::string& host, std::string_view copy_event, uint64_t version);
// The stored alert; copy_id is left 0 (fleet_hunt numbers copies per host and client event).
Result<Alert> alert_from_row(const nlohmann::json& row);

// A closed copy with its verdicts: the rules that fired on it and, for AU004, the resolved path.
Row copy_row(const audit::Copy& c, const std::string& host, const std::vector<std::string>& verdicts,
             const std::optional<std::string>& resolved_path, uint64_t version);
Row loop_row(const audit::LoopEpisode& ep, const std::string& host, const std::string& container_label,
             uint64_t version);
// The helper of a copy (docker-untar/docker-tar), nullopt when the copy had none.
std::optional<Row> helper_row(const audit::Copy& c, const std::string& host, uint64_t version);
// AU006 (a helper started a program) and AU005 (a runtime write outside storage) alerts as
// evidence rows.
Row spawned_row(const Alert& a, const std::string& host, std::string_view copy_event, uint64_t version);
Row write_row(const Alert& a, const std::string& host, std::string_view copy_event, uint64_t version);
Row coverage_row(const std::string& host, uint64_t hour_ms, const std::string& run, uint64_t events,
                 uint64_t records, uint64_t first_ms, uint64_t last_ms, uint64_t version);

// A number that ClickHouse may print quoted (64-bit integers) or as a JSON number.
std::optional<int64_t> json_int(const nlohmann::json& v);

}  // namespace tocsin::store
