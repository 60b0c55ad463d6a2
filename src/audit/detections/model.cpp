// Copy command parsing and path helpers for the audit detections.
#include "audit/detections/model.hpp"

#include <algorithm>

#include "audit/process/process_table.hpp"

namespace tocsin::audit {

std::string normalize_path(std::string_view p) {
  if (p.empty()) return {};
  // One pass, no list of parts: this runs for most PATH names of a hunt.
  std::string out;
  out.reserve(p.size() + 1);
  if (p.front() == '/') out.push_back('/');
  bool first = true;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view part = p.substr(i, j - i);
    if (!part.empty() && part != ".") {
      if (!first) out.push_back('/');
      out.append(part);
      first = false;
    }
    i = j + 1;
  }
  if (out.empty()) out.push_back('.');
  return out;
}

std::string join_path(std::string_view cwd, std::string_view p) {
  if (!p.empty() && p.front() == '/') return normalize_path(p);
  if (cwd.empty()) return normalize_path(p);
  std::string s(cwd);
  s += '/';
  s += p;
  return normalize_path(s);
}

std::string dir_name(std::string_view p) {
  std::string n = normalize_path(p);
  auto slash = n.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return n.substr(0, slash);
}

bool is_same_or_ancestor(std::string_view anc, std::string_view p) {
  std::string a = normalize_path(anc), b = normalize_path(p);
  if (a == b) return true;
  if (a == "/") return !b.empty() && b.front() == '/';
  return b.size() > a.size() && b.compare(0, a.size(), a) == 0 && b[a.size()] == '/';
}

namespace {

bool takes_value(std::string_view tool, std::string_view o) {
  static constexpr std::string_view kDocker[] = {"--config", "-c", "--context", "-H", "--host",
                                                 "-l", "--log-level", "--tlscacert", "--tlscert",
                                                 "--tlskey"};
  static constexpr std::string_view kPodman[] = {"--root", "--runroot", "--url", "--connection",
                                                 "-c", "--log-level", "--storage-driver",
                                                 "--cgroup-manager", "--identity", "--remote"};
  static constexpr std::string_view kNerdctl[] = {"--namespace", "-n", "--address", "-a", "-H",
                                                  "--host", "--snapshotter", "--cgroup-manager",
                                                  "--data-root", "--cni-path"};
  static constexpr std::string_view kKubectl[] = {"-n", "--namespace", "--context", "--kubeconfig",
                                                  "--cluster", "--user", "-s", "--server",
                                                  "--token", "-c", "--container", "--retries",
                                                  "--as", "--as-group", "--request-timeout",
                                                  "--certificate-authority", "--client-certificate",
                                                  "--client-key", "-v", "--v"};
  auto in = [&](const auto& list) { return std::find(std::begin(list), std::end(list), o) != std::end(list); };
  if (tool == "docker") return in(kDocker);
  if (tool == "podman") return in(kPodman);
  if (tool == "nerdctl") return in(kNerdctl);
  if (tool == "kubectl") return in(kKubectl);
  return false;
}

// "ctr:/path" → (ctr, /path). The container part must be a plausible name: non-empty, no '/'
// (kubectl: at most one, "ns/pod"), so that "./a:b" or "/x:y" stay local paths.
std::optional<std::pair<std::string, std::string>> container_spec(std::string_view tool,
                                                                  std::string_view arg) {
  auto colon = arg.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto name = arg.substr(0, colon);
  size_t slashes = std::count(name.begin(), name.end(), '/');
  if (slashes > (tool == "kubectl" ? 1u : 0u)) return std::nullopt;
  if (name.front() == '.' || name.front() == '-') return std::nullopt;
  return std::make_pair(std::string(name), std::string(arg.substr(colon + 1)));
}

}  // namespace

std::optional<CopyCommand> parse_copy_command(const std::vector<std::string>& argv) {
  if (argv.size() < 4) return std::nullopt;
  std::string tool(base_name(argv[0]));
  if (tool != "docker" && tool != "podman" && tool != "nerdctl" && tool != "kubectl")
    return std::nullopt;
  size_t i = 1;
  auto skip_options = [&] {
    while (i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-') {
      if (argv[i] == "--") return;
      if (argv[i].find('=') == std::string::npos && takes_value(tool, argv[i])) ++i;
      ++i;
    }
  };
  skip_options();
  if (i < argv.size() && (argv[i] == "container" || argv[i] == "compose")) {
    bool compose = argv[i] == "compose";
    ++i;
    if (compose) {  // docker compose [-f file] [-p project] cp
      while (i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-') {
        std::string_view o = argv[i];
        if ((o == "-f" || o == "--file" || o == "-p" || o == "--project-name" ||
             o == "--project-directory" || o == "--env-file" || o == "--profile") &&
            i + 1 < argv.size())
          ++i;
        ++i;
      }
    }
  }
  if (i >= argv.size() || argv[i] != "cp") return std::nullopt;
  ++i;
  std::vector<std::string_view> pos;
  bool opts_done = false;
  for (; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    if (!opts_done && a == "--") {
      opts_done = true;
      continue;
    }
    if (!opts_done && a.size() > 1 && a[0] == '-') {
      if (a == "-h" || a == "--help") return std::nullopt;
      if (a.find('=') == std::string_view::npos && takes_value(tool, a)) ++i;
      continue;
    }
    pos.push_back(a);
  }
  if (pos.size() != 2) return std::nullopt;
  auto src = container_spec(tool, pos[0]);
  auto dst = container_spec(tool, pos[1]);
  if (static_cast<bool>(src) == static_cast<bool>(dst)) return std::nullopt;
  CopyCommand c;
  c.tool = tool;
  if (src) {
    c.direction = "from-container";
    c.container = src->first;
    c.path = src->second;
    c.local = pos[1];
  } else {
    c.direction = "to-container";
    c.container = dst->first;
    c.path = dst->second;
    c.local = pos[0];
  }
  return c;
}

}  // namespace tocsin::audit
