// Copy commands (the grammar is core/container_cli, shared with SH001) and path helpers for the
// audit detections.
#include "audit/detections/model.hpp"

#include "audit/process/process_table.hpp"
#include "core/container_cli.hpp"

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

std::optional<CopyCommand> parse_copy_command(const std::vector<std::string>& argv) {
  const std::vector<std::string_view> words(argv.begin(), argv.end());
  auto c = container_cli::parse_copy(words);
  // The engines' own clients: docker-compose (v1) and podman-compose run `docker`/`podman`
  // (or the API) themselves, and those are what the hunt follows.
  if (!c || c->via.program == "docker-compose" || c->via.program == "podman-compose") return std::nullopt;
  CopyCommand out;
  out.tool = c->via.program;
  out.direction = c->to_container ? "to-container" : "from-container";
  out.container = std::move(c->container);
  out.path = std::move(c->path);
  out.local = std::move(c->local);
  return out;
}

}  // namespace tocsin::audit
