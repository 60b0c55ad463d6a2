// Building the Compose model from YAML with positions.
#include "iac/parse/compose_model.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace tocsin::iac::compose {

using yaml::Ref;

const Service* Project::find(std::string_view name) const {
  for (const auto& s : services)
    if (s.name == name) return &s;
  return nullptr;
}

namespace {

constexpr std::array<std::string_view, 14> kModes = {"ro", "rw", "z", "Z", "shared", "rshared", "slave",
                                                      "rslave", "private", "rprivate", "nocopy", "cached",
                                                      "delegated", "consistent"};

bool is_mode_list(std::string_view s) {
  if (s.empty()) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t c = s.find(',', start);
    if (c == std::string_view::npos) c = s.size();
    auto m = s.substr(start, c - start);
    if (std::find(kModes.begin(), kModes.end(), m) == kModes.end()) return false;
    start = c + 1;
  }
  return true;
}

bool looks_like_path(std::string_view s) {
  if (s.empty()) return false;
  if (s.front() == '/' || s.front() == '.' || s.front() == '~' || s.front() == '\\') return true;
  if (s.size() >= 2 && std::isalpha(static_cast<unsigned char>(s[0])) && s[1] == ':') return true;
  return s.find('/') != std::string_view::npos || s.find('\\') != std::string_view::npos;
}

yaml::Span span(const Ref& r) { return yaml::span_of(r); }

}  // namespace

Mount parse_short_volume(std::string_view spec) {
  Mount m;
  std::vector<std::string_view> parts;
  size_t start = 0;
  // A Windows drive letter (`C:\data`) is part of the source, not a separator.
  if (spec.size() >= 3 && std::isalpha(static_cast<unsigned char>(spec[0])) && spec[1] == ':' &&
      (spec[2] == '\\' || spec[2] == '/')) {
    size_t c = spec.find(':', 2);
    parts.push_back(spec.substr(0, c == std::string_view::npos ? spec.size() : c));
    start = c == std::string_view::npos ? spec.size() + 1 : c + 1;
  }
  while (start <= spec.size()) {
    size_t c = spec.find(':', start);
    if (c == std::string_view::npos) c = spec.size();
    parts.push_back(spec.substr(start, c - start));
    start = c + 1;
  }
  std::string_view mode;
  if (parts.size() == 1) {
    m.target = std::string(parts[0]);
  } else if (parts.size() == 2 && is_mode_list(parts[1]) && !parts[0].empty() && parts[0].front() == '/') {
    m.target = std::string(parts[0]);
    mode = parts[1];
  } else {
    m.source = std::string(parts[0]);
    m.target = std::string(parts[1]);
    if (parts.size() >= 3) mode = parts[2];
  }
  if (m.source.empty()) {
    m.type = MountType::Volume;  // anonymous volume
  } else {
    m.type = looks_like_path(m.source) ? MountType::Bind : MountType::Volume;
  }
  size_t s = 0;
  while (!mode.empty() && s <= mode.size()) {
    size_t c = mode.find(',', s);
    if (c == std::string_view::npos) c = mode.size();
    std::string opt(mode.substr(s, c - s));
    if (opt == "ro") m.read_only = true;
    if (opt == "shared" || opt == "rshared" || opt == "slave" || opt == "rslave" || opt == "private" ||
        opt == "rprivate")
      m.propagation = opt;
    if (!opt.empty()) m.modes.push_back(opt);
    s = c + 1;
  }
  return m;
}

std::string normalize_path(std::string_view p) {
  bool abs = !p.empty() && p.front() == '/';
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= p.size()) {
    size_t c = p.find('/', start);
    if (c == std::string_view::npos) c = p.size();
    auto seg = p.substr(start, c - start);
    start = c + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!abs) {
        parts.push_back(seg);
      }
      continue;
    }
    parts.push_back(seg);
  }
  if (!abs && parts.empty()) return std::string(".");
  std::string out;
  out.reserve(p.size() + 2);
  if (!abs) out.push_back('.');
  for (auto seg : parts) {
    out.push_back('/');
    out.append(seg.data(), seg.size());
  }
  if (out.empty()) out.push_back('/');
  return out;
}

bool path_within(std::string_view inner, std::string_view outer) {
  if (outer == "/") return !inner.empty() && inner.front() == '/';
  if (inner.size() < outer.size() || inner.substr(0, outer.size()) != outer) return false;
  return inner.size() == outer.size() || inner[outer.size()] == '/';
}

namespace {

Ref services_of(const yaml::File& file) {
  for (const auto& d : file.documents()) {
    Ref root = file.root(d);
    if (!root.is_map()) continue;
    Ref s = root.get("services");
    if (s.is_map()) return s;
  }
  return {};
}

Mount long_volume(const Ref& v) {
  Mount m;
  m.long_form = true;
  std::string type = v.get("type").str();
  if (type == "bind") m.type = MountType::Bind;
  else if (type == "volume") m.type = MountType::Volume;
  else if (type == "tmpfs") m.type = MountType::Tmpfs;
  else if (type == "npipe") m.type = MountType::Npipe;
  else if (type == "cluster") m.type = MountType::Cluster;
  else if (type == "image") m.type = MountType::Image;
  m.source = v.get("source").str();
  m.target = v.get("target").str();
  m.read_only = v.get("read_only").as_bool().value_or(false);
  if (m.type == MountType::Unknown && !m.source.empty())
    m.type = looks_like_path(m.source) ? MountType::Bind : MountType::Volume;
  if (auto src = v.find("source")) {
    m.at = src->key_span();
  } else if (auto t = v.find("type")) {
    m.at = t->key_span();
  } else {
    m.at = span(v);
  }
  m.propagation_at = m.at;
  if (Ref bind = v.get("bind"); bind.is_map()) {
    if (auto p = bind.find("propagation")) {
      m.propagation = p->value.str();
      m.propagation_at = p->key_span();
    }
  }
  return m;
}

bool healthcheck_enabled(const Ref& hc) {
  if (!hc.is_map()) return false;
  if (hc.get("disable").as_bool().value_or(false)) return false;
  Ref test = hc.get("test");
  if (test.is_seq()) {
    auto items = test.items();
    if (!items.empty() && items.front().str() == "NONE") return false;
    return !items.empty();
  }
  return test.is_scalar() && !test.str().empty();
}

}  // namespace

