// DF001–DF007 beyond the fixtures: exact locations, related lines, and DF001's autofix applied
// to the file (the rewritten Dockerfile must be what a human would write).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "iac/fix.hpp"
#include "iac/scan.hpp"

namespace tocsin::iac {
namespace {

std::vector<Finding> run_rule(const SourceFile& src, std::string_view rule) {
  Config cfg;
  cfg.only = {std::string(rule)};
  std::vector<Finding> out;
  EXPECT_TRUE(scan_source(src, cfg, out));
  return out;
}

TEST(DfRulesA, SeedChmodAfterCopyIsFoundAndFixed) {
  SourceFile src("Dockerfile",
                 "FROM alpine:latest\n"
                 "COPY --chown=root:root . /tmp/build\n"
                 "RUN chmod -R 755 /tmp/build && chown -R root:root /tmp/build\n"
                 "RUN /tmp/build/compile.sh\n");
  auto out = run_rule(src, "DF001");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].range.line, 3u);
  EXPECT_EQ(out[0].range.column, 1u);
  ASSERT_EQ(out[0].related.size(), 1u);
  EXPECT_EQ(out[0].related[0].range.line, 2u);
  EXPECT_EQ(out[0].related[0].message, "copied here");
  EXPECT_NE(out[0].message.find("/tmp/build"), std::string::npos);
  ASSERT_TRUE(out[0].fix.has_value());
  EXPECT_EQ(apply_edits(src, out[0].fix->edits),
            "FROM alpine:latest\n"
            "COPY --chmod=755 --chown=root:root . /tmp/build\n"
            "RUN /tmp/build/compile.sh\n");
}

TEST(DfRulesA, SeedChownBeforeCopy) {
  SourceFile src("Dockerfile",
                 "FROM node:18-alpine\n"
                 "RUN mkdir -p /app/data && chown -R node:node /app/data\n"
                 "COPY --chown=node:node . /app/data\n"
                 "USER node\n"
                 "WORKDIR /app/data\n"
                 "CMD [\"node\",\"server.js\"]\n");
  EXPECT_TRUE(run_rule(src, "DF001").empty());
  auto df2 = run_rule(src, "DF002");
  ASSERT_EQ(df2.size(), 1u);
  EXPECT_EQ(df2[0].range.line, 3u);  // the last instruction that gives the ownership
  ASSERT_GE(df2[0].related.size(), 2u);
  EXPECT_EQ(df2[0].related[0].range.line, 2u);
  EXPECT_NE(df2[0].message.find("node"), std::string::npos);
  auto df3 = run_rule(src, "DF003");
  ASSERT_EQ(df3.size(), 1u);
  EXPECT_EQ(df3[0].range.line, 4u);
}

TEST(DfRulesA, FixInsertsModeForASingleFileAndDeletesContinuationLines) {
  SourceFile src("Dockerfile",
                 "FROM debian:12\n"
                 "COPY --chown=other:other . /app\n"
                 "RUN chown -R app:app /app \\\n"
                 "  && chmod -R 0750 /app\n"
                 "COPY run.sh /usr/local/bin/\n"
                 "RUN chmod 755 /usr/local/bin/run.sh\n"
                 "CMD [\"run.sh\"]");
  auto out = run_rule(src, "DF001");
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(out[0].fix && out[1].fix);
  EXPECT_EQ(apply_edits(src, out[0].fix->edits),
            "FROM debian:12\n"
            "COPY --chmod=0750 --chown=app:app . /app\n"
            "COPY run.sh /usr/local/bin/\n"
            "RUN chmod 755 /usr/local/bin/run.sh\n"
            "CMD [\"run.sh\"]");
  EXPECT_EQ(apply_edits(src, out[1].fix->edits),
            "FROM debian:12\n"
            "COPY --chown=other:other . /app\n"
            "RUN chown -R app:app /app \\\n"
            "  && chmod -R 0750 /app\n"
            "COPY --chmod=755 run.sh /usr/local/bin/\n"
            "CMD [\"run.sh\"]");
}

TEST(DfRulesA, NoFixWhenNotExpressibleOrRunDoesMore) {
  SourceFile src("Dockerfile",
                 "FROM debian:12\n"
                 "COPY a.sh /a.sh\n"
                 "RUN chmod +x /a.sh\n"
                 "COPY b.sh /b.sh\n"
                 "RUN chmod 755 /b.sh && /b.sh\n"
                 "COPY . /app\n"
                 "RUN chmod 755 /app/x\n"
                 "COPY c.sh /c.sh\n"
                 "RUN chown app /c.sh\n");
  auto out = run_rule(src, "DF001");
  ASSERT_EQ(out.size(), 4u);
  for (const auto& f : out) EXPECT_FALSE(f.fix.has_value()) << f.range.line;
}

TEST(DfRulesA, SameOwnerAlreadyOnCopyOnlyDropsTheRun) {
  SourceFile src("Dockerfile",
                 "FROM debian:12\n"
                 "COPY --chown=app:app conf.yaml /etc/app/conf.yaml\n"
                 "RUN chown app:app /etc/app/conf.yaml\n");
  auto out = run_rule(src, "DF001");
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].fix.has_value());
  EXPECT_EQ(apply_edits(src, out[0].fix->edits),
            "FROM debian:12\n"
            "COPY --chown=app:app conf.yaml /etc/app/conf.yaml\n");
}

TEST(DfRulesA, DockerLibraryStyleVerifiedDownloadsAreClean) {
  SourceFile src("Dockerfile",
                 "FROM debian:12\n"
                 "ENV PYTHON_SHA256=abc\n"
                 "RUN set -eux; \\\n"
                 "  wget -O python.tar.xz \"https://www.python.org/ftp/python/3.12.0/Python-3.12.0.tar.xz\"; \\\n"
                 "  echo \"$PYTHON_SHA256 *python.tar.xz\" | sha256sum -c -; \\\n"
                 "  mkdir -p /usr/src/python; \\\n"
                 "  tar --extract --directory /usr/src/python --strip-components=1 --file python.tar.xz\n"
                 "RUN curl -fsSL https://example.com/x.sh -o /tmp/x.sh && sh /tmp/x.sh\n");
  auto out = run_rule(src, "DF005");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].range.line, 8u);
}

TEST(DfRulesA, WorkdirUnderProcResolvedThroughVariables) {
  SourceFile src("Dockerfile",
                 "FROM alpine\n"
                 "ARG D=/proc/self\n"
                 "WORKDIR ${D}\n"
                 "WORKDIR fd/7\n"
                 "WORKDIR /procedures\n");
  auto out = run_rule(src, "DF007");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].range.line, 3u);
  EXPECT_EQ(out[1].range.line, 4u);
  EXPECT_NE(out[1].message.find("/proc/self/fd/7"), std::string::npos);
}

}  // namespace
}  // namespace tocsin::iac
