// Bounded work on any input: a whole script keeps only the commands SH001 can use, files over
// the size limit get a located diagnostic or a note (never silence), YAML node caps hold.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "iac/parse/compose_model.hpp"
#include "iac/parse/dockerfile.hpp"
#include "iac/parse/shell.hpp"
#include "iac/parse/yaml_doc.hpp"
#include "iac/rules/script/sh001.hpp"
#include "iac/scan.hpp"
#include "repeat.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace tocsin;

namespace {

void write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

uint32_t df_limit() { return static_cast<uint32_t>(df::kMaxInstructions); }

using test::repeat;

}  // namespace

TEST(ShellBounds, FilterKeepsOnlyContainerCommandsWithTheSameCopies) {
  std::string text =
      "echo a; cp x y\n"
      "CID=$(docker create img)\n"
      "docker cp f $CID:/x\n"          // not started: not reported
      "sudo docker pause web && docker cp web:/etc/x . && docker unpause web\n"
      "ls | grep q\n"
      "kubectl cp ns/pod:/a b\n";
  auto all = sh::parse(text);
  auto kept = sh::parse(text, iac::script::may_concern_containers);
  EXPECT_LT(kept.commands.size(), all.commands.size());
  for (const auto& c : kept.commands) EXPECT_TRUE(iac::script::may_concern_containers(c));
  auto a = iac::script::find_container_copies(all);
  auto b = iac::script::find_container_copies(kept);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), 3u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].tool, b[i].tool);
    EXPECT_EQ(a[i].container, b[i].container);
    EXPECT_EQ(a[i].paused, b[i].paused);
    EXPECT_EQ(a[i].not_started, b[i].not_started);
    EXPECT_EQ(all.commands[a[i].command].begin, kept.commands[b[i].command].begin);
  }
  EXPECT_TRUE(b[0].not_started);
  EXPECT_TRUE(b[1].paused);
  EXPECT_FALSE(b[2].paused);
  // `&&` after a kept command still links it.
  EXPECT_EQ(kept.commands[b[1].command].next, sh::Op::And);
}

TEST(ShellBounds, BigScriptKeepsNoCommandsItDoesNotNeed) {
  // 8 MB of ordinary commands and one docker cp at the end: the parsed script holds only that.
  std::string text = repeat("echo hello world; cp a b\n", 8u << 20) + "docker cp x web:/y\n";
  auto s = sh::parse(text, iac::script::may_concern_containers);
  ASSERT_EQ(s.commands.size(), 1u);
  EXPECT_EQ(s.commands[0].words[0].text, "docker");
  EXPECT_FALSE(s.stopped_at);
  // (Its time and memory are measured by tocsin itself: hostile_cli_test's ScanBounds.)
}

TEST(ShellBounds, ToolNamesAreFoundThroughQuotesAndContinuations) {
  EXPECT_FALSE(iac::script::may_name_tool("echo hello world; cp a b\n"));
  EXPECT_FALSE(iac::script::may_name_tool("echo 'hello'; cp \"a\" b\\\n c\n"));
  for (std::string_view t : {"docker cp a b", "/usr/bin/podman cp", "d'ock'er cp a b", "d\"ock\"er cp",
                             "dock\\\ner cp a b", "do\\cker cp", "x=$(kubectl get pod)", "nerdctl cp",
                             "docker-compose cp", "podman-compose cp"})
    EXPECT_TRUE(iac::script::may_name_tool(t)) << t;
  // Whatever may_name_tool turns away, the parser agrees names no tool.
  for (std::string_view t : {"echo 'dock' er", "echo dock er", "echo Docker"}) {
    EXPECT_FALSE(iac::script::may_name_tool(t)) << t;
    EXPECT_TRUE(sh::parse(t, iac::script::may_concern_containers).commands.empty()) << t;
  }
}

