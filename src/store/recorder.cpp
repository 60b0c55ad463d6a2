// Recorder: engine tap and alert hook → store rows.
#include "store/recorder.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <random>

#include "audit/event.hpp"

namespace tocsin::store {

namespace {
constexpr size_t kMaxCopies = 8192;
constexpr uint64_t kHourMs = 3600000;
}  // namespace

class Recorder::Tap final : public audit::Detection {
 public:
  explicit Tap(Recorder& r) : r_(r) {}
  // Not a rule: its id is no rule id, and it emits nothing.
  std::string_view id() const override { return "store"; }
  void on_event(const audit::Event& ev, audit::Context&) override {
    r_.event(ev.node(), ev.time_ms(), ev.record_count());
  }
  void on_copy_closed(const audit::Copy& c, audit::Context&) override { r_.copy_closed(c); }
  void on_loop_closed(const audit::LoopEpisode& ep, audit::Context& ctx) override {
    r_.loop_closed(ep, ep.container.empty() ? std::string() : ctx.containers.label(ep.container));
  }

 private:
  Recorder& r_;
};

Recorder::Recorder(Shipper& shipper, std::string host, bool streaming)
    : shipper_(shipper), host_(std::move(host)), streaming_(streaming) {
  std::random_device rd;
  run_ = fmt::format("{:08x}{:08x}", rd(), rd());
}

Recorder::~Recorder() = default;

std::unique_ptr<audit::Detection> Recorder::tap() { return std::make_unique<Tap>(*this); }

uint64_t Recorder::version() {
  // Newer writes of a key replace older ones: wall-clock microseconds, strictly increasing.
  auto now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  last_version_ = std::max(last_version_ + 1, now);
  return last_version_;
}

void Recorder::write_copy(CopyState& s) {
  const std::string& host = host_of(s.copy.node);
  uint64_t v = version();
  shipper_.add(Table::Copies, copy_row(s.copy, host, s.verdicts, s.resolved, v));
  if (!s.written)
    if (auto h = helper_row(s.copy, host, v)) shipper_.add(Table::HelperExecs, *h);
  s.written = true;
}

void Recorder::copy_closed(const audit::Copy& c) {
  auto& s = copies_[c.id];
  s.copy = c;
  if (!streaming_) return;  // hunt: written at finish(), with the verdicts (held like its alerts)
  write_copy(s);
  // Bounded: the oldest copies are forgotten (a verdict comes within seconds of its copy).
  while (copies_.size() > kMaxCopies) copies_.erase(copies_.begin());
}

void Recorder::loop_closed(const audit::LoopEpisode& ep, const std::string& label) {
  shipper_.add(Table::Loops, loop_row(ep, host_of(ep.node), label, version()));
}

void Recorder::event(std::string_view node, uint64_t time_ms, uint64_t records) {
  if (!time_ms) return;
  // Most events fall in the same host and hour as the one before: no map look-up for them.
  const uint64_t hour = time_ms / kHourMs * kHourMs;
  if (!last_hour_ || last_hour_key_.second != hour || last_hour_key_.first != node) {
    last_hour_key_ = {std::string(node), hour};
    last_hour_ = &hours_[last_hour_key_];
  }
  Hour& h = *last_hour_;
  ++h.events;
  h.records += records;
  if (!h.first_ms || time_ms < h.first_ms) h.first_ms = time_ms;
  h.last_ms = std::max(h.last_ms, time_ms);
  if (streaming_ && time_ms / kHourMs > newest_ms_ / kHourMs) {
    // An hour the live log left two hours ago is complete.
    for (auto it = hours_.begin(); it != hours_.end();) {
      if (it->first.second + 3 * kHourMs <= time_ms) {
        shipper_.add(Table::Coverage, coverage_row(host_of(it->first.first), it->first.second, run_, it->second.events,
                                                   it->second.records, it->second.first_ms, it->second.last_ms,
                                                   version()));
        if (&it->second == last_hour_) last_hour_ = nullptr;
        it = hours_.erase(it);
      } else {
        ++it;
      }
    }
  }
  newest_ms_ = std::max(newest_ms_, time_ms);
}

void Recorder::alert(const Alert& a) {
  // The copy this alert is about: its client event (first for the copy rules, second for a
  // charged AU005) links the rows across tables.
  std::string copy_event;
  if (a.copy_id) {
    if (a.rule != "AU005" && !a.event_ids.empty()) copy_event = a.event_ids.front();
    else if (a.rule == "AU005" && a.event_ids.size() > 1) copy_event = a.event_ids[1];
  }
  const std::string host = a.host.value_or(host_);
  uint64_t v = version();
  shipper_.add(Table::Alerts, alert_row(a, host, copy_event, v));
  if (a.rule == "AU005") shipper_.add(Table::RuntimeWrites, write_row(a, host, copy_event, v));
  if (a.rule == "AU006") shipper_.add(Table::HelperExecs, spawned_row(a, host, copy_event, v));
  if (!a.copy_id || a.rule == "AU001" || a.rule == "AU010") return;
  auto& s = copies_[a.copy_id];
  if (std::find(s.verdicts.begin(), s.verdicts.end(), a.rule) == s.verdicts.end()) s.verdicts.push_back(a.rule);
  if (a.rule == "AU004" && a.docker_cp && a.docker_cp->resolved_path) s.resolved = a.docker_cp->resolved_path;
  // A verdict after the row was written (watch): write it again, complete.
  if (s.written) write_copy(s);
}

void Recorder::finish() {
  for (auto& [id, s] : copies_)
    if (!s.written && !s.copy.client_event.empty()) write_copy(s);
  for (const auto& [k, h] : hours_)
    shipper_.add(Table::Coverage,
                 coverage_row(host_of(k.first), k.second, run_, h.events, h.records, h.first_ms, h.last_ms, version()));
  hours_.clear();
  last_hour_ = nullptr;
}

}  // namespace tocsin::store
