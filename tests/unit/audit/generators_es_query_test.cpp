// Tests for `tocsin es-query`: the DSL parses, carries every clause the hunt needs, fixes the
// seed query's blind spots (no b_tty condition, execveat, swaps, daemon helpers), and pairs
// syscall numbers with their arch.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "audit/es_query.hpp"

namespace tocsin::audit {
namespace {

using nlohmann::json;

json parse_body(const EsQueryOptions& o) {
  auto text = generate_es_query(o);
  EXPECT_TRUE(text.ok());
  if (!text.ok()) return json();
  return json::parse(*text);
}

// Every object in the tree, depth first.
void walk(const json& j, const std::function<void(const json&)>& fn) {
  fn(j);
  if (j.is_object() || j.is_array())
    for (auto& v : j) walk(v, fn);
}

const json* named(const json& body, const std::string& name) {
  const json* found = nullptr;
  walk(body, [&](const json& j) {
    if (found == nullptr && j.is_object() && j.contains("bool") && j["bool"].contains("_name") &&
        j["bool"]["_name"] == name)
      found = &j;
  });
  return found;
}

bool mentions(const json& j, const std::string& field) {
  bool yes = false;
  walk(j, [&](const json& x) {
    if (x.is_object() && (x.contains(field) || (x.contains("field") && x["field"] == field)))
      yes = true;
  });
  return yes;
}

bool has_value(const json& j, const json& v) {
  bool yes = false;
  walk(j, [&](const json& x) {
    if (x == v) yes = true;
  });
  return yes;
}

TEST(EsQuery, BodyIsJsonWithTimeRangeAndEveryClause) {
  EsQueryOptions o;
  json body = parse_body(o);
  ASSERT_TRUE(body.is_object());
  EXPECT_EQ(body["size"], 10000);
  auto& b = body["query"]["bool"];
  EXPECT_EQ(b["minimum_should_match"], 1);
  EXPECT_EQ(b["filter"][0]["range"]["m_eventTs"]["gte"], "now-24h");
  EXPECT_EQ(body["sort"][0]["m_eventTs"]["order"], "asc");
  for (auto n : {"tocsin_copy_client", "tocsin_runtime", "tocsin_swap", "tocsin_symlink",
                 "tocsin_proc", "tocsin_audit_loss"})
    EXPECT_NE(named(body, n), nullptr) << n;
  EXPECT_TRUE(has_value(body, json{{"value", "tocsin_"}, {"_name", "tocsin_key"}}));
}

TEST(EsQuery, CopyClientsAreFoundWithoutATerminal) {
  json body = parse_body({});
  const json* c = named(body, "tocsin_copy_client");
  ASSERT_NE(c, nullptr);
  // The seed query's blind spot: scripts without a terminal. No clause may look at the tty.
  EXPECT_FALSE(mentions(body, "b_tty"));
  EXPECT_FALSE(mentions(body, "b_TTY"));
  for (auto client : {"*docker", "*podman", "*nerdctl", "*kubectl"})
    EXPECT_TRUE(has_value(*c, json{{"value", client}})) << client;
  EXPECT_TRUE(mentions(*c, "EXECVE_b_allArgs"));
  EXPECT_TRUE(has_value(*c, json::array({"cp"})));
  // execveat as well as execve, by name...
  EXPECT_TRUE(has_value(*c, json::array({"execve", "execveat"})));
  // ...and by number, each paired with its arch.
  EXPECT_TRUE(has_value(*c, json::array({59, 322})));     // x86_64
  EXPECT_TRUE(has_value(*c, json::array({11, 358})));     // i386
  EXPECT_TRUE(has_value(*c, json::array({221, 281})));    // aarch64
  EXPECT_TRUE(has_value(*c, json::array({"c000003e"})));
  EXPECT_TRUE(has_value(*c, json::array({"c00000b7"})));
}

TEST(EsQuery, NumbersNeverStandWithoutTheirArch) {
  json body = parse_body({});
  // Every terms clause on b_syscall sits in a filter next to an arch clause.
  int seen = 0;
  walk(body, [&](const json& j) {
    if (!j.is_object() || !j.contains("bool") || !j["bool"].contains("filter")) return;
    auto& f = j["bool"]["filter"];
    bool numbers = false, arch = false;
    for (auto& x : f) {
      if (x.contains("terms") && x["terms"].contains("b_syscall")) numbers = true;
      if (mentions(x, "b_arch")) arch = true;
    }
    if (numbers) {
      ++seen;
      EXPECT_TRUE(arch) << f.dump();
    }
  });
  EXPECT_GE(seen, 4 * 3);  // 4 ABIs in each of exec, swap, symlink
  // And no b_syscall terms clause anywhere else.
  int total = 0;
  walk(body, [&](const json& j) {
    if (j.is_object() && j.contains("terms") && j["terms"].contains("b_syscall")) ++total;
  });
  EXPECT_EQ(total, seen);
}

TEST(EsQuery, SwapLoopsAndHelpers) {
  json body = parse_body({});
  const json* s = named(body, "tocsin_swap");
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(has_value(*s, json::array({"rename", "renameat", "renameat2"})));
  EXPECT_TRUE(has_value(*s, json::array({82, 264, 316})));  // x86_64
  EXPECT_TRUE(has_value(*s, json::array({38, 276})));       // aarch64: renameat, renameat2
  const json* r = named(body, "tocsin_runtime");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(has_value(*r, json::array({"docker-untar", "docker-tar"})));
  for (auto exe : {"*/dockerd", "*/runc", "*/containerd-shim*", "*/containerd"})
    EXPECT_TRUE(has_value(*r, json{{"value", exe}})) << exe;
  // Names are matched leniently, so a numeric b_syscall mapping never fails the search.
  bool lenient = false;
  walk(*s, [&](const json& j) {
    if (j.is_object() && j.contains("match") && j["match"].contains("b_syscall"))
      lenient = j["match"]["b_syscall"]["lenient"] == true;
  });
  EXPECT_TRUE(lenient);
}

TEST(EsQuery, Options) {
  EsQueryOptions o;
  o.since = "7d";
  o.time_field = "@timestamp";
  o.key_prefix = "lab";
  json body = parse_body(o);
  EXPECT_EQ(body["query"]["bool"]["filter"][0]["range"]["@timestamp"]["gte"], "now-7d");
  EXPECT_TRUE(has_value(body, json{{"value", "lab_"}, {"_name", "tocsin_key"}}));
  o.since = "2026-11-22T07:00:00Z";
  body = parse_body(o);
  EXPECT_EQ(body["query"]["bool"]["filter"][0]["range"]["@timestamp"]["gte"],
            "2026-11-22T07:00:00Z");

  for (auto bad : {"", "24", "h", "yesterday", "1d; rm -rf", "2026-1-1"}) {
    o.since = bad;
    EXPECT_FALSE(generate_es_query(o).ok()) << bad;
  }
  o.since = "24h";
  o.index = "audit d";
  EXPECT_FALSE(generate_es_query(o).ok());
  o.index = "auditd*";
  o.size = 0;
  EXPECT_FALSE(generate_es_query(o).ok());
}

TEST(EsQuery, ConsoleAndCurlWrapTheSameBody) {
  EsQueryOptions o;
  std::string body = *generate_es_query(o);
  o.format = EsQueryFormat::Console;
  std::string console = *generate_es_query(o);
  EXPECT_EQ(console.rfind("GET auditd*/_search\n", 0), 0u);
  EXPECT_EQ(json::parse(console.substr(console.find('\n') + 1)), json::parse(body));
  o.format = EsQueryFormat::Curl;
  o.index = "audit-*";
  std::string curl = *generate_es_query(o);
  EXPECT_NE(curl.find("'http://localhost:9200/audit-*/_search'"), std::string::npos);
  auto b = curl.find("<<'TOCSIN_EOF'\n");
  auto e = curl.rfind("TOCSIN_EOF");
  ASSERT_NE(b, std::string::npos);
  EXPECT_TRUE(json::accept(curl.substr(b + 15, e - b - 15)));
  EXPECT_TRUE(parse_es_query_format("kibana").ok());
  EXPECT_FALSE(parse_es_query_format("yaml").ok());
}

}  // namespace
}  // namespace tocsin::audit
