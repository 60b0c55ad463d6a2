// Runtime rules RT001–RT005: checks on one container's inspect data (Docker Engine API
// /containers/{id}/json) made when it starts; their alerts are core/alert.hpp's records with
// Subject::container (src/report renders them).
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/alert.hpp"
#include "core/severity.hpp"
#include "safeio/resolve.hpp"

namespace tocsin::runtime {

struct MountInfo {
  std::string type;         // "bind", "volume", "tmpfs", ...
  std::string source;       // host path
  std::string destination;  // path in the container
  std::string propagation;  // "", "private", "rprivate", "shared", "rshared", "slave", "rslave"
  bool rw = true;
};

struct ContainerInfo {
  std::string id, name, image;
  std::vector<MountInfo> mounts;
  std::vector<std::string> bind_specs;  // HostConfig.Binds as written ("/src:/dst:ro")
  bool privileged = false;
  std::vector<std::string> cap_add;
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> labels;
};

// Reads the fields we check; missing fields stay empty (never throws).
ContainerInfo parse_inspect(const nlohmann::json& j);

struct CheckOptions {
  // The host's root as seen by tocsin ("/" on the host, e.g. "/host" in a DaemonSet pod).
  std::string host_root = "/";
  // Expected digests by config path in the container, beside the CONFIG_HASH env.
  std::map<std::string, std::string> expected_digests;
  safeio::ResolveOptions resolve;
};

// Every rule of runtime/rules/ on one container, in id order (defined in rules/registry.cpp).
std::vector<Alert> check_container(const ContainerInfo& c, const CheckOptions& opt);

// The first symlink among `path` and its parents (lstat on each component under host_root),
// or nullopt when there is none.
std::optional<std::string> first_symlink_component(const std::string& host_root, const std::string& path);

}  // namespace tocsin::runtime
