// A small Docker Engine API client on libcurl (HTTP over the daemon's unix socket,
// CURLOPT_UNIX_SOCKET_PATH): API version negotiation from the /_ping headers, plain requests, and
// the /events stream with each JSON message delivered as it arrives, and the container actions
// `watch --respond` takes (inspect, pause, unpause, stop). podman's socket speaks the same API.
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.hpp"

namespace tocsin::runtime {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

// What `watch --respond` needs to know of a container (GET /containers/{ref}/json).
struct ContainerState {
  std::string id, name, image;  // name without docker's leading '/'; image as configured (Config.Image)
  std::map<std::string, std::string> labels;
  bool running = false, paused = false;
};
// Reads an inspect document (docker's or podman's, from the API or `podman container inspect`).
ContainerState container_state_from_inspect(const nlohmann::json& inspect);

class DockerClient {
 public:
  // `host` is "unix:///var/run/docker.sock" or a socket path.
  explicit DockerClient(std::string host = "unix:///var/run/docker.sock");
  // GET /_ping; takes the daemon's Api-Version (capped at the newest version we know).
  Status negotiate();
  const std::string& api_version() const { return version_; }
  // GET /v<version><path>. `timeout_ms` bounds each wait for the daemon (connecting, the
  // answer's first byte, and every pause within it), not the whole request.
  Result<HttpResponse> get(const std::string& path, int timeout_ms = 10000);
  Result<nlohmann::json> get_json(const std::string& path, int timeout_ms = 10000);
  // POST /v<version><path> without a body (the engine's actions), with get's timeout semantics.
  Result<HttpResponse> post(const std::string& path, int timeout_ms = 10000);
  // GET /containers/{ref}/json (ref: a name or id).
  Result<ContainerState> inspect_container(const std::string& ref, int timeout_ms = 10000);
  // POST /containers/{id}/{action}: "pause", "unpause", "stop?t=N". Ok on 204 (and 304: already
  // stopped); otherwise an error carrying the engine's message.
  Status container_action(const std::string& id, const std::string& action, int timeout_ms = 10000);
  // Streams GET /v<version>/events?<query>, calling `on_event` for each JSON message until the
  // daemon closes the connection (Error) or `on_event` returns false / `stop` is set (ok, seen
  // within 250 ms).
  Status stream_events(const std::string& query, const std::function<bool(const nlohmann::json&)>& on_event,
                       const std::atomic<bool>* stop);

 private:
  Result<HttpResponse> request(bool post, const std::string& path, int timeout_ms);
  std::string socket_path_;
  std::string version_ = "1.24";
};

// Percent-encodes a query value (for the filters JSON): curl_easy_escape.
std::string url_encode(std::string_view s);

}  // namespace tocsin::runtime
