// The JSON audit flavours by name, and telling them apart by a look at the first document.
#include "audit/formats/json_flavor.hpp"

#include <fmt/format.h>

namespace tocsin::audit {

Result<JsonFlavor> parse_json_flavor(std::string_view s) {
  if (s == "auto" || s == "json") return JsonFlavor::Auto;
  if (s == "es-export" || s == "es" || s == "elasticsearch") return JsonFlavor::EsExport;
  if (s == "laurel") return JsonFlavor::Laurel;
  if (s == "auditbeat" || s == "ecs") return JsonFlavor::Auditbeat;
  return Error{fmt::format("unknown JSON format '{}': use auto, es-export, laurel or auditbeat", s)};
}

std::string_view json_flavor_name(JsonFlavor f) {
  switch (f) {
    case JsonFlavor::Auto:
      return "auto";
    case JsonFlavor::EsExport:
      return "es-export";
    case JsonFlavor::Laurel:
      return "laurel";
    case JsonFlavor::Auditbeat:
      return "auditbeat";
  }
  return "auto";
}

JsonFlavor sniff_json_flavor(std::string_view head) {
  head = head.substr(0, 64 * 1024);
  auto has = [&](std::string_view s) { return head.find(s) != std::string_view::npos; };
  if (has("\"ID\"") &&
      (has("\"SYSCALL\"") || has("\"NODE\"") || has("\"EXECVE\"") || has("\"PATH\"") || has("\"PROCTITLE\"")))
    return JsonFlavor::Laurel;
  if (has("\"auditd\"") || has("\"auditd.") || (has("\"sequence\"") && has("\"record_type\"")))
    return JsonFlavor::Auditbeat;
  if (has("\"h_msg\"") || has("\"m_eventTs\"") || has("\"m_host\"") || has("_b_allArgs\"") || has("\"b_syscall\""))
    return JsonFlavor::EsExport;
  return JsonFlavor::Auto;
}

}  // namespace tocsin::audit
