// Building the Compose model from YAML with positions.
#include "iac/parse/compose_model.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

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

// The next `:` that separates volume fields: not one inside `${VAR:-default}` (Compose
// interpolates those before it splits the entry). The end of `spec` when there is none.
size_t next_separator(std::string_view spec, size_t from) {
  int depth = 0;
  for (size_t i = from; i < spec.size(); ++i) {
    if (spec[i] == '$' && i + 1 < spec.size() && spec[i + 1] == '$') {
      ++i;  // `$$` is a literal dollar
    } else if (spec[i] == '$' && i + 1 < spec.size() && spec[i + 1] == '{') {
      ++depth;
      ++i;
    } else if (spec[i] == '}' && depth > 0) {
      --depth;
    } else if (spec[i] == ':' && depth == 0) {
      return i;
    }
  }
  return spec.size();
}

}  // namespace

Mount parse_short_volume(std::string_view spec) {
  Mount m;
  std::vector<std::string_view> parts;
  size_t start = 0;
  // A Windows drive letter (`C:\data`) is part of the source, not a separator.
  if (spec.size() >= 3 && std::isalpha(static_cast<unsigned char>(spec[0])) && spec[1] == ':' &&
      (spec[2] == '\\' || spec[2] == '/')) {
    size_t c = next_separator(spec, 2);
    parts.push_back(spec.substr(0, c));
    start = c + 1;
  }
  while (start <= spec.size()) {
    size_t c = next_separator(spec, start);
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

namespace {

// Keys a version-1 file (services at the top level) cannot have: they belong to the later formats.
bool later_format_key(std::string_view k) {
  return k == "services" || k == "networks" || k == "volumes" || k == "configs" || k == "secrets" ||
         k == "include" || k == "name" || k == "models";
}

bool service_like(const Ref& v) { return v.is_map() && (v.find("image") || v.find("build")); }

// A version-1 Compose file: every top-level entry but `version` and `x-*` extensions is a
// service mapping, and some have `image:` or `build:`.
bool version1_root(const Ref& root) {
  if (!root.is_map()) return false;
  bool any = false;
  for (const auto& e : root.entries()) {
    std::string_view k = e.key.str();
    if (k == "version" || k.rfind("x-", 0) == 0) continue;
    if (later_format_key(k) || !e.value.is_map()) return false;
    any = any || service_like(e.value);
  }
  return any;
}

// The services mapping of a document: `services:` (version 2 and the Compose specification),
// or the root itself for version 1.
Ref services_in(const Ref& root, bool& v1) {
  v1 = false;
  if (!root.is_map()) return {};
  if (Ref s = root.get("services"); s.is_map()) return s;
  if (version1_root(root)) {
    v1 = true;
    return root;
  }
  return {};
}

Ref services_of(const yaml::File& file) {
  for (const auto& d : file.documents()) {
    bool v1 = false;
    if (Ref s = services_in(file.root(d), v1)) return s;
  }
  return {};
}

Mount long_volume(const Ref& v) {
  Mount m;
  m.long_form = true;
  std::string type(v.get("type").str());
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
  for (const auto& e : s.entries(kMaxServices)) {
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
    bool v1 = false;
    Ref services = services_in(root, v1);
    if (!services) continue;
    p.version1 = v1;
    for (const char* top : {"volumes", "configs", "secrets"}) {
      Ref m = v1 ? Ref() : root.get(top);
      if (!m.is_map()) continue;
      auto& list = std::string_view(top) == "volumes" ? p.named_volumes
                   : std::string_view(top) == "configs" ? p.configs
                                                        : p.secrets;
      for (const auto& e : m.entries()) list.emplace_back(e.key.str());
    }
    // Named volumes the local driver backs with a host directory (`driver_opts: {o: bind,
    // device: /path}`): mounting one is a bind mount of that directory.
    std::map<std::string, std::string, std::less<>> bound;
    if (!v1)
      for (const auto& e : root.get("volumes").entries()) {
        Ref opts = e.value.get("driver_opts");
        std::string_view o = opts.get("o").str();
        std::string_view dev = opts.get("device").str();
        if (o.find("bind") != std::string_view::npos && !dev.empty() && dev.front() == '/')
          bound[std::string(e.key.str())] = dev;
      }
    auto resolve_named = [&](Mount& m) {
      if (m.type != MountType::Volume) return;
      if (auto b = bound.find(m.source); b != bound.end()) {
        m.type = MountType::Bind;
        m.source = b->second;
      }
    };
    const auto entries = services.entries(kMaxServices + 1);
    for (size_t i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      if (i == kMaxServices) {
        p.services_cut = e.key_span();
        break;
      }
      if (v1 && (e.key.str() == "version" || e.key.str().rfind("x-", 0) == 0)) continue;
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
          resolve_named(m);
          s.mounts.push_back(std::move(m));
        } else if (v.is_map()) {
          Mount m = long_volume(v);
          resolve_named(m);
          s.mounts.push_back(std::move(m));
        }
      }
      Ref dep = sv.get("depends_on");
      if (dep.is_seq()) {
        for (const Ref& item : dep.items())
          if (item.is_scalar()) s.depends_on.push_back({std::string(item.str()), "", true, span(item)});
      } else if (dep.is_map()) {
        for (const auto& de : dep.entries())
          s.depends_on.push_back(
              {std::string(de.key.str()), std::string(de.value.get("condition").str()), false, de.key_span()});
      }
      s.has_healthcheck = healthcheck_enabled(sv.get("healthcheck"));
      if (auto pr = sv.find("privileged"); pr && pr->value.as_bool().value_or(false))
        s.privileged = Flagged{"true", pr->key_span()};
      if (auto bp = sv.get("build").find("privileged"); bp && bp->value.as_bool().value_or(false))
        s.build_privileged = Flagged{"true", bp->key_span()};
      for (const Ref& c : sv.get("cap_add").items()) s.cap_add.push_back({std::string(c.str()), span(c)});
      for (const Ref& c : sv.get("security_opt").items()) s.security_opt.push_back({std::string(c.str()), span(c)});
      s.read_only = sv.get("read_only").as_bool();
      if (auto wd = sv.find("working_dir"); wd && wd->value.is_scalar())
        s.working_dir = Flagged{std::string(wd->value.str()), wd->key_span()};
      for (const Ref& pr : sv.get("profiles").items()) s.profiles.emplace_back(pr.str());
      Ref ext = sv.get("extends");
      s.extends = ext.is_scalar() ? ext.str() : ext.get("service").str();
      s.image = sv.get("image").str();
      p.services.push_back(std::move(s));
    }
    break;
  }
  return p;
}

}  // namespace tocsin::iac::compose
