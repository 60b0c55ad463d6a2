// Store URL parsing and credential loading.
#include "store/url.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "safeio/safe_file.hpp"

namespace tocsin::store {
namespace {

bool valid_identifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

std::string StoreUrl::display() const {
  bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}/{}", tls ? "clickhouses" : "clickhouse", v6 ? "[" : "", host, v6 ? "]" : "", port,
                     database);
}

std::string StoreUrl::http_base() const {
  bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}/", tls ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

Result<StoreUrl> parse_store_url(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error{fmt::format("store URL '{}': {} (use clickhouse://HOST:PORT/DATABASE)", text, why)};
  };
  StoreUrl u;
  std::string_view rest = text;
  if (rest.rfind("clickhouse://", 0) == 0) {
    rest.remove_prefix(13);
  } else if (rest.rfind("clickhouses://", 0) == 0) {
    rest.remove_prefix(14);
    u.tls = true;
    u.port = 8443;
  } else {
    return bad("the scheme must be clickhouse:// or clickhouses://");
  }
  std::string_view params;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    params = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest, path;
  if (auto s = rest.find('/'); s != std::string_view::npos) {
    authority = rest.substr(0, s);
    path = rest.substr(s + 1);
  }
  if (authority.find('@') != std::string_view::npos)
    return bad(fmt::format("credentials do not go in the URL (every user can read command lines); use a "
                           "credentials file or {} / {}", kUserEnv, kPasswordEnv));
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in the host");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("expected ':PORT' after ']'");
      port_text = after.substr(1);
    }
  } else if (auto c = authority.rfind(':'); c != std::string_view::npos) {
    u.host = std::string(authority.substr(0, c));
    port_text = authority.substr(c + 1);
  } else {
    u.host = std::string(authority);
  }
  if (u.host.empty()) return bad("no host");
  if (!port_text.empty()) {
    int p = 0;
    for (char ch : port_text) {
      if (ch < '0' || ch > '9' || p > 65535) return bad("the port is not a number from 1 to 65535");
      p = p * 10 + (ch - '0');
    }
    if (p < 1 || p > 65535) return bad("the port is not a number from 1 to 65535");
    u.port = p;
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (!path.empty()) {
    if (!valid_identifier(path)) return bad("the database name may only hold letters, digits and '_'");
    u.database = std::string(path);
  }
  while (!params.empty()) {
    auto amp = params.find('&');
    std::string_view kv = params.substr(0, amp);
    params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
    auto eq = kv.find('=');
    std::string_view k = kv.substr(0, eq), v = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
    if (k == "ca") u.ca_file = std::string(v);
    else if (k == "cert") u.cert_file = std::string(v);
    else if (k == "key") u.key_file = std::string(v);
    else if (k == "user" || k == "password") return bad("credentials do not go in the URL; use a credentials file or the environment");
    else return bad(fmt::format("unknown parameter '{}' (known: ca, cert, key)", k));
  }
  if (!u.tls && (!u.ca_file.empty() || !u.cert_file.empty() || !u.key_file.empty()))
    return bad("ca/cert/key are TLS options: use clickhouses://");
  if (u.cert_file.empty() != u.key_file.empty()) return bad("give both cert and key for a client certificate");
  return u;
}

Result<Credentials> load_credentials(const std::string& file) {
  Credentials c;
  if (file.empty()) {
    if (const char* u = std::getenv(kUserEnv)) c.user = u;
    if (const char* p = std::getenv(kPasswordEnv)) c.password = p;
    return c;
  }
  auto text = safeio::read_file(file, 64 * 1024);
  if (!text) return Error{fmt::format("credentials file {}: {}", file, text.error().message)};
  std::string_view t = *text;
  int lineno = 0;
  while (!t.empty()) {
    auto nl = t.find('\n');
    std::string_view line = t.substr(0, nl);
    t = nl == std::string_view::npos ? std::string_view() : t.substr(nl + 1);
    ++lineno;
    std::string l = trim(line);
    if (l.empty() || l[0] == '#') continue;
    auto eq = l.find('=');
    std::string key = eq == std::string::npos ? std::string() : trim(std::string_view(l).substr(0, eq));
    if (key == "user") c.user = trim(std::string_view(l).substr(eq + 1));
    else if (key == "password") {
      std::string_view v = line.substr(line.find('=') + 1);  // verbatim: spaces may be part of it
      if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
      c.password = std::string(v);
    }
    else return Error{fmt::format("credentials file {}:{}: expected user=NAME or password=SECRET", file, lineno), lineno, 0};
  }
  return c;
}

}  // namespace tocsin::store
