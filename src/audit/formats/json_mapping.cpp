// Field mappings, JSON flavour → audit records, written so that the resulting Event answers the
// typed accessors (syscall, argv, exe, auid, cwd, paths, keys...) as the text parser's would.
//
// es-export (the seed's flattened documents; unknown fields are kept, nested objects ignored):
//   h_msg "audit(SEC.MS:SERIAL)"  → event id; else m_eventTs (epoch s/ms or ISO) + m_serial/
//                                   h_serial/b_serial
//   m_host | h_node | m_node | b_node → node;  h_type | m_type | b_type → main record type
//                                   (default SYSCALL when b_syscall is present, else USER)
//   b_<field>                     → the main record's <field>; b_<UPPER> → ENRICHED value
//   <TYPE>_b_<field>              → record TYPE's <field>; an array value = one record per element
//   EXECVE_b_allArgs              → a0..aN (split at spaces) when no EXECVE_b_aN is given
// laurel (JSON lines): ID "SEC.MS:SERIAL", NODE; SYSCALL/EXECVE/CWD/PROCTITLE objects, PATH,
//   SOCKADDR and others as lists of objects; SYSCALL.ARGV → a0..a3, EXECVE.ARGV → a0..aN,
//   PROCTITLE.ARGV → proctitle; "0x…" hex and "0o…" octal strings; %XX-encoded bytes;
//   UPPERCASE fields (translations) → ENRICHED values; PARENT_INFO kept as its own record.
// auditbeat (ECS, auditd.* / user.* / process.*) and go-libaudit aucoalesce (sequence, data,
//   user.ids, process, paths): @timestamp → time, auditd.sequence | sequence → serial,
//   host.name | host.hostname | agent.hostname → node, auditd.message_type | record_type →
//   type, auditd.data | data → fields (syscall/arch names → numbers, errno names → exit),
//   auditd.result | result → success, auditd.session | session → ses, user ids → uid/auid/...,
//   process.pid/ppid/parent.pid/name/executable|exe → pid/ppid/comm/exe,
//   process.args → EXECVE, process.working_directory|cwd → CWD, process.title → PROCTITLE,
//   auditd.paths | paths → PATH records, tags → key.
#include "audit/formats/json_mapping.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace tocsin::audit {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

namespace {

bool is_upper_key(std::string_view k) {
  bool letter = false;
  for (unsigned char c : k) {
    if (std::isupper(c) != 0) letter = true;
    else if (std::isdigit(c) == 0 && c != '_') return false;
  }
  return letter;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'') return false;
  return true;
}

bool is_uppercase_hex(std::string_view s) {
  if (s.size() < 4 || s.size() % 2 != 0) return false;
  for (unsigned char c : s)
    if (std::isdigit(c) == 0 && (c < 'A' || c > 'F')) return false;
  return true;
}

std::string_view audit_arch_hex(Arch a) {
  switch (a) {
    case Arch::X86_64: return "c000003e";
    case Arch::I386: return "40000003";
    case Arch::Aarch64: return "c00000b7";
    case Arch::Unknown: break;
  }
  return {};
}

std::optional<element> get(object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  return e;
}

// Nested path ("user.audit.id") or, for flattened exports, the dotted key itself.
std::optional<element> path(object o, std::string_view dotted) {
  if (auto e = get(o, dotted)) return e;
  object cur = o;
  size_t b = 0;
  while (true) {
    size_t d = dotted.find('.', b);
    std::string_view part = dotted.substr(b, d == std::string_view::npos ? dotted.npos : d - b);
    auto e = get(cur, part);
    if (!e) return std::nullopt;
    if (d == std::string_view::npos) return e;
    if (!e->is_object()) {
      // A flattened remainder: {"auditd": {"data.syscall": ...}}.
      return std::nullopt;
    }
    cur = as_object(*e);
    if (auto rest = get(cur, dotted.substr(d + 1))) return rest;
    b = d + 1;
  }
}

// Scalar as text; nullopt for objects/arrays.
std::optional<std::string> scalar_text(element e) {
  switch (e.type()) {
    case element_type::STRING: return std::string(e.get_string().value_unsafe());
    case element_type::INT64: return std::to_string(e.get_int64().value_unsafe());
    case element_type::UINT64: return std::to_string(e.get_uint64().value_unsafe());
    case element_type::DOUBLE: return fmt::format("{}", e.get_double().value_unsafe());
    case element_type::BOOL: return std::string(e.get_bool().value_unsafe() ? "yes" : "no");
    case element_type::NULL_VALUE: return std::string("(null)");
    default: return std::nullopt;
  }
}

