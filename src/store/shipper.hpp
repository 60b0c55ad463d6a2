// Ships store rows to ClickHouse from a background thread: batched inserts (bounded by rows,
// bytes and time), retried with exponential backoff, and — while the server is unreachable or
// refuses them — appended to a local spool file (bounded, fsynced, locked against a second
// writer) that is replayed, oldest first, once the server answers again. A row is never dropped
// in silence: rows that find the spool full are counted and reported as unshipped. A batch
// sent twice (the answer lost after the server stored it, a replay cut short) is stored once:
// the store keys every row (schema.hpp).
#pragma once
#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/result.hpp"
#include "store/client.hpp"
#include "store/rows.hpp"
#include "store/schema.hpp"

namespace tocsin::store {

struct ShipperOptions {
  std::string spool_path;                   // required
  uint64_t spool_max_bytes = 256ull << 20;  // then rows are counted as unshipped
  size_t batch_rows = 5000;
  size_t batch_bytes = 4u << 20;
  uint64_t flush_ms = 1000;  // a row waits at most this long for its batch
  uint64_t backoff_min_ms = 250, backoff_max_ms = 30000;
  std::function<void(const std::string&)> note;  // state changes (unreachable, replayed, full)
};

struct ShipStats {
  uint64_t rows_added = 0;
  uint64_t rows_sent = 0;      // acknowledged by the server, directly or from the spool
  uint64_t rows_spooled = 0;   // written to the spool (each time)
  uint64_t rows_unshipped = 0; // found the spool full: not shipped, reported
  uint64_t spool_bytes = 0;    // in the spool now (left for the next run at close)
  uint64_t failures = 0;       // failed insert attempts
  std::string last_error;
};

class Shipper {
 public:
  // Opens (and locks) the spool; rows a previous run left there are replayed first.
  static Result<std::unique_ptr<Shipper>> open(Client client, ShipperOptions opt);
  ~Shipper();
  Shipper(const Shipper&) = delete;
  Shipper& operator=(const Shipper&) = delete;

  void add(Table t, const Row& row);
  // Sends what is buffered and keeps trying to empty the spool for at most `wait_ms`; what
  // could not be sent stays in the spool (fsynced) for the next run. Idempotent.
  ShipStats close(uint64_t wait_ms);
  ShipStats stats() const;

 private:
  Shipper(Client client, ShipperOptions opt, int fd, uint64_t spool_bytes);
  struct Batch {
    std::array<std::string, 6> body;
    std::array<size_t, 6> rows{};
    size_t total_rows = 0, total_bytes = 0;
    bool empty() const { return total_rows == 0; }
  };
  void run();
  bool send(const Batch& b);  // thread only
  void spool(const Batch& b);
  bool replay();
  bool ensure_layout();
  uint64_t now_ms() const;

  Client client_;  // used by the shipping thread only
  std::optional<Layout> layout_;
  ShipperOptions opt_;
  int fd_ = -1;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Batch pending_;
  uint64_t pending_since_ms_ = 0;
  ShipStats stats_;
  bool stop_ = false, closed_ = false, reachable_ = true, full_noted_ = false;
  uint64_t stop_deadline_ms_ = 0;
  uint64_t next_try_ms_ = 0, backoff_ms_ = 0;
  std::thread thread_;
};

}  // namespace tocsin::store
