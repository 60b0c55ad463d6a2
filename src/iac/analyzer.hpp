// Analyzer: one per file kind (Dockerfile, Compose, Kubernetes, scripts/CI). It recognises its
// files, parses them, and runs its family's rules. The scan engine (iac/scan.hpp) is shared.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/source.hpp"
#include "iac/emitter.hpp"
#include "iac/suppress.hpp"

namespace tocsin::iac {

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  virtual std::string_view kind() const = 0;  // "dockerfile", "compose", ...
  // Rule ids this analyzer can report, its parse-error id first (DF000, DC000, K8000, ...).
  virtual std::vector<std::string_view> rules() const = 0;
  // Claims a file by its path alone (e.g. "Dockerfile", "compose.yaml").
  virtual bool claims_name(std::string_view path) const = 0;
  // Why a file claimed by name is not of this kind after all (its first bytes are another
  // language, a template, binary data), or nothing. Such a file is skipped with a note.
  virtual std::optional<std::string> refuses(std::string_view /*path*/, std::string_view /*head*/) const {
    return std::nullopt;
  }
  // Claims a file nobody claimed by name, from its content (first bytes are enough).
  virtual bool claims_content(std::string_view path, std::string_view content) const = 0;
  // Parses and checks one file. Parse problems are reported as the parse-error rule with
  // their location; the pragmas found in comments go into `sup`.
  virtual void analyze(const SourceFile& src, Emitter& out, Suppressions& sup) const = 0;
};

// All analyzers, in claiming order.
const std::vector<std::unique_ptr<Analyzer>>& analyzers();

// Factories, one per analyzer (each in its own file).
std::unique_ptr<Analyzer> make_dockerfile_analyzer();
std::unique_ptr<Analyzer> make_compose_analyzer();
std::unique_ptr<Analyzer> make_kubernetes_analyzer();
std::unique_ptr<Analyzer> make_script_analyzer();

}  // namespace tocsin::iac
