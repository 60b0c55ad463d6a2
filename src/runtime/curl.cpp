// Shared libcurl pieces (see curl.hpp).
#include "runtime/curl.hpp"

#include <climits>
#include <mutex>

namespace tocsin::runtime::curl {

Easy make_easy() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return Easy(curl_easy_init());
}

size_t append_to_string(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string escape(std::string_view s) {
  std::string out;
  // curl_easy_escape takes an int length (and ignores its handle since 7.82).
  for (size_t at = 0; at < s.size(); at += INT_MAX) {
    std::string_view part = s.substr(at, INT_MAX);
    char* e = curl_easy_escape(nullptr, part.data(), static_cast<int>(part.size()));
    if (!e) break;
    out += e;
    curl_free(e);
  }
  return out;
}

}  // namespace tocsin::runtime::curl
