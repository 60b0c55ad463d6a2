// Store URLs and credentials: what is accepted, and that credentials never come from the URL.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "store/url.hpp"
#include "temp_dir.hpp"

namespace tocsin::store {
namespace {

TEST(StoreUrl, ParsesHostPortDatabase) {
  auto u = parse_store_url("clickhouse://127.0.0.1:18123/fleet");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 18123);
  EXPECT_EQ(u->database, "fleet");
  EXPECT_EQ(u->http_base(), "http://127.0.0.1:18123/");
  EXPECT_EQ(u->display(), "clickhouse://127.0.0.1:18123/fleet");
}

TEST(StoreUrl, DefaultsAndTls) {
  auto u = parse_store_url("clickhouse://store");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->port, 8123);
  EXPECT_EQ(u->database, "tocsin");
  auto t = parse_store_url("clickhouses://[::1]/db?ca=/etc/ca.pem&cert=/c.pem&key=/k.pem");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->port, 8443);
  EXPECT_EQ(t->ca_file, "/etc/ca.pem");
  EXPECT_EQ(t->http_base(), "https://[::1]:8443/");
}

TEST(StoreUrl, RefusesCredentialsAndBadParts) {
  for (const char* bad : {"clickhouse://user:secret@host:8123/db", "clickhouse://host/db?password=x",
                          "http://host:8123/db", "clickhouse://host:99999/db", "clickhouse://host/db;drop",
                          "clickhouse://host/db?ca=/x", "clickhouses://host/db?cert=/c", "clickhouse://:8123/db",
                          "clickhouse://host/db?nope=1"}) {
    auto u = parse_store_url(bad);
    EXPECT_FALSE(u) << bad;
  }
  auto u = parse_store_url("clickhouse://user:secret@host:8123/db");
  ASSERT_FALSE(u);
  EXPECT_NE(u.error().message.find("credentials"), std::string::npos);
}

TEST(StoreCredentials, FromFileElseEnvironment) {
  test::TempDir d("tocsin-store");
  std::string f = (d.p / "cred").string();
  std::ofstream(f) << "# fleet writer\nuser = tocsin\npassword= s3cret with spaces\n";
  auto c = load_credentials(f);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->user, "tocsin");
  EXPECT_EQ(c->password, " s3cret with spaces");
  std::ofstream(f) << "token=abc\n";
  EXPECT_FALSE(load_credentials(f));
  EXPECT_FALSE(load_credentials((d.p / "missing").string()));
  ::setenv(kUserEnv, "envuser", 1);
  ::setenv(kPasswordEnv, "envpass", 1);
  auto e = load_credentials("");
  ::unsetenv(kUserEnv);
  ::unsetenv(kPasswordEnv);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->user, "envuser");
  EXPECT_EQ(e->password, "envpass");
}

}  // namespace
}  // namespace tocsin::store
