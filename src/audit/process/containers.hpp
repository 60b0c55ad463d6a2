// Container identities as the audit log shows them: names (client command lines), ids
// (containerd-shim `-id`, runc arguments) and storage layer ids (paths under
// /var/lib/docker/{overlay2,vfs/dir}/<id>). Aliases seen together are merged, so "is this
// the same container?" can be answered yes, no, or unknown.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tocsin::audit {

enum class Same : uint8_t { Unknown, Yes, No };

class ContainerRegistry {
 public:
  // Alias kinds are prefixes: "name:victim", "id:<64 hex>", "layer:<id>".
  static std::string name_alias(std::string_view name) { return "name:" + std::string(name); }
  static std::string id_alias(std::string_view id) { return "id:" + std::string(id); }
  static std::string layer_alias(std::string_view id) { return "layer:" + std::string(id); }

  // Registers an alias (no-op when known) and returns it.
  const std::string& add(const std::string& alias);
  // Records that two aliases name the same container.
  void link(const std::string& a, const std::string& b);
  // Yes when linked; No when both groups carry an alias of the same kind and they differ
  // (two different names, ids or layers); Unknown otherwise.
  Same same(const std::string& a, const std::string& b);
  // True when the alias is linked to nothing else yet (a storage layer or id seen for the
  // first time).
  bool alone(const std::string& a);
  // Best human label for an alias's container: its name, else the short id.
  std::string label(const std::string& alias);
  // What a container engine's API accepts for the alias's container: its name, else its full
  // id; empty when only a storage layer is known (or nothing).
  std::string engine_ref(const std::string& alias);
  size_t size() const { return parent_.size(); }

 private:
  std::string find(const std::string& a);
  std::unordered_map<std::string, std::string> parent_;
  static constexpr size_t kMaxAliases = 100000;
};

// Container storage path → layer/container id: "/var/lib/docker/vfs/dir/<id>/…",
// "/var/lib/docker/overlay2/<id>/merged/…", podman's "/var/lib/containers/storage/overlay/<id>/merged".
// nullopt when the path is not in storage.
std::optional<std::string> storage_layer_of(std::string_view path);
// True for a 64-character lowercase hex id.
bool is_container_id(std::string_view s);

}  // namespace tocsin::audit
