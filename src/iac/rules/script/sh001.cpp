// SH001 core: recognises container copy commands in shell scripts (every CLI spelling, global
// flags before the subcommand, both directions) and decides whether the container can be
// running at that moment (not when the script paused/stopped it first or only `create`d it).
#include "iac/rules/script/sh001.hpp"
#include "core/strings.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace tocsin::iac::script {
namespace {

bool one_of(std::string_view s, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool is_tool(std::string_view t) {
  return one_of(t, {"docker", "podman", "nerdctl", "kubectl", "docker-compose", "podman-compose"});
}

// Global/sub-command options that take a value in the next word (when not written `--x=v`).
bool takes_value(std::string_view tool, std::string_view opt) {
  if (tool == "kubectl")
    return one_of(opt, {"-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s",
                        "--server", "--token", "--as", "--as-group", "--as-uid", "--request-timeout",
                        "-v", "--certificate-authority", "--client-certificate", "--client-key",
                        "--cache-dir", "--tls-server-name", "--profile", "--profile-output",
                        "--password", "--username", "-c", "--container", "--retries", "--log-dir",
                        "--vmodule"});
  if (tool == "compose")
    return one_of(opt, {"-f", "--file", "-p", "--project-name", "--profile", "--project-directory",
                        "--env-file", "--ansi", "--parallel", "--progress", "--index", "-H", "--host",
                        "-c", "--context", "--log-level"});
  if (tool == "podman")
    return one_of(opt, {"-c", "--connection", "--url", "--root", "--runroot", "--storage-driver",
                        "--log-level", "--cgroup-manager", "--identity", "--module", "--events-backend",
                        "--network-cmd-path", "--runtime", "--tmpdir", "--imagestore", "--storage-opt",
                        "--ssh", "--conmon", "--hooks-dir", "--network-config-dir", "--volumepath"});
  if (tool == "nerdctl")
    return one_of(opt, {"-n", "--namespace", "-a", "-H", "--address", "--host", "--snapshotter",
                        "--storage-driver", "--cni-path", "--cni-netconfpath", "--data-root",
                        "--cgroup-manager", "--host-gateway-ip", "--hosts-dir", "--bridge-ip"});
  // docker
  return one_of(opt, {"-c", "--context", "-H", "--host", "--config", "-l", "--log-level",
                      "--tlscacert", "--tlscert", "--tlskey"});
}

// Skips options starting at `i`; returns the index of the first non-option word.
size_t skip_options(const std::vector<sh::Word>& w, size_t i, std::string_view tool) {
  while (i < w.size()) {
    const std::string& t = w[i].text;
    if (t == "--") return i + 1;
    if (t.size() < 2 || t[0] != '-') break;
    if (t.find('=') == std::string::npos && takes_value(tool, t)) ++i;
    ++i;
  }
  return i;
}

std::string normalise_ref(std::string_view s) {
  std::string r(s);
  if (r.size() > 3 && r[0] == '$' && r[1] == '{' && r.back() == '}') r = "$" + r.substr(2, r.size() - 3);
  return r;
}

// `ctr:/path`, `ns/pod:/path`, `$CID:/x` → (container, path).
std::optional<std::pair<std::string, std::string>> container_side(std::string_view arg, bool kubectl) {
  if (arg.empty() || arg == "-" || arg[0] == '/' || arg[0] == '.' || arg[0] == '~') return std::nullopt;
  const size_t colon = arg.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view who = arg.substr(0, colon);
  if (colon == 1 && colon + 1 < arg.size() && (arg[2] == '\\' || arg[2] == '/') &&
      std::isalpha(static_cast<unsigned char>(arg[0])))
    return std::nullopt;  // a Windows drive letter (`C:\x`)
  const size_t slashes = static_cast<size_t>(std::count(who.begin(), who.end(), '/'));
  if (slashes > (kubectl ? 1u : 0u)) return std::nullopt;
  if (who.find("://") != std::string_view::npos) return std::nullopt;
  return std::pair{normalise_ref(who), std::string(arg.substr(colon + 1))};
}

enum class State { Running, Stopped, Created };

// A container lifecycle command (`docker pause x`, `podman container stop x y`): the new state
// for the named containers.
std::optional<State> lifecycle(std::string_view sub) {
  if (one_of(sub, {"pause", "stop", "kill"})) return State::Stopped;
  if (one_of(sub, {"unpause", "start", "restart", "up", "run"})) return State::Running;
  return std::nullopt;
}

// Variable assigned from `$(docker create …)`: `CID=$(docker create img)`.
void note_created_assignments(const sh::Command& cmd, std::map<std::string, State>& state) {
  for (const sh::Word& a : cmd.assignments) {
    const size_t eq = a.text.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = a.text.substr(0, eq);
    const std::string_view value = std::string_view(a.raw).substr(std::min(a.raw.size(), eq + 1));
    const bool creates = value.find(" create ") != std::string_view::npos &&
                         (value.find("docker") != std::string_view::npos ||
                          value.find("podman") != std::string_view::npos ||
                          value.find("nerdctl") != std::string_view::npos);
    const bool runs = value.find(" run ") != std::string_view::npos;
    if (creates) state["$" + name] = State::Created;
    else if (runs) state["$" + name] = State::Running;
  }
}

}  // namespace

bool may_name_tool(std::string_view text) {
  // docker-compose and podman-compose contain docker and podman.
  static constexpr std::string_view kNames[] = {"docker", "podman", "nerdctl", "kubectl"};
  auto names_one = [](std::string_view t) {
    return std::any_of(std::begin(kNames), std::end(kNames),
                       [t](std::string_view n) { return t.find(n) != std::string_view::npos; });
  };
  if (names_one(text)) return true;
  // Three memchr passes (find_first_of tests every byte against the set).
  if (text.find('\'') == std::string_view::npos && text.find('"') == std::string_view::npos &&
      text.find('\\') == std::string_view::npos)
    return false;
  // What the shell word splitter drops from a word's text: quotes, and a backslash (with the
  // newline after it, a line continuation).
  std::string squeezed;
  squeezed.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\'' || c == '"') continue;
    if (c == '\\') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      continue;
    }
    squeezed += c;
  }
  return names_one(squeezed);
}