TEST(ShellBounds, CommandLimitStopsWithTheOffset) {
  std::string text = repeat("a;", 2 * 1000) + "docker cp x y:/z\n";
  auto s = sh::parse(text, nullptr, 500);
  EXPECT_EQ(s.commands.size(), 500u);
  ASSERT_TRUE(s.stopped_at);
  EXPECT_EQ(*s.stopped_at, 2u * 500 - 1);  // the end of the 500th command
  ASSERT_FALSE(s.errors.empty());
  EXPECT_NE(s.errors.back().find("more than 500 commands"), std::string::npos);
  auto all = sh::parse(text, nullptr, 5000);
  EXPECT_FALSE(all.stopped_at);
  EXPECT_EQ(all.commands.size(), 1001u);
}

TEST(ScanBounds, InstructionAndCommandLimitsAreLocatedDf000) {
  test::TempDir d;
  // More instructions than kMaxInstructions: DF000 at the first one not parsed.
  std::string many = "FROM alpine\n" + repeat("RUN true\n", 9 * (df_limit() + 5));
  write(d.p / "Dockerfile", many);
  iac::ScanOptions o;
  o.paths = {(d.p / "Dockerfile").string()};
  o.no_config = true;
  o.select = {"DF000"};
  auto r = iac::scan(o);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "DF000");
  EXPECT_EQ(r.findings[0].range.line, df_limit() + 1);  // FROM is the first instruction
  EXPECT_NE(r.findings[0].message.find("more than 10000 instructions"), std::string::npos);
  // One RUN with more commands than the file's budget: DF000 where the parse stopped.
  write(d.p / "Dockerfile", "FROM alpine\nRUN " + repeat("a;", 2 * (sh::kMaxCommands + 10)) + "\n");
  r = iac::scan(o);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "DF000");
  EXPECT_EQ(r.findings[0].range.line, 2u);
  EXPECT_EQ(r.findings[0].range.column, 5u + 2 * sh::kMaxCommands - 1);
  EXPECT_NE(r.findings[0].message.find("more than 100000 shell commands"), std::string::npos);
}

TEST(ScanBounds, ScriptWithTooManyContainerCommandsSaysWhereItStopped) {
  test::TempDir d;
  write(d.p / "run.sh", repeat("docker ps\n", 10 * (sh::kMaxCommands + 10)));
  iac::ScanOptions o;
  o.paths = {(d.p / "run.sh").string()};
  o.no_config = true;
  auto r = iac::scan(o);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "SH001");
  EXPECT_EQ(r.findings[0].range.line, sh::kMaxCommands);
  EXPECT_NE(r.findings[0].message.find("more than 100000 container commands"), std::string::npos);
}

TEST(YamlBounds, MappingEntriesAreLinearWithTheSameMeaning) {
  // 100,000 keys (was quadratic: 11 minutes for a Compose file of 100,000 services), with a
  // duplicate key (the last wins) and a merge whose keys never override own ones.
  std::string text = "m:\n  <<: {k1: merged, extra: merged}\n";
  for (int i = 0; i < 100000; ++i) text += "  k" + std::to_string(i) + ": v" + std::to_string(i) + "\n";
  text += "  k7: last\n";
  auto f = yaml::File::parse(text);
  auto m = f.root(f.documents().at(0)).get("m");
  auto entries = m.entries();
  ASSERT_EQ(entries.size(), 100001u);  // 100,000 own keys (k7 once) + extra
  EXPECT_EQ(entries[7].value.str(), "last");
  EXPECT_EQ(entries[1].value.str(), "v1");
  EXPECT_EQ(entries.back().key.str(), "extra");
  EXPECT_EQ(m.get("k7").str(), "last");
}

