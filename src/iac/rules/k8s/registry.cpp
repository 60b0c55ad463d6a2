// The Kubernetes rules, in id order (the catalogue test checks the order and completeness).
#include <fmt/format.h>

#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac::k8s {

std::string describe(const Workload& w, const Container& c) {
  const char* what = c.kind == ContainerKind::Init ? "init container" : c.kind == ContainerKind::Ephemeral ? "ephemeral container" : "container";
  return fmt::format("{} '{}', {} '{}'", w.kind, w.name, what, c.name);
}

const std::vector<std::unique_ptr<Check>>& checks() {
  static const auto list = [] {
    std::vector<std::unique_ptr<Check>> v;
    v.push_back(make_k8001());
    v.push_back(make_k8002());
    v.push_back(make_k8003());
    v.push_back(make_k8004());
    v.push_back(make_k8005());
    v.push_back(make_k8006());
    v.push_back(make_k8007());
    v.push_back(make_k8008());
    v.push_back(make_k8009());
    v.push_back(make_k8010());
    v.push_back(make_k8011());
    return v;
  }();
  return list;
}

}  // namespace tocsin::iac::k8s
