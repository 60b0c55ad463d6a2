// EventSource for the JSON audit formats: the seed's Elasticsearch export (flattened m_/h_/b_/
// <TYPE>_b_ documents, also inside a `_search` response), laurel JSON lines, and auditbeat (ECS)
// or go-libaudit coalesced events. Each document becomes an Event equivalent to what the text
// parser builds from the same records; bad documents are AU000 issues with their location.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/formats/json_flavor.hpp"
#include "audit/source.hpp"

namespace tocsin::audit {

struct JsonSourceOptions {
  JsonFlavor flavor = JsonFlavor::Auto;
  size_t max_document = 16u << 20;  // longer JSON lines are AU000 and skipped
  size_t max_whole = 1u << 30;      // whole-file JSON (arrays, pretty-printed) larger: AU000
  size_t read_chunk = 4u << 20;
};

class JsonSource : public EventSource {
 public:
  explicit JsonSource(std::vector<InputFile> inputs, JsonSourceOptions opts = {});
  // Reads `data` (plain or gzip) as if it were a file named `name` (tests, fuzzing).
  static JsonSource from_memory(std::string data, std::string name = "<memory>",
                                JsonSourceOptions opts = {});
  Status for_each(const EventSink& sink) override;

  struct Impl;  // the per-input reader, defined in the .cpp

 private:
  std::vector<InputFile> inputs_;
  JsonSourceOptions opts_;
  std::optional<std::string> memory_;
};

// The source for `--input-format` (auto sniffs the first input's first bytes, after gzip):
// TextSource for audit text, JsonSource for JSON. Null with an error for unreadable inputs.
Result<std::unique_ptr<EventSource>> open_event_source(std::vector<InputFile> inputs,
                                                       std::string_view input_format);

}  // namespace tocsin::audit
