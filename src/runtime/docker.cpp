// Docker Engine API over AF_UNIX on libcurl (see docker.hpp). libcurl frames the requests and
// decodes the answers (status line, headers, chunked bodies); this file drives each transfer
// with the multi interface so a wait can be bounded and a stream stopped, splits the /events
// body into JSON messages, and words libcurl's failures as the messages `watch` prints.
#include "runtime/docker.hpp"

#include <sys/un.h>

#include <fmt/format.h>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "core/strings.hpp"
#include "runtime/curl.hpp"

namespace tocsin::runtime {
namespace {

constexpr const char* kNewestApi = "1.43";
constexpr size_t kMaxBody = 64u << 20;
constexpr size_t kMaxEventLine = 4u << 20;
constexpr int kPollMs = 250;                 // how often a transfer looks at `stop` and its timeout
constexpr int kEventsHeadTimeoutMs = 10000;  // the /events answer's first byte

// Compares "1.41" and "1.43" numerically.
bool version_less(const std::string& a, const std::string& b) {
  unsigned a1 = 0, a2 = 0, b1 = 0, b2 = 0;
  std::sscanf(a.c_str(), "%u.%u", &a1, &a2);
  std::sscanf(b.c_str(), "%u.%u", &b1, &b2);
  return a1 != b1 ? a1 < b1 : a2 < b2;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

using Clock = std::chrono::steady_clock;

// One request to the daemon: the easy handle and what libcurl's callbacks share with the loop
// that drives it. Not movable (libcurl holds its address).
struct Exchange {
  curl::Easy easy;
  curl::Slist headers;
  Clock::time_point last_data = Clock::now();
  bool got_data = false;                          // a first byte of the answer arrived
  std::function<bool(std::string_view)> on_body;  // false: abort the transfer
  char error[CURL_ERROR_SIZE] = {};
  Exchange() = default;
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;
};

size_t on_header(char* /*data*/, size_t size, size_t n, void* p) {
  auto* ex = static_cast<Exchange*>(p);
  ex->got_data = true;
  ex->last_data = Clock::now();
  return size * n;
}

size_t on_write(char* data, size_t size, size_t n, void* p) {
  auto* ex = static_cast<Exchange*>(p);
  ex->got_data = true;
  ex->last_data = Clock::now();
  return ex->on_body(std::string_view(data, size * n)) ? size * n : 0;
}

// Sets up GET (or, with `post`, a POST without a body) of `target` on the socket;
// `connect_timeout_ms` bounds the connection.
Status open(Exchange& ex, const std::string& socket_path, const std::string& target, int connect_timeout_ms,
            bool post = false) {
  if (socket_path.size() >= sizeof(sockaddr_un::sun_path))
    return Error{fmt::format("docker: socket path too long: {}", socket_path)};
  ex.easy = curl::make_easy();
  if (!ex.easy) return Error{"docker: cannot initialise libcurl"};
  CURL* c = ex.easy.get();
  std::string url = "http://docker" + target;  // Host: docker
  ex.headers.reset(curl_slist_append(nullptr, "Accept: application/json"));
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket_path.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");  // an http_proxy in the environment is not the daemon
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tocsin/" TOCSIN_VERSION);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, ex.headers.get());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ex.error);
  if (post) {  // the engine's actions (pause, unpause, stop) take their arguments in the query
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
  }
  return ok_status();
}

enum class End { Done, Stopped, TimedOut };
struct Outcome {
  End end = End::Done;
  CURLcode code = CURLE_OK;  // when Done
};

// Runs the transfer until it ends, `stop` is set, or the daemon is silent for longer than
// `first_ms` before the first byte of the answer or `idle_ms` after it (0: no limit).
Outcome run(Exchange& ex, int first_ms, int idle_ms, const std::atomic<bool>* stop) {
  curl::Multi m(curl_multi_init());
  if (!m) return {End::Done, CURLE_OUT_OF_MEMORY};
  curl_multi_add_handle(m.get(), ex.easy.get());
  Outcome out;
  for (;;) {
    int running = 0;
    if (curl_multi_perform(m.get(), &running) != CURLM_OK) {
      out = {End::Done, CURLE_RECV_ERROR};
      break;
    }
    if (running == 0) {
      int left = 0;
      CURLMsg* msg = curl_multi_info_read(m.get(), &left);
      out = {End::Done, msg && msg->msg == CURLMSG_DONE ? msg->data.result : CURLE_OK};
      break;
    }
    if (stop && stop->load()) {
      out = {End::Stopped, CURLE_OK};
      break;
    }
    int limit = ex.got_data ? idle_ms : first_ms;
    if (limit > 0 && Clock::now() - ex.last_data > std::chrono::milliseconds(limit)) {
      out = {End::TimedOut, CURLE_OK};
      break;
    }
    curl_multi_poll(m.get(), nullptr, 0, kPollMs, nullptr);
  }
  curl_multi_remove_handle(m.get(), ex.easy.get());
  return out;
}

// A failed transfer in the words of the hand-written client this one replaced.
Error failure(const Exchange& ex, CURLcode code, const std::string& socket_path) {
  switch (code) {
    case CURLE_COULDNT_CONNECT: {
      long err = 0;
      curl_easy_getinfo(ex.easy.get(), CURLINFO_OS_ERRNO, &err);
      return Error{fmt::format("docker: cannot connect to {}: {}", socket_path,
                               err ? std::strerror(static_cast<int>(err)) : ex.error)};
    }
    case CURLE_GOT_NOTHING:
      return Error{"docker: connection closed before the response"};
    case CURLE_WEIRD_SERVER_REPLY:
      return Error{"docker: not an HTTP response"};
    default:
      return Error{fmt::format("docker: {}", ex.error[0] ? ex.error : curl_easy_strerror(code))};
  }
}

long response_code(const Exchange& ex) {
  long status = 0;
  curl_easy_getinfo(ex.easy.get(), CURLINFO_RESPONSE_CODE, &status);
  return status;
}

}  // namespace

std::string url_encode(std::string_view s) { return curl::escape(s); }

DockerClient::DockerClient(std::string host) {
  constexpr std::string_view kUnix = "unix://";
  if (host.rfind(kUnix, 0) == 0) host = host.substr(kUnix.size());
  socket_path_ = std::move(host);
}

Result<HttpResponse> DockerClient::get(const std::string& path, int timeout_ms) {
  return request(false, path, timeout_ms);
}

Result<HttpResponse> DockerClient::post(const std::string& path, int timeout_ms) {
  return request(true, path, timeout_ms);
}

Result<HttpResponse> DockerClient::request(bool post, const std::string& path, int timeout_ms) {
  HttpResponse r;
  bool too_large = false;
  Exchange ex;
  ex.on_body = [&](std::string_view data) {
    if (r.body.size() + data.size() > kMaxBody) {
      too_large = true;
      return false;
    }
    r.body.append(data);
    return true;
  };
  std::string target = path == "/_ping" ? path : fmt::format("/v{}{}", version_, path);
  if (auto s = open(ex, socket_path_, target, timeout_ms, post); !s) return s.error();
  Outcome o = run(ex, timeout_ms, timeout_ms, nullptr);
  if (too_large) return Error{"docker: response body too large"};
  if (o.end == End::TimedOut)
    return Error{ex.got_data ? "docker: timed out reading the response" : "docker: timed out waiting for the daemon"};
  if (o.code != CURLE_OK) return failure(ex, o.code, socket_path_);
  r.status = static_cast<int>(response_code(ex));
  for (curl_header* h = nullptr; (h = curl_easy_nextheader(ex.easy.get(), CURLH_HEADER, -1, h)) != nullptr;)
    r.headers[ascii_lower(h->name)] = h->value;
  return r;
}

Result<nlohmann::json> DockerClient::get_json(const std::string& path, int timeout_ms) {
  auto r = get(path, timeout_ms);
  if (!r) return r.error();
  if (r->status != 200)
    return Error{fmt::format("docker: GET {} returned {}: {}", path, r->status, r->body.substr(0, 200))};
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return Error{fmt::format("docker: GET {}: response is not JSON", path)};
  return j;
}

namespace {
// The engine's message from an error answer ({"message": "..."}), else the start of the body.
std::string engine_message(const HttpResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  return r.body.substr(0, 200);
}
}  // namespace

Result<ContainerState> DockerClient::inspect_container(const std::string& ref, int timeout_ms) {
  auto j = get_json("/containers/" + url_encode(ref) + "/json", timeout_ms);
  if (!j) return j.error();
  return container_state_from_inspect(*j);
}

Status DockerClient::container_action(const std::string& id, const std::string& action, int timeout_ms) {
  auto r = post("/containers/" + url_encode(id) + "/" + action, timeout_ms);
  if (!r) return r.error();
  // 204: done; 304 (stop): already stopped.
  if (r->status == 204 || r->status == 304) return ok_status();
  auto q = action.find('?');
  return Error{fmt::format("docker: {} {} returned {}: {}", action.substr(0, q), id, r->status, engine_message(*r))};
}

ContainerState container_state_from_inspect(const nlohmann::json& j) {
  ContainerState s;
  auto str = [](const nlohmann::json& o, const char* k) {
    return o.is_object() && o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
  };
  s.id = str(j, "Id");
  s.name = str(j, "Name");
  if (!s.name.empty() && s.name.front() == '/') s.name.erase(0, 1);  // docker: "/name"; podman: "name"
  if (j.is_object() && j.contains("Config") && j["Config"].is_object()) {
    const auto& cfg = j["Config"];
    s.image = str(cfg, "Image");
    if (cfg.contains("Labels") && cfg["Labels"].is_object())
      for (const auto& [k, v] : cfg["Labels"].items())
        if (v.is_string()) s.labels[k] = v.get<std::string>();
  }
  if (s.image.empty()) s.image = str(j, "ImageName");  // podman
  if (j.is_object() && j.contains("State") && j["State"].is_object()) {
    const auto& st = j["State"];
    s.running = st.contains("Running") && st["Running"].is_boolean() && st["Running"].get<bool>();
    s.paused = st.contains("Paused") && st["Paused"].is_boolean() && st["Paused"].get<bool>();
  }
  return s;
}

Status DockerClient::negotiate() {
  auto r = get("/_ping", 5000);
  if (!r) return r.error();
  if (r->status != 200) return Error{fmt::format("docker: /_ping returned {}", r->status)};
  auto it = r->headers.find("api-version");
  if (it != r->headers.end() && !it->second.empty()) {
    version_ = version_less(kNewestApi, it->second) ? kNewestApi : it->second;
  } else {
    auto v = get_json("/version", 5000);
    if (v && v->contains("ApiVersion") && (*v)["ApiVersion"].is_string()) {
      std::string sv = (*v)["ApiVersion"];
      version_ = version_less(kNewestApi, sv) ? kNewestApi : sv;
    }
  }
  return ok_status();
}

Status DockerClient::stream_events(const std::string& query,
                                   const std::function<bool(const nlohmann::json&)>& on_event,
                                   const std::atomic<bool>* stop) {
  Exchange ex;
  long status = 0;
  bool consumer_done = false;
  std::string body;
  // Messages are JSON objects, one a line; a line may arrive in pieces.
  ex.on_body = [&](std::string_view data) {
    if (status == 0) status = response_code(ex);
    if (status != 200) return false;
    body.append(data);
    size_t start = 0;
    for (;;) {
      size_t nl = body.find('\n', start);
      if (nl == std::string::npos) break;
      std::string_view line = trim(std::string_view(body).substr(start, nl - start));
      start = nl + 1;
      if (line.empty()) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && !on_event(j)) {
        consumer_done = true;
        return false;
      }
    }
    body.erase(0, start);
    if (body.size() > kMaxEventLine) body.clear();  // a runaway line: drop, resynchronise
    return true;
  };
  if (auto s = open(ex, socket_path_, fmt::format("/v{}/events?{}", version_, query), kEventsHeadTimeoutMs); !s)
    return s;
  Outcome o = run(ex, kEventsHeadTimeoutMs, 0, stop);
  if (consumer_done || o.end == End::Stopped) return ok_status();
  if (o.end == End::TimedOut) return Error{"docker: timed out waiting for the daemon"};
  if (status == 0) status = response_code(ex);
  if (status != 0 && status != 200) return Error{fmt::format("docker: /events returned {}", status)};
  if (o.code == CURLE_OK || o.code == CURLE_PARTIAL_FILE) return Error{"docker: the daemon closed the events stream"};
  if (o.code == CURLE_COULDNT_CONNECT || o.code == CURLE_GOT_NOTHING || o.code == CURLE_WEIRD_SERVER_REPLY)
    return failure(ex, o.code, socket_path_);
  return Error{fmt::format("docker: events stream: {}", ex.error[0] ? ex.error : curl_easy_strerror(o.code))};
}

}  // namespace tocsin::runtime
