// The JSON audit flavours the JSON source reads (json_source.hpp) and the field mappings
// translate (json_mapping.hpp): their names and how the first document tells which one a file is.
#pragma once
#include <cstdint>
#include <string_view>

#include "core/result.hpp"

namespace tocsin::audit {

enum class JsonFlavor : uint8_t {
  Auto,       // decided per document
  EsExport,   // the seed's flattened export
  Laurel,     // threathunters-io/laurel
  Auditbeat,  // auditbeat auditd module (ECS) and go-libaudit aucoalesce output
};

// "auto", "es-export" (or "es"), "laurel", "auditbeat" (or "ecs"); also accepts "json" = auto.
Result<JsonFlavor> parse_json_flavor(std::string_view s);
std::string_view json_flavor_name(JsonFlavor f);

// Which JSON flavour the first document in `head` looks like (Auto when it cannot tell, e.g.
// the head is cut before a telling field). Cheap: a textual look at field names.
JsonFlavor sniff_json_flavor(std::string_view head);

}  // namespace tocsin::audit
