// The responder of `watch --respond` (see respond.hpp): resolve the alert's container through
// the engine, apply the allow/deny policy and the rate limit, act once per container, and
// record the outcome in the alert. Runs on the audit thread, in the engine's sink, before the
// alert is written: an action's latency is the engine's round trip, measured here.
#include "runtime/respond.hpp"

#include <fmt/format.h>
#include <fnmatch.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>

#include "core/iso8601.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin::runtime {
namespace {

constexpr uint64_t kMinuteMs = 60000;

uint64_t steady_now() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}
uint64_t wall_now() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

bool glob(const std::string& pattern, const std::string& s) { return ::fnmatch(pattern.c_str(), s.c_str(), 0) == 0; }

bool matches(const std::string& entry, const ContainerState& c) {
  auto colon = entry.find(':');
  std::string kind = entry.substr(0, colon), v = entry.substr(colon + 1);
  if (kind == "name") return glob(v, c.name);
  if (kind == "image") return glob(v, c.image);
  if (kind == "label") {
    auto eq = v.find('=');
    auto it = c.labels.find(v.substr(0, eq));
    if (it == c.labels.end()) return false;
    return eq == std::string::npos || it->second == v.substr(eq + 1);
  }
  return false;
}

const char* past(const std::string& action) { return action == "stop" ? "stopped" : "paused"; }

bool hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::optional<std::string> read_small(const std::string& path) {
  auto r = safeio::read_file(path, 64 * 1024);
  if (!r) return std::nullopt;
  return *r;
}

}  // namespace

