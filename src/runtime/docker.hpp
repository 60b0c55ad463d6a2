// A small Docker Engine API client: HTTP/1.1 written by hand over the daemon's unix socket
// (no libcurl), API version negotiation from the /_ping headers, plain requests and the chunked
// /events stream.
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

// Incremental decoder for `Transfer-Encoding: chunked` bodies.
class ChunkedDecoder {
 public:
  // Appends decoded bytes of `in` to `out`. Returns false on a malformed stream.
  bool feed(std::string_view in, std::string& out);
  bool done() const { return state_ == State::Done; }

 private:
  enum class State { Size, Data, DataEnd, Trailer, Done };
  State state_ = State::Size;
  std::string line_;
  size_t remaining_ = 0;
};

// Parses "HTTP/1.1 200 OK\r\nName: value\r\n...\r\n\r\n" (the head only).
Result<HttpResponse> parse_head(std::string_view head);

class DockerClient {
 public:
  // `host` is "unix:///var/run/docker.sock" or a socket path.
  explicit DockerClient(std::string host = "unix:///var/run/docker.sock");
  // GET /_ping; takes the daemon's Api-Version (capped at the newest version we know).
  Status negotiate();
  const std::string& api_version() const { return version_; }
  // GET /v<version><path>.
  Result<HttpResponse> get(const std::string& path, int timeout_ms = 10000);
  Result<nlohmann::json> get_json(const std::string& path, int timeout_ms = 10000);
  // Streams GET /v<version>/events?<query>, calling `on_event` for each JSON message until the
  // daemon closes the connection (Error) or `on_event` returns false / `stop` is set (ok).
  Status stream_events(const std::string& query, const std::function<bool(const nlohmann::json&)>& on_event,
                       const std::atomic<bool>* stop);

 private:
  Result<int> connect_socket() const;
  std::string socket_path_;
  std::string version_ = "1.24";
};

// Percent-encodes a query value (for the filters JSON).
std::string url_encode(std::string_view s);

}  // namespace tocsin::runtime
