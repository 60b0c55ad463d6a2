// Record → event assembly (see assembler.hpp).
#include "audit/assembler.hpp"

#include <cstring>

namespace tocsin::audit {

Assembler::Assembler(AssemblerOptions opts, SourceStats& stats, EventSink sink)
    : opts_(opts), stats_(stats), sink_(std::move(sink)) {
  live_.reserve(std::min<size_t>(opts_.max_in_flight, 4096));
  if (opts_.remember_emitted > 0) {
    size_t n = 1;
    while (n < opts_.remember_emitted) n <<= 1;
    emitted_.assign(n, 0);
  }
}

bool Assembler::was_emitted(const Key& k) const {
  if (emitted_.empty()) return false;
  const uint64_t h = KeyHash{}(k);
  return emitted_[h & (emitted_.size() - 1)] == (h | 1);
}

uint32_t Assembler::intern_node(std::string_view node) {
  // One or a handful of nodes per input: a linear scan beats hashing.
  for (uint32_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i] == node) return i;
  nodes_.emplace_back(node);
  last_serial_.push_back(0);
  return static_cast<uint32_t>(nodes_.size() - 1);
}

bool Assembler::is_duplicate(const Event& ev, std::string_view text, RecordType t, uint32_t header_len) {
  // Records of one event share the key, so equal type and header length mean an equal header:
  // compare what follows it (the fields differ within a few bytes for distinct records).
  for (const auto& r : ev.records_) {
    if (r.type != t || r.text_len != text.size()) continue;
    size_t skip = r.header_len == header_len ? header_len : 0;
    if (std::memcmp(ev.buf_.data() + r.text_off + skip, text.data() + skip, text.size() - skip) == 0)
      return true;
  }
  return false;
}

void Assembler::append_record(Event& ev, std::string_view line, const LexedRecord& rec,
                              std::span<const Event::FieldRef> fields, uint64_t line_no) {
  // The record text starts at node=/type= (a syslog prefix is dropped).
  std::string_view text = line.substr(rec.text_begin);
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.remove_suffix(1);
  const auto base = static_cast<uint32_t>(ev.buf_.size());
  const uint32_t shift = rec.text_begin;  // line offsets → text offsets
  ev.buf_.append(text);
  Event::RecordRef r{};
  r.type = rec.type;
  r.type_number = rec.type_number;
  r.type_off = base + static_cast<uint32_t>(rec.type_name.data() - line.data()) - shift;
  r.type_len = static_cast<uint32_t>(rec.type_name.size());
  r.text_off = base;
  r.text_len = static_cast<uint32_t>(text.size());
  r.line = line_no;
  r.field_begin = static_cast<uint32_t>(ev.fields_.size());
  r.header_len = rec.header_end > rec.text_begin ? rec.header_end - rec.text_begin : 0;
  if (r.header_len > text.size()) r.header_len = 0;
  // Without fields from the caller, the Event lexes them on first access.
  r.lexed = !fields.empty();
  for (size_t i = 0; i < fields.size(); ++i) {
    Event::FieldRef f = fields[i];
    f.key_off = f.key_off - shift + base;
    f.val_off = f.val_off - shift + base;
    ev.fields_.push_back(f);
  }
  r.field_end = r.field_begin + rec.interp_begin;
  r.interp_begin = r.field_end;
  r.interp_end = static_cast<uint32_t>(ev.fields_.size());
  ev.records_.push_back(r);
}

