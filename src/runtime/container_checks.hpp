// Runtime rules RT001–RT005: checks on one container's inspect data (Docker Engine API
// /containers/{id}/json) made when it starts, and the JSONL/text shape of their alerts.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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

struct RuntimeAlert {
  std::string rule;
  Severity severity = Severity::high;
  uint64_t time_ms = 0;
  std::optional<std::string> host;
  std::string message;
  std::string container_id, container_name, image;
  nlohmann::ordered_json details = nlohmann::ordered_json::object();  // "mount", "config", ...
};

// Every rule of runtime/rules/ on one container, in id order (defined in rules/registry.cpp).
std::vector<RuntimeAlert> check_container(const ContainerInfo& c, const CheckOptions& opt);

// The first symlink among `path` and its parents (lstat on each component under host_root),
// or nullopt when there is none.
std::optional<std::string> first_symlink_component(const std::string& host_root, const std::string& path);

// PRODUCT.md alert shape: rule, severity, time, host, message, container{id,name,image}, ...
std::string to_jsonl(const RuntimeAlert& a);
std::string to_text(const RuntimeAlert& a);

}  // namespace tocsin::runtime
