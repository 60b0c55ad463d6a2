// The interface of a Kubernetes rule: one class per rule, one rule per file
// (rules/k8s/<ID>_<name>.cpp), listed in registry.cpp in id order.
#pragma once
#include <memory>
#include <string_view>
#include <vector>

#include "core/rule_check.hpp"
#include "iac/emitter.hpp"
#include "iac/parse/k8s_model.hpp"

namespace tocsin::iac::k8s {

struct Context {
  const Manifest& manifest;
  Emitter& out;
  Finding& report(std::string_view rule, yaml::Span at, std::string message) const {
    return out.report(rule, at.begin, at.end > at.begin ? at.end : at.begin + 1, std::move(message));
  }
  void relate(Finding& f, yaml::Span at, std::string message) const {
    out.relate(f, at.begin, at.end > at.begin ? at.end : at.begin + 1, std::move(message));
  }
};

// "Deployment 'web', container 'app'" for messages.
std::string describe(const Workload& w, const Container& c);
// Containers that rules about the container's own settings look at (regular and init).
inline bool runs_workload(const Container& c) { return c.kind != ContainerKind::Ephemeral; }

using Check = RuleCheck<Context>;

// All Kubernetes checks (K8001–K8011), sorted by id.
const std::vector<std::unique_ptr<Check>>& checks();

std::unique_ptr<Check> make_k8001();
std::unique_ptr<Check> make_k8002();
std::unique_ptr<Check> make_k8003();
std::unique_ptr<Check> make_k8004();
std::unique_ptr<Check> make_k8005();
std::unique_ptr<Check> make_k8006();
std::unique_ptr<Check> make_k8007();
std::unique_ptr<Check> make_k8008();
std::unique_ptr<Check> make_k8009();
std::unique_ptr<Check> make_k8010();
std::unique_ptr<Check> make_k8011();

}  // namespace tocsin::iac::k8s
