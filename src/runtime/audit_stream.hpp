// The live side of the audit hunt: complete lines from the log follower or the audisp stdin
// stream go through audit::LineReader (the lexer and assembler front end `hunt`'s text source
// uses, so bad lines are AU000 the same way) into the detection engine; on top of it the
// live-only parts: completion by quiet time and record count, the live clock, the resume skip
// id. Also queues container identities learned from the Docker Engine API
// for the engine's container registry (the Docker watcher runs on another thread).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "audit/assembler.hpp"
#include "audit/detections/engine.hpp"
#include "audit/line_reader.hpp"

namespace tocsin::runtime {

class AuditStream {
 public:
  explicit AuditStream(audit::Engine& engine, audit::AssemblerOptions opts = {});
  // One complete line (without newline) of `file`.
  void line(std::string_view text, const std::string& file, uint64_t line_no);
  // A line of `file` longer than `max_line` bytes, skipped unread (`head` is its start): AU000,
  // as in hunt.
  void long_line(std::string_view head, const std::string& file, uint64_t line_no, size_t max_line);
  // Emits every event still in flight (idle, or before saving a position at shutdown).
  void flush();
  // Call on every poll with the steady clock: completes events that got no record for
  // kQuietMs (auditd logs no EOE, so the log-time watermark would hold them for seconds), and
  // moves the engine's clock to the newest log time plus the wall time since it was read, so
  // a finished copy is reported while the log is quiet.
  void tick(uint64_t steady_ms);
  static constexpr uint64_t kQuietMs = 200;
  // Also complete, as lines come in, the events that got no record while this many records of
  // other events were added: auditd writes an event's records in one burst, and at tens of
  // thousands of events per second 200 ms would hold thousands of finished events in memory.
  static constexpr uint64_t kQuietRecords = 4096;
  size_t in_flight() const { return reader_.assembler().in_flight(); }
  const std::string& last_event_id() const { return last_event_id_; }
  // Log time (epoch ms) of the last record read; 0 before the first.
  uint64_t last_record_ms() const { return last_log_ms_; }
  // Events whose id equals this are dropped (the one event a resumed position may repeat).
  void skip_event_id(std::string id) { skip_id_ = std::move(id); }
  uint64_t events() const { return events_; }
  uint64_t lines() const { return stats_.lines; }
  // Lines that are not audit data and records dropped from oversized events (AU000, as in hunt).
  uint64_t bad_lines() const { return stats_.bad_lines; }

 private:
  audit::Engine& engine_;
  audit::SourceStats stats_;
  audit::LineReader reader_;
  std::string last_event_id_, skip_id_;
  uint64_t events_ = 0;
  uint64_t mark_ = 0, mark_ms_ = 0;                   // records_added() at steady time mark_ms_
  uint64_t next_sweep_ = kQuietRecords;               // records_added() of the next count-based flush
  uint64_t last_log_ms_ = 0;   // log time of the last record read
  uint64_t last_read_ms_ = 0;  // steady time it was read
};

// Container identities (id <-> name <-> storage layer) from inspect data, handed from the
// Docker thread to the audit thread.
class ContainerFeed {
 public:
  // `host_root`: the host's / as tocsin sees it (vfs mount ids are read from the layer store).
  void push(const nlohmann::json& inspect, const std::string& host_root = "/");
  // Applies what was pushed to the engine's container registry (audit thread).
  void apply(audit::Engine& engine);

 private:
  struct Identity {
    std::string id, name, layer;
  };
  std::mutex mu_;
  std::vector<Identity> pending_;
};

}  // namespace tocsin::runtime
