// The libcurl pieces shared by the Docker Engine client (runtime/docker.cpp) and the fleet
// store's ClickHouse client (store/client.cpp): one process-wide curl_global_init, owned easy
// and multi handles, a write callback that appends to a string, and percent-encoding.
#pragma once
#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>

namespace tocsin::runtime::curl {

struct EasyCleanup {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiCleanup {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyCleanup>;
using Multi = std::unique_ptr<CURLM, MultiCleanup>;
using Slist = std::unique_ptr<curl_slist, SlistFree>;

// A new easy handle (curl_global_init runs once per process before the first); null when
// libcurl cannot make one.
Easy make_easy();

// A CURLOPT_WRITEFUNCTION appending to the std::string given as CURLOPT_WRITEDATA.
size_t append_to_string(char* data, size_t size, size_t n, void* out);

// Percent-encodes every byte but RFC 3986's unreserved ones (A-Z a-z 0-9 - . _ ~), as %XX.
std::string escape(std::string_view s);

}  // namespace tocsin::runtime::curl
