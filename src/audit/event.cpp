// Event model: records grouped into events, typed accessors over their lazily lexed fields, and
// the builder (record types and value decoding: record.cpp).
#include "audit/event.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

#include "audit/lexer.hpp"

namespace tocsin::audit {
namespace {
// decode_value() without a copy where none is needed: quotes are stripped in place, only a hex
// decoding goes to `store`; the view is valid while `raw`'s buffer and `store` are.
std::optional<std::string_view> decode_view(std::string_view raw, bool hex_allowed, std::string& store) {
  if (raw == "(null)") return std::nullopt;
  if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) return strip_quotes(raw);
  if (hex_allowed && is_hex_string(raw))
    if (auto d = hex_decode(raw)) {
      store = std::move(*d);
      return std::string_view(store);
    }
  return raw;
}
}  // namespace

// ---------------------------------------------------------------- RecordView

RecordType RecordView::type() const { return ev_->record_head(idx_).type; }
std::string_view RecordView::type_name() const {
  const auto& r = ev_->record_head(idx_);
  return ev_->view(r.type_off, r.type_len);
}
std::string_view RecordView::text() const {
  const auto& r = ev_->record_head(idx_);
  return ev_->view(r.text_off, r.text_len);
}
uint64_t RecordView::line() const { return ev_->record_head(idx_).line; }
size_t RecordView::field_count() const {
  const auto& r = ev_->record_ref(idx_);
  return r.field_end - r.field_begin;
}
Field RecordView::field_at(size_t i) const {
  const auto& r = ev_->record_ref(idx_);
  const auto& f = ev_->field_ref(static_cast<uint32_t>(r.field_begin + i));
  return {ev_->view(f.key_off, f.key_len), ev_->view(f.val_off, f.val_len)};
}
std::optional<std::string_view> RecordView::field(std::string_view key) const {
  const auto& r = ev_->record_ref(idx_);
  for (uint32_t i = r.field_begin; i < r.field_end; ++i) {
    const auto& f = ev_->field_ref(i);
    if (ev_->view(f.key_off, f.key_len) == key) return ev_->view(f.val_off, f.val_len);
  }
  return std::nullopt;
}
std::optional<std::string> RecordView::str(std::string_view key) const {
  auto raw = field(key);
  if (!raw) return std::nullopt;
  return decode_value(*raw, is_encoded_field(type(), key));
}
std::optional<uint64_t> RecordView::unum(std::string_view key) const {
  auto raw = field(key);
  if (!raw) return std::nullopt;
  return parse_unsigned(strip_quotes(*raw), numeric_base(type(), key));
}
std::optional<int64_t> RecordView::num(std::string_view key) const {
  auto raw = field(key);
  if (!raw) return std::nullopt;
  return parse_signed(strip_quotes(*raw), numeric_base(type(), key));
}
std::optional<std::string_view> RecordView::interp(std::string_view key) const {
  const auto& r = ev_->record_ref(idx_);
  for (uint32_t i = r.interp_begin; i < r.interp_end; ++i) {
    const auto& f = ev_->field_ref(i);
    if (ev_->view(f.key_off, f.key_len) == key) return strip_quotes(ev_->view(f.val_off, f.val_len));
  }
  return std::nullopt;
}
size_t RecordView::interp_count() const {
  const auto& r = ev_->record_ref(idx_);
  return r.interp_end - r.interp_begin;
}
Field RecordView::interp_at(size_t i) const {
  const auto& r = ev_->record_ref(idx_);
  const auto& f = ev_->field_ref(static_cast<uint32_t>(r.interp_begin + i));
  return {ev_->view(f.key_off, f.key_len), strip_quotes(ev_->view(f.val_off, f.val_len))};
}

// ---------------------------------------------------------------- Event

