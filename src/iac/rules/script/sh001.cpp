// SH001 core: finds container copy commands in shell scripts (the grammar is
// core/container_cli, shared with the audit model) and decides whether the container can be
// running at that moment (not when the script paused/stopped it first or only `create`d it).
#include "iac/rules/script/sh001.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/container_cli.hpp"
#include "core/strings.hpp"

namespace tocsin::iac::script {
namespace {

std::string normalise_ref(std::string_view s) {
  std::string r(s);
  if (r.size() > 3 && r[0] == '$' && r[1] == '{' && r.back() == '}') r = "$" + r.substr(2, r.size() - 3);
  return r;
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
    if (container_cli::is_tool(base_name(w.text))) return true;
  return false;
}

std::vector<ContainerCopy> find_container_copies(const sh::Script& script) {
  std::vector<ContainerCopy> out;
  std::map<std::string, State> state;  // by container reference as written
  std::vector<std::string_view> words;
  for (size_t c = 0; c < script.commands.size(); ++c) {
    const sh::Command& cmd = script.commands[c];
    note_created_assignments(cmd, state);
    const size_t real = cmd.real_command_index();
    if (real >= cmd.words.size()) continue;
    words.clear();
    for (const sh::Word& w : cmd.words) words.emplace_back(w.text);
    const auto sub = container_cli::parse_subcommand(words, real);
    if (!sub) continue;
    const std::string_view verb = words[sub->index];
    // Lifecycle commands on named containers.
    if (!sub->kubectl) {
      auto st = lifecycle(verb);
      if (verb == "create") st = State::Created;
      if (st) {
        if (verb == "create" || verb == "run") {
          for (size_t k = sub->index + 1; k < words.size(); ++k) {
            const std::string_view t = words[k];
            if (t == "--name" && k + 1 < words.size()) state[normalise_ref(words[k + 1])] = *st;
            else if (t.rfind("--name=", 0) == 0) state[normalise_ref(t.substr(7))] = *st;
          }
        } else {
          for (size_t k = container_cli::skip_options(words, sub->index + 1, sub->table); k < words.size(); ++k)
            if (!words[k].empty() && words[k][0] != '-') state[normalise_ref(words[k])] = *st;
        }
        continue;
      }
    }
    auto copy = container_cli::parse_copy(words, real);
    if (!copy) continue;
    ContainerCopy cc;
    cc.command = c;
    cc.tool_word = real;
    cc.last_word = copy->dst;
    cc.tool = copy->via.shown + " cp";
    cc.to_container = copy->to_container;
    cc.container = normalise_ref(copy->container);
    cc.container_path = std::move(copy->path);
    cc.local = std::move(copy->local);
    if (!sub->kubectl) {
      auto it = state.find(cc.container);
      if (it != state.end()) {
        cc.paused = it->second == State::Stopped;
        cc.not_started = !sub->compose && it->second == State::Created;
      }
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