std::optional<std::string> container_id_from_cgroup(std::string_view cgroup) {
  std::optional<std::string> found;
  size_t i = 0;
  while (i < cgroup.size()) {
    auto isx = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
    if (!isx(cgroup[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < cgroup.size() && isx(cgroup[j])) ++j;
    if (hex64(cgroup.substr(i, j - i))) found = std::string(cgroup.substr(i, j - i));
    i = j;
  }
  return found;
}

std::optional<std::string> container_of_process(const std::string& proc_root, int64_t pid, const std::string& exe,
                                                uint64_t not_after_ms) {
  if (pid <= 0) return std::nullopt;
  const std::string dir = fmt::format("{}/{}", proc_root, pid);
  if (!exe.empty()) {
    char buf[4096];
    ssize_t n = ::readlink((dir + "/exe").c_str(), buf, sizeof buf - 1);
    if (n <= 0 || std::string(buf, static_cast<size_t>(n)) != exe) return std::nullopt;
  }
  // Start time: field 22 of <pid>/stat (clock ticks after boot), boot time: btime of /proc/stat.
  auto stat = read_small(dir + "/stat"), sys = read_small(proc_root + "/stat");
  if (!stat || !sys) return std::nullopt;
  auto close = stat->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat->substr(close + 1));
  std::string f;
  unsigned long long ticks = 0;
  for (int k = 3; k <= 22 && (fields >> f); ++k)
    if (k == 22) ticks = std::strtoull(f.c_str(), nullptr, 10);
  auto bt = sys->find("\nbtime ");
  if (bt == std::string::npos || ticks == 0) return std::nullopt;
  const unsigned long long btime = std::strtoull(sys->c_str() + bt + 7, nullptr, 10);
  const long hz = ::sysconf(_SC_CLK_TCK) > 0 ? ::sysconf(_SC_CLK_TCK) : 100;
  const uint64_t started_ms = btime * 1000 + ticks * 1000 / static_cast<unsigned long long>(hz);
  // btime has a resolution of one second: a process started within it is not told apart.
  if (started_ms > not_after_ms + 1000) return std::nullopt;
  auto cg = read_small(dir + "/cgroup");
  if (!cg) return std::nullopt;
  return container_id_from_cgroup(*cg);
}

Status check_policy_entry(const std::string& entry) {
  auto colon = entry.find(':');
  std::string kind = colon == std::string::npos ? std::string() : entry.substr(0, colon);
  if ((kind == "name" || kind == "image" || kind == "label") && colon + 1 < entry.size() &&
      !(kind == "label" && entry[colon + 1] == '='))
    return ok_status();
  return Error{fmt::format("'{}': give name:GLOB, image:GLOB, label:KEY=VALUE or label:KEY", entry)};
}

Result<uint64_t> parse_duration_ms(const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  std::string unit = end ? std::string(end) : std::string();
  double mult = unit.empty() || unit == "s" ? 1000
                : unit == "ms"              ? 1
                : unit == "m"               ? 60000
                : unit == "h"               ? 3600000
                                            : -1;
  if (end == text.c_str() || mult < 0 || !(v > 0) || v * mult > 1e13)
    return Error{fmt::format("'{}': give a duration such as 30s, 5m, 2h or 500ms", text)};
  return static_cast<uint64_t>(v * mult);
}

Responder::Responder(RespondOptions opt, std::unique_ptr<ContainerEngine> engine, NoteFn note, ClockFn steady,
                     ClockFn wall)
    : opt_(std::move(opt)),
      engine_(std::move(engine)),
      note_(std::move(note)),
      steady_(steady ? std::move(steady) : ClockFn(steady_now)),
      wall_(wall ? std::move(wall) : ClockFn(wall_now)) {}

std::string Responder::refusal(const ContainerState& c) const {
  for (const auto& d : opt_.deny)
    if (matches(d, c)) return fmt::format("refused: {} matches --respond-deny {}", c.name, d);
  if (!opt_.allow.empty()) {
    bool allowed = false;
    for (const auto& a : opt_.allow) allowed = allowed || matches(a, c);
    if (!allowed) return fmt::format("refused: {} matches no --respond-allow entry", c.name);
  }
  if (!c.running) return fmt::format("{} is not running", c.name);
  if (c.paused && opt_.action != "stop") return fmt::format("{} was already paused (not by this watcher)", c.name);
  return {};
}

AlertResponse Responder::repeat(const Done& d) const {
  AlertResponse r = d.response;
  r.detail = r.action == "dry-run"
                 ? fmt::format("already decided by this watcher at {}: would pause {}", iso_time_ms(d.at_wall), d.name)
                 : fmt::format("already {} by this watcher at {}", past(r.action), iso_time_ms(d.at_wall));
  return r;
}

bool Responder::rate_allows(uint64_t now) {
  while (!window_.empty() && now - window_.front() >= kMinuteMs) window_.pop_front();
  if (window_.size() >= opt_.rate_per_min) return false;
  window_.push_back(now);
  return true;
}

void Responder::handle(Alert& a) {
  if (a.rule != "AU002" && a.rule != "AU003") return;
  const uint64_t t0 = steady_();
  std::string ref = a.actor_container;
  std::string via;  // how the container was found, when not from the audit data
  const int64_t loop_pid = a.swap ? a.swap->pid : 0;
  if (ref.empty() && loop_pid > 0) {
    // A live loop: the kernel knows its cgroup. AU002's exe is the loop's; AU003's the client's.
    if (auto id = container_of_process(opt_.proc_root, loop_pid, a.rule == "AU002" ? a.exe : std::string(),
                                       a.time_ms.value_or(wall_())))
      ref = *id;
    else if (auto it = loop_ids_.find(loop_pid); it != loop_ids_.end())
      ref = it->second;  // stopped (gone) since an earlier alert about it
    if (!ref.empty()) {
      loop_ids_[loop_pid] = ref;
      via = fmt::format(" (the container of pid {}, by its cgroup)", loop_pid);
    }
  }
  if (ref.empty()) {
    a.response = AlertResponse{"none", "", false, std::nullopt,
                               fmt::format("pid {} is not known to be in a container: tocsin acts only on containers",
                                           a.swap ? a.swap->pid : a.pid.value_or(0))};
    ++counts_.refused;
    return;
  }
  if (auto it = refs_.find(ref); it != refs_.end()) {
    a.response = repeat(done_.at(it->second));
    return;
  }
  auto c = engine_->inspect(ref);
  if (!c) {
    a.response = AlertResponse{opt_.action, ref, false, steady_() - t0, c.error().message};
    ++counts_.failed;
    return;
  }
  if (auto it = done_.find(c->id); it != done_.end()) {  // the same container by another name
    refs_[ref] = c->id;
    a.response = repeat(it->second);
    return;
  }
  if (auto why = refusal(*c); !why.empty()) {
    a.response = AlertResponse{"none", c->id, false, std::nullopt, why};
    ++counts_.refused;
    return;
  }
  if (!rate_allows(t0)) {
    a.response = AlertResponse{"none", c->id, false, std::nullopt,
                               fmt::format("rate limit: {} actions in the last minute (--respond-rate {})",
                                           opt_.rate_per_min, opt_.rate_per_min)};
    ++counts_.rate_limited;
    return;
  }
  Done d;
  d.name = c->name;
  d.at_wall = wall_();
  if (opt_.action == "dry-run") {
    d.response = AlertResponse{"dry-run", c->id, true, steady_() - t0, fmt::format("would pause {}{}", c->name, via)};
    ++counts_.dry_run;
  } else {
    Status s = opt_.action == "stop" ? engine_->stop(c->id, opt_.stop_grace_s) : engine_->pause(c->id);
    uint64_t ms = steady_() - t0;
    d.at_wall = wall_();
    if (!s) {
      a.response = AlertResponse{opt_.action, c->id, false, ms, s.error().message};
      ++counts_.failed;
      note_(fmt::format("{} {} ({}) failed: {}", opt_.action, c->name, a.rule, s.error().message));
      return;  // not remembered: a later alert tries again (within the rate limit)
    }
    std::string undo = fmt::format("{} {} {}", engine_->cli(), opt_.action == "stop" ? "start" : "unpause", c->name);
    if (opt_.action == "pause" && opt_.for_ms > 0) {
      d.unpause_at = t0 + opt_.for_ms;
      undo = fmt::format("unpaused by this watcher after {} ms, or {}", opt_.for_ms, undo);
    }
    d.response =
        AlertResponse{opt_.action, c->id, true, ms,
                      fmt::format("{} {}{} (image {}); undo: {}", past(opt_.action), c->name, via, c->image, undo)};
    ++counts_.acted;
    note_(fmt::format("{} container {} in {} ms ({}: {})", past(opt_.action), c->name, ms, a.rule, a.message));
  }
  a.response = d.response;
  refs_[ref] = c->id;
  done_[c->id] = std::move(d);
}

void Responder::tick() {
  if (opt_.action != "pause" || opt_.for_ms == 0) return;
  const uint64_t now = steady_();
  for (auto it = done_.begin(); it != done_.end();) {
    if (it->second.unpause_at == 0 || now < it->second.unpause_at) {
      ++it;
      continue;
    }
    if (auto s = engine_->unpause(it->first); !s) {
      note_(fmt::format("unpause {} failed: {} (resume it by hand: {} unpause {})", it->second.name, s.error().message,
                        engine_->cli(), it->second.name));
      it->second.unpause_at = 0;  // not retried in a loop; the note says what to do
      ++it;
      continue;
    }
    ++counts_.unpaused;
    note_(fmt::format("unpaused container {} (--respond-for {} ms ran out)", it->second.name, opt_.for_ms));
    for (auto r = refs_.begin(); r != refs_.end();) r = r->second == it->first ? refs_.erase(r) : std::next(r);
    it = done_.erase(it);  // a later alert about it acts again
  }
}

void Responder::finish() {
  if (opt_.action == "dry-run") return;
  for (const auto& [id, d] : done_) {
    if (!d.response.ok) continue;
    if (opt_.action == "stop")
      note_(fmt::format("left stopped by this watcher: container {} ({})", d.name, id.substr(0, 12)));
    else
      note_(fmt::format("left paused by this watcher: container {} ({}); resume it with: {} unpause {}", d.name,
                        id.substr(0, 12), engine_->cli(), d.name));
  }
}

nlohmann::ordered_json Responder::counts_json() const {
  return {{"action", opt_.action},
          {"acted", counts_.acted},
          {"failed", counts_.failed},
          {"refused", counts_.refused},
          {"rate_limited", counts_.rate_limited},
          {"dry_run", counts_.dry_run},
          {"unpaused", counts_.unpaused}};
}

std::string Responder::counts_line() const {
  return fmt::format("responses ({}): acted {}, failed {}, refused {}, rate-limited {}, dry-run {}, unpaused {}",
                     opt_.action, counts_.acted, counts_.failed, counts_.refused, counts_.rate_limited, counts_.dry_run,
                     counts_.unpaused);
}

}  // namespace tocsin::runtime
