// Loading and applying `.tocsin.yaml`; yaml-cpp exceptions stop here and become located errors.
#include "iac/config.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fmt/format.h>

#include "core/rule_catalog.hpp"
#include "core/suggest.hpp"
#include "iac/glob.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin {
namespace fs = std::filesystem;

bool Config::rule_enabled(std::string_view id) const {
  std::string k(id);
  if (disabled.count(k)) return false;
  if (!only.empty() && !only.count(k)) {
    // families can be selected by prefix, e.g. "DF"
    for (const auto& o : only)
      if (o.size() < k.size() && k.compare(0, o.size(), o) == 0) return true;
    return false;
  }
  for (const auto& d : disabled)
    if (d.size() < k.size() && k.compare(0, d.size(), d) == 0) return false;
  return true;
}

Severity Config::severity_for(std::string_view id, Severity dflt) const {
  auto it = severity_overrides.find(std::string(id));
  return it == severity_overrides.end() ? dflt : it->second;
}

bool Config::path_ignored(std::string_view path) const {
  std::string rel(path);
  if (!base_dir.empty()) {
    std::error_code ec;
    auto abs = fs::absolute(fs::path(path), ec).lexically_normal();
    auto r = abs.lexically_relative(fs::path(base_dir));
    if (!ec && !r.empty() && r.native().rfind("..", 0) != 0) rel = r.generic_string();
  }
  for (const auto& pat : ignore_paths)
    if (glob_match(pat, rel)) return true;
  return false;
}

namespace {

Error located(const YAML::Node& n, const std::string& src, const std::string& msg) {
  auto m = n.Mark();
  return Error{fmt::format("{}:{}:{}: {}", src, m.line + 1, m.column + 1, msg), m.line + 1,
               m.column + 1};
}

Result<std::vector<std::string>> string_list(const YAML::Node& n, const std::string& src,
                                             std::string_view key) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.as<std::string>());
    return out;
  }
  if (!n.IsSequence()) return located(n, src, fmt::format("'{}' must be a list of strings", key));
  for (const auto& item : n) {
    if (!item.IsScalar()) return located(item, src, fmt::format("'{}' must be a list of strings", key));
    out.push_back(item.as<std::string>());
  }
  return out;
}

Result<Severity> severity_value(const YAML::Node& n, const std::string& src) {
  if (!n.IsScalar()) return located(n, src, "expected a severity: info, low, medium, high, critical");
  auto s = parse_severity(n.as<std::string>());
  if (!s)
    return located(n, src,
                   fmt::format("unknown severity '{}': use info, low, medium, high or critical",
                               n.as<std::string>()));
  return *s;
}

Status check_rule_id(const YAML::Node& n, const std::string& id, const std::string& src) {
  if (rule_or_family_known(id)) return ok_status();
  return located(n, src, fmt::format("unknown rule '{}'{} (see `tocsin rules`)", id, did_you_mean(closest_rule_id(id))));
}

}  // namespace

Result<Config> parse_config(std::string_view text, const std::string& src) {
  Config c;
  c.source = src;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error{fmt::format("{}:{}:{}: invalid YAML: {}", src, e.mark.line + 1, e.mark.column + 1, e.msg),
                 e.mark.line + 1, e.mark.column + 1};
  }
  if (root.IsNull()) return c;
  if (!root.IsMap()) return located(root, src, "the configuration must be a mapping");
  try {
    for (const auto& kv : root) {
      auto key = kv.first.as<std::string>();
      const auto& v = kv.second;
      if (key == "fail-on") {
        auto s = severity_value(v, src);
        if (!s) return s.error();
        c.fail_on = *s;
      } else if (key == "min-severity") {
        auto s = severity_value(v, src);
        if (!s) return s.error();
        c.min_severity = *s;
      } else if (key == "ignore-paths") {
        auto l = string_list(v, src, key);
        if (!l) return l.error();
        c.ignore_paths = *l;
      } else if (key == "rules") {
        if (!v.IsMap()) return located(v, src, "'rules' must be a mapping with enable/disable/severity");
        for (const auto& rk : v) {
          auto rkey = rk.first.as<std::string>();
          if (rkey == "enable" || rkey == "disable") {
            auto l = string_list(rk.second, src, rkey);
            if (!l) return l.error();
            for (auto& id : *l) {
              auto st = check_rule_id(rk.second, id, src);
              if (!st) return st.error();
              (rkey == "enable" ? c.only : c.disabled).insert(id);
            }
          } else if (rkey == "severity") {
            if (!rk.second.IsMap())
              return located(rk.second, src, "'rules.severity' must map rule ids to severities");
            for (const auto& sv : rk.second) {
              auto id = sv.first.as<std::string>();
              auto st = check_rule_id(sv.first, id, src);
              if (!st) return st.error();
              auto s = severity_value(sv.second, src);
              if (!s) return s.error();
              c.severity_overrides[id] = *s;
            }
          } else {
            return located(rk.first, src,
                           fmt::format("unknown key 'rules.{}' (expected enable, disable, severity)", rkey));
          }
        }
      } else {
        return located(kv.first, src,
                       fmt::format("unknown key '{}' (expected fail-on, min-severity, rules, ignore-paths)", key));
      }
    }
  } catch (const YAML::Exception& e) {
    return Error{fmt::format("{}:{}:{}: {}", src, e.mark.line + 1, e.mark.column + 1, e.msg),
                 e.mark.line + 1, e.mark.column + 1};
  }
  return c;
}

Result<Config> load_config(const std::string& path) {
  auto text = safeio::read_file(path, 1 << 20);
  if (!text) return Error{fmt::format("{}: cannot read configuration: {}", path, text.error().message)};
  auto c = parse_config(*text, path);
  if (c) {
    std::error_code ec;
    c->base_dir = fs::absolute(fs::path(path), ec).parent_path().lexically_normal().string();
  }
  return c;
}

std::optional<std::string> find_config(const std::string& start) {
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(start), ec);
  if (ec) return std::nullopt;
  if (!fs::is_directory(p, ec)) p = p.parent_path();
  for (int depth = 0; depth < 256; ++depth) {
    for (const char* name : {".tocsin.yaml", ".tocsin.yml"}) {
      auto cand = p / name;
      if (fs::is_regular_file(cand, ec)) return cand.string();
    }
    if (!p.has_parent_path() || p.parent_path() == p) break;
    p = p.parent_path();
  }
  return std::nullopt;
}

}  // namespace tocsin
