// The Compose model: services with their mounts (short and long volume syntax, all options),
// depends_on (short and long form), healthchecks and security settings, each value with the
// byte range of the key that carries it. Built from yaml::File (merge keys and anchors applied).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/host_paths.hpp"
#include "iac/parse/yaml_doc.hpp"

namespace tocsin::iac::compose {

enum class MountType { Bind, Volume, Tmpfs, Npipe, Cluster, Image, Unknown };

struct Mount {
  MountType type = MountType::Unknown;
  std::string source;            // host path (bind) or volume name; empty for anonymous
  std::string target;            // path in the container
  bool read_only = false;        // `:ro`, `read_only: true`
  std::string propagation;       // bind.propagation or a short-form mode
  std::vector<std::string> modes;  // short-form suffix options (ro, rw, z, Z, shared, ...)
  bool long_form = false;
  yaml::Span at;                 // the entry (short) or its `source:`/`type:` key (long)
  yaml::Span propagation_at;     // `propagation:` key, or the entry
};

struct DependsOn {
  std::string service;
  std::string condition;  // empty for the short form (= service_started)
  bool short_form = true;
  yaml::Span at;          // the list item, or the service key of the long form
};

struct Flagged {  // a value with where it was written
  std::string value;
  yaml::Span at;
};

struct Service {
  std::string name;
  yaml::Span name_at;
  std::vector<Mount> mounts;
  std::vector<DependsOn> depends_on;
  bool has_healthcheck = false;     // a healthcheck with a test that is not disabled
  std::optional<Flagged> privileged;  // "true" when set true
  std::optional<Flagged> build_privileged;  // `build: {privileged: true}`: the build runs privileged
  std::vector<Flagged> cap_add;
  std::vector<Flagged> security_opt;
  std::optional<bool> read_only;
  std::optional<Flagged> working_dir;
  std::vector<std::string> profiles;
  std::string extends;
  std::string image;
};

// Services modelled per file. A service costs about 400 bytes in the model and a hostile file
// can define one every 20 bytes; real files have at most a few hundred.
inline constexpr size_t kMaxServices = 10'000;

struct Project {
  std::vector<Service> services;           // at most kMaxServices
  std::optional<yaml::Span> services_cut;  // the first service left out, past kMaxServices
  std::vector<std::string> named_volumes;  // top-level volumes:
  std::vector<std::string> configs;
  std::vector<std::string> secrets;
  bool version1 = false;  // services at the top level (the version-1 format)
  const Service* find(std::string_view name) const;
};

// Builds the model from the first document that has a `services:` mapping, or whose top level
// is a version-1 file's services (every entry a service mapping, some with `image`/`build`).
Project build_project(const yaml::File& file);

// True when the document root looks like a Compose file: a `services:` mapping whose values
// are mappings with service keys (image, build, command, volumes, ...).
bool looks_like_compose(const yaml::File& file);

// Parses a short volume entry `[SOURCE:]TARGET[:MODE]` (Windows drive letters understood).
Mount parse_short_volume(std::string_view spec);

// Path arithmetic of the host-path policy (core/host_paths.hpp), used by the Compose and
// Kubernetes rules for host paths and container paths alike.
inline std::string normalize_path(std::string_view p) { return host_paths::normalize(p); }
inline bool path_within(std::string_view inner, std::string_view outer) { return host_paths::within(inner, outer); }

}  // namespace tocsin::iac::compose
