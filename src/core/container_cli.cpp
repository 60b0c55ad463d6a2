// The container CLIs' grammar (see container_cli.hpp). The option tables are the options of
// each CLI that take a value (docker 20.10-27, podman 4, nerdctl 1, kubectl 1.2x, Compose v2).
#include "core/container_cli.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>

#include "core/strings.hpp"

namespace tocsin::container_cli {

bool is_tool(std::string_view program) {
  return one_of(program, {"docker", "podman", "nerdctl", "kubectl", "docker-compose", "podman-compose"});
}

// clang-format off: tables, laid out for reading
bool takes_value(std::string_view table, std::string_view opt) {
  if (table == "kubectl")
    return one_of(opt, {"-n",
                        "--namespace",
                        "--context",
                        "--kubeconfig",
                        "--cluster",
                        "--user",
                        "-s",
                        "--server",
                        "--token",
                        "--as",
                        "--as-group",
                        "--as-uid",
                        "--request-timeout",
                        "-v",
                        "--v",
                        "--certificate-authority",
                        "--client-certificate",
                        "--client-key",
                        "--cache-dir",
                        "--tls-server-name",
                        "--profile",
                        "--profile-output",
                        "--password",
                        "--username",
                        "-c",
                        "--container",
                        "--retries",
                        "--log-dir",
                        "--vmodule"});
  if (table == "compose")
    return one_of(opt,
                  {"-f", "--file", "-p", "--project-name", "--profile", "--project-directory", "--env-file", "--ansi",
                   "--parallel", "--progress", "--index", "-H", "--host", "-c", "--context", "--log-level"});
  if (table == "podman")
    return one_of(opt, {"-c",
                        "--connection",
                        "--url",
                        "--root",
                        "--runroot",
                        "--storage-driver",
                        "--log-level",
                        "--cgroup-manager",
                        "--identity",
                        "--module",
                        "--events-backend",
                        "--network-cmd-path",
                        "--runtime",
                        "--tmpdir",
                        "--imagestore",
                        "--storage-opt",
                        "--ssh",
                        "--conmon",
                        "--hooks-dir",
                        "--network-config-dir",
                        "--volumepath"});
  if (table == "nerdctl")
    return one_of(opt, {"-n", "--namespace", "-a", "-H", "--address", "--host", "--snapshotter", "--storage-driver",
                        "--cni-path", "--cni-netconfpath", "--data-root", "--cgroup-manager", "--host-gateway-ip",
                        "--hosts-dir", "--bridge-ip"});
  if (table == "docker")
    return one_of(opt, {"-c", "--context", "-H", "--host", "--config", "-l", "--log-level", "--tlscacert", "--tlscert",
                        "--tlskey"});
  return false;
}
// clang-format on

std::optional<std::pair<std::string, std::string>> container_side(std::string_view arg, bool kubectl) {
  if (arg.empty() || arg == "-" || arg[0] == '/' || arg[0] == '.' || arg[0] == '~' || arg[0] == '-')
    return std::nullopt;
  const size_t colon = arg.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view who = arg.substr(0, colon);
  if (colon == 1 && colon + 1 < arg.size() && (arg[2] == '\\' || arg[2] == '/') &&
      std::isalpha(static_cast<unsigned char>(arg[0])))
    return std::nullopt;  // a Windows drive letter (`C:\x`)
  const auto slashes = static_cast<size_t>(std::count(who.begin(), who.end(), '/'));
  if (slashes > (kubectl ? 1u : 0u)) return std::nullopt;
  if (arg.substr(colon, 3) == "://") return std::nullopt;  // a URL
  return std::pair{std::string(who), std::string(arg.substr(colon + 1))};
}

size_t skip_options(const std::vector<std::string_view>& w, size_t i, std::string_view table) {
  while (i < w.size()) {
    const std::string_view t = w[i];
    if (t == "--") return i + 1;
    if (t.size() < 2 || t[0] != '-') break;
    if (t.find('=') == std::string_view::npos && takes_value(table, t)) ++i;
    ++i;
  }
  return i;
}

std::optional<Subcommand> parse_subcommand(const std::vector<std::string_view>& w, size_t program) {
  if (program >= w.size()) return std::nullopt;
  Subcommand s;
  s.program = std::string(base_name(w[program]));
  if (!is_tool(s.program)) return std::nullopt;
  s.kubectl = s.program == "kubectl";
  s.shown = s.program;
  s.compose = s.program == "docker-compose" || s.program == "podman-compose";
  s.table = s.compose ? "compose" : s.program;
  size_t i = skip_options(w, program + 1, s.table);
  if (i >= w.size()) return std::nullopt;
  if (!s.kubectl && (w[i] == "container" || w[i] == "compose") && i + 1 < w.size()) {
    s.shown += " " + std::string(w[i]);
    if (w[i] == "compose") {
      s.compose = true;
      s.table = "compose";
    }
    i = skip_options(w, i + 1, s.table);
    if (i >= w.size()) return std::nullopt;
  }
  s.index = i;
  return s;
}

std::optional<Copy> parse_copy(const std::vector<std::string_view>& w, size_t program) {
  auto sub = parse_subcommand(w, program);
  if (!sub || w[sub->index] != "cp") return std::nullopt;
  // Operands; kubectl and Compose accept options after them too.
  std::vector<size_t> operands;
  bool opts_done = false;
  for (size_t k = sub->index + 1; k < w.size(); ++k) {
    const std::string_view t = w[k];
    if (!opts_done && t == "--") {
      opts_done = true;
      continue;
    }
    if (!opts_done && t.size() > 1 && t[0] == '-') {
      if (t == "-h" || t == "--help") return std::nullopt;
      if (t.find('=') == std::string_view::npos && takes_value(sub->table, t)) ++k;
      continue;
    }
    operands.push_back(k);
  }
  if (operands.size() != 2) return std::nullopt;
  auto from = container_side(w[operands[0]], sub->kubectl);
  auto to = container_side(w[operands[1]], sub->kubectl);
  if (static_cast<bool>(from) == static_cast<bool>(to)) return std::nullopt;
  Copy c;
  c.via = std::move(*sub);
  c.to_container = !from;
  c.src = operands[0];
  c.dst = operands[1];
  auto& side = from ? *from : *to;
  c.container = std::move(side.first);
  c.path = std::move(side.second);
  c.local = std::string(from ? w[operands[1]] : w[operands[0]]);
  return c;
}

}  // namespace tocsin::container_cli