bool may_concern_containers(const sh::Command& cmd) {
  for (const sh::Word& a : cmd.assignments)
    if (a.raw.find(" create ") != std::string::npos || a.raw.find(" run ") != std::string::npos) return true;
  for (const sh::Word& w : cmd.words)
    if (is_tool(base_name(w.text))) return true;
  return false;
}

std::vector<ContainerCopy> find_container_copies(const sh::Script& script) {
  std::vector<ContainerCopy> out;
  std::map<std::string, State> state;  // by container reference as written
  for (size_t c = 0; c < script.commands.size(); ++c) {
    const sh::Command& cmd = script.commands[c];
    note_created_assignments(cmd, state);
    const size_t real = cmd.real_command_index();
    if (real >= cmd.words.size()) continue;
    const auto& w = cmd.words;
    std::string tool(base_name(w[real].text));
    if (!is_tool(tool)) continue;
    const bool kubectl = tool == "kubectl";
    std::string shown = tool;
    std::string flag_tool = tool == "docker-compose" || tool == "podman-compose" ? "compose" : tool;
    size_t i = skip_options(w, real + 1, flag_tool);
    if (i >= w.size()) continue;
    std::string sub = w[i].text;
    if (!kubectl && (sub == "container" || sub == "compose") && i + 1 < w.size()) {
      shown += " " + sub;
      if (sub == "compose") flag_tool = "compose";
      i = skip_options(w, i + 1, flag_tool);
      if (i >= w.size()) continue;
      sub = w[i].text;
    }
    const bool compose = flag_tool == "compose";
    // Lifecycle commands on named containers.
    if (!kubectl) {
      auto st = lifecycle(sub);
      if (sub == "create") st = State::Created;
      if (st) {
        if (sub == "create" || sub == "run") {
          for (size_t k = i + 1; k < w.size(); ++k) {
            const std::string& t = w[k].text;
            if (t == "--name" && k + 1 < w.size()) state[normalise_ref(w[k + 1].text)] = *st;
            else if (t.rfind("--name=", 0) == 0) state[normalise_ref(t.substr(7))] = *st;
          }
        } else {
          for (size_t k = skip_options(w, i + 1, flag_tool); k < w.size(); ++k)
            if (!w[k].text.empty() && w[k].text[0] != '-') state[normalise_ref(w[k].text)] = *st;
        }
        continue;
      }
    }
    if (sub != "cp") continue;
    shown += " cp";
    // Operands; kubectl and compose accept options anywhere.
    std::vector<size_t> operands;
    bool opts_done = false;
    for (size_t k = i + 1; k < w.size(); ++k) {
      const std::string& t = w[k].text;
      if (!opts_done && t == "--") { opts_done = true; continue; }
      if (!opts_done && t.size() > 1 && t[0] == '-') {
        if (t.find('=') == std::string::npos && takes_value(flag_tool, t)) ++k;
        continue;
      }
      operands.push_back(k);
    }
    if (operands.size() < 2) continue;
    const sh::Word& src = w[operands[0]];
    const sh::Word& dst = w[operands[1]];
    auto from = container_side(src.text, kubectl);
    auto to = container_side(dst.text, kubectl);
    if (!from && !to) continue;
    ContainerCopy cc;
    cc.command = c;
    cc.tool_word = real;
    cc.last_word = operands[1];
    cc.tool = shown;
    cc.to_container = !from;
    const auto& side = from ? *from : *to;
    cc.container = side.first;
    cc.container_path = side.second;
    cc.local = from ? dst.text : src.text;
    if (!kubectl && !compose) {
      auto it = state.find(cc.container);
      if (it != state.end()) {
        cc.paused = it->second == State::Stopped;
        cc.not_started = it->second == State::Created;
      }
    } else if (compose) {
      auto it = state.find(cc.container);
      if (it != state.end()) cc.paused = it->second == State::Stopped;
    }
    out.push_back(std::move(cc));
  }
  return out;
}

