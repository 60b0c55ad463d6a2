// Watches the Docker Engine for container starts (the /events stream filtered to
// type=container, event=start), inspects each started container and runs RT001–RT005 on it.
// Reconnects with backoff when the daemon restarts, replaying from the last event time so no
// start is missed, and dropping the replayed events it had already seen.
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "runtime/audit_stream.hpp"
#include "runtime/container_checks.hpp"
#include "runtime/docker.hpp"

namespace tocsin::runtime {

struct DockerWatchOptions {
  std::string host = "unix:///var/run/docker.sock";
  CheckOptions check;
  std::optional<std::string> hostname;
  int max_backoff_ms = 10000;
};

// A container start from one /events message: the container id (Actor.ID, or the old `id`)
// and timeNano (0 when absent or not an integer). nullopt when the message names no container.
// Never throws on a message of unexpected shape.
struct StartEvent {
  std::string id;
  int64_t time_nano = 0;
};
std::optional<StartEvent> parse_start_event(const nlohmann::json& ev);

class DockerWatcher {
 public:
  using AlertFn = std::function<void(Alert&&)>;
  using NoteFn = std::function<void(const std::string&)>;
  DockerWatcher(DockerWatchOptions opt, AlertFn on_alert, NoteFn on_note, ContainerFeed* feed);
  // Checks every running container once.
  Status check_running();
  // Inspects and checks one container; `time_ms` stamps the alerts (0 = now).
  Status check_container_id(const std::string& id, uint64_t time_ms);
  // Follows container starts until `stop` is set. Errors only for unusable options.
  Status run(const std::atomic<bool>& stop);
  uint64_t containers_checked() const { return checked_; }

 private:
  DockerWatchOptions opt_;
  AlertFn on_alert_;
  NoteFn on_note_;
  ContainerFeed* feed_;
  DockerClient client_;
  std::set<std::pair<std::string, int64_t>> seen_;     // (id, timeNano) of handled starts
  std::deque<std::pair<std::string, int64_t>> seen_order_;
  int64_t last_nano_ = 0;
  uint64_t checked_ = 0;
};

}  // namespace tocsin::runtime
