// Zero-copy lexer for one auditd text line:
//   [node=N ]type=T msg=audit(SEC.MS:SERIAL): k=v k="v v" k=HEX k=(null) msg='k=v ...'[\x1dK=V ...]
// Fields come out as offsets relative to the line; nothing is allocated per field and nothing
// is decoded (values stay raw until asked for).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "audit/record.hpp"

namespace tocsin::audit {

struct LexedRecord {
  std::string_view node;       // empty when absent
  std::string_view type_name;  // "SYSCALL", "UNKNOWN[1334]"
  RecordType type = RecordType::Other;
  uint32_t type_number = 0;    // 0 when unknown
  uint64_t sec = 0;
  uint32_t msec = 0;
  uint64_t serial = 0;
  // Offset of the record text within the line (past any syslog-style prefix).
  uint32_t text_begin = 0;
  // Offset just past the "msg=audit(...):" header (where the fields start).
  uint32_t header_end = 0;
  // fields[0, interp_begin) are the raw fields, fields[interp_begin, end) the ENRICHED ones.
  uint32_t interp_begin = 0;
  bool enriched = false;
};

enum class LexStatus : uint8_t {
  Ok,
  Blank,         // empty or whitespace-only line: ignored, not an error
  NoType,        // no type= field: not audit data
  NoTimestamp,   // type= without msg=audit(sec.ms:serial):
  BadTimestamp,  // malformed sec/ms/serial
};

std::string_view lex_status_message(LexStatus s);

// Lexes `line` (without its newline; a trailing '\r' is ignored). `fields` is cleared and
// filled with offsets relative to line.data(). The vector is reused across lines, so steady
// state does no allocation.
LexStatus lex_line(std::string_view line, LexedRecord& out, std::vector<FieldRef>& fields);
// Only the header (node, type, timestamp, serial): what the assembler needs. Fields are lexed
// later, on first access, by the Event.
LexStatus lex_header(std::string_view line, LexedRecord& out);
// Only the fields of a record whose header ends at `pos` (LexedRecord::header_end): appends to
// `fields` and returns the index in `fields` where the ENRICHED fields begin; `enriched`, when
// given, tells whether the record has the ENRICHED separator.
uint32_t lex_body(std::string_view line, size_t pos, std::vector<FieldRef>& fields, bool* enriched = nullptr);

// The raw values of the PATH record fields Event::paths() (event.hpp) decodes; nullopt when absent.
struct PathFieldsRaw {
  std::optional<std::string_view> item, name, inode, dev, mode, nametype, objtype, ouid, ogid, rdev;
  // The member a field of that name goes to; nullptr for other fields.
  std::optional<std::string_view>* slot(std::string_view key);
};
// Reads those fields from a PATH record's text whose header ends at `pos`, without lexing the
// rest: it stops once all of them were seen (the kernel writes them before the cap_* fields and
// the ENRICHED part) or at the ENRICHED separator. The first occurrence of a key wins, as with
// the lexed fields. Returns false, leaving `out` unspecified, for text it does not handle
// (a single-quoted value): the caller lexes the record instead.
bool scan_path_fields(std::string_view text, size_t pos, PathFieldsRaw& out);

}  // namespace tocsin::audit
