// Fleet hunts and baselines over the store. The filters (time window, hosts, rules) go into
// the SQL; rows are read with FINAL (a row shipped twice counts once), and a distributed read
// that cannot reach every shard fails — a clear error, never a silently smaller answer.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/alert.hpp"
#include "audit/baseline/baseline.hpp"
#include "core/result.hpp"
#include "store/client.hpp"

namespace tocsin::store {

struct FleetFilter {
  std::optional<uint64_t> since_ms, until_ms;  // alerts/copies outside are not read
  std::vector<std::string> hosts;              // empty: every host
  std::set<std::string> select, ignore;        // rules (alerts only)
};

// The stored alerts that pass the filter, in report order (alert_less), with copy_id set per
// host and copy so the text report groups a copy's verdicts as a local hunt does. An alert
// without a time passes any time window (as in a local hunt).
Result<std::vector<Alert>> fleet_alerts(Client& c, const FleetFilter& f);

// The stored copies (AU001's records) that pass the filter's time window and hosts, as the
// baseline learns them: counts summed in SQL per distinct host, user, terminal, container,
// direction, path and quarter hour (every time zone's offset is a multiple of 15 minutes, so a
// quarter hour has one hour of week), times per host and user for the rate. Trains `model`
// (in its zone) as `baseline train` does from logs; returns the number of copies learned.
Result<uint64_t> train_from_store(Client& c, const FleetFilter& f, audit::baseline::Model& model);

}  // namespace tocsin::store

namespace tocsin::store {
// "schema N, cluster C; alerts 12, copies 4, …" (FINAL counts).
Result<std::string> row_counts(Client& c);
}  // namespace tocsin::store
