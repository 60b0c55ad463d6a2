// Kubernetes analyzer: claims YAML files with `apiVersion` and `kind` in any document
// (multi-document files and Helm-rendered output included), and JSON or flow-style YAML
// manifests; parses them with positions and runs the K8 rules. Documents of kinds it does not
// know are noted, not silently passed.
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

// `key` written as a mapping key somewhere in `s` (`key:`, `"key":`), in block or flow style.
bool has_key_anywhere(std::string_view s, std::string_view key) {
  for (size_t at = s.find(key); at != std::string_view::npos; at = s.find(key, at + 1)) {
    size_t i = at + key.size();
    if (i < s.size() && s[i] == '"') ++i;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i < s.size() && s[i] == ':') return true;
  }
  return false;
}

// JSON and flow-style YAML manifests: the first thing in the file (after comments, blank lines
// and a `---`) opens a flow mapping, and it has `apiVersion` and `kind` keys. (Block-style
// manifests have them at column 0 instead.)
bool flow_manifest(std::string_view s) {
  if (s.rfind("\xEF\xBB\xBF", 0) == 0) s.remove_prefix(3);
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size();
    std::string_view line = s.substr(pos, nl - pos);
    size_t i = line.find_first_not_of(" \t\r");
    if (i == std::string_view::npos || line[i] == '#' || line.substr(i).rfind("---", 0) == 0) {
      pos = nl + 1;
      continue;
    }
    if (line[i] != '{') return false;
    return has_key_anywhere(s, "apiVersion") && has_key_anywhere(s, "kind");
  }
  return false;
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
    const bool json = path.ends_with(".json");
    if (!yaml_name(path) && !json && path != "-") return false;
    if (path.find(".github/workflows/") != std::string_view::npos) return false;
    // Unrendered Helm/Go templates are not YAML yet; their rendered output is what gets scanned.
    if (content.find("{{") != std::string_view::npos &&
        (content.find("{{-") != std::string_view::npos || content.find(".Values") != std::string_view::npos ||
         content.find(".Release") != std::string_view::npos || content.find("{{ include") != std::string_view::npos))
      return false;
    if (flow_manifest(content)) return true;  // JSON, or a flow-style YAML manifest
    if (json) return false;
    // A broken document must still be reported as K8000, so no parse is needed to claim it.
    return yaml::has_top_level_key(content, "apiVersion") && yaml::has_top_level_key(content, "kind");
  }
  void analyze(const SourceFile& src, Emitter& out, Suppressions& sup) const override {
    yaml::collect_pragmas(src, sup);
    auto file = yaml::File::parse(src.content());
    for (const auto& issue : file.issues()) {
      size_t end = std::min(issue.offset + 1, src.size());
      out.report("K8000", issue.offset, end, fmt::format("Kubernetes document cannot be parsed: {}", issue.message));
    }
    // Workloads are modelled and checked a batch at a time: a file of many small documents
    // would otherwise hold a model of every one (about 900 bytes per Pod) beside the YAML.
    bool first = true;
    k8s::build_manifest_in_batches(file, kBatch, [&](const k8s::Manifest& manifest) {
      if (first) {
        for (const auto& skipped : manifest.skipped)
          out.note(
              fmt::format("line {}: kind `{}` ({}) is neither a Kubernetes built-in kind nor an OpenShift "
                          "workload: tocsin does not know its schema, so it was not checked",
                          src.line_of(skipped.at.begin), skipped.kind, skipped.api_version));
        first = false;
      }
      if (file.budget_exceeded()) return;
      k8s::Context ctx{manifest, out};
      for (const auto& c : k8s::checks())
        if (out.enabled(c->id())) c->run(ctx);
    });
    if (file.budget_exceeded())
      out.report("K8000", 0, 1,
                 "Kubernetes file too large to analyse whole (YAML traversal budget exceeded); workloads after "
                 "the budget ran out were not checked");
  }

 private:
  static constexpr size_t kBatch = 1024;
};

}  // namespace

std::unique_ptr<Analyzer> make_kubernetes_analyzer() { return std::make_unique<KubernetesAnalyzer>(); }

}  // namespace tocsin::iac
