// Where the fleet store is and who we are to it: `clickhouse://HOST:PORT/DB` (HTTP) or
// `clickhouses://…` (HTTPS, TLS options as URL parameters), and the credentials, which come
// from a file or the environment and never from the command line (a URL with user:password@
// is refused: command lines are visible to every user in /proc).
#pragma once
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tocsin::store {

struct StoreUrl {
  bool tls = false;
  std::string host;  // name or address; IPv6 without brackets
  int port = 8123;
  std::string database = "tocsin";
  // TLS (clickhouses://): ?ca=FILE (CA bundle), ?cert=FILE&key=FILE (client certificate).
  std::string ca_file, cert_file, key_file;

  std::string display() const;    // clickhouse://HOST:PORT/DB (no parameters)
  std::string http_base() const;  // http(s)://HOST:PORT/
};

// Accepts clickhouse://HOST[:PORT][/DB][?ca=…&cert=…&key=…] and clickhouses://….
Result<StoreUrl> parse_store_url(std::string_view text);

struct Credentials {
  std::string user;      // empty: the server's default user
  std::string password;
};

// The environment variables read when no credentials file is given.
inline constexpr const char* kUserEnv = "TOCSIN_CLICKHOUSE_USER";
inline constexpr const char* kPasswordEnv = "TOCSIN_CLICKHOUSE_PASSWORD";

// From `file` ("user=NAME" and "password=SECRET" lines; '#' comments) when given, else from
// TOCSIN_CLICKHOUSE_USER / TOCSIN_CLICKHOUSE_PASSWORD (both optional).
Result<Credentials> load_credentials(const std::string& file);

}  // namespace tocsin::store
