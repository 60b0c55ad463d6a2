// Container start watching for RT001–RT005 (see docker_watch.hpp).
#include "runtime/docker_watch.hpp"

#include <chrono>
#include <fmt/format.h>
#include <thread>

namespace tocsin::runtime {
namespace {
constexpr size_t kSeenMax = 4096;

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}
}  // namespace

std::optional<StartEvent> parse_start_event(const nlohmann::json& ev) {
  if (!ev.is_object()) return std::nullopt;
  StartEvent s;
  if (auto a = ev.find("Actor"); a != ev.end() && a->is_object()) {
    if (auto i = a->find("ID"); i != a->end() && i->is_string()) s.id = i->get<std::string>();
  }
  if (s.id.empty())
    if (auto i = ev.find("id"); i != ev.end() && i->is_string()) s.id = i->get<std::string>();
  // json::value() throws when the field has another type: a string or a float timeNano is 0.
  if (auto t = ev.find("timeNano"); t != ev.end() && t->is_number_integer()) s.time_nano = t->get<int64_t>();
  if (s.id.empty()) return std::nullopt;
  return s;
}

DockerWatcher::DockerWatcher(DockerWatchOptions opt, AlertFn on_alert, NoteFn on_note, ContainerFeed* feed)
    : opt_(std::move(opt)), on_alert_(std::move(on_alert)), on_note_(std::move(on_note)), feed_(feed),
      client_(opt_.host) {}

Status DockerWatcher::check_container_id(const std::string& id, uint64_t time_ms) {
  bool hex = !id.empty() && id.size() <= 64 &&
             id.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
  if (!hex) return Error{fmt::format("docker: unexpected container id '{}'", id)};
  auto j = client_.get_json(fmt::format("/containers/{}/json", id));
  if (!j) return j.error();
  if (feed_) feed_->push(*j, opt_.check.host_root);
  auto info = parse_inspect(*j);
  ++checked_;
  for (auto& a : check_container(info, opt_.check)) {
    a.time_ms = time_ms ? time_ms : now_ms();
    a.host = opt_.hostname;
    on_alert_(std::move(a));
  }
  return ok_status();
}

Status DockerWatcher::check_running() {
  auto s = client_.negotiate();
  if (!s) return s;
  auto list = client_.get_json("/containers/json");
  if (!list) return list.error();
  if (!list->is_array()) return Error{"docker: /containers/json is not an array"};
  for (const auto& c : *list) {
    if (!c.is_object() || !c.contains("Id") || !c["Id"].is_string()) continue;
    auto r = check_container_id(c["Id"].get<std::string>(), 0);
    if (!r) on_note_(r.error().message);  // e.g. removed meanwhile: go on
  }
  return ok_status();
}

Status DockerWatcher::run(const std::atomic<bool>& stop) {
  int backoff = 250;
  bool announced_down = false;
  // The first stream starts at "now", so a start between a check_running() and the stream
  // is not missed either.
  if (last_nano_ == 0)
    last_nano_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  while (!stop.load()) {
    auto s = client_.negotiate();
    if (!s) {
      if (!announced_down) on_note_(fmt::format("{} (retrying)", s.error().message));
      announced_down = true;
      for (int waited = 0; waited < backoff && !stop.load(); waited += 50)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      backoff = std::min(backoff * 2, opt_.max_backoff_ms);
      continue;
    }
    if (announced_down) on_note_(fmt::format("docker: connected (API {})", client_.api_version()));
    announced_down = false;
    backoff = 250;
    std::string filters = R"({"type":["container"],"event":["start"]})";
    std::string query = "filters=" + url_encode(filters);
    // After a reconnect, replay from the last start we handled so starts during the outage
    // are not missed; the replayed ones we already handled are skipped below.
    if (last_nano_ > 0)
      query += fmt::format("&since={}.{:09d}", last_nano_ / 1000000000, last_nano_ % 1000000000);
    auto st = client_.stream_events(query, [&](const nlohmann::json& ev) {
      auto start = parse_start_event(ev);
      if (!start) return true;
      const std::string& id = start->id;
      const int64_t nano = start->time_nano;
      auto key = std::make_pair(id, nano);
      if (seen_.count(key)) return true;
      seen_.insert(key);
      seen_order_.push_back(key);
      if (seen_order_.size() > kSeenMax) {
        seen_.erase(seen_order_.front());
        seen_order_.pop_front();
      }
      if (nano > last_nano_) last_nano_ = nano;
      auto r = check_container_id(id, nano > 0 ? static_cast<uint64_t>(nano / 1000000) : 0);
      if (!r) on_note_(r.error().message);
      return !stop.load();
    }, &stop);
    if (!st && !stop.load()) {
      on_note_(fmt::format("{} (reconnecting)", st.error().message));
      announced_down = true;
    }
  }
  return ok_status();
}

}  // namespace tocsin::runtime
