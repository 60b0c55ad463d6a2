// The hooks between the hunt/watch drivers and the store: a Recorder turns what the engine
// closes (copies, loop episodes, per-hour event counts) and every alert the driver outputs into
// store rows for a Shipper. The drivers make two calls: `engine.add_detection(rec.tap())` once,
// and `rec.alert(a)` for each alert they print; `finish()` at the end.
//
// A copy row carries its verdicts (the rules that fired on the copy, AU004's resolved path). In
// a streaming driver (watch) the copy's alerts reach the recorder before the copy closes; in
// hunt they come after the whole input: there copy rows are held and written at finish(). An
// alert about a copy whose row was already written (a late AU005) writes the row again with the
// verdict added (the newer version replaces the older in the store).
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "audit/alert.hpp"
#include "audit/detections/detection.hpp"
#include "store/shipper.hpp"

namespace tocsin::store {

class Recorder {
 public:
  // `host`: the name rows get when the log has no node=; `streaming`: watch (alerts arrive as
  // the engine emits them) rather than hunt (all alerts after the input).
  Recorder(Shipper& shipper, std::string host, bool streaming);
  ~Recorder();
  std::unique_ptr<audit::Detection> tap();
  void alert(const Alert& a);
  // Writes what is held (hunt's copy rows, the coverage counts).
  void finish();

 private:
  class Tap;
  struct CopyState {
    audit::Copy copy;
    std::vector<std::string> verdicts;
    std::optional<std::string> resolved;
    bool written = false;
  };
  const std::string& host_of(const std::string& node) const { return node.empty() ? host_ : node; }
  uint64_t version();
  void write_copy(CopyState& s);
  void copy_closed(const audit::Copy& c);
  void loop_closed(const audit::LoopEpisode& ep, const std::string& label);
  void event(std::string_view node, uint64_t time_ms, uint64_t records);

  Shipper& shipper_;
  std::string host_;
  bool streaming_;
  std::string run_;
  uint64_t last_version_ = 0;
  // Copies by engine copy id (per run), with the verdicts seen so far; bounded.
  std::map<uint64_t, CopyState> copies_;
  // Events per host and hour (coverage rows); a streaming recorder writes an hour once the
  // log is two hours past it.
  struct Hour {
    uint64_t events = 0, records = 0, first_ms = 0, last_ms = 0;
  };
  std::map<std::pair<std::string, uint64_t>, Hour> hours_;
  std::pair<std::string, uint64_t> last_hour_key_;
  Hour* last_hour_ = nullptr;
  uint64_t newest_ms_ = 0;
};

}  // namespace tocsin::store
