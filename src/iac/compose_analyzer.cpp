// Compose analyzer: claims Compose files by name (compose*.y*ml, docker-compose*.y*ml,
// *.compose.y*ml) or by content (a `services:` mapping of service-like values), parses them
// with positions (the Compose specification, versions 2/3, and version 1 with its services at
// the top level) and runs the DC rules.
#include <fmt/format.h>

#include "iac/analyzer.hpp"
#include "iac/parse/compose_model.hpp"
#include "iac/parse/yaml_doc.hpp"
#include "iac/rules/compose/check.hpp"
#include "core/strings.hpp"

namespace tocsin::iac {
namespace {

bool yaml_ext(std::string_view name, size_t from) {
  auto rest = name.substr(from);
  return rest == ".yml" || rest == ".yaml";
}

bool compose_name(std::string_view path) {
  if (path.find(".github/workflows/") != std::string_view::npos) return false;
  std::string_view n = base_name(path);
  if (!(n.ends_with(".yml") || n.ends_with(".yaml"))) return false;
  if (n.starts_with("compose") || n.starts_with("docker-compose")) return true;
  size_t dot = n.rfind(".compose.");
  return dot != std::string_view::npos && yaml_ext(n, dot + 8);
}

class ComposeAnalyzer final : public Analyzer {
 public:
  std::string_view kind() const override { return "compose"; }
  std::vector<std::string_view> rules() const override {
    std::vector<std::string_view> ids{"DC000"};
    for (const auto& c : compose::checks()) ids.push_back(c->id());
    return ids;
  }
  bool claims_name(std::string_view path) const override { return compose_name(path); }
  bool claims_content(std::string_view path, std::string_view content) const override {
    std::string_view n = base_name(path);
    if (!(n.ends_with(".yml") || n.ends_with(".yaml") || n.find('.') == std::string_view::npos)) return false;
    if (!yaml::has_top_level_key(content, "services")) return false;
    auto file = yaml::File::parse(content);
    return compose::looks_like_compose(file);
  }
  void analyze(const SourceFile& src, Emitter& out, Suppressions& sup) const override {
    yaml::collect_pragmas(src, sup);
    auto file = yaml::File::parse(src.content());
    for (const auto& issue : file.issues()) {
      size_t end = std::min(issue.offset + 1, src.size());
      out.report("DC000", issue.offset, end, fmt::format("Compose file cannot be parsed: {}", issue.message));
    }
    auto project = compose::build_project(file);
    if (file.budget_exceeded()) {
      out.report("DC000", 0, 1, "Compose file too large to analyse (YAML traversal budget exceeded)");
      return;
    }
    if (project.services_cut)
      out.report("DC000", project.services_cut->begin,
                 std::max(project.services_cut->end, project.services_cut->begin + 1),
                 fmt::format("more than {} services in this file; this one and the rest were not checked",
                             compose::kMaxServices));
    if (project.services.empty() && !file.has_fatal())
      out.note("no `services:` mapping and no version-1 service definitions (services at the top level): "
               "nothing to check");
    compose::Context ctx{project, out};
    for (const auto& c : compose::checks())
      if (out.enabled(c->id())) c->run(ctx);
  }
};

}  // namespace

std::unique_ptr<Analyzer> make_compose_analyzer() { return std::make_unique<ComposeAnalyzer>(); }

}  // namespace tocsin::iac
