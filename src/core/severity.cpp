// Severity names and their mappings to SARIF.
#include "core/severity.hpp"

namespace tocsin {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::info: return "info";
    case Severity::low: return "low";
    case Severity::medium: return "medium";
    case Severity::high: return "high";
    case Severity::critical: return "critical";
  }
  return "info";
}

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "info") return Severity::info;
  if (s == "low") return Severity::low;
  if (s == "medium") return Severity::medium;
  if (s == "high") return Severity::high;
  if (s == "critical") return Severity::critical;
  return std::nullopt;
}

std::string_view security_severity(Severity s) {
  switch (s) {
    case Severity::info: return "0.0";
    case Severity::low: return "3.0";
    case Severity::medium: return "5.5";
    case Severity::high: return "8.0";
    case Severity::critical: return "9.5";
  }
  return "0.0";
}

std::string_view sarif_level(Severity s) {
  switch (s) {
    case Severity::info: return "note";
    case Severity::low: return "note";
    case Severity::medium: return "warning";
    case Severity::high: return "error";
    case Severity::critical: return "error";
  }
  return "note";
}

}  // namespace tocsin
