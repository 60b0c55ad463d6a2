// Copy command parsing, client container names and path helpers of the audit detections.
#include <gtest/gtest.h>

#include "audit/detections/model.hpp"
#include "audit/process/containers.hpp"
#include "audit/process/process_table.hpp"

using namespace tocsin::audit;

TEST(DetectCopyCommand, DockerCpBothDirections) {
  auto to = parse_copy_command({"/usr/bin/docker", "cp", "/tmp/payload", "victim:/w/dir/payload2"});
  ASSERT_TRUE(to);
  EXPECT_EQ(to->tool, "docker");
  EXPECT_EQ(to->direction, "to-container");
  EXPECT_EQ(to->container, "victim");
  EXPECT_EQ(to->path, "/w/dir/payload2");
  EXPECT_EQ(to->local, "/tmp/payload");
  auto from = parse_copy_command({"docker", "cp", "victim:/data/cfg/hostname", "out"});
  ASSERT_TRUE(from);
  EXPECT_EQ(from->direction, "from-container");
  EXPECT_EQ(from->path, "/data/cfg/hostname");
}

TEST(DetectCopyCommand, GlobalOptionsSubcommandsAndOtherTools) {
  auto c = parse_copy_command({"docker", "--context", "prod", "container", "cp", "-a", "f", "web:/x"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->container, "web");
  auto k = parse_copy_command({"kubectl", "-n", "ns1", "cp", "ns1/web-0:/var/log/a", "/tmp/a", "-c", "app"});
  ASSERT_TRUE(k);
  EXPECT_EQ(k->tool, "kubectl");
  EXPECT_EQ(k->container, "ns1/web-0");
  EXPECT_EQ(k->direction, "from-container");
  EXPECT_TRUE(parse_copy_command({"podman", "cp", "/etc/hosts", "web:/etc/hosts"}));
  EXPECT_TRUE(parse_copy_command({"nerdctl", "--namespace", "k8s.io", "cp", "web:/a", "/tmp/a"}));
  auto compose = parse_copy_command({"docker", "compose", "-f", "x.yml", "cp", "svc:/a", "b"});
  ASSERT_TRUE(compose);
  EXPECT_EQ(compose->container, "svc");
}

TEST(DetectCopyCommand, NotCopies) {
  EXPECT_FALSE(parse_copy_command({"docker", "ps", "-a", "x"}));
  EXPECT_FALSE(parse_copy_command({"/usr/bin/cp", "/a", "b:/c", "d"}));
  EXPECT_FALSE(parse_copy_command({"docker", "cp", "--help"}));
  EXPECT_FALSE(parse_copy_command({"docker", "cp", "-h", "a", "b:/c"}));
  EXPECT_FALSE(parse_copy_command({"docker", "cp", "a", "b"}));                // no container side
  EXPECT_FALSE(parse_copy_command({"docker", "cp", "x:/a", "y:/b"}));          // both sides
  EXPECT_FALSE(parse_copy_command({"docker", "cp", "./a:b", "/tmp/c"}));       // local path with ':'
  EXPECT_FALSE(parse_copy_command({"docker", "run", "--name", "cp", "img", "a:/b"}));
}

TEST(DetectClientNames, RunExecStart) {
  EXPECT_EQ(container_named_by_client({"/usr/bin/docker", "exec", "-d", "victim", "/bin/swap"}).value_or(""), "victim");
  EXPECT_EQ(container_named_by_client({"docker", "exec", "-u", "0", "-w", "/", "victim", "sh"}).value_or(""), "victim");
  EXPECT_EQ(container_named_by_client({"docker", "run", "-d", "--name", "v2", "img"}).value_or(""), "v2");
  EXPECT_EQ(container_named_by_client({"docker", "container", "start", "v3"}).value_or(""), "v3");
  EXPECT_FALSE(container_named_by_client({"docker", "run", "-d", "img"}));  // unnamed
  EXPECT_FALSE(container_named_by_client({"docker", "ps"}));
  EXPECT_FALSE(container_named_by_client({"ls", "exec", "x"}));
}

TEST(DetectPaths, Helpers) {
  EXPECT_EQ(normalize_path("/w//dir/./x/"), "/w/dir/x");
  EXPECT_EQ(normalize_path("/"), "/");
  EXPECT_EQ(join_path("/w", "dir-link"), "/w/dir-link");
  EXPECT_EQ(join_path("/", "/abs"), "/abs");
  EXPECT_EQ(dir_name("/w/dir/payload2"), "/w/dir");
  EXPECT_EQ(dir_name("/x"), "/");
  EXPECT_TRUE(is_same_or_ancestor("/w/dir", "/w/dir/payload"));
  EXPECT_TRUE(is_same_or_ancestor("/w/dir", "/w/dir"));
  EXPECT_TRUE(is_same_or_ancestor("/", "/etc"));
  EXPECT_FALSE(is_same_or_ancestor("/w/dir", "/w/dir-link/x"));
  EXPECT_FALSE(is_same_or_ancestor("/w/dir/x", "/w/dir"));
}

TEST(DetectContainers, AliasesMergeAndConflict) {
  ContainerRegistry r;
  std::string id(64, 'a'), other(64, 'b');
  r.link(ContainerRegistry::name_alias("victim"), ContainerRegistry::id_alias(id));
  r.link(ContainerRegistry::name_alias("victim"), ContainerRegistry::layer_alias("L1"));
  EXPECT_EQ(r.same(ContainerRegistry::id_alias(id), ContainerRegistry::layer_alias("L1")), Same::Yes);
  r.add(ContainerRegistry::id_alias(other));
  EXPECT_EQ(r.same(ContainerRegistry::id_alias(id), ContainerRegistry::id_alias(other)), Same::No);
  EXPECT_EQ(r.same(ContainerRegistry::name_alias("victim"), ContainerRegistry::name_alias("web")), Same::No);
  r.add(ContainerRegistry::layer_alias("L9"));
  EXPECT_EQ(r.same(ContainerRegistry::id_alias(other), ContainerRegistry::layer_alias("L9")), Same::Unknown);
  EXPECT_EQ(r.label(ContainerRegistry::layer_alias("L1")), "victim");
  EXPECT_EQ(storage_layer_of("/var/lib/docker/vfs/dir/0fe874b854484c232183fbdca7318612c2aa149b2c24a69662bbaff4edbbd2ad").value_or(""),
            "0fe874b854484c232183fbdca7318612c2aa149b2c24a69662bbaff4edbbd2ad");
  EXPECT_EQ(storage_layer_of("/var/lib/docker/overlay2/abcdef0123456789/merged/etc").value_or(""), "abcdef0123456789");
  EXPECT_FALSE(storage_layer_of("/var/lib/docker/containers/x"));
}
