// The Kubernetes model: workloads of every kind (Pod, Deployment, ReplicaSet, StatefulSet,
// DaemonSet, Job, CronJob, ReplicationController, PodTemplate, OpenShift's DeploymentConfig, the
// pod templates of Knative Service/Configuration/Revision and Argo Rollout, and `List` items)
// reduced to their
// pod spec (containers, init and ephemeral containers, volumes, security contexts, probes) and
// rollout strategy, plus the ConfigMaps/Secrets of the same file (for `immutable`). Every value
// keeps the byte range of the key that carries it.
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "iac/parse/yaml_doc.hpp"

namespace tocsin::iac::k8s {

enum class VolumeSource { EmptyDir, HostPath, ConfigMap, Secret, DownwardAPI, Projected, Pvc, Ephemeral, Other };

struct Volume {
  std::string name;
  VolumeSource source = VolumeSource::Other;
  std::string host_path;               // hostPath.path
  std::string host_type;               // hostPath.type ("" when unset)
  std::vector<std::string> config_refs;  // ConfigMap/Secret names (projected sources too)
  bool has_config = false;             // ConfigMap/Secret (directly or projected)
  yaml::Span at;                       // the `- name:` item
  yaml::Span source_at;                // the source key (`hostPath:`, `configMap:`, ...)
  // ConfigMap/Secret/downwardAPI/projected are read-only to containers.
  bool writable_type() const;
};

struct VolumeMount {
  std::string name;
  std::string mount_path;
  std::string sub_path;     // subPath or subPathExpr
  bool read_only = false;
  std::string propagation;  // mountPropagation
  yaml::Span at;            // the item (its `name:` key)
  yaml::Span mount_path_at;
  yaml::Span sub_path_at;
  yaml::Span propagation_at;
};

enum class ContainerKind { Regular, Init, Ephemeral };

struct Capability {
  std::string name;  // as written (`SYS_ADMIN`, `CAP_SYS_ADMIN`, `ALL`)
  yaml::Span at;
};

struct SecurityContext {
  std::optional<bool> read_only_root_fs;
  std::optional<bool> allow_privilege_escalation;
  std::optional<bool> privileged;
  std::optional<long long> run_as_user;
  std::optional<long long> run_as_group;
  std::optional<bool> run_as_non_root;
  std::vector<Capability> capabilities_add;  // container level only
  yaml::Span at;  // the `securityContext:` key (begin == end == 0 when absent)
  yaml::Span read_only_root_fs_at, allow_privilege_escalation_at, run_as_user_at, run_as_non_root_at;
  yaml::Span privileged_at, run_as_group_at;
  bool present = false;
};

struct Container {
  std::string name;
  ContainerKind kind = ContainerKind::Regular;
  yaml::Span at;  // the `- name:` key of the item (or the item)
  std::vector<VolumeMount> mounts;
  SecurityContext security;
  bool has_readiness_probe = false;
  std::optional<std::string> working_dir;
  yaml::Span working_dir_at;
};

struct PodSpec {
  std::vector<Container> containers;  // regular, then init, then ephemeral
  std::vector<Volume> volumes;        // `volumes:`, then a StatefulSet's volumeClaimTemplates
  SecurityContext security;           // pod-level securityContext
  std::optional<yaml::Span> host_pid, host_ipc;  // `hostPID: true` / `hostIPC: true`
  const Volume* volume(std::string_view name) const;
};

struct Workload {
  std::string kind;  // Deployment, Pod, ...
  std::string name;
  yaml::Span kind_at;
  PodSpec pod;
  // Rollout strategy (Deployment/DaemonSet/StatefulSet); empty strings when unset.
  std::string strategy_type;
  std::optional<std::string> max_surge, max_unavailable;
  yaml::Span strategy_at, max_surge_at, max_unavailable_at;
};

struct ConfigObject {
  std::string kind;  // ConfigMap | Secret
  std::string name;
  bool immutable = false;
};

// A document of a kind tocsin does not know (a custom resource, a typo): noted, not checked.
struct SkippedDocument {
  std::string kind;
  std::string api_version;
  yaml::Span at;  // its `kind:` key
};

struct Manifest {
  std::vector<Workload> workloads;
  std::vector<ConfigObject> configs;
  std::vector<SkippedDocument> skipped;
  // ConfigMap/Secret `name` of this file: nullptr when it is not in the file set.
  const ConfigObject* config(std::string_view kind, std::string_view name) const;
};

Manifest build_manifest(const yaml::File& file);

// The same, a batch of at most `batch` workloads at a time: `each` gets the file's ConfigMaps,
// Secrets and skipped documents whole (all of them, from the first call) and the next batch of
// workloads, so memory follows the batch and not the number of documents (a file of 100,000
// small Pods). Called at least once.
void build_manifest_in_batches(const yaml::File& file, size_t batch, const std::function<void(const Manifest&)>& each);

// True when any document of the file has `apiVersion` and `kind`.
bool looks_like_kubernetes(const yaml::File& file);

// Containers other than `self` that mount `volume` writably (and the volume type is writable).
std::vector<const Container*> writers_of(const PodSpec& pod, std::string_view volume, const Container* self);

}  // namespace tocsin::iac::k8s