TEST(ScanBounds, OverTheLimitIsLocatedNeverSilent) {
  test::TempDir d;
  write(d.p / "Dockerfile", "FROM alpine\n" + repeat("RUN echo aaaaaaaa\n", 4096));
  write(d.p / "compose.yaml", "services:\n  a:\n    image: x\n    command: \"" + std::string(5000, 'a') + "\"\n");
  write(d.p / "big.sh", "#!/bin/sh\n" + repeat("echo hi\n", 5000));
  write(d.p / "small.sh", "#!/bin/sh\ndocker cp a web:/b\n");
  iac::ScanOptions o;
  o.paths = {d.p.string()};
  o.no_config = true;
  o.max_file_bytes = 4000;
  auto res = iac::scan(o);
  std::set<std::string> rules;
  for (const auto& f : res.findings) {
    if (f.rule == "DF000" || f.rule == "DC000") {
      EXPECT_EQ(f.range.line, 1u);
      EXPECT_NE(f.message.find("over the 4000 byte limit"), std::string::npos) << f.message;
    }
    rules.insert(f.rule + ":" + fs::path(f.file).filename().string());
  }
  EXPECT_TRUE(rules.count("DF000:Dockerfile"));
  EXPECT_TRUE(rules.count("DC000:compose.yaml"));
  EXPECT_TRUE(rules.count("SH001:small.sh"));   // small files are still scanned
  EXPECT_FALSE(rules.count("SH001:big.sh"));    // no rule id misused for the size
  // The script over the limit has no parse-error rule: it is a note (the CLI prints notes on
  // stderr and lists them in every report), not a silent skip.
  std::string notes;
  for (const auto& n : res.notes) notes += fs::path(n.path).filename().string() + ": " + n.message + "\n";
  EXPECT_NE(notes.find("big.sh: file is"), std::string::npos) << notes;
  EXPECT_EQ(notes.find("small.sh"), std::string::npos) << notes;
}

TEST(YamlBounds, NodeCapIsALocatedError) {
  std::string text = "items:\n";
  for (int i = 0; i < 500; ++i) text += "  - " + std::to_string(i) + "\n";
  yaml::Limits lim;
  lim.max_nodes = 100;
  auto f = yaml::File::parse(text, lim);
  ASSERT_TRUE(f.has_fatal());
  EXPECT_NE(f.issues()[0].message.find("more than 100 YAML nodes"), std::string::npos) << f.issues()[0].message;
  EXPECT_GT(f.issues()[0].offset, 0u);
  auto ok = yaml::File::parse("items: [1, 2, 3]\n", lim);
  EXPECT_FALSE(ok.has_fatal());
  // Many documents past the cap: the document that crossed it fails, then one error for the
  // rest of the file (not one per document, which held 300,000 issues for a 50 MB file).
  std::string docs;
  for (int i = 0; i < 1000; ++i) docs += "---\na: " + std::to_string(i) + "\n";
  auto many = yaml::File::parse(docs, lim);
  ASSERT_EQ(many.issues().size(), 2u);
  EXPECT_NE(many.issues()[0].message.find("more than 100 YAML nodes"), std::string::npos);
  EXPECT_NE(many.issues()[1].message.find("the rest of the file was not parsed"), std::string::npos);
  EXPECT_LT(many.documents().size(), 100u);
}