void Event::lex_record(uint32_t i) const {
  RecordRef& r = records_[i];
  r.lexed = true;
  thread_local std::vector<FieldRef> scratch;
  std::string_view text = view(r.text_off, r.text_len);
  auto at = static_cast<uint32_t>(fields_.size());
  r.field_begin = r.field_end = r.interp_begin = r.interp_end = at;
  LexedRecord rec;
  if (r.header_len > 0) {
    // The assembler already parsed the header: lex only the fields, straight into fields_
    // (offsets relative to the record text, shifted to the buffer below).
    uint32_t interp = lex_body(text, r.header_len, fields_);
    for (size_t k = at; k < fields_.size(); ++k) {
      fields_[k].key_off += r.text_off;
      fields_[k].val_off += r.text_off;
    }
    r.field_end = interp;
    r.interp_begin = interp;
    r.interp_end = static_cast<uint32_t>(fields_.size());
    return;
  }
  if (lex_line(text, rec, scratch) != LexStatus::Ok) return;
  if (fields_.capacity() < at + scratch.size()) fields_.reserve(std::max<size_t>(64, 2 * (at + scratch.size())));
  for (size_t k = 0; k < scratch.size(); ++k) {
    FieldRef f = scratch[k];
    f.key_off += r.text_off;
    f.val_off += r.text_off;
    fields_.push_back(f);
  }
  r.field_end = at + rec.interp_begin;
  r.interp_begin = r.field_end;
  r.interp_end = static_cast<uint32_t>(fields_.size());
}

namespace {
constexpr std::string_view kHotNames[] = {
    "arch", "syscall", "success", "exit", "a0",  "a1",  "a2",   "a3",   "items",
    "ppid", "pid",     "auid",    "uid",  "gid", "euid", "suid", "fsuid", "egid",
    "sgid", "fsgid",   "tty",     "ses",  "comm", "exe", "key"};
static_assert(std::size(kHotNames) == 25);

// j when k (of size N) is kHotNames[j], -1 otherwise.
template <size_t N>
int hot_is(std::string_view k, int j) {
  return std::memcmp(kHotNames[j].data(), k.data(), N) == 0 ? j : -1;
}

// Index of a hot key in kHotNames, -1 otherwise (by length, then a full compare).
int hot_index(std::string_view k) {
  // Within each case below the sizes are equal: a fixed-size compare (inlined loads).
  switch (k.size()) {
    case 2:
      return k[0] == 'a' && k[1] >= '0' && k[1] <= '3' ? 4 + (k[1] - '0') : -1;
    case 3:
      switch (k[0]) {
        case 'p': return hot_is<3>(k, 10);
        case 'u': return hot_is<3>(k, 12);
        case 'g': return hot_is<3>(k, 13);
        case 't': return hot_is<3>(k, 20);
        case 's': return hot_is<3>(k, 21);
        case 'e': return hot_is<3>(k, 23);
        case 'k': return hot_is<3>(k, 24);
        default: return -1;
      }
    case 4:
      switch (k[0]) {
        case 'a': return k[1] == 'r' ? hot_is<4>(k, 0) : hot_is<4>(k, 11);
        case 'e': return k[1] == 'x' ? hot_is<4>(k, 3) : k[1] == 'u' ? hot_is<4>(k, 14) : hot_is<4>(k, 17);
        case 'p': return hot_is<4>(k, 9);
        case 's': return k[1] == 'u' ? hot_is<4>(k, 15) : hot_is<4>(k, 18);
        case 'c': return hot_is<4>(k, 22);
        default: return -1;
      }
    case 5:
      return k[0] == 'i' ? hot_is<5>(k, 8) : k[0] == 'f' ? (k[2] == 'u' ? hot_is<5>(k, 16) : hot_is<5>(k, 19)) : -1;
    case 7:
      return k[1] == 'y' ? hot_is<7>(k, 1) : hot_is<7>(k, 2);
    default:
      return -1;
  }
}
}  // namespace