void check_container_copy(const sh::Script& script, const MappedText& text, Emitter& out) {
  for (const ContainerCopy& cc : find_container_copies(script)) {
    if (cc.paused || cc.not_started) continue;
    const sh::Command& cmd = script.commands[cc.command];
    const sh::Word& first = cmd.words[cc.tool_word];
    const sh::Word& last = cmd.words[cc.last_word];
    const size_t b = text.to_file(first.begin);
    const size_t e = last.end == 0 ? text.to_file(0) : text.to_file(last.end - 1) + 1;
    const std::string direction =
        cc.to_container
            ? fmt::format("copies `{}` into container `{}` at `{}`", cc.local, cc.container, cc.container_path)
            : fmt::format("copies `{}` out of container `{}` to `{}`", cc.container_path, cc.container, cc.local);
    std::string msg;
    if (cc.tool == "kubectl cp") {
      msg = fmt::format(
          "`kubectl cp` {} while the pod runs: it streams a tar archive made or unpacked by "
          "`tar` inside the live container, which a process in the pod can race or forge "
          "(symlinks, `..` entries — CVE-2018-1002100, CVE-2019-1002101, CVE-2019-11246). Share "
          "the file through a volume, or stream it with `kubectl exec … cat` into a fresh "
          "directory and verify it.",
          direction);
    } else {
      const std::string& ctr = cc.container;
      const bool compose = cc.tool.find("compose") != std::string::npos;
      const std::string base = cc.tool.substr(0, cc.tool.find(' '));
      const std::string tool = compose ? cc.tool.substr(0, cc.tool.size() - 3) : base;
      msg = fmt::format(
          "`{}` {} while the container may be running: the engine resolves the path inside the live "
          "container, so a process in it can swap a path component for a symlink mid-copy and "
          "reach host files (CVE-2018-15664{}). Pause it around the copy (`{} pause {}` … `{} "
          "unpause {}`), copy from a stopped container or an image, or share the file through a "
          "volume.",
          cc.tool, direction, cc.to_container ? "" : ", CVE-2019-14271", tool, ctr, tool, ctr);
    }
    out.report("SH001", b, e, std::move(msg));
  }
}

}  // namespace tocsin::iac::script
