// The audit event model every hunt input produces and every detection consumes.
//
// Design note:
// - An Event is the set of records that share one key (node, sec, msec, serial).
// - Zero-copy: each record's raw line is copied ONCE into the Event's own byte buffer; fields are
//   (key, raw value) offsets into that buffer, lexed lazily per record on the first access to
//   that record's fields (the assembler reads only record headers; a detection that looks at the
//   SYSCALL record never pays for lexing the PATH or PROCTITLE records). The SYSCALL record's
//   common fields (pid, exe, syscall, ...) are indexed once, so typed accessors are O(1).
//   An Event is not safe for concurrent first access. Offsets (not pointers) keep the Event
//   movable and growable while records arrive. Per event there are three allocations (bytes, records,
//   fields) whatever the number of fields. Accessors hand out std::string_view into the buffer:
//   they stay valid while the Event lives and is not modified.
// - Values are kept raw (as in the log: `"quoted"`, `2F62696E` hex, `(null)`, `0x1f`, `-2`) and
//   decoded lazily on access: str() unquotes or hex-decodes, num() parses with the base the field
//   implies (a0..a3/arch/per/cap_* hex, mode octal, everything else decimal).
// - USER_* records' nested `msg='k=v ...'` fields are flattened into the record's fields.
// - ENRICHED logs: fields after the 0x1D separator (uppercase interpreted fields such as
//   UID="root", SYSCALL=execve) are kept apart and reached through interp().
// - Inputs without raw text (JSON formats) build events with EventBuilder: they add fields as raw
//   text (the way auditd would have written them) or as decoded values (add_value encodes them).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/record.hpp"
#include "audit/syscalls.hpp"

namespace tocsin::audit {

// Identity of an event.
struct EventKey {
  std::string_view node;  // empty when the log has no node= prefix
  uint64_t sec = 0;
  uint32_t msec = 0;
  uint64_t serial = 0;
  bool operator==(const EventKey&) const = default;
};

// Why the assembler emitted an event (for diagnostics and stats).
enum class Completion : uint8_t {
  Eoe,          // saw the EOE record
  Terminal,     // saw PROCTITLE: the kernel writes it last, just before EOE (auditd logs no EOE)
  Standalone,   // single-record type
  Watermark,    // older than the newest seen by more than the watermark
  EndOfInput,   // input ended
  Evicted,      // too many events in flight; the oldest was flushed
  Built,        // made by EventBuilder (JSON inputs)
};

// Where a record came from.
struct Location {
  std::shared_ptr<const std::string> file;  // shared by all records of one input file
  uint64_t line = 0;                        // 1-based; 0 when unknown
  std::string_view file_name() const { return file ? std::string_view(*file) : std::string_view(); }
};

class Event;

// Key and raw value of one field.
struct Field {
  std::string_view key;
  std::string_view value;
};

// A view of one record of an Event (valid while the Event lives).
class RecordView {
 public:
  RecordView(const Event* ev, uint32_t index) : ev_(ev), idx_(index) {}
  RecordType type() const;
  // Raw type name as written ("SYSCALL", "UNKNOWN[1334]", "MY_TYPE").
  std::string_view type_name() const;
  // The record's line as read (without newline); for JSON-built records: synthesized text.
  std::string_view text() const;
  uint64_t line() const;
  size_t field_count() const;
  Field field_at(size_t i) const;
  // Raw value ("\"ls\"", "6C73", "(null)", "0x2a"); nullopt when absent.
  std::optional<std::string_view> field(std::string_view key) const;
  bool has(std::string_view key) const { return field(key).has_value(); }
  // Decoded string: quotes stripped, hex decoded where the field is an encoded string,
  // nullopt when absent or "(null)".
  std::optional<std::string> str(std::string_view key) const;
  // Number with the base the field implies; nullopt when absent or not a number.
  std::optional<int64_t> num(std::string_view key) const;
  std::optional<uint64_t> unum(std::string_view key) const;
  // ENRICHED interpreted field (after 0x1D), quotes stripped; nullopt when absent.
  std::optional<std::string_view> interp(std::string_view key) const;
  size_t interp_count() const;
  Field interp_at(size_t i) const;