void Event::build_hot() const {
  HotCache& h = hot_cache_;
  h.ready = true;
  h.syscall_rec = -1;
  std::fill(std::begin(h.idx), std::end(h.idx), kNoField);
  h.interp_syscall = h.interp_arch = kNoField;
  for (uint32_t i = 0; i < records_.size(); ++i)
    if (records_[i].type == RecordType::Syscall) {
      h.syscall_rec = static_cast<int32_t>(i);
      break;
    }
  if (h.syscall_rec < 0) return;
  const RecordRef& r = record_ref(static_cast<uint32_t>(h.syscall_rec));
  for (uint32_t i = r.field_begin; i < r.field_end; ++i) {
    std::string_view k = view(fields_[i].key_off, fields_[i].key_len);
    int j = hot_index(k);
    if (j >= 0 && h.idx[j] == kNoField) h.idx[j] = i;
  }
  for (uint32_t i = r.interp_begin; i < r.interp_end; ++i) {
    std::string_view k = view(fields_[i].key_off, fields_[i].key_len);
    if (key_is(k, "SYSCALL") && h.interp_syscall == kNoField) h.interp_syscall = i;
    if (key_is(k, "ARCH") && h.interp_arch == kNoField) h.interp_arch = i;
  }
}

std::optional<std::string_view> Event::hot_raw(Hot k) const {
  uint32_t i = hot().idx[static_cast<size_t>(k)];
  if (i == kNoField) return std::nullopt;
  return view(fields_[i].val_off, fields_[i].val_len);
}

// The typed accessors read the SYSCALL record's indexed field; an event without it (USER_*
// records, exports) takes the general path: the first record that carries the field.
std::optional<int64_t> Event::hot_num(Hot k, std::string_view name, int base) const {
  // pid, uid, ... are read by several detections per event: parse each once.
  HotCache& h = hot_cache_;
  const auto bit = 1u << static_cast<unsigned>(k);
  if (h.num_known & bit) {
    if (h.num_present & bit) return h.num[static_cast<size_t>(k)];
    return std::nullopt;
  }
  std::optional<int64_t> v;
  if (auto raw = hot_raw(k)) {
    v = parse_signed(strip_quotes(*raw), base);
  } else {
    v = num(name);
  }
  h.num_known |= bit;
  if (v) {
    h.num_present |= bit;
    h.num[static_cast<size_t>(k)] = *v;
  }
  return v;
}

std::string_view Event::hot_view(Hot k, std::string_view name, int slot) const {
  std::optional<std::string_view> raw = hot_raw(k);
  if (!raw) {
    // Not in a SYSCALL record: decode from whichever record has it and keep the result.
    auto v = str(name);
    if (!v) return {};
    hot_cache_.decoded[slot] = std::move(*v);
    return hot_cache_.decoded[slot];
  }
  return decode_view(*raw, is_encoded_field(RecordType::Syscall, name), hot_cache_.decoded[slot])
      .value_or(std::string_view());
}

std::optional<RecordView> Event::find(RecordType t) const {
  for (uint32_t i = 0; i < records_.size(); ++i)
    if (records_[i].type == t) return RecordView(this, i);
  return std::nullopt;
}

std::optional<RecordView> Event::find(std::string_view type_name) const {
  for (uint32_t i = 0; i < records_.size(); ++i)
    if (view(records_[i].type_off, records_[i].type_len) == type_name) return RecordView(this, i);
  return std::nullopt;
}

RecordType Event::primary_type() const {
  if (records_.empty()) return RecordType::Other;
  // A SYSCALL anywhere makes the event a syscall event (aux records may precede it).
  for (const auto& r : records_)
    if (r.type == RecordType::Syscall) return RecordType::Syscall;
  return records_.front().type;
}

// The SYSCALL record when there is one, else the first record that has the field.
static std::optional<RecordView> carrier(const Event& ev, std::string_view key) {
  if (auto s = ev.find(RecordType::Syscall)) {
    if (s->has(key)) return s;
  }
  for (size_t i = 0; i < ev.record_count(); ++i) {
    auto r = ev.record(i);
    if (r.type() == RecordType::Eoe) continue;
    if (r.has(key)) return r;
  }
  return std::nullopt;
}

