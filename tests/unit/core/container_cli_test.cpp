// The container CLIs' grammar (core/container_cli): what is a copy, which side is the container.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/container_cli.hpp"

using namespace tocsin;

namespace {

std::vector<std::string> split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::optional<container_cli::Copy> copy_of(const std::string& line) {
  static std::vector<std::string> storage;
  storage = split(line);
  std::vector<std::string_view> words(storage.begin(), storage.end());
  return container_cli::parse_copy(words);
}

}  // namespace

TEST(ContainerCli, CopiesInEverySpelling) {
  struct Case {
    std::string line;
    bool to_container;
    std::string container, path, local, shown;
  };
  const std::vector<Case> cases = {
      {"docker cp ./app.conf web:/etc/app.conf", true, "web", "/etc/app.conf", "./app.conf", "docker"},
      {"/usr/bin/docker --context prod container cp -a f web:/x", true, "web", "/x", "f", "docker container"},
      {"docker compose -f x.yml -p p cp svc:/a b", false, "svc", "/a", "b", "docker compose"},
      {"docker-compose --project-name p cp svc:/a b", false, "svc", "/a", "b", "docker-compose"},
      {"podman --remote --url unix:///x cp /etc/hosts web:/etc/hosts", true, "web", "/etc/hosts", "/etc/hosts",
       "podman"},
      {"nerdctl --namespace k8s.io cp web:/a /tmp/a", false, "web", "/a", "/tmp/a", "nerdctl"},
      // kubectl: options after the operands, `ns/pod`, and options the old audit table lacked.
      {"kubectl -n ns1 cp ns1/web-0:/var/log/a /tmp/a -c app", false, "ns1/web-0", "/var/log/a", "/tmp/a", "kubectl"},
      {"kubectl --as-uid 1000 --cache-dir /c cp f ns/pod:/x", true, "ns/pod", "/x", "f", "kubectl"},
      {"docker cp - web:/x", true, "web", "/x", "-", "docker"},
      {"docker cp -- web:/x -", false, "web", "/x", "-", "docker"},
  };
  for (const auto& c : cases) {
    auto got = copy_of(c.line);
    ASSERT_TRUE(got) << c.line;
    EXPECT_EQ(got->to_container, c.to_container) << c.line;
    EXPECT_EQ(got->container, c.container) << c.line;
    EXPECT_EQ(got->path, c.path) << c.line;
    EXPECT_EQ(got->local, c.local) << c.line;
    EXPECT_EQ(got->via.shown, c.shown) << c.line;
  }
}

TEST(ContainerCli, WhatTheCliRefusesOrIsLocalIsNoCopy) {
  for (const char* line : {
           "docker cp a b",                 // no container side
           "docker cp web:/a db:/b",        // container to container: the CLI refuses it
           "docker cp a b web:/c",          // three operands: "requires exactly 2 arguments"
           "docker cp web:/a",              // one operand
           "docker cp --help a web:/b",     // help
           "docker cp ./a:b /tmp/x",        // relative local path with a colon
           "kubectl cp /x:y /tmp/z",        // absolute local path, even for kubectl
           "docker cp C:\\data\\x /tmp/y",  // a Windows drive
           "docker cp http://h/x /tmp/y",   // a URL
           "docker cp a/b:/x /tmp/y",       // a '/' in a docker container name
           "kubectl cp a/b/c:/x /tmp/y",    // two in a kubectl pod
           "docker ps -a x:y z",            // not cp
           "cp /a b:/c",                    // not a container CLI
           "docker --context cp web:/a b",  // `cp` is --context's value
       }) {
    EXPECT_FALSE(copy_of(line)) << line;
  }
}

TEST(ContainerCli, SubcommandAfterGlobalOptionsAndGroups) {
  std::vector<std::string> s = split("docker -H unix:///run/d.sock container pause web");
  std::vector<std::string_view> w(s.begin(), s.end());
  auto sub = container_cli::parse_subcommand(w);
  ASSERT_TRUE(sub);
  EXPECT_EQ(w[sub->index], "pause");
  EXPECT_EQ(sub->shown, "docker container");
  EXPECT_FALSE(sub->compose);
  EXPECT_FALSE(container_cli::parse_subcommand(w, 5));  // past the end
}
