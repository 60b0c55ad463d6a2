// Groups lexed records into events keyed by (node, sec, msec, serial). Completion: EOE, PROCTITLE
// (the kernel's last record of a syscall event; auditd does not log EOE),
// single-record (user-space/daemon) types, a log-time watermark, end of input, or eviction when
// too many events are in flight. Late and duplicate records and serial gaps are counted.
// Memory is bounded by max_in_flight events of at most max_event_bytes each.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audit/event.hpp"
#include "audit/lexer.hpp"
#include "audit/source.hpp"

namespace tocsin::audit {

struct AssemblerOptions {
  // Events older than the newest record seen by more than this (log time) are complete.
  uint32_t watermark_ms = 5000;
  // Events held at once; over it the oldest is flushed (counted as evicted).
  size_t max_in_flight = 20000;
  // Bytes one event may hold; further records of it are dropped (counted as bad lines).
  size_t max_event_bytes = 32u << 20;
  // How many emitted keys are remembered to recognise late records (a direct-mapped cache:
  // a colliding key is forgotten, so a very late record may start a fresh event unflagged).
  size_t remember_emitted = 65536;
};

class Assembler {
 public:
  Assembler(AssemblerOptions opts, SourceStats& stats, EventSink sink);
  // Adds one record. `line` is the whole input line the record was lexed from (the fields'
  // offsets are relative to it). Returns false once the sink asked to stop.
  bool add(std::string_view line, const LexedRecord& rec,
           std::span<const Event::FieldRef> fields,
           const std::shared_ptr<const std::string>& file, uint64_t line_no);
  // Emits every event still in flight (end of input). Returns false if the sink stopped.
  bool flush_all();
  // Live input: emits the events in flight that got no record since the assembler had seen
  // `mark` records (a value of records_added() taken earlier). auditd writes an event's records
  // in one burst and logs no EOE, so a live follower calls this on a timer instead of waiting
  // for the log-time watermark. Returns false if the sink stopped.
  bool flush_untouched(uint64_t mark);
  uint64_t records_added() const { return records_added_; }
  // Log time (ms) of the oldest event still held, if any: a live clock must not pass it, or
  // the detections would close a copy before its helper's event is handed out.
  std::optional<uint64_t> oldest_in_flight_ms();
  size_t in_flight() const { return live_.size(); }
  bool stopped() const { return stopped_; }
  // Set when a record was dropped because its event grew over max_event_bytes.
  uint64_t oversized_records() const { return oversized_; }

 private:
  struct Key {
    uint32_t node;
    uint32_t msec;
    uint64_t sec;
    uint64_t serial;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const noexcept {
      uint64_t h = k.serial * 0x9E3779B97F4A7C15ULL;
      h ^= (k.sec * 1000 + k.msec) + 0x632BE59BD9B4E019ULL + (h << 6) + (h >> 2);
      h ^= static_cast<uint64_t>(k.node) * 0xC2B2AE3D27D4EB4FULL;
      return static_cast<size_t>(h ^ (h >> 29));
    }
  };
  struct Slot {
    Event ev;
    uint64_t gen;
    uint64_t touched = 0;  // records_added_ when the event last got a record
    // Set once the event's terminal record came: it leaves as soon as no older event is open.
    std::optional<Completion> done;
  };

  uint32_t intern_node(std::string_view node);
  using LiveMap = std::unordered_map<Key, Slot, KeyHash>;
  bool emit(LiveMap::iterator it, Completion how);
  bool expire();
  // Emits the oldest events while they are complete (keeps events in the order they began).
  bool emit_done_front();
  // Emits from the front of order_ while the oldest live event is complete or, with `by_time`,
  // due by the watermark or over the in-flight bound.
  bool release_front(bool by_time);
  // The oldest live event (order_'s entries of emitted events are dropped on the way), or end.
  LiveMap::iterator live_front();
  void remember(const Key& k);
  static bool is_duplicate(const Event& ev, std::string_view text, RecordType t, uint32_t header_len);
  void append_record(Event& ev, std::string_view line, const LexedRecord& rec,
                     std::span<const Event::FieldRef> fields, uint64_t line_no);

  AssemblerOptions opts_;
  SourceStats& stats_;
  EventSink sink_;
  LiveMap live_;
  // Insertion order of live events (key, generation); stale entries are skipped.
  std::deque<std::pair<Key, uint64_t>> order_;
  // Direct-mapped by hash, power-of-two size; holds the key's 64-bit hash (| 1, so 0 = empty):
  // 8 bytes a slot keeps the table in cache.
  std::vector<uint64_t> emitted_;
  bool was_emitted(const Key& k) const;
  std::vector<std::string> nodes_;
  std::unordered_map<std::string, uint32_t> node_ids_;
  std::vector<uint64_t> last_serial_;  // per node, 0 = none yet
  // The event the previous record went to (element pointers survive rehashing).
  Slot* last_slot_ = nullptr;
  Key last_key_{};
  uint64_t newest_ms_ = 0;
  uint64_t expired_at_ms_ = ~0ULL;  // newest_ms_ when expire() last ran its scan
  uint64_t gen_ = 0;
  uint64_t records_added_ = 0;
  uint64_t oversized_ = 0;
  bool stopped_ = false;
};

}  // namespace tocsin::audit
