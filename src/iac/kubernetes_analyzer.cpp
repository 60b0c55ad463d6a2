// Kubernetes analyzer: claims YAML files with `apiVersion` and `kind` in any document
// (multi-document files and Helm-rendered output included), parses them with positions and
// runs the K8 rules.
#include <fmt/format.h>

#include "iac/analyzer.hpp"
#include "iac/parse/k8s_model.hpp"
#include "iac/parse/yaml_doc.hpp"
#include "iac/rules/k8s/check.hpp"

namespace tocsin::iac {
namespace {

bool yaml_name(std::string_view path) {
  return path.ends_with(".yaml") || path.ends_with(".yml");
}

class KubernetesAnalyzer final : public Analyzer {
 public:
  std::string_view kind() const override { return "kubernetes"; }
  std::vector<std::string_view> rules() const override {
    std::vector<std::string_view> ids{"K8000"};
    for (const auto& c : k8s::checks()) ids.push_back(c->id());
    return ids;
  }
  bool claims_name(std::string_view) const override { return false; }
  bool claims_content(std::string_view path, std::string_view content) const override {
    if (!yaml_name(path) && path != "-") return false;
    if (path.find(".github/workflows/") != std::string_view::npos) return false;
    // Unrendered Helm/Go templates are not YAML yet; their rendered output is what gets scanned.
    if (content.find("{{") != std::string_view::npos &&
        (content.find("{{-") != std::string_view::npos || content.find(".Values") != std::string_view::npos ||
         content.find(".Release") != std::string_view::npos || content.find("{{ include") != std::string_view::npos))
      return false;
    if (!yaml::has_top_level_key(content, "apiVersion") || !yaml::has_top_level_key(content, "kind")) return false;
    return true;  // a broken document must still be reported as K8000
  }
  void analyze(const SourceFile& src, Emitter& out, Suppressions& sup) const override {
    yaml::collect_pragmas(src, sup);
    auto file = yaml::File::parse(src.content());
    for (const auto& issue : file.issues()) {
      size_t end = std::min(issue.offset + 1, src.size());
      out.report("K8000", issue.offset, end, fmt::format("Kubernetes document cannot be parsed: {}", issue.message));
    }
    auto manifest = k8s::build_manifest(file);
    if (file.budget_exceeded()) {
      out.report("K8000", 0, 1, "Kubernetes file too large to analyse (YAML traversal budget exceeded)");
      return;
    }
    k8s::Context ctx{manifest, out};
    for (const auto& c : k8s::checks())
      if (out.enabled(c->id())) c->run(ctx);
  }
};

}  // namespace

std::unique_ptr<Analyzer> make_kubernetes_analyzer() { return std::make_unique<KubernetesAnalyzer>(); }

}  // namespace tocsin::iac
