// The engines `watch --respond` acts through (see container_engine.hpp): the Docker Engine API
// client, and the podman CLI spawned with an argument vector and a deadline.
#include "runtime/container_engine.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

extern char** environ;

namespace tocsin::runtime {
namespace {

constexpr int kActionTimeoutMs = 10000;

class DockerEngine final : public ContainerEngine {
 public:
  explicit DockerEngine(const std::string& host) : client_(host) {}
  Result<ContainerState> inspect(const std::string& ref) override {
    if (auto s = ensure(); !s) return s.error();
    return client_.inspect_container(ref, kActionTimeoutMs);
  }
  Status pause(const std::string& id) override { return act(id, "pause", kActionTimeoutMs); }
  Status unpause(const std::string& id) override { return act(id, "unpause", kActionTimeoutMs); }
  Status stop(const std::string& id, int grace_s) override {
    // The daemon answers once the container is down: up to grace_s, then the kill.
    return act(id, fmt::format("stop?t={}", grace_s), kActionTimeoutMs + grace_s * 1000);
  }
  std::string cli() const override { return "docker"; }

 private:
  Status ensure() {
    if (negotiated_) return ok_status();
    if (auto s = client_.negotiate(); !s) return s;
    negotiated_ = true;
    return ok_status();
  }
  Status act(const std::string& id, const std::string& action, int timeout_ms) {
    if (auto s = ensure(); !s) return s;
    return client_.container_action(id, action, timeout_ms);
  }
  DockerClient client_;
  bool negotiated_ = false;
};

class PodmanCli final : public ContainerEngine {
 public:
  PodmanCli(std::string argv0, int timeout_ms) : argv0_(std::move(argv0)), timeout_ms_(timeout_ms) {}
  Result<ContainerState> inspect(const std::string& ref) override {
    // "--" so that a name from the audit data is never read as an option.
    auto out = run_bounded({argv0_, "container", "inspect", "--", ref}, timeout_ms_);
    if (!out) return out.error();
    auto j = nlohmann::json::parse(*out, nullptr, false);
    if (j.is_array() && !j.empty()) j = j[0];
    if (!j.is_object()) return Error{fmt::format("podman: container inspect {}: not a JSON object", ref)};
    return container_state_from_inspect(j);
  }
  Status pause(const std::string& id) override { return act({argv0_, "pause", "--", id}, timeout_ms_); }
  Status unpause(const std::string& id) override { return act({argv0_, "unpause", "--", id}, timeout_ms_); }
  Status stop(const std::string& id, int grace_s) override {
    return act({argv0_, "stop", "--time", std::to_string(grace_s), "--", id}, timeout_ms_ + grace_s * 1000);
  }
  std::string cli() const override { return "podman"; }

 private:
  static Status act(const std::vector<std::string>& argv, int timeout_ms) {
    auto out = run_bounded(argv, timeout_ms);
    if (!out) return out.error();
    return ok_status();
  }
  std::string argv0_;
  int timeout_ms_;
};

using Clock = std::chrono::steady_clock;

}  // namespace

std::unique_ptr<ContainerEngine> docker_engine(const std::string& host) { return std::make_unique<DockerEngine>(host); }

std::unique_ptr<ContainerEngine> podman_cli_engine(std::string argv0, int timeout_ms) {
  return std::make_unique<PodmanCli>(std::move(argv0), timeout_ms);
}

Result<std::string> run_bounded(const std::vector<std::string>& argv, int timeout_ms) {
  if (argv.empty()) return Error{"run: no command"};
  int out_p[2], err_p[2];
  if (::pipe2(out_p, O_CLOEXEC) != 0) return Error{fmt::format("pipe: {}", std::strerror(errno))};
  if (::pipe2(err_p, O_CLOEXEC) != 0) {
    ::close(out_p[0]);
    ::close(out_p[1]);
    return Error{fmt::format("pipe: {}", std::strerror(errno))};
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_p[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_p[1], 2);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out_p[1]);
  ::close(err_p[1]);
  if (rc != 0) {
    ::close(out_p[0]);
    ::close(err_p[0]);
    return Error{fmt::format("{}: {}", argv[0], std::strerror(rc))};
  }
  std::string text, errs;
  pollfd fds[2] = {{out_p[0], POLLIN, 0}, {err_p[0], POLLIN, 0}};
  std::string* bufs[2] = {&text, &errs};
  int open_fds = 2;
  char buf[65536];
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  bool timed_out = false;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    if (::poll(fds, 2, static_cast<int>(left)) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        if (bufs[i]->size() < (64u << 20)) bufs[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  if (timed_out) ::kill(pid, SIGKILL);  // our own child, by its pid
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!errs.empty() && (errs.back() == '\n' || errs.back() == ' ')) errs.pop_back();
  if (timed_out) return Error{fmt::format("{}: no answer within {} ms (killed)", fmt::join(argv, " "), timeout_ms)};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Error{fmt::format("{} failed{}", fmt::join(argv, " "), errs.empty() ? "" : ": " + errs)};
  return text;
}

}  // namespace tocsin::runtime