std::optional<std::string_view> Event::first_field(RecordType, std::string_view key) const {
  auto r = carrier(*this, key);
  if (!r) return std::nullopt;
  return r->field(key);
}

std::optional<std::string> Event::str(std::string_view key) const {
  auto r = carrier(*this, key);
  if (!r) return std::nullopt;
  return r->str(key);
}

std::optional<int64_t> Event::num(std::string_view key) const {
  auto r = carrier(*this, key);
  if (!r) return std::nullopt;
  return r->num(key);
}

std::optional<std::string_view> Event::interp(std::string_view key) const {
  for (size_t i = 0; i < records_.size(); ++i)
    if (auto v = record(i).interp(key)) return v;
  return std::nullopt;
}

Arch Event::arch() const {
  const HotCache& h = hot();
  if (h.syscall_rec < 0) return Arch::Unknown;
  if (auto a = hot_raw(Hot::Arch)) {
    Arch r = arch_from_text(strip_quotes(*a));
    if (r != Arch::Unknown) return r;
  }
  if (h.interp_arch != kNoField)
    return arch_from_text(strip_quotes(view(fields_[h.interp_arch].val_off, fields_[h.interp_arch].val_len)));
  return Arch::Unknown;
}

std::optional<int> Event::syscall() const {
  auto raw = hot_raw(Hot::Syscall);
  if (!raw) return std::nullopt;
  auto v = parse_signed(strip_quotes(*raw), 10);
  if (v && *v >= 0 && *v < 100000) return static_cast<int>(*v);
  // Some exports write the name instead of the number.
  auto n = syscall_number(arch(), strip_quotes(*raw));
  return n;
}

std::string_view Event::syscall_name() const {
  const HotCache& h = hot();
  if (h.name_ready) return h.syscall_name;
  std::string_view out;
  if (h.syscall_rec < 0) {
    out = {};
  } else if (h.interp_syscall != kNoField) {
    out = strip_quotes(view(fields_[h.interp_syscall].val_off, fields_[h.interp_syscall].val_len));
  } else if (auto nr = syscall()) {
    out = audit::syscall_name(arch(), *nr);
    // A name written in place of the number.
    if (out.empty())
      if (auto raw = hot_raw(Hot::Syscall)) {
        auto v = strip_quotes(*raw);
        if (!v.empty() && (v[0] < '0' || v[0] > '9')) out = v;
      }
  }
  hot_cache_.syscall_name = out;
  hot_cache_.name_ready = true;
  return out;
}

std::optional<bool> Event::success() const {
  auto v = hot_raw(Hot::Success);
  if (!v) return std::nullopt;
  if (*v == "yes") return true;
  if (*v == "no") return false;
  return std::nullopt;
}

std::optional<int64_t> Event::exit() const {
  auto raw = hot_raw(Hot::Exit);
  if (!raw) return std::nullopt;
  return parse_signed(strip_quotes(*raw), 10);
}

std::optional<uint64_t> Event::arg(int i) const {
  if (i < 0 || i > 3) return std::nullopt;
  auto raw = hot_raw(static_cast<Hot>(static_cast<int>(Hot::A0) + i));
  if (!raw) return std::nullopt;
  return parse_unsigned(strip_quotes(*raw), 16);
}

