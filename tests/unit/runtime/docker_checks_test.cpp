// RT001–RT005 on inspect data (the Docker client itself: docker_client_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "report/report.hpp"
#include "runtime/container_checks.hpp"
#include "runtime/docker.hpp"
#include "runtime/verify.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace tocsin;
using namespace tocsin::runtime;

namespace {
using tocsin::test::TempDir;

nlohmann::json inspect(const std::vector<nlohmann::json>& mount_list, const nlohmann::json& extra = nullptr) {
  nlohmann::json mounts = nlohmann::json::array();
  for (const auto& m : mount_list) mounts.push_back(m);
  nlohmann::json j = {{"Id", std::string(64, 'a')}, {"Name", "/web"},
                      {"Config", {{"Image", "lab:1"}, {"Env", {"PATH=/bin"}}, {"Labels", nlohmann::json::object()}}},
                      {"HostConfig", {{"Privileged", false}, {"CapAdd", nullptr}, {"Binds", nullptr}}},
                      {"Mounts", mounts}};
  if (!extra.is_null()) j.merge_patch(extra);
  return j;
}
nlohmann::json bind_mount(const std::string& src, const std::string& dst, bool rw = true, const std::string& prop = "rprivate") {
  return {{"Type", "bind"}, {"Source", src}, {"Destination", dst}, {"RW", rw}, {"Propagation", prop}};
}
std::vector<std::string> rules(const std::vector<Alert>& v) {
  std::vector<std::string> out;
  for (const auto& a : v) out.push_back(a.rule);
  return out;
}
}  // namespace

TEST(Checks, CleanContainerHasNoAlert) {
  TempDir t;
  fs::create_directory(t.p / "data");
  auto c = parse_inspect(inspect({bind_mount((t.p / "data").string(), "/data", false)}));
  EXPECT_EQ(c.name, "web");
  EXPECT_TRUE(check_container(c, {}).empty());
  EXPECT_TRUE(check_container(parse_inspect(nlohmann::json("junk")), {}).empty());
}

TEST(Checks, RT001SymlinkSourceOrParent) {
  TempDir t;
  fs::create_directories(t.p / "real/sub");
  fs::create_directory_symlink(t.p / "real", t.p / "link");
  auto c = parse_inspect(inspect({bind_mount((t.p / "link/sub").string(), "/x", false)}));
  auto a = check_container(c, {});
  ASSERT_EQ(rules(a), std::vector<std::string>{"RT001"});
  EXPECT_EQ(a[0].details["symlink"], (t.p / "link").string());
  auto line = tocsin::report::alert_jsonl(a[0]);
  EXPECT_NE(line.find(R"("container":{"id":")"), std::string::npos);
  EXPECT_NE(line.find(R"("name":"web")"), std::string::npos);
}

TEST(Checks, RT002SocketAndSensitiveWritable) {
  EXPECT_EQ(rules(check_container(parse_inspect(inspect({bind_mount("/var/run/docker.sock", "/var/run/docker.sock", false)})), {})),
            std::vector<std::string>{"RT002"});
  EXPECT_EQ(rules(check_container(parse_inspect(inspect({bind_mount("/etc", "/host-etc", true)})), {})),
            std::vector<std::string>{"RT002"});
  EXPECT_TRUE(check_container(parse_inspect(inspect({bind_mount("/etc", "/host-etc", false)})), {}).empty());
  // The shared host-path policy decides (core/host_paths.hpp): application data under a home is
  // not sensitive, a whole home and the time zone file are benign exceptions' counterparts.
  // (RT001 may fire on the host's own symlinks, /etc/localtime on Debian: only RT002 is asked.)
  auto rt002 = [](const std::string& src) {
    auto r = rules(check_container(parse_inspect(inspect({bind_mount(src, "/x", true)})), {}));
    return std::count(r.begin(), r.end(), "RT002");
  };
  EXPECT_EQ(rt002("/home/me/project"), 0);
  EXPECT_EQ(rt002("/etc/localtime"), 0);
  EXPECT_EQ(rt002("/dev/shm"), 0);
  EXPECT_EQ(rules(check_container(parse_inspect(inspect({bind_mount("/home", "/h", true)})), {})),
            std::vector<std::string>{"RT002"});
  EXPECT_EQ(rules(check_container(parse_inspect(inspect({bind_mount("/lib/modules", "/lib/modules", true)})), {})),
            std::vector<std::string>{"RT002"});
  EXPECT_EQ(rules(check_container(parse_inspect(inspect({bind_mount("/var/lib/docker/volumes", "/v", true)})), {})),
            std::vector<std::string>{"RT002"});
}

TEST(Checks, RT003AndRT004) {
  TempDir t;
  EXPECT_EQ(rules(check_container(parse_inspect(inspect({bind_mount(t.p.string(), "/m", false, "rshared")})), {})),
            std::vector<std::string>{"RT003"});
  EXPECT_TRUE(check_container(parse_inspect(inspect({bind_mount(t.p.string(), "/m", false, "rslave")})), {}).empty());
  EXPECT_EQ(rules(check_container(parse_inspect(inspect({}, {{"HostConfig", {{"Privileged", true}}}})), {})),
            std::vector<std::string>{"RT004"});
  EXPECT_EQ(rules(check_container(parse_inspect(inspect({}, {{"HostConfig", {{"CapAdd", {"SYS_ADMIN"}}}}})), {})),
            std::vector<std::string>{"RT004"});
  EXPECT_TRUE(check_container(parse_inspect(inspect({}, {{"HostConfig", {{"CapAdd", {"NET_ADMIN"}}}}})), {}).empty());
}

TEST(Checks, RT005DigestAgainstMountedFile) {
  TempDir t;
  fs::create_directory(t.p / "conf");
  std::ofstream(t.p / "conf/app.yaml") << "a: 1\n";
  std::string good = sha256_hex("a: 1\n");
  auto mk = [&](const std::string& hash) {
    return parse_inspect(inspect({bind_mount((t.p / "conf").string(), "/etc/app", false)},
                                 {{"Config", {{"Env", {"CONFIG_FILE=/etc/app/app.yaml", "CONFIG_HASH=" + hash}}}}}));
  };
  EXPECT_TRUE(check_container(mk(good), {}).empty());
  auto a = check_container(mk(std::string(64, '0')), {});
  ASSERT_EQ(rules(a), std::vector<std::string>{"RT005"});
  EXPECT_EQ(a[0].details["config"]["actual_sha256"], good);
  // The file mounted directly, and named by label.
  auto direct = parse_inspect(inspect({bind_mount((t.p / "conf/app.yaml").string(), "/app.yaml", false)},
                                      {{"Config", {{"Env", {"CONFIG_HASH=" + good}}, {"Labels", {{"tocsin.config", "/app.yaml"}}}}}}));
  EXPECT_TRUE(check_container(direct, {}).empty());
  // A symlinked config inside the mount cannot be verified race-free: RT005.
  fs::create_symlink("app.yaml", t.p / "conf/link.yaml");
  auto viaLink = parse_inspect(inspect({bind_mount((t.p / "conf").string(), "/etc/app", false)},
                                       {{"Config", {{"Env", {"CONFIG_FILE=/etc/app/link.yaml", "CONFIG_HASH=" + good}}}}}));
  EXPECT_EQ(rules(check_container(viaLink, {})), std::vector<std::string>{"RT005"});
}
