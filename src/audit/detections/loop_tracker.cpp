// The swap-loop tracker (see loop_tracker.hpp).
#include "audit/detections/loop_tracker.hpp"

#include <algorithm>
#include <vector>

#include "audit/event.hpp"

namespace tocsin::audit {

struct LoopTracker::LoopState {
  uint64_t count = 0;
  uint64_t first_ms = 0, last_ms = 0;
  std::string first_event;
  // The latest event's id, formatted only when the episode is reported (a loop logs thousands).
  uint64_t last_sec = 0, last_serial = 0;
  uint32_t last_msec = 0;
  std::string last_event() const { return event_id(last_sec, last_msec, last_serial); }
  std::string file;
  uint64_t line = 0;
  uint64_t episode_id = 0;  // set once confirmed
};

LoopTracker::LoopTracker(Context& ctx, std::function<void(const LoopEpisode&)> confirmed,
                         std::function<void(const LoopEpisode&)> closed)
    : ctx_(ctx), confirmed_(std::move(confirmed)), closed_(std::move(closed)) {}

LoopTracker::~LoopTracker() = default;

void LoopTracker::close_episode(const LoopState& st) {
  if (!st.episode_id) return;
  for (auto& ep : ctx_.loops)
    if (ep.id == st.episode_id && !ep.closed) {
      ep.closed = true;
      ep.last_event = st.last_event();
      closed_(ep);
    }
}

const LoopEpisode* LoopTracker::on_event(const Event& ev) {
  if (ev.syscall_name() != "renameat2") return nullptr;
  if (!ev.success().value_or(false)) return nullptr;
  auto pid = ev.pid();
  if (!pid) return nullptr;
  std::string_view cwd = ev.cwd_view().value_or(std::string_view());
  // An exchange leaves both names in place (each is removed and created again with the other's
  // object: renameat2's RENAME_EXCHANGE); a rename over an existing name removes both names
  // but creates only the target (an atomic config replacement, `mv f f~` of an editor's save,
  // log rotation). Only exchanges make a swap loop. The kernel logs the same name text in an
  // item's DELETE and CREATE records, so the raw names are compared (no copy per event).
  const auto& items = ev.paths();
  auto created = [&](const std::string& raw) {
    for (const auto& c : items)
      if (c.nametype == "CREATE" && c.name && *c.name == raw) return true;
    return false;
  };
  std::vector<std::string> names;
  for (const auto& p : items) {
    if (p.nametype != "DELETE" || !p.name || p.name->empty()) continue;
    if (!created(*p.name)) return nullptr;
    std::string n = join_path(cwd, *p.name);
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  if (names.size() != 2) return nullptr;
  std::sort(names.begin(), names.end());
  uint64_t t = ev.time_ms();
  std::string key = std::string(ev.node());
  key += '\0';
  key += std::to_string(*pid);
  key += '\0';
  key += names[0];
  key += '\0';
  key += names[1];
  auto& slot = states_[key];
  if (slot && t > slot->last_ms + kLoopMaxGapMs) {
    close_episode(*slot);
    slot.reset();
  }
  if (!slot) {
    slot = std::make_unique<LoopState>();
    slot->first_ms = t;
    slot->first_event = event_id(ev);
    slot->file = std::string(ev.file());
    slot->line = ev.line();
  }
  LoopState& st = *slot;
  ++st.count;
  st.last_ms = std::max(st.last_ms, t);
  st.last_sec = ev.sec();
  st.last_msec = ev.msec();
  st.last_serial = ev.serial();
  if (!st.episode_id && st.count >= kLoopMinRenames) {
    LoopEpisode ep;
    ep.id = next_loop_id_++;
    ep.node = std::string(ev.node());
    ep.pid = *pid;
    ep.a = names[0];
    ep.b = names[1];
    ep.first_ms = st.first_ms;
    ep.first_event = st.first_event;
    ep.container = ctx_.processes.container_of(ev);
    ep.user = user_of(ev);
    ep.exe = ev.exe().value_or("");
    ep.file = st.file;
    ep.line = st.line;
    ep.confirmed = true;
    ep.count = st.count;
    ep.last_ms = st.last_ms;
    ep.established_event = st.last_event();
    st.episode_id = ep.id;
    ctx_.loops.push_back(std::move(ep));
    confirmed_(ctx_.loops.back());
  }
  if (st.episode_id) {
    for (auto it = ctx_.loops.rbegin(); it != ctx_.loops.rend(); ++it)
      if (it->id == st.episode_id) {
        it->count = st.count;
        it->last_ms = st.last_ms;
        if (it->container.empty()) it->container = ctx_.processes.container_of(ev);
        return &*it;
      }
  }
  return nullptr;
}

void LoopTracker::close_quiet(bool all) {
  uint64_t now = ctx_.now_ms;
  for (auto it = states_.begin(); it != states_.end();) {
    if (all || now > it->second->last_ms + kLoopMaxGapMs + kReorderMs) {
      close_episode(*it->second);
      it = states_.erase(it);
    } else {
      ++it;
    }
  }
}

void LoopTracker::forget_old() {
  uint64_t now = ctx_.now_ms;
  while (!ctx_.loops.empty() && ctx_.loops.front().closed && now > ctx_.loops.front().last_ms + 120000)
    ctx_.loops.pop_front();
}

void LoopTracker::open_starts(const std::function<void(uint64_t)>& take) const {
  for (const auto& l : ctx_.loops)
    if (!l.closed) take(l.first_ms);
  for (const auto& [key, st] : states_) take(st->first_ms);
}

}  // namespace tocsin::audit
