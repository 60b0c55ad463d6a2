// File kinds by name and content: Dockerfiles only when the content is plausibly one, Compose
// version 1 and later, Kubernetes in YAML (block and flow style) and JSON, and the notes for what
// is skipped; plus the one-DF000-per-file rule and the Compose volume string with `${VAR:-x}`.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.hpp"

#include "iac/parse/compose_model.hpp"
#include "iac/parse/dockerfile.hpp"
#include "iac/scan.hpp"

namespace tocsin::iac {
namespace {

std::string kind_of(std::string_view path, std::string_view content) {
  const Analyzer* a = classify(path, content);
  return a ? std::string(a->kind()) : std::string("-");
}

struct Scanned {
  bool claimed = false;
  std::vector<Finding> findings;
  std::vector<std::string> notes;
};

Scanned scan(std::string path, std::string content, std::vector<std::string> only = {}) {
  SourceFile src(std::move(path), std::move(content));
  Config cfg;
  for (auto& r : only) cfg.only.insert(r);
  Scanned s;
  s.claimed = scan_source(src, cfg, s.findings, nullptr, &s.notes);
  return s;
}

TEST(FileKinds, PythonIsNotADockerfile) {
  // The shapes of the wild false positives: a script without extension, a protobuf stub.
  const std::string script = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nfrom setuptools import setup\n"
                             "import os\n\nsetup(name='x')\n";
  EXPECT_EQ(kind_of("tools/build", script), "-");
  EXPECT_EQ(kind_of("api/service_pb2.pyi", "from google.protobuf import descriptor as _descriptor\n"
                                           "from typing import ClassVar\n"),
            "-");
  // Without the shebang, `from x import y` is still Python.
  EXPECT_EQ(kind_of("tools/gen", "# generated\nfrom __future__ import annotations\nimport sys\n"), "-");
  // A real Dockerfile without a telling name is still found by its content.
  EXPECT_EQ(kind_of("build/app", "# syntax=docker/dockerfile:1\nARG BASE=alpine\nFROM ${BASE} AS build\nRUN true\n"),
            "dockerfile");
  EXPECT_EQ(kind_of("Dockerfile-dev", "FROM node:20\nRUN npm ci\n"), "dockerfile");
  EXPECT_EQ(kind_of("LICENSE", "From the beginning of time\nthe authors\n"), "-");
}

TEST(FileKinds, NamedLikeADockerfileButNotOne) {
  std::string why;
  EXPECT_EQ(classify("Dockerfile", "#!/bin/sh\nset -e\ndocker build .\n", &why), nullptr);
  EXPECT_NE(why.find("a script (`#!/bin/sh`)"), std::string::npos) << why;
  EXPECT_EQ(classify("docker/Dockerfile.oracle", "{{\n\tdef dnf: .x\n}}\nFROM oraclelinux:9\n", &why), nullptr);
  EXPECT_NE(why.find("a template"), std::string::npos) << why;
  EXPECT_EQ(classify("Dockerfile", "import os\nprint(os.name)\n", &why), nullptr);
  EXPECT_NE(why.find("not a Dockerfile instruction"), std::string::npos) << why;
  // Other languages and templates by extension are not claimed by name.
  EXPECT_EQ(kind_of("Dockerfile.j2", "FROM {{ base }}\n"), "-");
  EXPECT_EQ(kind_of("Dockerfile.md", "# Dockerfile\n\nFROM x\n"), "-");
  // A broken Dockerfile is still one: the name says so and the first word is an instruction
  // (or an upper-case typo of one); DF000 tells what is wrong.
  EXPECT_EQ(kind_of("Dockerfile", "FORM ubuntu:22.04\nRUN true\n"), "dockerfile");
  EXPECT_EQ(kind_of("x.Dockerfile", "FROM node:12-buster as build RUN yarn\n"), "dockerfile");
  EXPECT_EQ(kind_of("x.Dockerfile", "####\n"), "dockerfile");
  EXPECT_EQ(kind_of("Containerfile", "run echo lower-case instructions are valid\nfrom alpine\n"), "dockerfile");
  // A shebang is a comment to Docker: an executable Dockerfile is still one.
  EXPECT_EQ(kind_of("x.Dockerfile", "#!/bin/echo docker build . -f\n# c\nFROM debian:12\n"), "dockerfile");
  EXPECT_EQ(kind_of("Dockerfile", "#!/usr/bin/env docker build -t x\nFROM alpine\n"), "dockerfile");
}

TEST(FileKinds, SkippedDockerfileIsANoteInTheScan) {
  // Through the engine, walking a directory: the refusal is a note naming the file, and the
  // file is not counted as scanned; the real Dockerfile next to it is.
  test::TempDir t;
  std::ofstream(t.p / "Dockerfile") << "#!/usr/bin/env python3\nimport sys\n";
  std::ofstream(t.p / "build.Dockerfile") << "FROM alpine\nRUN true\n";
  ScanOptions opts;
  opts.no_config = true;
  opts.paths = {t.p.string()};
  auto res = iac::scan(opts);
  EXPECT_EQ(res.files_scanned, 1u);
  ASSERT_EQ(res.notes.size(), 1u);
  EXPECT_EQ(res.notes[0].path, (t.p / "Dockerfile").string());
  EXPECT_NE(res.notes[0].message.find("named like a Dockerfile but it is a script"), std::string::npos)
      << res.notes[0].message;
}

TEST(FileKinds, OneDF000PerFileWithTheFirstErrorAndACount) {
  auto s = scan("Dockerfile",
                "FROM alpine\n"
                "FROBNICATE a\n"
                "BADWORD b\n"
                "RUN true\n"
                "NOPE c\n",
                {"DF000"});
  ASSERT_EQ(s.findings.size(), 1u);
  EXPECT_EQ(s.findings[0].range.line, 2u);
  EXPECT_NE(s.findings[0].message.find("2 more errors after this one"), std::string::npos) << s.findings[0].message;
}

TEST(FileKinds, ComposeVersion1) {
  const std::string v1 = "web:\n  image: nginx\n  links: [db]\n  privileged: true\n"
                         "db:\n  image: postgres\n  volumes:\n    - /var/run/docker.sock:/var/run/docker.sock\n";
  EXPECT_EQ(kind_of("docker-compose.yml", v1), "compose");
  auto s = scan("docker-compose.yml", v1, {"DC003", "DC007"});
  ASSERT_EQ(s.findings.size(), 2u);
  EXPECT_TRUE(s.notes.empty());
  // Not version 1: a top-level key of the later formats, or no service with image/build.
  auto f = yaml::File::parse("web:\n  image: nginx\nnetworks:\n  default: {}\n");
  EXPECT_TRUE(compose::build_project(f).services.empty());
  auto g = yaml::File::parse("version: '2'\nservices:\n  web:\n    image: nginx\n");
  auto p = compose::build_project(g);
  ASSERT_EQ(p.services.size(), 1u);
  EXPECT_FALSE(p.version1);
}

TEST(FileKinds, ComposeWithoutServicesIsNoted) {
  auto s = scan("docker-compose.override.yml", "x-common: &c\n  restart: always\nnetworks:\n  front: {}\n");
  EXPECT_TRUE(s.claimed);
  EXPECT_TRUE(s.findings.empty());
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_NE(s.notes[0].find("no `services:`"), std::string::npos);
}

TEST(FileKinds, ComposeVolumeWithDefaultInterpolation) {
  auto m = compose::parse_short_volume("/run/user/${UID:-1000}/pulse:/run/user/1000/pulse:ro");
  EXPECT_EQ(m.source, "/run/user/${UID:-1000}/pulse");
  EXPECT_EQ(m.target, "/run/user/1000/pulse");
  EXPECT_TRUE(m.read_only);
  auto n = compose::parse_short_volume("${DATA:-./data}:/data");
  EXPECT_EQ(n.source, "${DATA:-./data}");
  EXPECT_EQ(n.target, "/data");
  auto s = scan("compose.yaml",
                "services:\n  a:\n    image: x\n    volumes:\n      - \"/run/user/${UID:-1000}/pulse:/run/pulse\"\n",
                {"DC002"});
  ASSERT_EQ(s.findings.size(), 1u);
  EXPECT_NE(s.findings[0].message.find("'/run/user/${UID:-1000}/pulse'"), std::string::npos) << s.findings[0].message;
}

TEST(FileKinds, KubernetesJsonFlowAndUnknownKinds) {
  const std::string json =
      "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\"},\n"
      "  \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"x\",\n"
      "    \"securityContext\": {\"privileged\": true}}]}\n}\n";
  EXPECT_EQ(kind_of("pod.json", json), "kubernetes");
  auto s = scan("pod.json", json, {"K8006"});  // the securityContext key, located in JSON
  ASSERT_EQ(s.findings.size(), 1u);
  EXPECT_EQ(s.findings[0].range.line, 6u);
  EXPECT_EQ(kind_of("package.json", "{\"name\": \"x\", \"version\": \"1.0.0\"}\n"), "-");
  EXPECT_EQ(kind_of("pod.yaml", "---\n{apiVersion: v1, kind: Pod, spec: {hostPID: true, containers: []}}\n"),
            "kubernetes");
  // A kubectl List in JSON (kind comes after the items).
  EXPECT_EQ(kind_of("all.json", "{\"apiVersion\": \"v1\", \"items\": [], \"kind\": \"List\"}"), "kubernetes");
  auto u = scan("rollout.yaml",
                "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: r}\nspec: {}\n---\n"
                "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
  ASSERT_EQ(u.notes.size(), 1u);  // the custom resource; a Service has nothing to check
  EXPECT_NE(u.notes[0].find("kind `Certificate` (cert-manager.io/v1)"), std::string::npos) << u.notes[0];
  EXPECT_NE(u.notes[0].find("line 2"), std::string::npos) << u.notes[0];
}

TEST(FileKinds, ImplausibleDockerfileReasons) {
  EXPECT_FALSE(df::implausible_dockerfile("FROM alpine\n", false));
  EXPECT_FALSE(df::implausible_dockerfile("\xEF\xBB\xBF# c\nFROM --platform=$BUILDPLATFORM golang:1.22 AS b\n", false));
  EXPECT_TRUE(df::implausible_dockerfile("FROM alpine # trailing comment\n", false));
  EXPECT_FALSE(df::implausible_dockerfile("FROM alpine # trailing comment\n", true));
  EXPECT_TRUE(df::implausible_dockerfile(std::string("FROM a\0b", 8), true));
  EXPECT_TRUE(df::implausible_dockerfile("ARG X=1\nRUN true\n", false));
  EXPECT_FALSE(df::implausible_dockerfile("ARG X=1\nARG Y\nFROM a:${X}\n", false));
}

}  // namespace
}  // namespace tocsin::iac
