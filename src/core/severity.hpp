// Severity levels shared by every rule family and every reporter.
#pragma once
#include <optional>
#include <string_view>

namespace tocsin {

enum class Severity { info = 0, low = 1, medium = 2, high = 3, critical = 4 };

std::string_view to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view s);
// SARIF `security-severity` (CVSS-like 0.0–10.0) for a severity.
std::string_view security_severity(Severity s);
// SARIF result level for a severity.
std::string_view sarif_level(Severity s);

}  // namespace tocsin
