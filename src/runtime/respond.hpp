// `tocsin watch --respond`: what is done about a swap loop (AU002) or a raced copy (AU003) in a
// container — pause or stop that container through its engine (container_engine.hpp), under an
// allow/deny policy and a rate limit, once per container — and the record of it in the alert
// (Alert::response). Host processes are never acted on. docs/response.md is the user's page.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/alert.hpp"
#include "core/result.hpp"
#include "runtime/container_engine.hpp"

namespace tocsin::runtime {

struct RespondOptions {
  std::string action = "dry-run";        // "pause" | "stop" | "dry-run"
  std::vector<std::string> allow, deny;  // "name:GLOB", "image:GLOB", "label:KEY=VALUE", "label:KEY"
  unsigned rate_per_min = 6;             // actions (and dry-run decisions) per rolling minute
  uint64_t for_ms = 0;                   // pause: unpause after this long (0: never, a manual step)
  int stop_grace_s = 2;                  // stop: SIGKILL after this many seconds
  // Where a live loop's container is looked up when the audit data does not name it:
  // <proc_root>/<pid>/cgroup (the host's /proc; "<--host-root>/proc" in a pod).
  std::string proc_root = "/proc";
};

// The container id in a /proc/<pid>/cgroup text (docker "/docker/<id>" or "docker-<id>.scope",
// podman "libpod-<id>", containerd/CRI-O "cri-containerd-<id>", "crio-<id>"): the last 64-hex
// component; nullopt for a host process.
std::optional<std::string> container_id_from_cgroup(std::string_view cgroup);
// The container the live process `pid` runs in, when it is the process the audit data saw: it
// exists, started no later than `not_after_ms` (epoch ms; the first event that shows it), and,
// when `exe` is given, /proc/<pid>/exe reads as `exe` — so a reused pid is not taken for it.
std::optional<std::string> container_of_process(const std::string& proc_root, int64_t pid, const std::string& exe,
                                                uint64_t not_after_ms);

// Checks one --respond-allow/--respond-deny entry; the error says what is accepted.
Status check_policy_entry(const std::string& entry);
// "30s", "5m", "2h", "500ms", or plain seconds → milliseconds.
Result<uint64_t> parse_duration_ms(const std::string& text);

struct ResponseCounts {
  uint64_t acted = 0;         // the engine confirmed a pause/stop
  uint64_t failed = 0;        // the engine (or inspect) answered with an error
  uint64_t refused = 0;       // policy: not in a container, denied, not allowed, not running
  uint64_t rate_limited = 0;  // over --respond-rate
  uint64_t dry_run = 0;       // decisions taken in dry-run
  uint64_t unpaused = 0;      // --respond-for ran out and the engine unpaused
};

class Responder {
 public:
  using NoteFn = std::function<void(const std::string&)>;
  using ClockFn = std::function<uint64_t()>;  // milliseconds
  // `steady` times the actions and the rate limit, `wall` (epoch ms) is what records show;
  // empty: the system clocks.
  Responder(RespondOptions opt, std::unique_ptr<ContainerEngine> engine, NoteFn note, ClockFn steady = {},
            ClockFn wall = {});
  // Decides and acts on AU002/AU003 (early or final) and fills `a.response`; other rules are
  // left alone.
  void handle(Alert& a);
  // Unpauses the containers whose --respond-for has run out (call often, e.g. once per poll).
  void tick();
  // At exit: notes each container this run left paused or stopped, with the command that undoes it.
  void finish();
  const ResponseCounts& counts() const { return counts_; }
  nlohmann::ordered_json counts_json() const;
  std::string counts_line() const;  // "responses: acted 1, failed 0, …"

 private:
  struct Done {
    AlertResponse response;  // the record the acting alert carried
    std::string name;
    uint64_t at_wall = 0;
    uint64_t unpause_at = 0;  // steady ms; 0: never
  };
  std::string refusal(const ContainerState& c) const;
  AlertResponse repeat(const Done& d) const;
  bool rate_allows(uint64_t now);

  RespondOptions opt_;
  std::unique_ptr<ContainerEngine> engine_;
  NoteFn note_;
  ClockFn steady_, wall_;
  std::map<std::string, Done> done_;         // container id → what this run did to it
  std::map<std::string, std::string> refs_;  // alert's container ref → id (of a done container)
  std::map<int64_t, std::string> loop_ids_;  // loop pid → container id found through /proc
  std::deque<uint64_t> window_;              // steady ms of the actions in the last minute
  ResponseCounts counts_;
};

}  // namespace tocsin::runtime
