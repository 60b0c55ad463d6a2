// Tests of YAML loading with positions: marks, merge keys, duplicate keys, hostile input,
// block scalar mapping, and the Compose/Kubernetes models built on it.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "iac/parse/compose_model.hpp"
#include "iac/parse/k8s_model.hpp"
#include "iac/parse/yaml_doc.hpp"

namespace tocsin::yaml {
namespace {

TEST(YamlDoc, KeysAndValuesHaveExactOffsets) {
  std::string text = "a: 1\nb:\n  c: \"x y\"\n";
  auto f = File::parse(text);
  ASSERT_FALSE(f.has_fatal());
  Ref root = f.root(f.documents().at(0));
  auto e = root.get("b").find("c");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->key.begin(), text.find("c:"));
  EXPECT_EQ(e->value.begin(), text.find("\"x y\""));
  EXPECT_EQ(e->value.end(), text.find("\"x y\"") + 5);
  EXPECT_EQ(e->value.str(), "x y");
  EXPECT_FALSE(root.find("zz"));
}

TEST(YamlDoc, MergeKeysPointAtTheOriginal) {
  std::string text = "x: &base\n  image: foo\n  user: root\ns:\n  <<: *base\n  image: bar\n";
  auto f = File::parse(text);
  Ref s = f.root(f.documents()[0]).get("s");
  EXPECT_EQ(s.get("image").str(), "bar");  // own key overrides the merged one
  auto user = s.find("user");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->key.begin(), text.find("user"));  // position in the anchor
  EXPECT_EQ(s.entries().size(), 2u);
}

TEST(YamlDoc, DuplicateKeysAreReportedAtTheSecondKey) {
  std::string text = "a: 1\nb: 2\na: 3\n";
  auto f = File::parse(text);
  ASSERT_EQ(f.issues().size(), 1u);
  EXPECT_EQ(f.issues()[0].offset, text.rfind("a:"));
  EXPECT_EQ(f.root(f.documents()[0]).get("a").str(), "3");
  auto ok = File::parse("a: 1\nb: {a: 2}\n");
  EXPECT_TRUE(ok.issues().empty());
}

TEST(YamlDoc, BrokenDocumentDoesNotHideTheOthers) {
  std::string text = "a: [1\n---\nb: 2\n";
  auto f = File::parse(text);
  ASSERT_EQ(f.documents().size(), 2u);
  EXPECT_TRUE(f.documents()[0].failed);
  EXPECT_EQ(f.root(f.documents()[1]).get("b").str(), "2");
  EXPECT_TRUE(f.has_fatal());
}

TEST(YamlDoc, AliasBombEndsQuicklyWithALocatedError) {
  std::string text = "a: &a [x,x,x,x,x,x,x,x,x,x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c) {
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) text += std::string(i ? "," : "") + "*" + prev;
    text += "]\n";
    prev = c;
  }
  auto t0 = std::chrono::steady_clock::now();
  auto f = File::parse(text);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(ms, 2000);
  ASSERT_TRUE(f.has_fatal());
  EXPECT_NE(f.issues()[0].message.find("alias"), std::string::npos);
  EXPECT_GT(f.issues()[0].offset, text.find("e:"));
}

TEST(YamlDoc, DeepNestingIsRejectedBeforeParsing) {
  std::string flow = "a: " + std::string(10000, '[') + std::string(10000, ']') + "\n";
  auto f = File::parse(flow);
  ASSERT_TRUE(f.has_fatal());
  EXPECT_NE(f.issues()[0].message.find("nesting"), std::string::npos);
  std::string block;
  for (int i = 0; i < 300; ++i) block += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  auto g = File::parse(block);
  ASSERT_TRUE(g.has_fatal());
  auto ok = File::parse("a:\n  b:\n    c: |\n      [[[[[[[[\n");
  EXPECT_FALSE(ok.has_fatal());
}

TEST(YamlDoc, TabsAndInvalidUtf8AreLocated) {
  std::string tabs = "a:\n\tb: 1\n";
  auto f = File::parse(tabs);
  ASSERT_TRUE(f.has_fatal());
  EXPECT_EQ(f.issues()[0].offset, 3u);
  std::string bad = "a: \"caf\xff\"\n";
  auto g = File::parse(bad);
  ASSERT_TRUE(g.has_fatal());
  EXPECT_EQ(g.issues()[0].offset, 7u);
  EXPECT_FALSE(find_invalid_utf8("caf\xc3\xa9"));
  EXPECT_TRUE(find_invalid_utf8("\xc0\x80"));  // overlong
}

TEST(YamlDoc, BinaryGarbageNeverCrashes) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131 + 7) % 128));
  auto f = File::parse(junk);
  (void)f.documents();
  SUCCEED();
}

TEST(YamlDoc, BlockScalarLinesMapToTheFile) {
  std::string text = "run: |\n  echo a\n  docker cp x y:/z\nnext: 1\n";
  SourceFile src("w.yml", text);
  auto f = File::parse(text);
  auto mt = scalar_text(src, f.root(f.documents()[0]).get("run"));
  EXPECT_EQ(mt.text(), "echo a\ndocker cp x y:/z\n");
  size_t at = mt.text().find("docker");
  EXPECT_EQ(mt.to_file(at), text.find("docker"));
}

}  // namespace
}  // namespace tocsin::yaml

