// The list of analyzers, in the order they claim files.
#include "iac/analyzer.hpp"

namespace tocsin::iac {

const std::vector<std::unique_ptr<Analyzer>>& analyzers() {
  static const auto list = [] {
    std::vector<std::unique_ptr<Analyzer>> v;
    v.push_back(make_dockerfile_analyzer());
    v.push_back(make_compose_analyzer());
    v.push_back(make_kubernetes_analyzer());
    v.push_back(make_script_analyzer());
    return v;
  }();
  return list;
}

}  // namespace tocsin::iac
