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

TEST(DfRulesA, SeedChmodAfterCopyIsFoundButNotAutofixed) {
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
  // `chmod -R` also changes whatever alpine (or nothing) had under /tmp/build, and /tmp/build
  // itself: `COPY --chmod` would not, so the two are not provably the same image.
  EXPECT_FALSE(out[0].fix.has_value());
  EXPECT_NE(out[0].fix_refused.find("base image"), std::string::npos) << out[0].fix_refused;
}

TEST(DfRulesA, RecursiveTreeChangeIsNeverFixed) {
  // Built in the lab (tests/e2e/autofix_equivalence.test.sh): even FROM scratch, the directory a
  // COPY creates keeps mode 755 under --chmod, and its missing parents get the --chown user,
  // where `chmod -R`/`chown -R` changes the directory and leaves the parents to root.
  SourceFile src("Dockerfile",
                 "FROM scratch\n"
                 "COPY rootfs/ /app/\n"
                 "RUN chmod -R 0755 /app\n");
  auto out = run_rule(src, "DF001");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].fix.has_value());
  EXPECT_NE(out[0].fix_refused.find("keeps mode 755 under --chmod"), std::string::npos) << out[0].fix_refused;
}

TEST(DfRulesA, ChownFixNeedsTheDirectoryToExist) {
  auto why = [](const std::string& text) {
    SourceFile src("Dockerfile", text);
    auto out = run_rule(src, "DF001");
    return out.empty() ? std::string("none") : out[0].fix ? std::string("FIX") : out[0].fix_refused;
  };
  // /opt/app does not exist before the COPY: --chown would create it owned by 1000.
  EXPECT_NE(why("FROM debian:12\nCOPY a.conf /opt/app/a.conf\nRUN chown 1000:1000 /opt/app/a.conf\n")
                .find("/opt/app may not exist before the COPY on line 2"),
            std::string::npos);
  // It does after a mkdir, a WORKDIR, or as a standard directory.
  EXPECT_EQ(why("FROM debian:12\nRUN mkdir -p /opt/app\nCOPY a.conf /opt/app/a.conf\nRUN chown 1000:1000 /opt/app/a.conf\n"),
            "FIX");
  EXPECT_EQ(why("FROM debian:12\nWORKDIR /opt/app\nCOPY a.conf a.conf\nRUN chown 1000:1000 a.conf\n"), "FIX");
  EXPECT_EQ(why("FROM debian:12\nCOPY a.conf /etc/a.conf\nRUN chown 1000:1000 /etc/a.conf\n"), "FIX");
  // --chmod does not touch directories it creates: no such condition.
  EXPECT_EQ(why("FROM debian:12\nCOPY a.conf /opt/app/a.conf\nRUN chmod 600 /opt/app/a.conf\n"), "FIX");
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
                 "RUN chmod 755 \\\n"
                 "  /usr/local/bin/run.sh\n"
                 "CMD [\"run.sh\"]");
  auto out = run_rule(src, "DF001");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[0].fix.has_value());  // a tree, recursively: see SeedChmodAfterCopy...
  ASSERT_TRUE(out[1].fix.has_value()) << out[1].fix_refused;
  EXPECT_EQ(apply_edits(src, out[1].fix->edits),
            "FROM debian:12\n"
            "COPY --chown=other:other . /app\n"
            "RUN chown -R app:app /app \\\n"
            "  && chmod -R 0750 /app\n"
            "COPY --chmod=755 run.sh /usr/local/bin/\n"
            "CMD [\"run.sh\"]");
}

