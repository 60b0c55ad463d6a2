// The fleet store's schema and its migrations (`tocsin store init`): slim normalized rows, one
// table each — copies, helper execs, swap-loop episodes, runtime writes outside storage,
// coverage per host and hour, alerts — each a ReplacingMergeTree keyed on (host, key) so a row
// written twice (a retried batch, a replayed spool) is stored once, partitioned by day. On a
// cluster every shard holds `<table>_local` and the `<table>` front is a Distributed table over
// them, sharded by host (one host's rows on one shard, so its duplicates meet and merge).
// Readers use FINAL: duplicates not merged yet are never counted twice.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/client.hpp"
#include "store/columns.hpp"

namespace tocsin::store {

// The schema version this tocsin writes and reads; `store init` migrates older stores to it.
inline constexpr uint32_t kSchemaVersion = 1;

struct Layout {
  uint32_t version = 0;  // 0: not initialised
  std::string cluster;   // empty: one server, the *_local tables are the store
  // The table rows are written to and read from: the Distributed front on a cluster.
  std::string target(Table t) const;
};

// Creates the database and migrates it to kSchemaVersion on the server `c` talks to. With a
// cluster name (from the server's remote_servers), also the Distributed fronts; run it on
// every shard. Returns what was done, one line per step.
Result<std::vector<std::string>> init_store(Client& c, const std::string& cluster);

// Reads the layout; an error when the store is missing or newer/older than this tocsin reads
// (naming `tocsin store init`).
Result<Layout> read_layout(Client& c);

}  // namespace tocsin::store