std::optional<int64_t> Event::pid() const { return hot_num(Hot::Pid, "pid", 10); }
std::optional<int64_t> Event::ppid() const { return hot_num(Hot::Ppid, "ppid", 10); }
std::optional<int64_t> Event::uid() const { return hot_num(Hot::Uid, "uid", 10); }
std::optional<int64_t> Event::euid() const { return hot_num(Hot::Euid, "euid", 10); }
std::optional<int64_t> Event::gid() const { return hot_num(Hot::Gid, "gid", 10); }
std::optional<int64_t> Event::egid() const { return hot_num(Hot::Egid, "egid", 10); }
std::optional<int64_t> Event::suid() const { return hot_num(Hot::Suid, "suid", 10); }
std::optional<int64_t> Event::fsuid() const { return hot_num(Hot::Fsuid, "fsuid", 10); }
std::optional<int64_t> Event::auid() const { return hot_num(Hot::Auid, "auid", 10); }
std::optional<int64_t> Event::ses() const { return hot_num(Hot::Ses, "ses", 10); }
std::optional<int64_t> Event::items() const { return hot_num(Hot::Items, "items", 10); }
std::optional<std::string> Event::tty() const {
  if (auto raw = hot_raw(Hot::Tty)) return decode_value(*raw, is_encoded_field(RecordType::Syscall, "tty"));
  return str("tty");
}
std::optional<std::string> Event::comm() const {
  if (auto raw = hot_raw(Hot::Comm)) return decode_value(*raw, true);
  return str("comm");
}
std::optional<std::string> Event::exe() const {
  if (auto raw = hot_raw(Hot::Exe)) return decode_value(*raw, true);
  return str("exe");
}
std::string_view Event::tty_view() const { return hot_view(Hot::Tty, "tty", 0); }
std::string_view Event::comm_view() const { return hot_view(Hot::Comm, "comm", 1); }
std::string_view Event::exe_view() const { return hot_view(Hot::Exe, "exe", 2); }

std::string_view Event::key_raw() const { return hot_raw(Hot::Key).value_or(std::string_view()); }