bool Assembler::add(std::string_view line, const LexedRecord& rec,
                    std::span<const Event::FieldRef> fields,
                    const std::shared_ptr<const std::string>& file, uint64_t line_no) {
  if (stopped_) return false;
  ++records_added_;
  const uint32_t node = intern_node(rec.node);
  const Key key{node, rec.msec, rec.sec, rec.serial};
  const uint64_t t_ms = rec.sec * 1000 + rec.msec;
  if (t_ms > newest_ms_) newest_ms_ = t_ms;

  // Records of one event nearly always arrive together: try the last event before hashing.
  Slot* slot_ptr = nullptr;
  if (last_slot_ && key == last_key_) {
    slot_ptr = last_slot_;
  } else if (auto f = live_.find(key); f != live_.end()) {
    slot_ptr = &f->second;
  }
  if (!slot_ptr) {
    // A serial above the node's newest cannot have been emitted (skips a cache miss per event;
    // after a serial reset a very late record of the old run may go unflagged, as when the
    // emitted-key cache forgot it).
    bool late = rec.serial <= last_serial_[node] && was_emitted(key);
    if (late) {
      // The EOE of an event completed by its terminal record (or a second EOE): nothing to do.
      if (rec.type == RecordType::Eoe) {
        ++stats_.records;
        return expire();
      }
      ++stats_.late_records;
    } else {
      // Serial gaps: normal in rule-filtered logs; counted, never reported.
      uint64_t& last = last_serial_[node];
      if (last != 0 && rec.serial > last + 1) ++stats_.serial_gaps;
      if (rec.serial > last || rec.serial + 1000000 < last) last = rec.serial;
      if (rec.type == RecordType::Eoe) {
        // An EOE whose records we never saw (they were filtered or lost): nothing to emit.
        ++stats_.records;
        return expire();
      }
    }
    Slot slot{Event::take_spare(), ++gen_, records_added_, std::nullopt};
    Event& ev = slot.ev;
    ev.file_ = file;
    ev.sec_ = rec.sec;
    ev.msec_ = rec.msec;
    ev.serial_ = rec.serial;
    ev.late_ = late;
    // Room for the usual few more records without growing; long lines get no extra.
    ev.buf_.reserve(line.size() < 1024 ? 2048 : line.size() + 1024);
    if (!fields.empty()) ev.fields_.reserve(fields.size() + 32);
    ev.records_.reserve(6);
    append_record(ev, line, rec, fields, line_no);
    if (!rec.node.empty()) {
      ev.node_off_ = static_cast<uint32_t>(rec.node.data() - line.data()) - rec.text_begin;
      ev.node_len_ = static_cast<uint32_t>(rec.node.size());
    }
    ++stats_.records;
    const bool standalone = is_standalone_type_number(rec.type_number);
    if (standalone && live_.empty()) {
      // Nothing older is open: out at once without entering the map.
      ev.completion_ = Completion::Standalone;
      remember(key);
      ++stats_.events;
      if (!sink_(std::move(ev))) {
        stopped_ = true;
        return false;
      }
      return expire();
    }
    if (standalone) slot.done = Completion::Standalone;
    else if (rec.type == RecordType::Proctitle) slot.done = Completion::Terminal;
    last_slot_ = &live_.emplace(key, std::move(slot)).first->second;
    last_key_ = key;
    order_.emplace_back(key, gen_);
    if (live_.size() > stats_.max_in_flight) stats_.max_in_flight = live_.size();
    if (last_slot_->done) return emit_done_front() && expire();
  } else {
    last_slot_ = slot_ptr;
    last_key_ = key;
    Event& ev = slot_ptr->ev;
    std::string_view text = line.substr(rec.text_begin);
    while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.remove_suffix(1);
    if (rec.type != RecordType::Eoe) {
      uint32_t hl = rec.header_end > rec.text_begin ? rec.header_end - rec.text_begin : 0;
      if (is_duplicate(ev, text, rec.type, hl <= text.size() ? hl : 0)) {
        ++stats_.duplicate_records;
        return true;
      }
      if (ev.buf_.size() + text.size() > opts_.max_event_bytes) {
        ++oversized_;
        ++stats_.bad_lines;
        return true;
      }
      append_record(ev, line, rec, fields, line_no);
      slot_ptr->touched = records_added_;
      ++stats_.records;
      // The kernel writes PROCTITLE last (only EOE follows): the event is complete now, which
      // keeps the in-flight set to the few interleaved events instead of the watermark's window.
      // Events still leave in the order they began: an older one still open holds it back.
      if (rec.type == RecordType::Proctitle) {
        slot_ptr->done = Completion::Terminal;
        return emit_done_front() && expire();
      }
    } else {
      ++stats_.records;
      if (!slot_ptr->done) slot_ptr->done = Completion::Eoe;
      return emit_done_front() && expire();
    }
  }
  return expire();
}

void Assembler::remember(const Key& k) {
  if (emitted_.empty()) return;
  const uint64_t h = KeyHash{}(k);
  emitted_[h & (emitted_.size() - 1)] = h | 1;
}

bool Assembler::emit(LiveMap::iterator it, Completion how) {
  const Key k = it->first;
  if (last_slot_ == &it->second) last_slot_ = nullptr;
  Event ev = std::move(it->second.ev);
  live_.erase(it);
  ev.completion_ = how;
  if (how == Completion::Watermark) ++stats_.watermark_events;
  if (how == Completion::Evicted) ++stats_.evicted_events;
  remember(k);
  ++stats_.events;
  if (!sink_(std::move(ev))) stopped_ = true;
  return !stopped_;
}

Assembler::LiveMap::iterator Assembler::live_front() {
  while (!order_.empty()) {
    auto it = live_.find(order_.front().first);
    if (it != live_.end() && it->second.gen == order_.front().second) return it;
    order_.pop_front();  // already emitted
  }
  return live_.end();
}

bool Assembler::release_front(bool by_time) {
  while (!stopped_) {
    auto it = live_front();
    if (it == live_.end()) break;
    Completion how;
    if (it->second.done) {
      how = *it->second.done;
    } else if (!by_time) {
      break;
    } else if (live_.size() > opts_.max_in_flight) {
      how = Completion::Evicted;
    } else if (it->second.ev.time_ms() + opts_.watermark_ms < newest_ms_) {
      how = Completion::Watermark;
    } else {
      break;
    }
    order_.pop_front();
    if (!emit(it, how)) return false;
  }
  return !stopped_;
}

bool Assembler::emit_done_front() { return release_front(false); }

bool Assembler::expire() {
  // Nothing can have become due unless log time moved on or too many events are held.
  if (newest_ms_ == expired_at_ms_ && live_.size() <= opts_.max_in_flight) return !stopped_;
  expired_at_ms_ = newest_ms_;
  return release_front(true);
}

bool Assembler::flush_untouched(uint64_t mark) {
  // In insertion order, so events still reach the sink oldest first.
  for (const auto& [k, g] : order_) {
    if (stopped_) break;
    auto it = live_.find(k);
    if (it == live_.end() || it->second.gen != g) continue;
    if (it->second.done) {
      if (!emit(it, *it->second.done)) return false;
      continue;
    }
    if (it->second.touched > mark) continue;
    if (!emit(it, Completion::EndOfInput)) return false;
  }
  live_front();  // drop the entries of what was just emitted
  return !stopped_;
}

std::optional<uint64_t> Assembler::oldest_in_flight_ms() {
  auto it = live_front();
  if (it == live_.end()) return std::nullopt;
  return it->second.ev.time_ms();
}

bool Assembler::flush_all() {
  while (!stopped_) {
    auto it = live_front();
    if (it == live_.end()) break;
    order_.pop_front();
    if (!emit(it, it->second.done.value_or(Completion::EndOfInput))) return false;
  }
  return !stopped_;
}

}  // namespace tocsin::audit
