// Hunt inputs: the abstract EventSource every input format implements (raw/ENRICHED text here,
// JSON formats in audit/formats/), the counters behind the stats line, input problems (AU000)
// with their location, and format sniffing for --input-format auto.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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

// Damage to an input's bytes (not to its records): a gzip CRC/length error, a truncated or
// corrupt stream, trailing garbage, a read error, a file that shrank or was replaced while read,
// a file that could not be opened. Evidence after the damage is lost, so the run is incomplete.
struct IntegrityIssue {
  std::optional<uint64_t> line;    // the line in progress when it was hit (decompressed text)
  std::optional<uint64_t> offset;  // byte offset in the file as stored (compressed for .gz)
  std::string message;
};

// What became of one input: how much of it was read and whether completely. Every input the
// hunt was given (or found in a directory) gets one, including skipped ones, so a report can
// show that nothing was silently left out.
enum class InputStatus : uint8_t { Ok, Damaged, Unreadable, Skipped };
std::string_view status_name(InputStatus s);

struct InputReport {
  std::string file;                        // as alerts name it ("-" for stdin)
  std::string format;                      // "audit-text", "json", "" when not read
  bool gzip = false;
  std::optional<uint64_t> bytes_on_disk;   // size when opened; none for stdin and pipes
  uint64_t bytes_read = 0;                 // bytes consumed from the file (compressed for .gz)
  std::optional<uint64_t> bytes_decompressed;  // .gz only
  uint64_t events = 0;
  InputStatus status = InputStatus::Ok;
  std::vector<IntegrityIssue> issues;      // damage (status Damaged/Unreadable) or the skip reason
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
  // One per input read (or that could not be opened), in reading order.
  const std::vector<InputReport>& input_reports() const { return reports_; }
  void set_progress(ProgressFn fn) { progress_ = std::move(fn); }
  // Issues beyond this many are counted in stats but not kept (memory bound).
  void set_max_issues(size_t n) { max_issues_ = n; }

 protected:
  void add_issue(std::string_view file, uint64_t line, std::string message,
                 std::string_view excerpt = {});
  // Starts the report of the next input; the reader fills it in as it goes.
  InputReport& begin_input(std::string file, std::string format);
  // Records damage on the current input (marks it Damaged unless it is already Unreadable).
  void add_damage(std::optional<uint64_t> line, std::optional<uint64_t> offset, std::string message);
  // The current input could not be opened or read at all.
  void mark_unreadable(const std::string& file, std::string message);
  SourceStats stats_;
  std::vector<InputReport> reports_;
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
// True when one of the first lines of `head` is an audit record (`type=… msg=audit(`, also
// with a `node=` or syslog prefix, and after ausearch's `----`/`time->` lines). Stricter than
// sniff_format: a README that quotes a record further down is not a log.
bool starts_like_audit_text(std::string_view head);

}  // namespace tocsin::audit
