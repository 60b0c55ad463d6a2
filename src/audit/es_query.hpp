// Generator for `tocsin es-query`: Elasticsearch query DSL that pre-selects, in indices laid out
// like the seed's `auditd*` export (flattened m_/h_/b_/<TYPE>_b_ fields), every event the hunt
// detections need, so that the hits can be fed back to `tocsin hunt`.
#pragma once
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tocsin::audit {

enum class EsQueryFormat { Body, Console, Curl };

struct EsQueryOptions {
  std::string index = "auditd*";
  std::string since = "24h";           // "24h", "7d", "90m" or an ISO date/time
  std::string time_field = "m_eventTs";
  std::string key_prefix = "tocsin";   // events tagged by `tocsin audit-rules` keys
  int size = 10000;                    // hits per page (the ES default max_result_window)
  EsQueryFormat format = EsQueryFormat::Body;
  std::string url = "http://localhost:9200";  // for --format curl
};

Result<EsQueryFormat> parse_es_query_format(std::string_view s);

// The `gte` bound for the time range: "now-24h" for a duration, the text itself for a date.
Result<std::string> es_since_bound(std::string_view since);

// The query body as pretty-printed JSON (Body), or wrapped for Kibana Dev Tools / curl.
Result<std::string> generate_es_query(const EsQueryOptions& opts);

}  // namespace tocsin::audit
