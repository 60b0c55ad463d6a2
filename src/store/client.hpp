// A ClickHouse client over the HTTP interface only (libcurl), so Debian's 18.16 and newer
// servers answer alike. Every answer is read whole before it is used: queries run with
// wait_end_of_query=1, so a failure part-way (a shard that dies mid-query) is an HTTP error and
// never a shorter body that looks complete, and distributed queries never skip a shard.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "runtime/curl.hpp"
#include "store/url.hpp"

namespace tocsin::store {

struct ClientOptions {
  uint64_t connect_timeout_ms = 3000;
  uint64_t timeout_ms = 120000;  // a whole request
};

class Client {
 public:
  Client(StoreUrl url, Credentials cred, ClientOptions opt = {});

  // Runs `sql` (a statement or a SELECT with its FORMAT) and returns the body. Names without a
  // database resolve in the URL's, which must exist unless `in_database` is false.
  Result<std::string> query(std::string_view sql, bool in_database = true);
  // INSERT INTO `table` FORMAT JSONEachRow with `rows` (one JSON object per line) as the body;
  // on a Distributed table the insert returns only once every shard has its rows.
  Status insert_json_rows(std::string_view table, std::string_view rows);
  const StoreUrl& url() const { return url_; }

 private:
  Result<std::string> request(const std::string& url_query, std::string_view body, bool in_database = true);
  StoreUrl url_;
  Credentials cred_;
  ClientOptions opt_;
  runtime::curl::Easy curl_;
};

// A client for `url` with the credentials of `credentials_file` (empty: the environment).
Result<Client> connect(const std::string& url, const std::string& credentials_file);

// A SQL string literal: 'text' with \\ and \' escaped.
std::string sql_quote(std::string_view s);

}  // namespace tocsin::store