std::optional<std::string> path_text(object o, std::string_view dotted) {
  auto e = path(o, dotted);
  if (!e) return std::nullopt;
  return scalar_text(*e);
}

enum class Dialect { EsExport, Laurel, Ecs };

// Adds one scalar value as auditd would have written it.
void add_scalar(EventBuilder& b, RecordType t, std::string_view key, element v, Dialect d) {
  if (v.is_string()) {
    std::string_view s = v.get_string().value_unsafe();
    if (is_upper_key(key) && key != "ID") {
      b.add_interp(key, d == Dialect::Laurel ? percent_decode(s) : std::string(s));
      return;
    }
    if (d == Dialect::Laurel && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
      b.add_field(key, s.substr(2));  // hex (a0, arch) or octal (mode) without the prefix
      return;
    }
    std::string decoded = d == Dialect::Laurel ? percent_decode(s) : std::string(s);
    bool encoded = is_encoded_field(t, key);
    if (d == Dialect::EsExport && !decoded.empty() && decoded.front() == '"') {
      b.add_field(key, decoded);  // the raw log text, quotes and all
      return;
    }
    if (encoded && d == Dialect::EsExport && is_uppercase_hex(decoded)) {
      b.add_field(key, decoded);  // still hex-encoded, as in the log
      return;
    }
    if (!encoded && is_token(decoded)) {
      b.add_field(key, decoded);
      return;
    }
    b.add_value(key, decoded);
    return;
  }
  if (v.is_null()) {
    b.add_field(key, "(null)");
    return;
  }
  if (auto text = scalar_text(v)) b.add_field(key, *text);
}

void add_scalars_of(EventBuilder& b, RecordType t, object o, Dialect d,
                    std::initializer_list<std::string_view> skip = {}) {
  for (auto [k, v] : o) {
    bool skipped = false;
    for (auto s : skip)
      if (k == s) skipped = true;
    if (skipped || v.is_object() || v.is_array()) continue;
    add_scalar(b, t, k, v, d);
  }
}