 private:
  const Event* ev_;
  uint32_t idx_;
};

// One PATH record, decoded.
struct PathItem {
  int64_t item = -1;
  std::optional<std::string> name;  // nullopt for name=(null)
  std::optional<uint64_t> inode;
  std::string_view dev;             // "fd:01" raw, empty when absent
  std::optional<uint32_t> mode;     // octal in the log
  std::string_view nametype;        // NORMAL, PARENT, CREATE, DELETE, UNKNOWN
  std::optional<int64_t> ouid;
  std::optional<int64_t> ogid;
  std::string_view rdev;
  uint64_t line = 0;
};

class Event {
 public:
  Event() = default;

  // --- identity and location
  EventKey key() const { return {node(), sec_, msec_, serial_}; }
  std::string_view node() const { return view(node_off_, node_len_); }
  uint64_t sec() const { return sec_; }
  uint32_t msec() const { return msec_; }
  uint64_t serial() const { return serial_; }
  // Milliseconds since the epoch.
  uint64_t time_ms() const { return sec_ * 1000 + msec_; }
  std::string_view file() const { return file_ ? std::string_view(*file_) : std::string_view(); }
  const std::shared_ptr<const std::string>& file_ptr() const { return file_; }
  // Line of the first record.
  uint64_t line() const { return records_.empty() ? 0 : records_.front().line; }
  Completion completion() const { return completion_; }
  // True when the event was made of records that arrived after their event had been emitted.
  bool late() const { return late_; }

  // --- records
  size_t record_count() const { return records_.size(); }
  RecordView record(size_t i) const { return RecordView(this, static_cast<uint32_t>(i)); }
  // First record of a type.
  std::optional<RecordView> find(RecordType t) const;
  std::optional<RecordView> find(std::string_view type_name) const;
  bool has(RecordType t) const { return find(t).has_value(); }
  // The type of the first record (the event's "kind": SYSCALL, USER_CMD, ...).
  RecordType primary_type() const;

  // --- typed helpers (SYSCALL record unless said otherwise; the first record carrying the
  // field for USER_* and other non-syscall events)
  Arch arch() const;
  std::optional<int> syscall() const;
  // "execve"; from the ENRICHED SYSCALL= when present, else from the arch table; empty if unknown.
  std::string_view syscall_name() const;
  std::optional<bool> success() const;
  std::optional<int64_t> exit() const;
  std::optional<uint64_t> arg(int i) const;  // a0..a3, hex
  std::optional<int64_t> pid() const;
  std::optional<int64_t> ppid() const;
  std::optional<int64_t> uid() const;
  std::optional<int64_t> euid() const;
  std::optional<int64_t> gid() const;
  std::optional<int64_t> egid() const;
  std::optional<int64_t> suid() const;
  std::optional<int64_t> fsuid() const;
  std::optional<int64_t> auid() const;
  std::optional<int64_t> ses() const;
  std::optional<int64_t> items() const;
  std::optional<std::string> tty() const;
  std::optional<std::string> comm() const;
  std::optional<std::string> exe() const;
  // The same values decoded without a copy (empty when absent or "(null)"); hex-encoded values
  // are decoded once and kept with the event. Views stay valid while the Event lives unmoved.
  std::string_view tty_view() const;
  std::string_view comm_view() const;
  std::string_view exe_view() const;
  // Rule key(s): several keys are joined by 0x01 in the log; split here.
  std::vector<std::string> keys() const;
  // The SYSCALL record's key= as written ("\"k\"", hex when several, "(null)"); empty when
  // absent. No decoding and no copy: for counting keys per event.
  std::string_view key_raw() const;
  // First field named `key` in any record, decoded (handy for USER_* fields: acct, op, res...).
  std::optional<std::string> str(std::string_view key) const;
  std::optional<int64_t> num(std::string_view key) const;
  // ENRICHED interpreted value from any record (e.g. "UID", "AUID").
  std::optional<std::string_view> interp(std::string_view key) const;

