// Hunt inputs: the abstract EventSource every input format implements (raw/ENRICHED text here,
// JSON formats in audit/formats/), the counters behind the stats line, input problems (AU000)
// with their location, and format sniffing for --input-format auto.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/event.hpp"
#include "core/result.hpp"

namespace tocsin::audit {

// One hunt input. `path` is what the user named (or, for a file found inside a directory input,
// the directory joined with its name): it is how alerts and errors name the file. A file found
// in a directory also carries that directory and its name there, so it is opened beneath the
// directory's descriptor (no symlink, no escape) instead of by path.
struct InputFile {
  std::string path;
  std::string dir;   // empty: opened by `path` as given
  std::string name;  // the name within `dir`
  InputFile() = default;
  InputFile(std::string p) : path(std::move(p)) {}  // NOLINT: a path converts implicitly
  InputFile(const char* p) : path(p) {}             // NOLINT
  InputFile(std::string p, std::string d, std::string n)
      : path(std::move(p)), dir(std::move(d)), name(std::move(n)) {}
};
std::vector<InputFile> as_inputs(const std::vector<std::string>& paths);

// Counters for the stats line. Every source fills what applies to it.
struct SourceStats {
  uint64_t files = 0;             // inputs opened
  uint64_t bytes = 0;             // bytes read (decompressed for .gz)
  uint64_t lines = 0;             // lines / JSON documents seen
  uint64_t records = 0;           // records accepted into events
  uint64_t events = 0;            // events delivered
  uint64_t bad_lines = 0;         // AU000: not audit data, broken records, over-long lines
  uint64_t long_lines = 0;        // of bad_lines: longer than the line cap (skipped, streamed past)
  uint64_t late_records = 0;      // arrived after their event had been emitted
  uint64_t duplicate_records = 0; // identical record already in the event (dropped)
  uint64_t serial_gaps = 0;       // missing serials between consecutive events of one node (normal)
  uint64_t evicted_events = 0;    // flushed early because too many events were in flight
  uint64_t watermark_events = 0;  // completed by the time watermark (no EOE seen)
  uint64_t max_in_flight = 0;     // high-water mark of events held at once

  SourceStats& operator+=(const SourceStats& o);
};

// An input problem (AU000): never fatal; the run continues.
struct InputIssue {
  std::string file;  // "-" for stdin
  uint64_t line = 0; // 1-based; 0 when unknown
  std::string message;
  std::string excerpt;  // the start of the offending line (at most ~120 bytes, raw)
};

// Called with (bytes done, bytes total or 0 when unknown) now and then.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;
// Receives each complete event; return false to stop reading.
using EventSink = std::function<bool(Event&&)>;

class EventSource {
 public:
  virtual ~EventSource() = default;
  // Reads the whole input, calling `sink` for each complete event. Problems in the data are
  // counted and recorded as issues (not errors); an Error means the input could not be read at
  // all (missing file, permission).
  virtual Status for_each(const EventSink& sink) = 0;
  const SourceStats& stats() const { return stats_; }
  const std::vector<InputIssue>& issues() const { return issues_; }
  void set_progress(ProgressFn fn) { progress_ = std::move(fn); }
  // Issues beyond this many are counted in stats but not kept (memory bound).
  void set_max_issues(size_t n) { max_issues_ = n; }

 protected:
  void add_issue(std::string_view file, uint64_t line, std::string message,
                 std::string_view excerpt = {});
  SourceStats stats_;
  std::vector<InputIssue> issues_;
  ProgressFn progress_;
  size_t max_issues_ = 1000;
};

// --input-format values and sniffing.
enum class InputFormat : uint8_t {
  Auto,
  AuditText,  // raw or ENRICHED auditd log text
  Json,       // some JSON: an object per line or an array (the formats engineer refines this)
  Unknown,
};

// Looks at the first bytes of an input (after a gzip layer is removed) and says whether it is
// audit text or JSON. Leading whitespace and a UTF-8 BOM are skipped.
InputFormat sniff_format(std::string_view head);
// True when the head contains the ENRICHED 0x1D separator.
bool sniff_enriched(std::string_view head);

}  // namespace tocsin::audit
