// ClickHouse HTTP client on libcurl.
#include "store/client.hpp"

#include <fmt/format.h>

namespace tocsin::store {
namespace {

using runtime::curl::escape;

// The server's message: its first line, without the stack trace some versions append.
std::string first_line(std::string_view body) {
  auto nl = body.find('\n');
  std::string_view l = body.substr(0, nl);
  if (l.size() > 600) l = l.substr(0, 600);
  return std::string(l);
}

}  // namespace

std::string sql_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

Result<Client> connect(const std::string& url, const std::string& credentials_file) {
  auto u = parse_store_url(url);
  if (!u) return u.error();
  auto cred = load_credentials(credentials_file);
  if (!cred) return cred.error();
  return Client(*u, *cred);
}

Client::Client(StoreUrl url, Credentials cred, ClientOptions opt)
    : url_(std::move(url)), cred_(std::move(cred)), opt_(opt), curl_(runtime::curl::make_easy()) {}

Result<std::string> Client::request(const std::string& url_query, std::string_view body, bool in_database) {
  CURL* c = curl_.get();
  if (!c) return Error{"cannot initialise libcurl"};
  curl_easy_reset(c);
  // Settings every request carries: the database, an answer read whole by the server before it
  // is sent (an exception part-way becomes an HTTP error), no shard skipped in silence.
  std::string url =
      fmt::format("{}?wait_end_of_query=1&skip_unavailable_shards=0&output_format_json_quote_64bit_integers=0{}{}",
                  url_.http_base(), in_database ? "&database=" + escape(url_.database) : std::string(), url_query);
  std::string out;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, runtime::curl::append_to_string);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opt_.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(opt_.timeout_ms));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, url_.tls ? "https" : "http");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  // "Expect: 100-continue" costs a round trip per insert and old servers ignore it.
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (!cred_.user.empty() || !cred_.password.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(c, CURLOPT_USERNAME, cred_.user.empty() ? "default" : cred_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, cred_.password.c_str());
  }
  if (url_.tls) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!url_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, url_.ca_file.c_str());
    if (!url_.cert_file.empty()) curl_easy_setopt(c, CURLOPT_SSLCERT, url_.cert_file.c_str());
    if (!url_.key_file.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, url_.key_file.c_str());
  }
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK)
    return Error{fmt::format("{}: unreachable: {}", url_.display(), curl_easy_strerror(rc))};
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    return Error{fmt::format("{}: HTTP {}: {}", url_.display(), status, first_line(out))};
  return out;
}

Result<std::string> Client::query(std::string_view sql, bool in_database) { return request("", sql, in_database); }

Status Client::insert_json_rows(std::string_view table, std::string_view rows) {
  std::string q = fmt::format("&insert_distributed_sync=1&query={}",
                              escape(fmt::format("INSERT INTO {} FORMAT JSONEachRow", table)));
  auto r = request(q, rows);
  if (!r) return r.error();
  return ok_status();
}

}  // namespace tocsin::store