  // EXECVE argv: a0..aN assembled across all EXECVE records, including split aN_len/aN[i].
  // Missing arguments are left empty; argc from the record when known.
  std::vector<std::string> argv() const;
  std::optional<int64_t> argc() const;
  // CWD record's cwd, decoded.
  std::optional<std::string> cwd() const;
  // The same without a copy (decoded once and kept with the event, like exe_view()); nullopt
  // when the event has no CWD record or its cwd is "(null)".
  std::optional<std::string_view> cwd_view() const;
  // PATH records in item order. Computed once per event (several detections ask for them);
  // the reference stays valid until the event is copied, moved or destroyed.
  const std::vector<PathItem>& paths() const;
  // PROCTITLE decoded and split at NULs (the kernel truncates it at 128 bytes: the last
  // element may be cut).
  std::vector<std::string> proctitle_argv() const;
  // Proctitle joined with spaces.
  std::optional<std::string> proctitle() const;
  // Does the bulk of the lexing ahead of use (the SYSCALL, PATH and EXECVE records), so a
  // reader thread can take that work off the thread that runs the detections. The event is
  // then handed over whole: only one thread may touch it at a time (the rest of the lazy
  // work happens on first use there).
  void prepare() const;

  // Spare events of the calling thread, their buffers kept for reuse: the assembler takes one
  // for each new event and a hunt gives processed ones back, so steady state allocates nothing.
  // The pool is bounded; events with unusually large buffers are not kept.
  static Event take_spare();
  static void give_spare(Event&& ev);
  // Heap bytes the event's buffers hold (their capacity).
  size_t buffer_bytes() const;
  // The calling thread's pool: spare events and the bytes their buffers hold.
  static std::pair<size_t, size_t> spare_pool_size();

  // --- construction (used by the assembler and EventBuilder)
  using FieldRef = ::tocsin::audit::FieldRef;
  struct RecordRef {
    RecordType type;
    uint32_t type_number;  // kernel number when known, 0 otherwise
    uint32_t type_off, type_len;
    uint32_t text_off, text_len;
    uint32_t field_begin, field_end;    // plain fields [begin, end)
    uint32_t interp_begin, interp_end;  // ENRICHED fields [begin, end)
    uint64_t line;
    uint32_t header_len = 0;  // bytes of "type=T msg=audit(...):" (0 when unknown)
    bool lexed = true;        // false until the record's fields were lexed from its text
  };
  // Internal: raw access for RecordView and builders.
  std::string_view view(uint32_t off, uint32_t len) const {
    return std::string_view(buf_.data() + off, len);
  }
  // Record i with its fields lexed.
  const RecordRef& record_ref(uint32_t i) const {
    if (!records_[i].lexed) lex_record(i);
    return records_[i];
  }
  // Record i's header only (type, text, line): no lexing.
  const RecordRef& record_head(uint32_t i) const { return records_[i]; }
  // A field index taken from record_ref(i)'s ranges.
  const FieldRef& field_ref(uint32_t i) const { return fields_[i]; }

 private:
  friend class EventBuilder;
  friend class Assembler;
  std::optional<std::string_view> first_field(RecordType t, std::string_view key) const;
  // Lexes one record's fields from its text (appended to fields_; each record's range stays
  // contiguous whatever the order records are lexed in).
  void lex_record(uint32_t i) const;

