// The hunt engine: routes each event through the process model, the copy and loop trackers
// (copy_tracker.hpp, loop_tracker.hpp) and the enabled rules of the registry, filters and counts
// their alerts, and keeps the input statistics.
#include "audit/detections/engine.hpp"

#include <algorithm>

#include "audit/event.hpp"

namespace tocsin::audit {

Engine::Engine(EngineOptions opt)
    : opt_(std::move(opt)),
      copies_(ctx_, [this](Copy& c) { close_copy(c); }),
      loops_(
          ctx_,
          [this](const LoopEpisode& ep) {
            coverage_.on_loop_confirmed(ep);
            if (opt_.early)
              for (Detection* r : event_rules_) r->on_loop_established(ep, ctx_);
          },
          [this](const LoopEpisode& ep) {
            for (auto& r : rules_) r->on_loop_closed(ep, ctx_);
          }) {
  rules_ = make_builtin_detections();
  refresh_active();
  ctx_.sink = [this](Alert&& a) { deliver(std::move(a)); };
  ctx_.rule_enabled = [this](std::string_view id) { return rule_enabled(id); };
}

Engine::~Engine() = default;

void Engine::set_sink(std::function<void(Alert&&)> sink) { sink_ = std::move(sink); }

void Engine::add_detection(std::unique_ptr<Detection> d) {
  rules_.push_back(std::move(d));
  refresh_active();
}

void Engine::refresh_active() {
  // A rule whose alerts would be dropped need not look at events (training runs with AU001
  // only); the copy and loop tracking stay, as the enabled rules build on them.
  event_rules_.clear();
  for (auto& r : rules_)
    if (rule_enabled(r->id())) event_rules_.push_back(r.get());
  loops_needed_ = rule_enabled("AU002") || rule_enabled("AU003");
}

bool Engine::rule_enabled(std::string_view id) const {
  std::string s(id);
  if (!opt_.select.empty() && !opt_.select.count(s)) return false;
  return !opt_.ignore.count(s);
}

void Engine::deliver(Alert&& a) {
  if (!rule_enabled(a.rule)) return;
  if (a.time_ms) {
    if (opt_.since_ms && *a.time_ms < *opt_.since_ms) return;
    if (opt_.until_ms && *a.time_ms > *opt_.until_ms) return;
  }
  if (a.early) {
    ++stats_.early;
  } else {
    ++stats_.alerts;
    ++stats_.by_rule[a.rule];
  }
  if (sink_) sink_(std::move(a));
  else collected_.push_back(std::move(a));
}

std::vector<Alert> Engine::take_alerts() {
  std::stable_sort(collected_.begin(), collected_.end(), alert_less);
  return std::move(collected_);
}

void Engine::on_broken(std::string_view file, uint64_t line, std::string_view reason, uint64_t count) {
  stats_.broken += count;
  BrokenInput b{std::string(file), line, std::string(reason), count};
  for (auto& r : rules_) r->on_broken(b, ctx_);
}

void Engine::end_of_file(std::string_view file) {
  for (auto& r : rules_) r->on_end_of_file(file, ctx_);
}

void Engine::on_event(const Event& ev) {
  ++stats_.events;
  stats_.records += ev.record_count();
  uint64_t t = ev.time_ms();
  ctx_.now_ms = std::max(ctx_.now_ms, t);
  // Serial gaps: stats only (normal with filtering rules). auditd's own DAEMON_* records use
  // the daemon's sequence, not the kernel's.
  auto pt = static_cast<uint32_t>(ev.primary_type());
  if (!(pt >= 1200 && pt < 1300)) {
    auto& last = last_serial_[std::string(ev.node())];
    if (last && ev.serial() > last + 1 && ev.serial() - last < (1ULL << 32))
      stats_.serial_gaps += ev.serial() - last - 1;
    if (ev.serial() > last) last = ev.serial();
  }
  coverage_.on_event(ev, ctx_.processes.observe(ev));
  copies_.on_event(ev);
  if (opt_.early) tell_copy_progress();
  if (loops_needed_) {
    const LoopEpisode* ep = loops_.on_event(ev);
    if (ep && opt_.early)
      for (Detection* r : event_rules_) r->on_loop_progress(*ep, ctx_);
  }
  for (Detection* r : event_rules_) r->on_event(ev, ctx_);
  if (ctx_.now_ms >= last_sweep_ms_ + 250) {
    sweep(false);
    last_sweep_ms_ = ctx_.now_ms;
  }
}

namespace {

// What a copy has learned that can decide an early verdict; a change is news for the rules.
uint32_t copy_progress_mark(const Copy& c) {
  return (c.helper_pid ? 1u : 0u) | (c.resolved_dir ? 2u : 0u) | (c.landed_dir ? 4u : 0u);
}

}  // namespace

void Engine::tell_copy_progress() {
  for (auto& c : ctx_.copies) {
    if (c.closed) continue;
    if (c.id > copies_opened_) {
      copies_opened_ = c.id;
      for (Detection* r : event_rules_) r->on_copy_opened(c, ctx_);
    }
    uint32_t mark = copy_progress_mark(c);
    if (mark != c.progress_told) {
      c.progress_told = mark;
      for (Detection* r : event_rules_) r->on_copy_progress(c, ctx_);
    }
  }
}

void Engine::sweep(bool all) {
  // Loops first: a copy closing now sees every episode that overlapped it.
  loops_.close_quiet(all);
  copies_.sweep(opt_.copy_settle_ms, all);
  loops_.forget_old();
}

void Engine::close_copy(Copy& c) {
  c.closed = true;
  coverage_.on_copy_closed(c);
  for (auto& r : rules_) r->on_copy_closed(c, ctx_);
}

CoverageFacts Engine::coverage_facts() const {
  CoverageFacts f = coverage_.facts();
  auto it = stats_.by_rule.find("AU008");
  f.loss_reports = it == stats_.by_rule.end() ? 0 : it->second;
  f.serial_gaps = stats_.serial_gaps;
  return f;
}

std::vector<RuleCoverage> Engine::coverage(const CoverageOptions& opt) const {
  return coverage_verdicts(coverage_facts(), opt);
}

void Engine::advance_time(uint64_t log_ms) {
  if (log_ms <= ctx_.now_ms) return;
  ctx_.now_ms = log_ms;
  sweep(false);
  last_sweep_ms_ = ctx_.now_ms;
}

void Engine::finish() {
  sweep(true);
  for (auto& r : rules_) r->finish(ctx_);
}

std::optional<uint64_t> Engine::oldest_open_ms() const {
  std::optional<uint64_t> o;
  auto take = [&](uint64_t ms) {
    if (!o || ms < *o) o = ms;
  };
  copies_.open_starts(take);
  loops_.open_starts(take);
  return o;
}

}  // namespace tocsin::audit
