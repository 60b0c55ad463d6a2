// Training input for the baseline: runs the hunt's sources and engine over audit logs (any hunt
// input format) and keeps the AU001 copies as CopyRecords.
#pragma once
#include <string>
#include <vector>

#include "audit/baseline/baseline.hpp"
#include "audit/source.hpp"

namespace tocsin::audit::baseline {

struct CollectResult {
  std::vector<CopyRecord> copies;
  SourceStats stats;
  uint64_t events = 0;
  std::vector<std::string> errors;  // unreadable inputs (the others are still read)
};

// `input_format`: auto, raw, enriched, text, es, es-export, laurel, ecs, auditbeat.
Result<CollectResult> collect_copies(const std::vector<std::string>& inputs, const std::string& input_format);

}  // namespace tocsin::audit::baseline