  // The SYSCALL record's fields that nearly every detection reads, indexed once.
  enum class Hot : uint8_t {
    Arch, Syscall, Success, Exit, A0, A1, A2, A3, Items, Ppid, Pid, Auid, Uid, Gid, Euid, Suid,
    Fsuid, Egid, Sgid, Fsgid, Tty, Ses, Comm, Exe, Key, Count
  };
  static constexpr uint32_t kNoField = 0xFFFFFFFFu;
  struct HotCache {
    bool ready = false;
    bool name_ready = false;
    int32_t syscall_rec = -1;
    uint32_t idx[static_cast<size_t>(Hot::Count)];
    uint32_t interp_syscall = kNoField, interp_arch = kNoField;
    std::string_view syscall_name;  // into buf_ or a static table
    std::string decoded[3];         // tty, comm, exe when hex-encoded
    // hot_num results: bit k of num_known says field k was parsed, of num_present that it had
    // a number (then in num[k]).
    uint32_t num_known = 0, num_present = 0;
    // cwd_view(): 0 = not looked up yet, 1 = absent, 2 = in cwd (a view of buf_ or cwd_decoded)
    uint8_t cwd_state = 0;
    std::string_view cwd;
    std::string cwd_decoded;
    int64_t num[static_cast<size_t>(Hot::Count)];
    static_assert(static_cast<size_t>(Hot::Count) <= 32);
    HotCache() = default;
    // Views into buf_ do not survive a copy or move: start over.
    HotCache(const HotCache&) {}
    HotCache(HotCache&&) noexcept {}
    HotCache& operator=(const HotCache&) {  // NOLINT(bugprone-unhandled-self-assignment): a reset is right then too
      ready = name_ready = false;
      num_known = 0;
      cwd_state = 0;
      return *this;
    }
    HotCache& operator=(HotCache&&) noexcept {
      ready = name_ready = false;
      num_known = 0;
      cwd_state = 0;
      return *this;
    }
    ~HotCache() = default;
  };
  const HotCache& hot() const {
    if (!hot_cache_.ready) build_hot();
    return hot_cache_;
  }
  void build_hot() const;
  std::optional<std::string_view> hot_raw(Hot k) const;
  std::optional<int64_t> hot_num(Hot k, std::string_view name, int base) const;
  std::string_view hot_view(Hot k, std::string_view name, int slot) const;

  std::string buf_;
  mutable std::vector<RecordRef> records_;
  mutable std::vector<FieldRef> fields_;
  mutable HotCache hot_cache_;
  // Cache of paths(): its items view buf_, so a copied or moved event starts without it.
  struct PathsCache {
    bool ready = false;
    std::vector<PathItem> items;  // its capacity is kept when a spare event is reused
    PathsCache() = default;
    PathsCache(const PathsCache&) {}
    PathsCache(PathsCache&& o) noexcept : items(std::move(o.items)) { items.clear(); }
    PathsCache& operator=(const PathsCache&) { ready = false; items.clear(); return *this; }
    PathsCache& operator=(PathsCache&& o) noexcept {
      ready = false;
      items = std::move(o.items);
      items.clear();
      return *this;
    }
    ~PathsCache() = default;
  };
  mutable PathsCache paths_cache_;
  std::shared_ptr<const std::string> file_;
  uint32_t node_off_ = 0, node_len_ = 0;
  uint64_t sec_ = 0;
  uint32_t msec_ = 0;
  uint64_t serial_ = 0;
  Completion completion_ = Completion::Built;
  bool late_ = false;
};

// Builds events for inputs that have no raw audit text (JSON formats) and for tests.
//   EventBuilder b; b.set_key("node-1", 1700000000, 708, 4242);
//   b.begin_record(RecordType::Syscall);  b.add_field("syscall", "59");  b.add_value("exe", "/bin/x");
//   b.begin_record("EXECVE");  b.add_field("argc", "2");  b.add_value("a0", "ls"); ...
//   Event ev = std::move(b).build();
class EventBuilder {
 public:
  EventBuilder& set_key(std::string_view node, uint64_t sec, uint32_t msec, uint64_t serial);
  EventBuilder& set_location(std::shared_ptr<const std::string> file, uint64_t line);
  EventBuilder& begin_record(RecordType t, uint64_t line = 0);
  EventBuilder& begin_record(std::string_view type_name, uint64_t line = 0);
  // Raw value exactly as auditd would print it (`"quoted"`, hex, number, `(null)`).
  EventBuilder& add_field(std::string_view key, std::string_view raw_value);
  // Decoded string value: written quoted when it is printable without '"', hex otherwise.
  EventBuilder& add_value(std::string_view key, std::string_view decoded);
  // ENRICHED interpreted value (unquoted text, e.g. "root").
  EventBuilder& add_interp(std::string_view key, std::string_view value);
  Event build() &&;

 private:
  void close_record();
  Event ev_;
  bool open_ = false;
  uint64_t pending_line_ = 0;
  std::vector<std::pair<std::string, std::string>> pending_interp_;
};

}  // namespace tocsin::audit
