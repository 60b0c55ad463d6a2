// Building the Kubernetes model from YAML with positions.
#include "iac/parse/k8s_model.hpp"

#include <fmt/format.h>

#include <functional>

namespace tocsin::iac::k8s {

using yaml::Ref;

bool Volume::writable_type() const {
  switch (source) {
    case VolumeSource::ConfigMap:
    case VolumeSource::Secret:
    case VolumeSource::DownwardAPI:
    case VolumeSource::Projected:
      return false;
    default:
      return true;
  }
}

const Volume* PodSpec::volume(std::string_view name) const {
  for (const auto& v : volumes)
    if (v.name == name) return &v;
  return nullptr;
}

const ConfigObject* Manifest::config(std::string_view kind, std::string_view name) const {
  for (const auto& c : configs)
    if (c.kind == kind && c.name == name) return &c;
  return nullptr;
}

std::vector<const Container*> writers_of(const PodSpec& pod, std::string_view volume, const Container* self) {
  std::vector<const Container*> out;
  const Volume* v = pod.volume(volume);
  if (!v || !v->writable_type()) return out;
  for (const auto& c : pod.containers) {
    if (&c == self) continue;
    for (const auto& m : c.mounts)
      if (m.name == volume && !m.read_only) {
        out.push_back(&c);
        break;
      }
  }
  return out;
}

namespace {

yaml::Span key_or(const Ref& map, std::string_view key, yaml::Span fallback) {
  if (auto e = map.find(key)) return e->key_span();
  return fallback;
}

SecurityContext security_of(const Ref& holder) {
  SecurityContext s;
  auto e = holder.find("securityContext");
  if (!e || !e->value.is_map()) return s;
  s.present = true;
  s.at = e->key_span();
  const Ref& sc = e->value;
  auto flag = [&](std::string_view k, std::optional<bool>& v, yaml::Span& at) {
    if (auto f = sc.find(k)) {
      v = f->value.as_bool();
      at = f->key_span();
    }
  };
  flag("readOnlyRootFilesystem", s.read_only_root_fs, s.read_only_root_fs_at);
  flag("allowPrivilegeEscalation", s.allow_privilege_escalation, s.allow_privilege_escalation_at);
  flag("runAsNonRoot", s.run_as_non_root, s.run_as_non_root_at);
  flag("privileged", s.privileged, s.privileged_at);
  if (auto f = sc.find("runAsUser")) {
    s.run_as_user = f->value.as_int();
    s.run_as_user_at = f->key_span();
  }
  if (auto f = sc.find("runAsGroup")) {
    s.run_as_group = f->value.as_int();
    s.run_as_group_at = f->key_span();
  }
  for (const Ref& c : sc.get("capabilities").get("add").items())
    if (c.is_scalar()) s.capabilities_add.push_back({std::string(c.str()), yaml::span_of(c)});
  return s;
}

Container container_of(const Ref& c, ContainerKind kind) {
  Container out;
  out.kind = kind;
  out.name = c.get("name").str();
  out.at = key_or(c, "name", yaml::span_of(c));
  for (const Ref& m : c.get("volumeMounts").items()) {
    if (!m.is_map()) continue;
    VolumeMount vm;
    vm.name = m.get("name").str();
    vm.mount_path = m.get("mountPath").str();
    vm.read_only = m.get("readOnly").as_bool().value_or(false);
    vm.at = key_or(m, "name", yaml::span_of(m));
    vm.mount_path_at = key_or(m, "mountPath", vm.at);
    if (auto sp = m.find("subPath"); sp && !sp->value.str().empty()) {
      vm.sub_path = sp->value.str();
      vm.sub_path_at = sp->key_span();
    } else if (auto spe = m.find("subPathExpr"); spe && !spe->value.str().empty()) {
      vm.sub_path = spe->value.str();
      vm.sub_path_at = spe->key_span();
    }
    if (auto mp = m.find("mountPropagation")) {
      vm.propagation = mp->value.str();
      vm.propagation_at = mp->key_span();
    }
    out.mounts.push_back(std::move(vm));
  }
  out.security = security_of(c);
  out.has_readiness_probe = c.get("readinessProbe").is_map();
  if (auto wd = c.find("workingDir"); wd && wd->value.is_scalar()) {
    out.working_dir = wd->value.str();
    out.working_dir_at = wd->key_span();
  }
  return out;
}

Volume volume_of(const Ref& v) {
  Volume out;
  out.name = v.get("name").str();
  out.at = key_or(v, "name", yaml::span_of(v));
  out.source_at = out.at;
  for (const auto& e : v.entries()) {
    std::string_view k = e.key.str();
    if (k == "name") continue;
    out.source_at = e.key_span();
    if (k == "hostPath") {
      out.source = VolumeSource::HostPath;
      out.host_path = e.value.get("path").str();
      out.host_type = e.value.get("type").str();
    } else if (k == "emptyDir") {
      out.source = VolumeSource::EmptyDir;
    } else if (k == "configMap") {
      out.source = VolumeSource::ConfigMap;
      out.has_config = true;
      out.config_refs.push_back(fmt::format("ConfigMap/{}", e.value.get("name").str()));
    } else if (k == "secret") {
      out.source = VolumeSource::Secret;
      out.has_config = true;
      out.config_refs.push_back(fmt::format("Secret/{}", e.value.get("secretName").str()));
    } else if (k == "downwardAPI") {
      out.source = VolumeSource::DownwardAPI;
    } else if (k == "projected") {
      out.source = VolumeSource::Projected;
      for (const Ref& s : e.value.get("sources").items()) {
        if (Ref cm = s.get("configMap"); cm.is_map()) {
          out.has_config = true;
          out.config_refs.push_back(fmt::format("ConfigMap/{}", cm.get("name").str()));
        }
        if (Ref sec = s.get("secret"); sec.is_map()) {
          out.has_config = true;
          out.config_refs.push_back(fmt::format("Secret/{}", sec.get("name").str()));
        }
      }
    } else if (k == "persistentVolumeClaim") {
      out.source = VolumeSource::Pvc;
    } else if (k == "ephemeral") {
      out.source = VolumeSource::Ephemeral;
    } else {
      out.source = VolumeSource::Other;
    }
    break;
  }
  return out;
}

PodSpec pod_of(const Ref& spec) {
  PodSpec p;
  for (const Ref& c : spec.get("containers").items())
    if (c.is_map()) p.containers.push_back(container_of(c, ContainerKind::Regular));
  for (const Ref& c : spec.get("initContainers").items())
    if (c.is_map()) p.containers.push_back(container_of(c, ContainerKind::Init));
  for (const Ref& c : spec.get("ephemeralContainers").items())
    if (c.is_map()) p.containers.push_back(container_of(c, ContainerKind::Ephemeral));
  for (const Ref& v : spec.get("volumes").items())
    if (v.is_map()) p.volumes.push_back(volume_of(v));
  p.security = security_of(spec);
  if (auto h = spec.find("hostPID"); h && h->value.as_bool().value_or(false)) p.host_pid = h->key_span();
  if (auto h = spec.find("hostIPC"); h && h->value.as_bool().value_or(false)) p.host_ipc = h->key_span();
  return p;
}

// A StatefulSet's volumeClaimTemplates: each becomes a (writable) PVC volume named after the
// template, which the pod template's containers mount like any other volume.
void add_claim_templates(const Ref& spec, PodSpec& p) {
  for (const Ref& t : spec.get("volumeClaimTemplates").items()) {
    if (!t.is_map()) continue;
    Volume v;
    Ref meta = t.get("metadata");
    v.name = meta.get("name").str();
    if (v.name.empty()) continue;
    v.source = VolumeSource::Pvc;
    v.at = key_or(meta, "name", yaml::span_of(t));
    v.source_at = v.at;
    p.volumes.push_back(std::move(v));
  }
}

// Kinds of Kubernetes itself (and OpenShift's) that carry no pod template: nothing to check
// and nothing to note.
bool builtin_kind(std::string_view k) {
  static constexpr std::string_view kKinds[] = {
      "Service", "Endpoints", "EndpointSlice", "Namespace", "Node", "ServiceAccount", "PersistentVolume",
      "PersistentVolumeClaim", "LimitRange", "ResourceQuota", "Event", "Binding", "ComponentStatus",
      "Ingress", "IngressClass", "NetworkPolicy", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
      "PodDisruptionBudget", "PodSecurityPolicy", "PriorityClass", "StorageClass", "VolumeAttachment",
      "CSIDriver", "CSINode", "CSIStorageCapacity", "HorizontalPodAutoscaler", "CustomResourceDefinition",
      "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
      "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "Lease", "RuntimeClass",
      "CertificateSigningRequest", "ControllerRevision", "FlowSchema", "PriorityLevelConfiguration",
      "TokenReview", "SubjectAccessReview", "SelfSubjectAccessReview", "LocalSubjectAccessReview",
      "Route", "ImageStream", "BuildConfig", "Template", "Project", "SecurityContextConstraints",
      "Config", "Kustomization", "Component"};
  for (auto b : kKinds)
    if (b == k) return true;
  return false;
}

// A rolling update's `maxSurge`/`maxUnavailable` (a Deployment's `rollingUpdate`, a
// DeploymentConfig's `rollingParams`).
void rolling_params(const Ref& params, Workload& w) {
  if (auto s = params.find("maxSurge")) {
    w.max_surge = s->value.str();
    w.max_surge_at = s->key_span();
  }
  if (auto u = params.find("maxUnavailable")) {
    w.max_unavailable = u->value.str();
    w.max_unavailable_at = u->key_span();
  }
}

void strategy_of(const Ref& spec, const char* key, Workload& w) {
  auto st = spec.find(key);
  if (!st || !st->value.is_map()) return;
  w.strategy_at = st->key_span();
  w.strategy_type = st->value.get("type").str();
  rolling_params(st->value.get("rollingUpdate"), w);
}

bool pod_template_crd(std::string_view kind, std::string_view api) {
  if (api.rfind("serving.knative.dev/", 0) == 0)
    return kind == "Service" || kind == "Configuration" || kind == "Revision";
  return api.rfind("argoproj.io/", 0) == 0 && kind == "Rollout";
}

// OpenShift: `strategy: {type: Rolling, rollingParams: {maxSurge, maxUnavailable}}` (Rolling is
// the default), in the terms of a Deployment's RollingUpdate.
void deployment_config_strategy(const Ref& spec, Workload& w) {
  auto st = spec.find("strategy");
  if (!st || !st->value.is_map()) return;
  w.strategy_at = st->key_span();
  std::string type(st->value.get("type").str());
  w.strategy_type = type.empty() || type == "Rolling" ? "RollingUpdate" : type;
  rolling_params(st->value.get("rollingParams"), w);
}

// What one pass over the documents collects: the file-wide objects (ConfigMaps, Secrets, kinds
// tocsin does not know), or the workloads.
enum class Pass { FileWide, Workloads };

void add_object(const Ref& obj, Manifest& m, int depth, Pass pass, const std::function<void()>& added) {
  if (!obj.is_map() || depth > 4) return;
  const std::string kind(obj.get("kind").str());
  if (kind.empty()) return;
  if (kind == "List" || (kind.size() > 4 && kind.compare(kind.size() - 4, 4, "List") == 0)) {
    for (const Ref& item : obj.get("items").items()) add_object(item, m, depth + 1, pass, added);
    return;
  }
  if (kind == "ConfigMap" || kind == "Secret") {
    if (pass == Pass::FileWide)
      m.configs.push_back(
          {kind, std::string(obj.get("metadata").get("name").str()), obj.get("immutable").as_bool().value_or(false)});
    return;
  }
  Ref spec = obj.get("spec");
  Ref pod;
  if (kind == "Pod") {
    pod = spec;
  } else if (kind == "CronJob") {
    pod = spec.get("jobTemplate").get("spec").get("template").get("spec");
  } else if (kind == "PodTemplate") {
    pod = obj.get("template").get("spec");
  } else if (kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" || kind == "DaemonSet" ||
             kind == "Job" || kind == "ReplicationController" || kind == "DeploymentConfig") {
    pod = spec.get("template").get("spec");
  } else if (pod_template_crd(kind, obj.get("apiVersion").str())) {
    // Custom resources whose schema embeds a pod spec: Knative Service/Configuration (and a
    // Revision, whose spec is one), Argo Rollouts.
    pod = kind == "Revision" ? spec : spec.get("template").get("spec");
  } else {
    if (pass == Pass::FileWide && !builtin_kind(kind))
      m.skipped.push_back({kind, std::string(obj.get("apiVersion").str()), key_or(obj, "kind", yaml::span_of(obj))});
    return;
  }
  if (pass != Pass::Workloads || !pod.is_map()) return;
  Workload w;
  w.kind = kind;
  w.name = obj.get("metadata").get("name").str();
  w.kind_at = key_or(obj, "kind", yaml::span_of(obj));
  w.pod = pod_of(pod);
  if (kind == "StatefulSet") add_claim_templates(spec, w.pod);
  if (kind == "Deployment") strategy_of(spec, "strategy", w);
  if (kind == "DaemonSet" || kind == "StatefulSet") strategy_of(spec, "updateStrategy", w);
  if (kind == "DeploymentConfig") deployment_config_strategy(spec, w);
  m.workloads.push_back(std::move(w));
  added();
}

}  // namespace

void build_manifest_in_batches(const yaml::File& file, size_t batch, const std::function<void(const Manifest&)>& each) {
  Manifest m;
  for (const auto& d : file.documents()) add_object(file.root(d), m, 0, Pass::FileWide, [] {});
  bool given = false;
  auto flush = [&] {
    each(m);
    given = true;
    m.workloads.clear();
  };
  for (const auto& d : file.documents())
    add_object(file.root(d), m, 0, Pass::Workloads, [&] {
      if (m.workloads.size() >= batch) flush();
    });
  if (!m.workloads.empty() || !given) flush();
}

Manifest build_manifest(const yaml::File& file) {
  Manifest all;
  build_manifest_in_batches(file, SIZE_MAX, [&](const Manifest& m) { all = m; });
  return all;
}

bool looks_like_kubernetes(const yaml::File& file) {
  for (const auto& d : file.documents()) {
    Ref r = file.root(d);
    if (r.is_map() && r.get("apiVersion").is_scalar() && r.get("kind").is_scalar()) return true;
  }
  return false;
}

}  // namespace tocsin::iac::k8s
