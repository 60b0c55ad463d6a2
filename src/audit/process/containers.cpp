// Container alias merging (a small union-find keyed by alias strings).
#include "audit/process/containers.hpp"

namespace tocsin::audit {

const std::string& ContainerRegistry::add(const std::string& alias) {
  if (parent_.size() >= kMaxAliases && !parent_.count(alias)) parent_.clear();  // bounded memory
  auto it = parent_.try_emplace(alias, alias).first;
  return it->first;
}

std::string ContainerRegistry::find(const std::string& a) {
  auto it = parent_.find(a);
  if (it == parent_.end()) return a;
  std::string cur = a;
  for (int guard = 0; guard < 64; ++guard) {
    auto p = parent_.find(cur);
    if (p == parent_.end() || p->second == cur) break;
    cur = p->second;
  }
  it->second = cur;  // path compression (one step is enough at these sizes)
  return cur;
}

void ContainerRegistry::link(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return;
  add(a);
  add(b);
  std::string ra = find(a), rb = find(b);
  if (ra == rb) return;
  // Keep a name as the root when there is one: it is the best label.
  if (rb.rfind("name:", 0) == 0) parent_[ra] = rb;
  else parent_[rb] = ra;
}

Same ContainerRegistry::same(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return Same::Unknown;
  if (a == b) return Same::Yes;
  std::string ra = find(a), rb = find(b);
  if (ra == rb) return Same::Yes;
  // Collect both groups' aliases by kind.
  auto kinds = [&](const std::string& root) {
    std::vector<std::string> out;
    for (auto& [k, v] : parent_)
      if (find(k) == root) out.push_back(k);
    if (out.empty()) out.push_back(root);
    return out;
  };
  auto ga = kinds(ra), gb = kinds(rb);
  for (const auto& x : ga)
    for (const auto& y : gb) {
      auto kx = x.substr(0, x.find(':')), ky = y.substr(0, y.find(':'));
      if (kx == ky && x != y) return Same::No;
    }
  return Same::Unknown;
}

bool ContainerRegistry::alone(const std::string& a) {
  if (!parent_.count(a)) return true;
  std::string r = find(a);
  if (r != a) return false;
  for (auto& [k, v] : parent_)
    if (k != a && find(k) == r) return false;
  return true;
}

std::string ContainerRegistry::label(const std::string& alias) {
  std::string r = find(alias);
  auto colon = r.find(':');
  std::string v = colon == std::string::npos ? r : r.substr(colon + 1);
  if (r.rfind("id:", 0) == 0 && v.size() > 12) v.resize(12);
  return v;
}

std::string ContainerRegistry::engine_ref(const std::string& alias) {
  if (alias.empty()) return {};
  std::string r = find(alias);
  if (r.rfind("name:", 0) == 0 || r.rfind("id:", 0) == 0) return r.substr(r.find(':') + 1);
  return {};
}

bool is_container_id(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::optional<std::string> storage_layer_of(std::string_view path) {
  static constexpr std::string_view kRoots[] = {"/var/lib/docker/vfs/dir/", "/var/lib/docker/overlay2/",
                                               "/var/lib/docker/aufs/mnt/", "/var/lib/docker/btrfs/subvolumes/",
                                               "/var/lib/docker/zfs/graph/",
                                               "/var/lib/containers/storage/overlay/"};
  for (auto root : kRoots) {
    if (path.substr(0, root.size()) != root) continue;
    auto rest = path.substr(root.size());
    auto slash = rest.find('/');
    auto id = rest.substr(0, slash);
    if (id.size() >= 12) return std::string(id);
  }
  return std::nullopt;
}

}  // namespace tocsin::audit