bool looks_like_compose(const yaml::File& file) {
  Ref s = services_of(file);
  if (!s) return false;
  static constexpr std::array<std::string_view, 16> kKeys = {
      "image", "build", "command", "entrypoint", "volumes", "ports", "environment", "depends_on",
      "networks", "restart", "container_name", "healthcheck", "env_file", "extends", "labels", "deploy"};
  for (const auto& e : s.entries()) {
    if (!e.value.is_map()) continue;
    for (const auto& k : kKeys)
      if (e.value.find(k)) return true;
  }
  return false;
}

Project build_project(const yaml::File& file) {
  Project p;
  for (const auto& d : file.documents()) {
    Ref root = file.root(d);
    if (!root.is_map() || !root.get("services").is_map()) continue;
    for (const char* top : {"volumes", "configs", "secrets"}) {
      Ref m = root.get(top);
      if (!m.is_map()) continue;
      auto& list = std::string_view(top) == "volumes" ? p.named_volumes
                   : std::string_view(top) == "configs" ? p.configs
                                                        : p.secrets;
      for (const auto& e : m.entries()) list.push_back(e.key.str());
    }
    for (const auto& e : root.get("services").entries()) {
      Service s;
      s.name = e.key.str();
      s.name_at = e.key_span();
      const Ref& sv = e.value;
      if (!sv.is_map()) {
        p.services.push_back(std::move(s));
        continue;
      }
      for (const Ref& v : sv.get("volumes").items()) {
        if (v.is_scalar()) {
          Mount m = parse_short_volume(v.str());
          m.at = span(v);
          m.propagation_at = m.at;
          s.mounts.push_back(std::move(m));
        } else if (v.is_map()) {
          s.mounts.push_back(long_volume(v));
        }
      }
      Ref dep = sv.get("depends_on");
      if (dep.is_seq()) {
        for (const Ref& item : dep.items())
          if (item.is_scalar()) s.depends_on.push_back({item.str(), "", true, span(item)});
      } else if (dep.is_map()) {
        for (const auto& de : dep.entries())
          s.depends_on.push_back({de.key.str(), de.value.get("condition").str(), false, de.key_span()});
      }
      s.has_healthcheck = healthcheck_enabled(sv.get("healthcheck"));
      if (auto pr = sv.find("privileged"); pr && pr->value.as_bool().value_or(false))
        s.privileged = Flagged{"true", pr->key_span()};
      for (const Ref& c : sv.get("cap_add").items()) s.cap_add.push_back({c.str(), span(c)});
      for (const Ref& c : sv.get("security_opt").items()) s.security_opt.push_back({c.str(), span(c)});
      s.read_only = sv.get("read_only").as_bool();
      if (auto wd = sv.find("working_dir"); wd && wd->value.is_scalar())
        s.working_dir = Flagged{wd->value.str(), wd->key_span()};
      for (const Ref& pr : sv.get("profiles").items()) s.profiles.push_back(pr.str());
      Ref ext = sv.get("extends");
      s.extends = ext.is_scalar() ? ext.str() : ext.get("service").str();
      s.image = sv.get("image").str();
      p.services.push_back(std::move(s));
    }
    break;
  }
  return p;
}

bool is_runtime_socket(std::string_view raw) {
  std::string p = normalize_path(raw);
  static constexpr std::array<std::string_view, 8> kSockets = {
      "/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
      "/var/run/containerd/containerd.sock", "/run/crio/crio.sock", "/var/run/crio/crio.sock",
      "/run/podman/podman.sock", "/var/run/podman/podman.sock"};
  for (auto s : kSockets)
    if (p == s) return true;
  auto ends = [&](std::string_view suf) { return p.size() >= suf.size() && p.compare(p.size() - suf.size(), suf.size(), suf) == 0; };
  return ends("/docker.sock") || ends("/containerd.sock") || ends("/crio.sock") || ends("/podman.sock") ||
         ends("/dockershim.sock") || p == "/var/run/docker" || p == "/run/containerd" ||
         p == "/var/run/containerd";
}

bool is_sensitive_host_path(std::string_view raw) {
  std::string p = normalize_path(raw);
  if (p == "/") return true;
  static constexpr std::array<std::string_view, 12> kRoots = {"/etc", "/proc", "/sys", "/dev", "/boot",
                                                               "/root", "/home", "/usr", "/var/lib/docker",
                                                               "/var/run", "/run", "/var/lib/kubelet"};
  for (auto r : kRoots)
    if (path_within(p, r)) return true;
  return false;
}

bool is_benign_host_file(std::string_view raw) {
  std::string p = normalize_path(raw);
  static constexpr std::array<std::string_view, 6> kFiles = {"/etc/localtime", "/etc/timezone", "/etc/hostname",
                                                              "/etc/hosts", "/etc/resolv.conf", "/etc/machine-id"};
  for (auto f : kFiles)
    if (p == f) return true;
  return path_within(p, "/usr/share/zoneinfo");
}

}  // namespace tocsin::iac::compose
