// Unit tests for Dockerfile evaluation: word expansion, ARG/ENV scoping, WORKDIR, USER,
// VOLUME, and stage inheritance.
#include <gtest/gtest.h>

#include "iac/parse/dockerfile_eval.hpp"

namespace tocsin::df {
namespace {

TEST(DockerfileExpand, Variables) {
  VarMap v{{"A", "x"}, {"E", ""}, {"P", "/opt"}};
  EXPECT_EQ(expand("$A", v), "x");
  EXPECT_EQ(expand("${A}y", v), "xy");
  EXPECT_EQ(expand("$Ay", v), "");
  EXPECT_EQ(expand("$NOPE/z", v), "/z");
  EXPECT_EQ(expand("${NOPE:-d}", v), "d");
  EXPECT_EQ(expand("${E:-d}", v), "d");
  EXPECT_EQ(expand("${E-d}", v), "");
  EXPECT_EQ(expand("${NOPE-d}", v), "d");
  EXPECT_EQ(expand("${A:+alt}", v), "alt");
  EXPECT_EQ(expand("${E:+alt}", v), "");
  EXPECT_EQ(expand("${E+alt}", v), "alt");
  EXPECT_EQ(expand("${NOPE+alt}", v), "");
  EXPECT_EQ(expand("${NOPE:-$P/bin}", v), "/opt/bin");
  EXPECT_EQ(expand("${NOPE:-${A:-q}}", v), "x");
  EXPECT_EQ(expand("\\$A", v), "$A");
  EXPECT_EQ(expand("'$A'", v), "$A");
  EXPECT_EQ(expand("\"$A b\"", v), "x b");
  EXPECT_EQ(expand("\"\\$A\"", v), "$A");
  EXPECT_EQ(expand("a\\ b", v), "a b");
  EXPECT_EQ(expand("$", v), "$");
  EXPECT_EQ(expand("5$", v), "5$");
  EXPECT_EQ(expand("`$A", v, '`'), "$A");
  EXPECT_EQ(expand("c:\\$A", v, '`'), "c:\\x");
}

TEST(DockerfileExpand, DeepNestingIsBounded) {
  std::string w;
  for (int i = 0; i < 10000; ++i) w += "${X:-";
  w += "end";
  for (int i = 0; i < 10000; ++i) w += "}";
  VarMap v;
  std::string out = expand(w, v);
  EXPECT_FALSE(out.empty());
}

TEST(DockerfilePaths, Resolve) {
  EXPECT_EQ(resolve_path("/a/b/../c/./d/", "/x"), "/a/c/d");
  EXPECT_EQ(resolve_path("rel", "/app"), "/app/rel");
  EXPECT_EQ(resolve_path("../../..", "/app/x"), "/");
  EXPECT_EQ(resolve_path("", "/app"), "/app");
  EXPECT_EQ(resolve_path("a//b", ""), "/a/b");
}

Dockerfile parse_text(const std::string& text) {
  SourceFile src("Dockerfile", text);
  return parse_dockerfile(src);
}

TEST(DockerfileEvaluate, GlobalArgsNeedRedeclaration) {
  auto df = parse_text(
      "ARG V=1\nARG BASE=alpine:$V\nFROM $BASE\nRUN a\nARG V\nRUN b\nARG BASE=other\nRUN c\n");
  ASSERT_TRUE(df.errors.empty());
  auto st = evaluate(df);
  ASSERT_EQ(st.size(), 8u);
  EXPECT_EQ(st[2].vars.at("BASE"), "alpine:1");  // FROM sees global ARGs
  EXPECT_EQ(st[3].vars.count("V"), 0u);          // not visible in the stage yet
  EXPECT_EQ(st[5].vars.at("V"), "1");             // redeclared: global default
  EXPECT_EQ(st[7].vars.at("BASE"), "other");      // in-stage default wins
  EXPECT_EQ(st[3].stage, 0);
  EXPECT_EQ(st[0].stage, -1);
}

TEST(DockerfileEvaluate, EnvOverridesArgAndUsesPriorValues) {
  auto df = parse_text(
      "FROM a\nARG X=arg\nENV X=env Y=$X\nRUN 1\nARG X=again\nRUN 2\nENV PATH=/opt/bin:$PATH\n"
      "ENV LEGACY hello $X\nRUN 3\n");
  ASSERT_TRUE(df.errors.empty());
  auto st = evaluate(df);
  EXPECT_EQ(st[3].vars.at("X"), "env");
  EXPECT_EQ(st[3].vars.at("Y"), "arg");  // same-instruction pairs see prior values
  EXPECT_EQ(st[5].vars.at("X"), "env");  // ENV wins over a later ARG
  EXPECT_EQ(st[8].env.at("PATH"), "/opt/bin:");
  EXPECT_EQ(st[8].env.at("LEGACY"), "hello env");
  EXPECT_EQ(st[8].args.at("X"), "again");
}

TEST(DockerfileEvaluate, WorkdirUserVolumes) {
  auto df = parse_text(
      "FROM a\nRUN 0\nWORKDIR rel\nRUN 1\nWORKDIR /app\nWORKDIR src/../lib\nENV D=data\n"
      "USER ${U:-app}:grp\nVOLUME /$D [\"/x\"]\nVOLUME [\"/y\", \"z\"]\nRUN 2\n");
  ASSERT_TRUE(df.errors.empty());
  auto st = evaluate(df);
  EXPECT_EQ(st[1].workdir, "/");
  EXPECT_FALSE(st[1].workdir_set);
  EXPECT_EQ(st[1].user, "");
  EXPECT_EQ(st[3].workdir, "/rel");
  EXPECT_TRUE(st[3].relative_workdir_without_base);
  EXPECT_EQ(st[6].workdir, "/app/lib");
  EXPECT_EQ(st[10].user, "app:grp");
  ASSERT_EQ(st[10].volumes.size(), 4u);
  EXPECT_EQ(st[10].volumes[0], "/data");
  EXPECT_EQ(st[10].volumes[2], "/y");
  EXPECT_EQ(st[10].volumes[3], "/app/lib/z");
}

TEST(DockerfileEvaluate, StageInheritance) {
  auto df = parse_text(
      "FROM a AS base\nENV E=1\nARG A=1\nWORKDIR /w\nUSER u\nVOLUME /v\n"
      "FROM base AS child\nRUN x\nFROM debian\nRUN y\n");
  ASSERT_TRUE(df.errors.empty());
  auto st = evaluate(df);
  const auto& child = st[7];
  EXPECT_EQ(child.stage, 1);
  EXPECT_EQ(child.base_stage, 0);
  EXPECT_EQ(child.env.at("E"), "1");
  EXPECT_EQ(child.vars.count("A"), 0u);  // ARGs are not inherited
  EXPECT_EQ(child.workdir, "/w");
  EXPECT_TRUE(child.workdir_set);
  EXPECT_EQ(child.user, "u");
  EXPECT_EQ(child.volumes.size(), 1u);
  const auto& other = st[9];
  EXPECT_EQ(other.base_stage, -1);
  EXPECT_TRUE(other.env.empty());
  EXPECT_EQ(other.workdir, "/");
  EXPECT_EQ(other.user, "");
  EXPECT_TRUE(other.volumes.empty());
}

}  // namespace
}  // namespace tocsin::df
