// RT001–RT005 on a container's inspect data (see container_checks.hpp).
#include "runtime/container_checks.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

#include "audit/alert.hpp"
#include "core/host_paths.hpp"
#include "runtime/verify.hpp"
#include "core/strings.hpp"

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

// `path` inside `dir` (component-wise), with the remainder.
std::optional<std::string> under(const std::string& path, const std::string& dir) {
  auto p = components(path), d = components(dir);
  if (d.size() > p.size() || !std::equal(d.begin(), d.end(), p.begin())) return std::nullopt;
  std::string rest;
  for (size_t i = d.size(); i < p.size(); ++i) rest += (rest.empty() ? "" : "/") + p[i];
  return rest;
}

RuntimeAlert make(const ContainerInfo& c, const char* rule, Severity fallback, std::string msg) {
  RuntimeAlert a;
  a.rule = rule;
  a.severity = audit::rule_severity(rule, fallback);
  a.message = std::move(msg);
  a.container_id = c.id;
  a.container_name = c.name;
  a.image = c.image;
  return a;
}

nlohmann::ordered_json mount_json(const MountInfo& m) {
  nlohmann::ordered_json j;
  j["type"] = m.type;
  j["source"] = m.source;
  j["destination"] = m.destination;
  j["rw"] = m.rw;
  j["propagation"] = m.propagation;
  return j;
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

std::vector<RuntimeAlert> check_container(const ContainerInfo& c, const CheckOptions& opt) {
  std::vector<RuntimeAlert> out;
  // Bind sources as the daemon reports them and as the user wrote them (the daemon may have
  // resolved a symlink already in Mounts[].Source).
  std::vector<std::pair<std::string, const MountInfo*>> bind_sources;
  for (const auto& m : c.mounts)
    if (m.type == "bind") bind_sources.emplace_back(m.source, &m);
  for (const auto& spec : c.bind_specs) {
    std::string src = spec.substr(0, spec.find(':'));
    if (!src.empty() && src.front() == '/') bind_sources.emplace_back(src, nullptr);
  }
  std::vector<std::string> seen;
  for (const auto& [src, m] : bind_sources) {
    if (std::find(seen.begin(), seen.end(), src) != seen.end()) continue;
    seen.push_back(src);
    if (auto link = first_symlink_component(opt.host_root, src)) {
      auto a = make(c, "RT001", Severity::high,
                    *link == src ? fmt::format("bind mount source {} is a symlink: whoever can rewrite it chooses what the container gets", src)
                                 : fmt::format("bind mount source {} has a symlink parent {}: whoever can rewrite it chooses what the container gets", src, *link));
      a.details["mount"] = m ? mount_json(*m) : nlohmann::ordered_json{{"source", src}};
      a.details["symlink"] = *link;
      out.push_back(std::move(a));
    }
  }
  for (const auto& m : c.mounts) {
    if (m.type != "bind") continue;
    const auto hp = host_paths::classify(m.source);
    if (hp.kind == host_paths::Kind::RuntimeSocket) {
      auto a = make(c, "RT002", Severity::critical,
                    fmt::format("the container runtime socket {} is mounted at {}: full control of the host", m.source, m.destination));
      a.details["mount"] = mount_json(m);
      out.push_back(std::move(a));
    } else if (m.rw && hp.sensitive(/*read_only=*/false)) {
      auto a = make(c, "RT002", Severity::critical,
                    fmt::format("sensitive host path {} ({}) is bind-mounted writable at {}", m.source, hp.what,
                                m.destination));
      a.details["mount"] = mount_json(m);
      out.push_back(std::move(a));
    }
    if (m.propagation == "shared" || m.propagation == "rshared") {
      auto a = make(c, "RT003", Severity::high,
                    fmt::format("bind mount {} -> {} uses {} propagation: mounts made in the container appear on the host", m.source, m.destination, m.propagation));
      a.details["mount"] = mount_json(m);
      out.push_back(std::move(a));
    }
  }
  bool sys_admin = std::any_of(c.cap_add.begin(), c.cap_add.end(), [](const std::string& cap) {
    std::string u = ascii_lower(cap);
    return u == "sys_admin" || u == "cap_sys_admin" || u == "all";
  });
  if (c.privileged || sys_admin) {
    auto a = make(c, "RT004", Severity::high,
                  c.privileged ? std::string("the container runs privileged")
                               : std::string("the container has CAP_SYS_ADMIN"));
    a.details["privileged"] = c.privileged;
    a.details["cap_add"] = c.cap_add;
    out.push_back(std::move(a));
  }

  // RT005: the config file the container reads against the digest it was promised.
  std::string cfg;
  if (auto it = c.labels.find("tocsin.config"); it != c.labels.end()) cfg = it->second;
  else if (auto e = c.env.find("CONFIG_FILE"); e != c.env.end()) cfg = e->second;
  std::string expected;
  if (auto e = c.env.find("CONFIG_HASH"); e != c.env.end()) expected = e->second;
  if (auto l = c.labels.find("tocsin.config.sha256"); l != c.labels.end()) expected = l->second;
  if (auto d = opt.expected_digests.find(cfg); !cfg.empty() && d != opt.expected_digests.end()) expected = d->second;
  // The same digest forms as `verify --sha256`: bare hex, sha256:HEX, a sha256sum line.
  if (auto d = parse_sha256_digest(expected)) expected = *d;
  if (!cfg.empty() && !expected.empty()) {
    const MountInfo* best = nullptr;
    std::string rest;
    for (const auto& m : c.mounts) {
      if (m.type != "bind" && m.type != "volume") continue;
      auto r = under(cfg, m.destination);
      if (r && (!best || components(m.destination).size() > components(best->destination).size())) {
        best = &m;
        rest = *r;
      }
    }
    nlohmann::ordered_json detail;
    detail["path"] = cfg;
    detail["expected_sha256"] = expected;
    std::optional<std::string> problem;
    if (!is_sha256_hex(expected)) {
      problem = fmt::format("CONFIG_HASH '{}' is not a SHA-256", expected);
    } else if (best) {
      std::string hostsrc = (opt.host_root == "/" ? "" : opt.host_root) + best->source;
      std::string root_dir = hostsrc, rel = rest;
      if (rest.empty()) {  // the mount is the file itself: open its parent as the root
        size_t slash = hostsrc.find_last_of('/');
        root_dir = slash == 0 ? "/" : hostsrc.substr(0, slash);
        rel = hostsrc.substr(slash + 1);
      }
      detail["host_path"] = best->source + (rest.empty() ? "" : "/" + rest);
      auto root = safeio::open_no_symlinks(root_dir, O_PATH | O_DIRECTORY, opt.resolve);
      if (!root.ok()) {
        problem = fmt::format("the config file cannot be checked race-free: {}", root.error.message);
      } else {
        VerifyOptions vo;
        vo.file = rel;
        vo.sha256 = expected;
        vo.resolve = opt.resolve;
        auto rep = verify_in_root(root.fd.get(), rel, vo);
        if (rep.sha256) detail["actual_sha256"] = *rep.sha256;
        if (!rep.ok())
          problem = rep.sha256 ? fmt::format("{} (host {}) has sha256 {}, the container expects {}", cfg,
                                             detail["host_path"].get<std::string>(), *rep.sha256, expected)
                               : fmt::format("{} cannot be verified: {}", cfg,
                                             rep.problems.empty() ? std::string("error") : rep.problems.front());
      }
    } else {
      detail["host_path"] = nullptr;
    }
    if (problem) {
      auto a = make(c, "RT005", Severity::high, *problem);
      a.details["config"] = detail;
      out.push_back(std::move(a));
    }
  }
  return out;
}

std::string to_jsonl(const RuntimeAlert& a) {
  nlohmann::ordered_json j;
  j["rule"] = a.rule;
  j["severity"] = std::string(to_string(a.severity));
  j["time"] = audit::iso_time_ms(a.time_ms);
  j["host"] = a.host ? nlohmann::ordered_json(*a.host) : nlohmann::ordered_json(nullptr);
  j["message"] = a.message;
  j["container"] = {{"id", a.container_id}, {"name", a.container_name}, {"image", a.image}};
  for (auto it = a.details.begin(); it != a.details.end(); ++it) j[it.key()] = it.value();
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string to_text(const RuntimeAlert& a) {
  return fmt::format("{} {} [{}] {} (container {} {})", audit::iso_time_ms(a.time_ms), a.rule,
                     to_string(a.severity), a.message, a.container_name,
                     a.container_id.substr(0, 12));
}

}  // namespace tocsin::runtime