// The autofix is offered only where `COPY --chmod/--chown` gives the same image; every refusal
// says why (`scan --diff` prints it).
TEST(DfRulesA, AutofixIsSafeByConstruction) {
  auto fix_or_why = [](const std::string& text) {
    SourceFile src("Dockerfile", text);
    auto out = run_rule(src, "DF001");
    std::vector<std::string> r;
    for (const auto& f : out) r.push_back(f.fix ? "FIX " + apply_edits(src, f.fix->edits) : "NO " + f.fix_refused);
    return r;
  };
  // The user is created after the COPY: --chown there would fail the build.
  auto a = fix_or_why("FROM debian:12\nCOPY cod.yaml /etc/cod.yaml\nRUN useradd -m cod\nRUN chown cod:cod /etc/cod.yaml\n");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_NE(a[0].find("NO the user `cod` is created on line 3, after the COPY on line 2"), std::string::npos) << a[0];
  // Created before: the fix is offered (useradd makes the user's group too).
  auto b = fix_or_why("FROM debian:12\nRUN useradd -m cod\nCOPY cod.yaml /etc/cod.yaml\nRUN chown cod:cod /etc/cod.yaml\n");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0], "FIX FROM debian:12\nRUN useradd -m cod\nCOPY --chown=cod:cod cod.yaml /etc/cod.yaml\n");
  // ... but not with `useradd -g`, which makes no group of the user's name.
  auto b2 = fix_or_why("FROM debian:12\nRUN useradd -g users cod\nCOPY c.yaml /c.yaml\nRUN chown cod:cod /c.yaml\n");
  EXPECT_NE(b2[0].find("NO the group `cod` is not created"), std::string::npos) << b2[0];
  // A user the base image may have: refused, numeric ids suggested.
  auto c = fix_or_why("FROM php:8-apache\nCOPY c.ini /etc/c.ini\nRUN chown www-data:www-data /etc/c.ini\n");
  EXPECT_NE(c[0].find("NO the user `www-data` is not created in this Dockerfile"), std::string::npos) << c[0];
  EXPECT_NE(c[0].find("numeric ids"), std::string::npos);
  auto d = fix_or_why("FROM php:8-apache\nCOPY c.ini /etc/c.ini\nRUN chown 33:33 /etc/c.ini\n");
  EXPECT_EQ(d[0], "FIX FROM php:8-apache\nCOPY --chown=33:33 c.ini /etc/c.ini\n");
  // Two RUNs change one COPY: the first is fixed, the second refused; applied together they
  // never write a flag twice.
  SourceFile two("Dockerfile", "FROM debian:12\nCOPY d.bin /srv/d.bin\nRUN chmod 777 /srv/d.bin\nRUN chmod 777 /srv/d.bin\n");
  auto out = run_rule(two, "DF001");
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(out[0].fix.has_value());
  EXPECT_FALSE(out[1].fix.has_value());
  std::vector<TextEdit> all;
  for (const auto& f : out)
    if (f.fix) all.insert(all.end(), f.fix->edits.begin(), f.fix->edits.end());
  EXPECT_EQ(apply_edits(two, all), "FROM debian:12\nCOPY --chmod=777 d.bin /srv/d.bin\nRUN chmod 777 /srv/d.bin\n");
  // A recursive chown in a RUN that goes on to install files under the path.
  auto e = fix_or_why("FROM debian:12\nCOPY . /var/www\nRUN chown -R www-data:www-data /var/www && composer install\n");
  EXPECT_NE(e[0].find("NO the RUN does more than change what the COPY created (`composer`)"), std::string::npos) << e[0];
  // Symbolic modes, a non-root USER, a use of the path in between.
  auto f = fix_or_why("FROM debian:12\nCOPY t.sh /t.sh\nRUN chmod +x /t.sh\n");
  EXPECT_NE(f[0].find("NO the symbolic mode `+x`"), std::string::npos) << f[0];
  auto g = fix_or_why("FROM debian:12\nCOPY t.sh /t.sh\nUSER 1000\nRUN chmod 755 /t.sh\n");
  EXPECT_NE(g[0].find("NO the RUN runs as user `1000`"), std::string::npos) << g[0];
  auto h = fix_or_why("FROM debian:12\nCOPY t.conf /etc/t.conf\nRUN sed -i s/a/b/ /etc/t.conf\nRUN chmod 600 /etc/t.conf\n");
  EXPECT_NE(h[0].find("NO the RUN on line 3 uses /etc/t.conf in between"), std::string::npos) << h[0];
  // `chown user` without a group keeps the group; `--chown=user` would set it.
  auto i = fix_or_why("FROM debian:12\nCOPY t.conf /t.conf\nRUN chown 1000 /t.conf\n");
  EXPECT_NE(i[0].find("NO `chown 1000` keeps the group"), std::string::npos) << i[0];
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
