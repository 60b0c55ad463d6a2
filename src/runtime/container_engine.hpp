// The container engine `watch --respond` acts through: Docker Engine API over its unix socket
// (dockerd, or podman's `podman system service` socket, which speaks the same API), or the
// podman CLI run without a shell (`podman pause|unpause|stop|container inspect`).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "runtime/docker.hpp"

namespace tocsin::runtime {

class ContainerEngine {
 public:
  virtual ~ContainerEngine() = default;
  // What the engine knows of the container `ref` (a name or id).
  virtual Result<ContainerState> inspect(const std::string& ref) = 0;
  virtual Status pause(const std::string& id) = 0;
  virtual Status unpause(const std::string& id) = 0;
  // Stops it: SIGTERM, then SIGKILL after `grace_s` seconds.
  virtual Status stop(const std::string& id, int grace_s) = 0;
  // The command an operator undoes an action with ("docker", "podman": `docker unpause NAME`).
  virtual std::string cli() const = 0;
};

// Docker Engine API (or podman's compatible socket) at `host` ("unix:///var/run/docker.sock").
std::unique_ptr<ContainerEngine> docker_engine(const std::string& host);
// The podman CLI: `argv0` (a path, or a name looked up on PATH), run with posix_spawn and an
// argument vector, never a shell; each command is killed after `timeout_ms`.
std::unique_ptr<ContainerEngine> podman_cli_engine(std::string argv0 = "podman", int timeout_ms = 15000);

// Runs argv (no shell, stdin /dev/null) and returns its stdout; kills it after `timeout_ms`.
// An error naming the command, with its stderr, when it cannot start, times out or exits non-zero.
// (cli/spawn.hpp's run_capture is above runtime in the layering and waits without a bound.)
Result<std::string> run_bounded(const std::vector<std::string>& argv, int timeout_ms);

}  // namespace tocsin::runtime