// Scalars live in the file's text pool (chunks of 256 KiB, a value over 64 KiB in a chunk of its
// own): every value reads back exactly, whatever its size and wherever the chunks were cut.
TEST(YamlBounds, ScalarValuesReadBackExactlyFromTheTextPool) {
  std::vector<std::string> values;
  std::string text = "items:\n";
  for (size_t i = 0; i < 3000; ++i) {
    // Sizes around the chunk and own-chunk thresholds, and many small ones between them.
    size_t n = i % 500 == 7 ? 65536 + i : i % 500 == 9 ? 300000 : i % 13;
    std::string v(n, static_cast<char>('a' + i % 26));
    if (!v.empty()) v.back() = 'Z';
    values.push_back(v);
    text += "  - \"" + v + "\"\n";
  }
  auto f = yaml::File::parse(text);
  ASSERT_FALSE(f.has_fatal());
  auto items = f.root(f.documents().at(0)).get("items").items();
  ASSERT_EQ(items.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) ASSERT_EQ(items[i].str(), values[i]) << i;
  // Duplicate keys are still found (the check sorts key nodes by their pooled text).
  const std::string before = "a: 1\nb: 2\nlong: " + std::string(70000, 'x') + "\n";
  auto dup = yaml::File::parse(before + "a: 4\n");
  ASSERT_EQ(dup.issues().size(), 1u);
  EXPECT_NE(dup.issues()[0].message.find("duplicate key 'a'"), std::string::npos);
  EXPECT_EQ(dup.issues()[0].offset, before.size());
  EXPECT_EQ(dup.root(dup.documents().at(0)).get("long").str().size(), 70000u);
}

// A Compose file models at most kMaxServices services; the first one left out carries a
// located DC000, and the services before it are checked as usual.
TEST(ScanBounds, ComposeServicesPastTheCapAreLocatedDc000) {
  test::TempDir d;
  std::string text = "services:\n";
  size_t cut_line = 0;
  for (size_t i = 0; i < iac::compose::kMaxServices + 50; ++i) {
    if (i == iac::compose::kMaxServices) cut_line = 2 + 3 * i + (i + 999) / 1000;
    text += "  s" + std::to_string(i) + ":\n    image: x\n    read_only: true\n" +
            (i % 1000 == 0 ? "    privileged: true\n" : "");
  }
  write(d.p / "compose.yaml", text);
  iac::ScanOptions o;
  o.paths = {d.p.string()};
  o.no_config = true;
  auto res = iac::scan(o);
  size_t dc000 = 0, privileged = 0;
  for (const auto& f : res.findings) {
    if (f.rule == "DC000") {
      ASSERT_EQ(dc000++, 0u) << f.message;
      EXPECT_EQ(f.range.line, cut_line) << f.message;
      EXPECT_NE(f.message.find("more than 10000 services"), std::string::npos) << f.message;
    } else if (f.message.find("privileged") != std::string::npos && f.range.line < cut_line) {
      ++privileged;
    }
  }
  EXPECT_EQ(dc000, 1u);
  EXPECT_EQ(privileged, iac::compose::kMaxServices / 1000);  // services before the cut were checked
}

// Kubernetes workloads are modelled and checked a batch at a time, each batch with the whole
// file's ConfigMaps: a ConfigMap at the end of the file decides K8001 for the first workload,
// and an unknown kind is noted once, not once per batch.
TEST(ScanBounds, KubernetesBatchesSeeTheWholeFilesConfigMaps) {
  const size_t n = 2500;  // more than two batches
  auto manifest = [&](bool immutable) {
    std::string t;
    for (size_t i = 0; i < n; ++i)
      t += "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d" + std::to_string(i) +
           "}\nspec:\n  strategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}\n  template:\n    spec:\n"
           "      containers: [{name: c, image: x}]\n      volumes: [{name: v, configMap: {name: cfg}}]\n";
    t += "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n";
    t += std::string("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\nimmutable: ") +
         (immutable ? "true" : "false") + "\n";
    return t;
  };
  for (bool immutable : {false, true}) {
    test::TempDir d;
    write(d.p / "manifest.yaml", manifest(immutable));
    iac::ScanOptions o;
    o.paths = {d.p.string()};
    o.no_config = true;
    auto res = iac::scan(o);
    size_t k8001 = 0;
    for (const auto& f : res.findings) k8001 += f.rule == "K8001";
    EXPECT_EQ(k8001, immutable ? 0u : n) << immutable;
    size_t widget_notes = 0;
    for (const auto& note : res.notes) widget_notes += note.message.find("`Widget`") != std::string::npos;
    EXPECT_EQ(widget_notes, 1u);
  }
}