std::vector<std::string> Event::keys() const {
  std::vector<std::string> out;
  std::optional<std::string> k;
  if (auto raw = hot_raw(Hot::Key)) k = decode_value(*raw, true);
  else k = str("key");
  if (!k) return out;
  size_t start = 0;
  for (size_t i = 0; i <= k->size(); ++i) {
    if (i == k->size() || (*k)[i] == '\x01') {
      if (i > start) out.emplace_back(k->substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::optional<int64_t> Event::argc() const {
  auto e = find(RecordType::Execve);
  if (!e) return std::nullopt;
  return e->num("argc");
}

std::vector<std::string> Event::argv() const {
  std::vector<std::string> out;
  auto ac = argc();
  // Cap what a hostile argc can make us allocate; real arguments extend the vector as seen.
  if (ac && *ac > 0) out.resize(static_cast<size_t>(std::min<int64_t>(*ac, 4096)));
  // Pieces of split arguments, in (index, piece) order.
  std::map<std::pair<size_t, size_t>, std::string> pieces;
  for (size_t r = 0; r < records_.size(); ++r) {
    if (records_[r].type != RecordType::Execve) continue;
    RecordView rv = record(r);
    for (size_t i = 0; i < rv.field_count(); ++i) {
      Field f = rv.field_at(i);
      size_t idx = 0, piece = 0;
      ArgKey k = parse_arg_key(f.key, idx, piece);
      if (k == ArgKey::None || k == ArgKey::Len) continue;
      if (idx >= 1'000'000) continue;
      auto v = decode_value(f.value, true);
      if (k == ArgKey::Whole) {
        if (idx >= out.size()) out.resize(idx + 1);
        out[idx] = v ? std::move(*v) : std::string();
      } else {
        pieces[{idx, piece}] = v ? std::move(*v) : std::string();
      }
    }
  }
  for (auto& [k, v] : pieces) {
    if (k.first >= out.size()) out.resize(k.first + 1);
    out[k.first] += v;
  }
  return out;
}

std::optional<std::string> Event::cwd() const {
  auto v = cwd_view();
  if (!v) return std::nullopt;
  return std::string(*v);
}

std::optional<std::string_view> Event::cwd_view() const {
  HotCache& h = hot_cache_;
  if (h.cwd_state == 0) {
    h.cwd_state = 1;
    if (auto c = find(RecordType::Cwd))
      if (auto raw = c->field("cwd"))
        if (auto v = decode_view(*raw, true, h.cwd_decoded)) {
          h.cwd = *v;
          h.cwd_state = 2;
        }
  }
  if (h.cwd_state == 2) return h.cwd;
  return std::nullopt;
}

const std::vector<PathItem>& Event::paths() const {
  std::vector<PathItem>& out = paths_cache_.items;
  if (paths_cache_.ready) return out;
  paths_cache_.ready = true;
  out.clear();
  size_t n_paths = 0;
  for (const auto& r : records_) n_paths += r.type == RecordType::Path;
  out.reserve(n_paths);
  for (uint32_t r = 0; r < records_.size(); ++r) {
    if (records_[r].type != RecordType::Path) continue;
    // Straight from the record text when it was not lexed yet (the usual case: nothing else
    // reads PATH records field by field); otherwise one pass over its fields. Either way the
    // first occurrence of a key wins (as field() does).
    PathFieldsRaw raw;
    const RecordRef* head = &records_[r];
    if (head->lexed || head->header_len == 0 ||
        !scan_path_fields(view(head->text_off, head->text_len), head->header_len, raw)) {
      raw = PathFieldsRaw{};
      head = &record_ref(r);
      for (uint32_t i = head->field_begin; i < head->field_end; ++i) {
        std::optional<std::string_view>* slot = raw.slot(view(fields_[i].key_off, fields_[i].key_len));
        if (slot && !*slot) *slot = view(fields_[i].val_off, fields_[i].val_len);
      }
    }
    auto& [item, name, inode, dev, mode, nametype, objtype, ouid, ogid, rdev] = raw;
    const RecordRef& rr = *head;
    PathItem p;
    if (item) p.item = parse_signed(strip_quotes(*item), 10).value_or(-1);
    if (name) p.name = decode_value(*name, true);
    if (inode) p.inode = parse_unsigned(strip_quotes(*inode), 10);
    p.dev = dev.value_or(std::string_view());
    if (mode)
      if (auto m = parse_unsigned(strip_quotes(*mode), 8)) p.mode = static_cast<uint32_t>(*m);
    p.nametype = nametype.value_or(std::string_view());
    if (p.nametype.empty()) p.nametype = objtype.value_or(std::string_view());
    if (ouid) p.ouid = parse_signed(strip_quotes(*ouid), 10);
    if (ogid) p.ogid = parse_signed(strip_quotes(*ogid), 10);
    p.rdev = rdev.value_or(std::string_view());
    p.line = rr.line;
    out.push_back(std::move(p));
  }
  auto by_item = [](const PathItem& a, const PathItem& b) { return a.item < b.item; };
  // auditd writes the items in order: sort (which allocates) only when they are not.
  if (!std::is_sorted(out.begin(), out.end(), by_item)) std::stable_sort(out.begin(), out.end(), by_item);
  return out;
}

namespace {
// The pool is bounded in events and in the bytes their buffers hold (whatever a burst of big
// events left behind is freed, not kept): a hunt cycles a few hundred events through it.
constexpr size_t kMaxSpareEvents = 4096;
constexpr size_t kMaxSpareTotalBytes = 16u << 20;
constexpr size_t kMaxSpareBytes = 64 * 1024;  // per event
struct SparePool {
  std::vector<Event> events;
  std::vector<size_t> bytes;  // each spare's buffer bytes, to keep the total
  size_t total = 0;
};
thread_local SparePool t_spares;
}  // namespace

size_t Event::buffer_bytes() const {
  return buf_.capacity() + records_.capacity() * sizeof(RecordRef) + fields_.capacity() * sizeof(FieldRef) +
         paths_cache_.items.capacity() * sizeof(PathItem);
}

std::pair<size_t, size_t> Event::spare_pool_size() { return {t_spares.events.size(), t_spares.total}; }

Event Event::take_spare() {
  SparePool& p = t_spares;
  if (p.events.empty()) return Event();
  Event ev = std::move(p.events.back());
  p.events.pop_back();
  p.total -= p.bytes.back();
  p.bytes.pop_back();
  return ev;
}

void Event::give_spare(Event&& ev) {
  SparePool& p = t_spares;
  const size_t bytes = ev.buffer_bytes();
  if (p.events.size() >= kMaxSpareEvents || bytes > kMaxSpareBytes || p.total + bytes > kMaxSpareTotalBytes)
    return;
  if (p.events.capacity() == 0) {
    p.events.reserve(1024);
    p.bytes.reserve(1024);
  }
  Event& e = p.events.emplace_back(std::move(ev));
  p.bytes.push_back(bytes);
  p.total += bytes;
  e.buf_.clear();
  e.records_.clear();
  e.fields_.clear();
  e.hot_cache_ = HotCache();
  e.paths_cache_.ready = false;
  e.paths_cache_.items.clear();
  e.file_.reset();
  e.node_off_ = e.node_len_ = 0;
  e.sec_ = e.serial_ = 0;
  e.msec_ = 0;
  e.completion_ = Completion::Built;
  e.late_ = false;
}

void Event::prepare() const {
  // Lexing the records every event is read for is most of the reader's share; the SYSCALL
  // index, the small or rarely read records (CWD, PROCTITLE, ...) and decoding PATH items are
  // left to the consumer, which balances the two threads of a hunt.
  for (uint32_t i = 0; i < records_.size(); ++i) {
    RecordType t = records_[i].type;
    if (t == RecordType::Syscall || t == RecordType::Execve) record_ref(i);
  }
}

std::vector<std::string> Event::proctitle_argv() const {
  std::vector<std::string> out;
  auto p = find(RecordType::Proctitle);
  if (!p) return out;
  auto v = p->str("proctitle");
  if (!v) return out;
  size_t start = 0;
  for (size_t i = 0; i <= v->size(); ++i) {
    if (i == v->size() || (*v)[i] == '\0') {
      if (i > start || i < v->size()) out.emplace_back(v->substr(start, i - start));
      start = i + 1;
    }
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

std::optional<std::string> Event::proctitle() const {
  auto p = find(RecordType::Proctitle);
  if (!p || !p->has("proctitle")) return std::nullopt;
  auto parts = proctitle_argv();
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ' ';
    out += parts[i];
  }
  return out;
}

// ---------------------------------------------------------------- EventBuilder

namespace {
uint32_t append(std::string& buf, std::string_view s) {
  auto off = static_cast<uint32_t>(buf.size());
  buf.append(s);
  return off;
}
bool printable_unquoted_ok(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e || c == '"') return false;
  return true;
}
}  // namespace

EventBuilder& EventBuilder::set_key(std::string_view node, uint64_t sec, uint32_t msec,
                                    uint64_t serial) {
  ev_.node_off_ = append(ev_.buf_, node);
  ev_.node_len_ = static_cast<uint32_t>(node.size());
  ev_.sec_ = sec;
  ev_.msec_ = msec;
  ev_.serial_ = serial;
  return *this;
}

EventBuilder& EventBuilder::set_location(std::shared_ptr<const std::string> file, uint64_t line) {
  ev_.file_ = std::move(file);
  pending_line_ = line;
  return *this;
}

EventBuilder& EventBuilder::begin_record(RecordType t, uint64_t line) {
  std::string_view name = record_type_name(t);
  std::string unknown;
  if (name.empty()) {
    unknown = "UNKNOWN[" + std::to_string(static_cast<uint32_t>(t)) + "]";
    name = unknown;
  }
  begin_record(name, line);
  ev_.records_.back().type = t;
  ev_.records_.back().type_number = static_cast<uint32_t>(t);
  return *this;
}

EventBuilder& EventBuilder::begin_record(std::string_view type_name, uint64_t line) {
  close_record();
  Event::RecordRef r{};
  r.type = record_type_from_name(type_name);
  r.type_number = static_cast<uint32_t>(r.type);
  r.line = line ? line : pending_line_;
  r.text_off = static_cast<uint32_t>(ev_.buf_.size());
  ev_.buf_.append("type=");
  r.type_off = append(ev_.buf_, type_name);
  r.type_len = static_cast<uint32_t>(type_name.size());
  std::string head = " msg=audit(" + std::to_string(ev_.sec_) + ".";
  std::string ms = std::to_string(ev_.msec_);
  head.append(3 - std::min<size_t>(3, ms.size()), '0');
  head += ms + ":" + std::to_string(ev_.serial_) + "):";
  ev_.buf_.append(head);
  r.field_begin = r.field_end = static_cast<uint32_t>(ev_.fields_.size());
  ev_.records_.push_back(r);
  open_ = true;
  return *this;
}

EventBuilder& EventBuilder::add_field(std::string_view key, std::string_view raw_value) {
  if (!open_) begin_record(RecordType::Other);
  ev_.buf_.push_back(' ');
  Event::FieldRef f{};
  f.key_off = append(ev_.buf_, key);
  f.key_len = static_cast<uint32_t>(key.size());
  ev_.buf_.push_back('=');
  f.val_off = append(ev_.buf_, raw_value);
  f.val_len = static_cast<uint32_t>(raw_value.size());
  ev_.fields_.push_back(f);
  ev_.records_.back().field_end = static_cast<uint32_t>(ev_.fields_.size());
  return *this;
}

EventBuilder& EventBuilder::add_value(std::string_view key, std::string_view decoded) {
  if (decoded.empty() || !printable_unquoted_ok(decoded) ||
      (decoded.find(' ') != std::string_view::npos)) {
    // Spaces are fine inside quotes; only control bytes, '"' and non-ASCII force hex.
    bool quotable = true;
    for (unsigned char c : decoded)
      if (c < 0x20 || c > 0x7e || c == '"') quotable = false;
    if (!quotable) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      std::string hex;
      hex.reserve(decoded.size() * 2);
      for (unsigned char c : decoded) {
        hex.push_back(kHex[c >> 4]);
        hex.push_back(kHex[c & 15]);
      }
      // An empty hex string would read as empty raw text; quote it instead.
      if (hex.empty()) return add_field(key, "\"\"");
      return add_field(key, hex);
    }
  }
  std::string q;
  q.reserve(decoded.size() + 2);
  q.push_back('"');
  q.append(decoded);
  q.push_back('"');
  return add_field(key, q);
}

EventBuilder& EventBuilder::add_interp(std::string_view key, std::string_view value) {
  if (!open_) begin_record(RecordType::Other);
  pending_interp_.emplace_back(std::string(key), std::string(value));
  return *this;
}

void EventBuilder::close_record() {
  if (!open_) return;
  auto& r = ev_.records_.back();
  r.interp_begin = r.interp_end = static_cast<uint32_t>(ev_.fields_.size());
  if (!pending_interp_.empty()) {
    ev_.buf_.push_back('\x1d');
    bool first = true;
    for (const auto& [k, v] : pending_interp_) {
      if (!first) ev_.buf_.push_back(' ');
      first = false;
      Event::FieldRef f{};
      f.key_off = append(ev_.buf_, k);
      f.key_len = static_cast<uint32_t>(k.size());
      ev_.buf_.append("=\"");
      f.val_off = append(ev_.buf_, v);
      f.val_len = static_cast<uint32_t>(v.size());
      ev_.buf_.push_back('"');
      ev_.fields_.push_back(f);
    }
    pending_interp_.clear();
    r.interp_end = static_cast<uint32_t>(ev_.fields_.size());
  }
  r.text_len = static_cast<uint32_t>(ev_.buf_.size()) - r.text_off;
  open_ = false;
}

Event EventBuilder::build() && {
  close_record();
  ev_.completion_ = Completion::Built;
  return std::move(ev_);
}

}  // namespace tocsin::audit