namespace tocsin::iac {
namespace {

TEST(ComposeModel, ShortVolumeSyntax) {
  auto m = compose::parse_short_volume("./cfg:/app/cfg:ro,z");
  EXPECT_EQ(m.type, compose::MountType::Bind);
  EXPECT_TRUE(m.read_only);
  EXPECT_EQ(m.target, "/app/cfg");
  auto v = compose::parse_short_volume("data:/data");
  EXPECT_EQ(v.type, compose::MountType::Volume);
  auto w = compose::parse_short_volume("C:\\data:/data:rshared");
  EXPECT_EQ(w.source, "C:\\data");
  EXPECT_EQ(w.propagation, "rshared");
  auto a = compose::parse_short_volume("/anon");
  EXPECT_TRUE(a.source.empty());
  EXPECT_EQ(compose::normalize_path("/a/./b/../c/"), "/a/c");
}

TEST(ComposeModel, DependsOnLongFormAndHealthcheck) {
  std::string text =
      "services:\n  app:\n    image: a\n    depends_on:\n      db:\n        condition: service_healthy\n"
      "  db:\n    image: pg\n    healthcheck:\n      test: [CMD, pg_isready]\n";
  auto f = yaml::File::parse(text);
  EXPECT_TRUE(compose::looks_like_compose(f));
  auto p = compose::build_project(f);
  ASSERT_EQ(p.services.size(), 2u);
  ASSERT_EQ(p.services[0].depends_on.size(), 1u);
  EXPECT_EQ(p.services[0].depends_on[0].condition, "service_healthy");
  EXPECT_EQ(p.services[0].depends_on[0].at.begin, text.find("db:"));
  EXPECT_TRUE(p.services[1].has_healthcheck);
  EXPECT_FALSE(compose::looks_like_compose(yaml::File::parse("services:\n  - a\n")));
}

TEST(K8sModel, EveryWorkloadKindReachesItsPodSpec) {
  std::string text =
      "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n"
      "      template:\n        spec:\n          containers: [{name: a, image: x}]\n"
      "          initContainers: [{name: i, image: x}]\n"
      "---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n"
      "    spec:\n      containers: [{name: b, image: y}]\n"
      "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\nimmutable: true\n";
  auto f = yaml::File::parse(text);
  auto m = k8s::build_manifest(f);
  ASSERT_EQ(m.workloads.size(), 2u);
  EXPECT_EQ(m.workloads[0].kind, "CronJob");
  EXPECT_EQ(m.workloads[0].pod.containers.size(), 2u);
  EXPECT_EQ(m.workloads[0].pod.containers[1].kind, k8s::ContainerKind::Init);
  EXPECT_EQ(m.workloads[1].kind, "Pod");
  ASSERT_NE(m.config("ConfigMap", "cm"), nullptr);
  EXPECT_TRUE(m.config("ConfigMap", "cm")->immutable);
  EXPECT_EQ(m.config("ConfigMap", "other"), nullptr);
}

}  // namespace
}  // namespace tocsin::iac

// The expansion count is exact: the nodes of the document plus, for each alias, the nodes of
// what it stands for less the alias itself, nested aliases included.
TEST(YamlDoc, AliasExpansionIsCountedExactly) {
  // map, key a, seq &a [1,2,3] (4), key b, seq [*a, *a] (1 + 2 aliases of 4 each),
  // key c, seq &c [*a] (1 + alias 4), key d, *c (alias of 5) = 1+1+4+1+1+8+1+1+4+1+5 = 28.
  const std::string text = "a: &a [1, 2, 3]\nb: [*a, *a]\nc: &c [*a]\nd: *c\n";
  tocsin::yaml::Limits lim;
  lim.max_expanded = 28;
  auto ok = tocsin::yaml::File::parse(text, lim);
  EXPECT_FALSE(ok.has_fatal()) << (ok.issues().empty() ? "" : ok.issues()[0].message);
  EXPECT_EQ(ok.root(ok.documents().at(0)).get("d").items().size(), 1u);
  lim.max_expanded = 27;
  auto over = tocsin::yaml::File::parse(text, lim);
  ASSERT_TRUE(over.has_fatal());
  EXPECT_NE(over.issues()[0].message.find("expand to more than 27"), std::string::npos) << over.issues()[0].message;
  EXPECT_EQ(over.issues()[0].offset, text.find("*c"));
}

// Found by compose_fuzz (2026-12-06, a 10-second timeout under ASan): on this 84-byte input
// yaml-cpp 0.7 emits null nodes without end; the parse reached the 2,000,000-node cap (0.5 s and
// 115 MB in a release build). Text cannot hold more than about one node per byte, so the parse
// now stops at twice its length with a located error.
TEST(YamlDoc, ParserThatLoopsOnMalformedInputStopsAtTheTextsSize) {
  const std::string text =
      "/ervice VERSIONAU410er\n    reextends:a #    -(${PL' _#eDIA_PATorts:\n   ,  - \"23>80\"\n";
  auto f = tocsin::yaml::File::parse(text);
  ASSERT_TRUE(f.has_fatal());
  EXPECT_NE(f.issues()[0].message.find("more nodes than the text can hold"), std::string::npos)
      << f.issues()[0].message;
  EXPECT_LE(f.issues()[0].offset, text.size());
  // Legitimate dense YAML stays under the bound: a null per `?` line, a null per `- ` item.
  std::string dense = "a:\n";
  for (int i = 0; i < 1000; ++i) dense += "  ? \n";
  dense += "b:\n";
  for (int i = 0; i < 1000; ++i) dense += "  -\n";
  dense += "c: {x, y, z}\nd: [[], {}, [[]]]\n";
  auto ok = tocsin::yaml::File::parse(dense);
  EXPECT_FALSE(ok.has_fatal()) << (ok.issues().empty() ? "" : ok.issues()[0].message);
}