std::string hex_of(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// ---------------------------------------------------------------- laurel

Result<Event> map_laurel(object o, const std::shared_ptr<const std::string>& file, uint64_t line) {
  auto id = get(o, "ID");
  if (!id || !id->is_string()) return Error{"laurel: no ID string"};
  auto stamp = parse_event_id(id->get_string().value_unsafe());
  if (!stamp) return Error{fmt::format("laurel: bad ID '{}'", id->get_string().value_unsafe())};
  std::string node;
  if (auto n = get(o, "NODE"); n && n->is_string()) node = std::string(n->get_string().value_unsafe());
  EventBuilder b;
  b.set_key(node, stamp->sec, stamp->msec, stamp->serial);
  b.set_location(file, line);

  auto record_from = [&](std::string_view type, object rec) {
    RecordType t = record_type_from_name(type);
    if (t == RecordType::Other) b.begin_record(type, line);
    else b.begin_record(t, line);
    if (t == RecordType::Syscall) {
      if (auto argv = get(rec, "ARGV"); argv && argv->is_array()) {
        int i = 0;
        for (auto a : as_array(*argv)) {
          if (i > 3) break;
          if (a.is_string()) {
            std::string_view s = a.get_string().value_unsafe();
            if (s.size() > 2 && s[0] == '0' && s[1] == 'x') s.remove_prefix(2);
            b.add_field(fmt::format("a{}", i), s);
          } else if (auto text = scalar_text(a)) {
            b.add_field(fmt::format("a{}", i), *text);
          }
          ++i;
        }
      }
      add_scalars_of(b, t, rec, Dialect::Laurel, {"ARGV"});
      return;
    }
    if (t == RecordType::Execve) {
      if (auto argc = get(rec, "argc")) add_scalar(b, t, "argc", *argc, Dialect::Laurel);
      if (auto argv = get(rec, "ARGV"); argv && argv->is_array()) {
        size_t i = 0;
        for (auto a : as_array(*argv)) {
          if (auto text = a.is_string() ? std::optional<std::string>(percent_decode(
                                              a.get_string().value_unsafe()))
                                        : scalar_text(a))
            b.add_value(fmt::format("a{}", i), *text);
          ++i;
        }
      }
      add_scalars_of(b, t, rec, Dialect::Laurel, {"ARGV", "argc"});
      return;
    }
    if (t == RecordType::Proctitle) {
      if (auto argv = get(rec, "ARGV"); argv && argv->is_array()) {
        std::string joined;
        bool first = true;
        for (auto a : as_array(*argv)) {
          if (!a.is_string()) continue;
          if (!first) joined.push_back('\0');
          first = false;
          joined += percent_decode(a.get_string().value_unsafe());
        }
        if (!joined.empty()) b.add_field("proctitle", hex_of(joined));
      }
      add_scalars_of(b, t, rec, Dialect::Laurel, {"ARGV"});
      return;
    }
    add_scalars_of(b, t, rec, Dialect::Laurel);
  };

  // SYSCALL first: the event's primary record.
  if (auto s = get(o, "SYSCALL"); s && s->is_object()) record_from("SYSCALL", as_object(*s));
  size_t records = 0;
  for (auto [k, v] : o) {
    if (k == "SYSCALL" && v.is_object()) {
      ++records;
      continue;
    }
    if (k == "ID" || k == "NODE" || !is_upper_key(k)) continue;
    if (v.is_object()) {
      record_from(k, as_object(v));
      ++records;
    } else if (v.is_array()) {
      for (auto item : as_array(v))
        if (item.is_object()) {
          record_from(k, as_object(item));
          ++records;
        }
    }
  }
  if (records == 0) return Error{"laurel: no records (SYSCALL, EXECVE, PATH...) in the event"};
  return std::move(b).build();
}

// ---------------------------------------------------------------- es-export

bool es_record_field(std::string_view key, std::string_view& type, std::string_view& field) {
  size_t p = key.find("_b_");
  if (p == std::string_view::npos || p == 0) return false;
  type = key.substr(0, p);
  field = key.substr(p + 3);
  return is_upper_key(type) && !field.empty();
}

Result<Event> map_es_export(object o, const std::shared_ptr<const std::string>& file,
                            uint64_t line) {
  std::optional<AuditStamp> stamp;
  if (auto msg = path_text(o, "h_msg")) stamp = parse_audit_stamp(*msg);
  if (!stamp) {
    std::optional<uint64_t> ms;
    for (auto k : {"m_eventTs", "h_eventTs", "m_timestamp", "@timestamp"}) {
      auto e = get(o, k);
      if (!e) continue;
      if (e->is_string()) {
        std::string_view s = e->get_string().value_unsafe();
        ms = parse_iso8601_ms(s);
        if (!ms) {
          if (auto st = parse_audit_stamp(s)) stamp = st;
          else if (auto n = parse_unsigned(s, 10)) ms = *n < 100000000000ULL ? *n * 1000 : *n;
        }
      } else if (e->is_uint64() || e->is_int64()) {
        uint64_t n = e->is_uint64() ? e->get_uint64().value_unsafe()
                                    : static_cast<uint64_t>(e->get_int64().value_unsafe());
        ms = n < 100000000000ULL ? n * 1000 : n;  // seconds or milliseconds
      } else if (e->is_double()) {
        ms = static_cast<uint64_t>(e->get_double().value_unsafe() * 1000.0);
      }
      if (ms || stamp) break;
    }
    if (!stamp && ms) {
      stamp = AuditStamp{*ms / 1000, static_cast<uint32_t>(*ms % 1000), 0};
      for (auto k : {"m_serial", "h_serial", "b_serial", "m_eventId"})
        if (auto t = path_text(o, k))
          if (auto n = parse_unsigned(*t, 10)) {
            stamp->serial = *n;
            break;
          }
    }
  }
  if (!stamp) return Error{"es-export: no event time (h_msg audit(...) or m_eventTs)"};

  std::string node;
  for (auto k : {"m_host", "h_node", "m_node", "b_node", "m_hostname"})
    if (auto t = path_text(o, k); t && *t != "(null)") {
      node = *t;
      break;
    }
  std::string type;
  for (auto k : {"h_type", "m_type", "b_type", "m_recordType"})
    if (auto t = path_text(o, k)) {
      type = *t;
      break;
    }
  if (type.empty()) type = get(o, "b_syscall") ? "SYSCALL" : "USER";

  EventBuilder b;
  b.set_key(node, stamp->sec, stamp->msec, stamp->serial);
  b.set_location(file, line);
  RecordType main_t = record_type_from_name(type);
  // The main record's body.
  if (main_t == RecordType::Other) b.begin_record(type, line);
  else b.begin_record(main_t, line);
  size_t fields = 0;
  for (auto [k, v] : o) {
    if (k.size() > 2 && k.substr(0, 2) == "b_") {
      std::string_view f = k.substr(2);
      if (f == "type" || f == "node") continue;
      if (v.is_array()) {
        // Several values for one field: keep the first (auditd writes one).
        for (auto x : as_array(v)) {
          if (!x.is_object() && !x.is_array()) add_scalar(b, main_t, f, x, Dialect::EsExport);
          break;
        }
      } else if (!v.is_object()) {
        add_scalar(b, main_t, f, v, Dialect::EsExport);
      }
      ++fields;
    }
  }
  // Other records: collect each type's fields in document order; arrays fan out.
  std::vector<std::pair<std::string, std::vector<std::pair<std::string_view, element>>>> recs;
  for (auto [k, v] : o) {
    std::string_view t, f;
    if (!es_record_field(k, t, f)) continue;
    auto it = std::find_if(recs.begin(), recs.end(), [&](auto& r) { return r.first == t; });
    if (it == recs.end()) {
      recs.emplace_back(std::string(t), std::vector<std::pair<std::string_view, element>>{});
      it = recs.end() - 1;
    }
    it->second.emplace_back(f, v);
  }
  for (auto& [t, fs] : recs) {
    RecordType rt = record_type_from_name(t);
    size_t n = 1;
    for (auto& [f, v] : fs)
      if (v.is_array()) n = std::max(n, as_array(v).size());
    n = std::min<size_t>(n, 4096);
    bool has_args = false;
    for (auto& [f, v] : fs)
      if (f.size() >= 2 && f[0] == 'a' && std::isdigit(static_cast<unsigned char>(f[1])) != 0)
        has_args = true;
    for (size_t i = 0; i < n; ++i) {
      if (rt == RecordType::Other) b.begin_record(t, line);
      else b.begin_record(rt, line);
      for (auto& [f, v] : fs) {
        element val = v;
        if (v.is_array()) {
          if (as_array(v).at(i).get(val) != simdjson::SUCCESS) continue;
        } else if (i > 0) {
          continue;
        }
        if (val.is_object() || val.is_array()) continue;
        if (rt == RecordType::Execve && f == "allArgs") {
          if (has_args || !val.is_string()) continue;
          std::string_view all = val.get_string().value_unsafe();
          size_t argc = 0, p = 0;
          std::vector<std::string_view> args;
          while (p < all.size()) {
            while (p < all.size() && all[p] == ' ') ++p;
            size_t q = p;
            while (q < all.size() && all[q] != ' ') ++q;
            if (q > p) args.push_back(all.substr(p, q - p));
            p = q;
          }
          bool has_argc = std::any_of(fs.begin(), fs.end(), [](auto& x) { return x.first == "argc"; });
          if (!has_argc) b.add_field("argc", std::to_string(args.size()));
          for (auto a : args) b.add_value(fmt::format("a{}", argc++), a);
          continue;
        }
        add_scalar(b, rt, f, val, Dialect::EsExport);
        ++fields;
      }
    }
  }
  if (fields == 0) return Error{"es-export: no b_ or <TYPE>_b_ fields"};
  return std::move(b).build();
}

// ---------------------------------------------------------------- auditbeat / aucoalesce

Result<Event> map_auditbeat(object o, const std::shared_ptr<const std::string>& file,
                            uint64_t line) {
  bool ecs = path(o, "auditd").has_value() || get(o, "auditd.sequence").has_value();
  auto pick = [&](std::initializer_list<std::string_view> keys) -> std::optional<std::string> {
    for (auto k : keys)
      if (auto t = path_text(o, k)) return t;
    return std::nullopt;
  };
  auto seq = ecs ? pick({"auditd.sequence"}) : pick({"sequence"});
  auto ts = pick({"@timestamp", "timestamp"});
  if (!ts) return Error{"auditbeat: no @timestamp"};
  auto ms = parse_iso8601_ms(*ts);
  if (!ms) return Error{fmt::format("auditbeat: bad @timestamp '{}'", *ts)};
  uint64_t serial = 0;
  if (seq) {
    auto n = parse_unsigned(*seq, 10);
    if (!n) return Error{fmt::format("auditbeat: bad sequence '{}'", *seq)};
    serial = *n;
  }
  std::string node = pick({"host.name", "host.hostname", "agent.hostname"}).value_or("");
  std::string type = (ecs ? pick({"auditd.message_type", "event.type"}) : pick({"record_type"}))
                         .value_or("syscall");
  for (auto& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  RecordType t = record_type_from_name(type);

  EventBuilder b;
  b.set_key(node, *ms / 1000, static_cast<uint32_t>(*ms % 1000), serial);
  b.set_location(file, line);
  if (t == RecordType::Other) b.begin_record(type, line);
  else b.begin_record(t, line);

  std::optional<element> data = ecs ? path(o, "auditd.data") : path(o, "data");
  Arch arch = Arch::Unknown;
  if (data && data->is_object()) {
    object d = as_object(*data);
    if (auto a = path_text(d, "arch")) arch = arch_from_text(*a);
    for (auto [k, v] : d) {
      if (v.is_object() || v.is_array()) continue;
      auto text = scalar_text(v);
      if (!text) continue;
      if (k == "arch" && arch != Arch::Unknown) {
        b.add_field("arch", audit_arch_hex(arch));
        b.add_interp("ARCH", arch_name(arch));
      } else if (k == "syscall" && !text->empty() && std::isdigit(static_cast<unsigned char>((*text)[0])) == 0) {
        if (auto nr = syscall_number(arch, *text)) b.add_field("syscall", std::to_string(*nr));
        else b.add_value("syscall", *text);
        b.add_interp("SYSCALL", *text);
      } else if (k == "exit" && !text->empty() && std::isalpha(static_cast<unsigned char>((*text)[0])) != 0) {
        if (auto e = errno_from_name(*text)) b.add_field("exit", std::to_string(*e));
        b.add_interp("EXIT", *text);
      } else {
        add_scalar(b, t, k, v, Dialect::Ecs);
      }
    }
  }
  if (auto r = ecs ? pick({"auditd.result", "event.outcome"}) : pick({"result"})) {
    if (*r == "success") b.add_field("success", "yes");
    else if (*r == "fail" || *r == "failure") b.add_field("success", "no");
  }
  if (auto s = ecs ? pick({"auditd.session"}) : pick({"session"})) b.add_field("ses", *s);
  struct Id {
    std::string_view field;
    std::initializer_list<std::string_view> ecs_keys;
    std::string_view coalesce_key;
  };
  const std::array<Id, 9> ids = {{{"auid", {"user.audit.id", "user.auid"}, "user.ids.auid"},
                                  {"uid", {"user.id", "user.uid"}, "user.ids.uid"},
                                  {"gid", {"user.group.id", "user.gid"}, "user.ids.gid"},
                                  {"euid", {"user.effective.id", "user.euid"}, "user.ids.euid"},
                                  {"suid", {"user.saved.id", "user.suid"}, "user.ids.suid"},
                                  {"fsuid", {"user.filesystem.id", "user.fsuid"}, "user.ids.fsuid"},
                                  {"egid", {"user.effective.group.id", "user.egid"}, "user.ids.egid"},
                                  {"sgid", {"user.saved.group.id", "user.sgid"}, "user.ids.sgid"},
                                  {"fsgid", {"user.filesystem.group.id", "user.fsgid"}, "user.ids.fsgid"}}};
  for (auto& id : ids) {
    std::optional<std::string> v = ecs ? pick(id.ecs_keys) : path_text(o, id.coalesce_key);
    if (!v && ecs) v = path_text(o, id.coalesce_key);
    if (v && is_token(*v)) b.add_field(id.field, *v);
  }
  if (auto v = pick({"process.pid"})) b.add_field("pid", *v);
  if (auto v = pick({"process.parent.pid", "process.ppid"})) b.add_field("ppid", *v);
  if (auto v = pick({"process.name"})) b.add_value("comm", *v);
  if (auto v = pick({"process.executable", "process.exe"})) b.add_value("exe", *v);
  if (auto tags = path(o, "tags"); tags && tags->is_array()) {
    std::string keys;
    for (auto tg : as_array(*tags)) {
      if (!tg.is_string()) continue;
      if (!keys.empty()) keys.push_back('\x01');
      keys += tg.get_string().value_unsafe();
    }
    if (!keys.empty()) b.add_value("key", keys);
  }

  if (auto args = path(o, "process.args"); args && args->is_array()) {
    b.begin_record(RecordType::Execve, line);
    auto arr = as_array(*args);
    b.add_field("argc", std::to_string(arr.size()));
    size_t i = 0;
    for (auto a : arr)
      if (auto text = scalar_text(a)) b.add_value(fmt::format("a{}", i++), *text);
  }
  if (auto cwd = pick({"process.working_directory", "process.cwd"})) {
    b.begin_record(RecordType::Cwd, line);
    b.add_value("cwd", *cwd);
  }
  std::optional<element> paths = ecs ? path(o, "auditd.paths") : path(o, "paths");
  if (paths && paths->is_array()) {
    for (auto p : as_array(*paths)) {
      if (!p.is_object()) continue;
      b.begin_record(RecordType::Path, line);
      add_scalars_of(b, RecordType::Path, as_object(p), Dialect::Ecs);
    }
  }
  if (auto title = pick({"process.title"})) {
    b.begin_record(RecordType::Proctitle, line);
    b.add_field("proctitle", hex_of(*title));
  }
  return std::move(b).build();
}

}  // namespace

JsonFlavor classify_json_object(object o) {
  bool id = false, records = false, auditd = false, seq = false, rtype = false, es = false;
  for (auto [k, v] : o) {
    if (k == "ID" && v.is_string()) id = true;
    else if (k == "SYSCALL" || k == "EXECVE" || k == "PATH" || k == "PROCTITLE" || k == "CWD" ||
             k == "NODE")
      records = true;
    else if (k == "auditd" || k.substr(0, 7) == "auditd.") auditd = true;
    else if (k == "sequence") seq = true;
    else if (k == "record_type" || k == "data") rtype = true;
    else if (k.size() > 2 && (k.substr(0, 2) == "m_" || k.substr(0, 2) == "h_" || k.substr(0, 2) == "b_"))
      es = true;
    else if (k.find("_b_") != std::string_view::npos) es = true;
  }
  if (id && records) return JsonFlavor::Laurel;
  if (auditd || (seq && rtype)) return JsonFlavor::Auditbeat;
  if (es) return JsonFlavor::EsExport;
  return JsonFlavor::Auto;
}

Result<Event> map_json_event(object obj, JsonFlavor flavor,
                             const std::shared_ptr<const std::string>& file, uint64_t line) {
  switch (flavor) {
    case JsonFlavor::Laurel: return map_laurel(obj, file, line);
    case JsonFlavor::EsExport: return map_es_export(obj, file, line);
    case JsonFlavor::Auditbeat: return map_auditbeat(obj, file, line);
    case JsonFlavor::Auto: break;
  }
  return Error{"unknown JSON layout"};
}

std::optional<AuditStamp> parse_event_id(std::string_view s) {
  size_t dot = s.find('.'), colon = s.find(':');
  if (dot == std::string_view::npos || colon == std::string_view::npos || colon < dot)
    return std::nullopt;
  auto sec = parse_unsigned(s.substr(0, dot), 10);
  auto ms = parse_unsigned(s.substr(dot + 1, colon - dot - 1), 10);
  auto serial = parse_unsigned(s.substr(colon + 1), 10);
  if (!sec || !ms || !serial || *ms > 999 || dot == 0 || colon == dot + 1) return std::nullopt;
  return AuditStamp{*sec, static_cast<uint32_t>(*ms), *serial};
}

std::optional<AuditStamp> parse_audit_stamp(std::string_view s) {
  size_t p = s.find("audit(");
  if (p == std::string_view::npos) return std::nullopt;
  size_t e = s.find(')', p);
  if (e == std::string_view::npos) return std::nullopt;
  return parse_event_id(s.substr(p + 6, e - p - 6));
}

std::string percent_decode(std::string_view s) {
  if (s.find('%') == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  auto hexv = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexv(s[i + 1]) >= 0 &&
        hexv(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexv(s[i + 1]) * 16 + hexv(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::optional<int> errno_from_name(std::string_view name) {
  for (int e = 1; e < 134; ++e) {
    const char* n = strerrorname_np(e);
    if (n != nullptr && name == n) return -e;
  }
  return std::nullopt;
}

}  // namespace tocsin::audit
