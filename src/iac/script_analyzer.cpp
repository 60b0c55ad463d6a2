// Script analyzer: PLACEHOLDER — claims nothing yet.
#include "iac/analyzer.hpp"

namespace tocsin::iac {
namespace {

class ScriptAnalyzer final : public Analyzer {
 public:
  std::string_view kind() const override { return "script"; }
  std::vector<std::string_view> rules() const override { return {"SH001"}; }
  bool claims_name(std::string_view) const override { return false; }
  bool claims_content(std::string_view, std::string_view) const override { return false; }
  void analyze(const SourceFile&, Emitter&, Suppressions&) const override {}
};

}  // namespace

std::unique_ptr<Analyzer> make_script_analyzer() { return std::make_unique<ScriptAnalyzer>(); }

}  // namespace tocsin::iac
