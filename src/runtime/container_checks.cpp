// Inspect data → ContainerInfo, the rules of runtime/rules/ run on it, and the alert shapes
// (see container_checks.hpp).
#include "runtime/container_checks.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

#include "audit/alert.hpp"

namespace tocsin::runtime {
namespace {

std::string str_at(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Splits a normalised absolute path into components ("/a//b/" -> {"a","b"}).
std::vector<std::string> components(const std::string& p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    if (j > i) out.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& c, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += "/" + c[i];
  return out.empty() ? "/" : out;
}

}  // namespace

ContainerInfo parse_inspect(const nlohmann::json& j) {
  ContainerInfo c;
  if (!j.is_object()) return c;
  c.id = str_at(j, "Id");
  c.name = str_at(j, "Name");
  if (!c.name.empty() && c.name.front() == '/') c.name.erase(0, 1);
  if (auto cfg = j.find("Config"); cfg != j.end() && cfg->is_object()) {
    c.image = str_at(*cfg, "Image");
    if (auto env = cfg->find("Env"); env != cfg->end() && env->is_array())
      for (const auto& e : *env)
        if (e.is_string()) {
          std::string s = e.get<std::string>();
          size_t eq = s.find('=');
          if (eq != std::string::npos) c.env[s.substr(0, eq)] = s.substr(eq + 1);
        }
    if (auto lab = cfg->find("Labels"); lab != cfg->end() && lab->is_object())
      for (auto it = lab->begin(); it != lab->end(); ++it)
        if (it->is_string()) c.labels[it.key()] = it->get<std::string>();
  }
  if (c.image.empty()) c.image = str_at(j, "Image");
  if (auto hc = j.find("HostConfig"); hc != j.end() && hc->is_object()) {
    if (auto p = hc->find("Privileged"); p != hc->end() && p->is_boolean()) c.privileged = p->get<bool>();
    if (auto caps = hc->find("CapAdd"); caps != hc->end() && caps->is_array())
      for (const auto& e : *caps)
        if (e.is_string()) c.cap_add.push_back(e.get<std::string>());
    if (auto b = hc->find("Binds"); b != hc->end() && b->is_array())
      for (const auto& e : *b)
        if (e.is_string()) c.bind_specs.push_back(e.get<std::string>());
  }
  if (auto ms = j.find("Mounts"); ms != j.end() && ms->is_array())
    for (const auto& m : *ms) {
      if (!m.is_object()) continue;
      MountInfo mi;
      mi.type = str_at(m, "Type");
      mi.source = str_at(m, "Source");
      mi.destination = str_at(m, "Destination");
      mi.propagation = str_at(m, "Propagation");
      if (auto rw = m.find("RW"); rw != m.end() && rw->is_boolean()) mi.rw = rw->get<bool>();
      c.mounts.push_back(std::move(mi));
    }
  return c;
}

namespace {
// Distribution compatibility links (usrmerge, /var/run -> /run): root-owned, in root-owned
// directories, identical on every host; a bind through them is not steerable by anyone but root.
bool is_system_compat_link(const std::string& p, const struct stat& st) {
  static const char* kLinks[] = {"/var/run", "/var/lock", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
  return st.st_uid == 0 &&
         std::any_of(std::begin(kLinks), std::end(kLinks), [&](const char* l) { return p == l; });
}
}  // namespace

std::optional<std::string> first_symlink_component(const std::string& host_root, const std::string& path) {
  auto comps = components(path);
  std::string base = host_root == "/" ? "" : host_root;
  while (!base.empty() && base.back() == '/') base.pop_back();
  for (size_t n = 1; n <= comps.size(); ++n) {
    std::string p = join(comps, n);
    struct stat st {};
    if (::lstat((base + p).c_str(), &st) != 0) return std::nullopt;  // gone: nothing to say
    if (S_ISLNK(st.st_mode) && !is_system_compat_link(p, st)) return p;
  }
  return std::nullopt;
}

}  // namespace tocsin::runtime
