// The shared host-path policy (core/host_paths.hpp): every decision docs/host-paths.md states.
#include "core/host_paths.hpp"

#include <gtest/gtest.h>

namespace tocsin::host_paths {
namespace {

bool sensitive_rw(std::string_view p) { return classify(p).sensitive(false); }
bool sensitive_ro(std::string_view p) { return classify(p).sensitive(true); }

TEST(HostPaths, Normalize) {
  EXPECT_EQ(normalize("/a/./b/../c/"), "/a/c");
  EXPECT_EQ(normalize("/../.."), "/");
  EXPECT_EQ(normalize("//etc//"), "/etc");
  EXPECT_EQ(normalize("./x/../y"), "./y");
  EXPECT_EQ(normalize(""), ".");
  EXPECT_TRUE(within("/etc/ssl", "/etc"));
  EXPECT_FALSE(within("/etcetera", "/etc"));
  EXPECT_TRUE(within("/x", "/"));
}

TEST(HostPaths, RuntimeSockets) {
  for (auto p : {"/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
                 "/run/k3s/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/podman/podman.sock",
                 "/var/run/docker", "/var/run//docker.sock/"})
    EXPECT_EQ(classify(p).kind, Kind::RuntimeSocket) << p;
  EXPECT_NE(classify("/var/run/dockerd.pid").kind, Kind::RuntimeSocket);
}

TEST(HostPaths, SensitiveTreesAndExactDirectories) {
  for (auto p : {"/", "/etc", "/etc/nginx", "/proc", "/sys/fs/cgroup", "/dev", "/dev/snd", "/boot", "/root/.ssh",
                 "/usr", "/usr/src", "/lib/modules", "/lib", "/lib64", "/bin", "/sbin", "/var/lib/docker/volumes",
                 "/var/lib/kubelet/pods", "/var/lib/containerd", "/run", "/run/user/1000", "/var/run/dbus", "/var",
                 "/var/lib", "/etc/../etc/shadow"})
    EXPECT_TRUE(sensitive_rw(p)) << p;
  // Below /var and /var/lib: ordinary service data; elsewhere: ordinary directories.
  for (auto p : {"/var/lib/mysql", "/var/log", "/srv/etc", "/opt/app", "/data", "/tmp", "/mnt/disk", "/etcetera",
                 "relative/etc", "./etc", "${HOME}/x"})
    EXPECT_FALSE(sensitive_rw(p)) << p;
}

TEST(HostPaths, Homes) {
  EXPECT_TRUE(sensitive_rw("/home"));
  EXPECT_TRUE(sensitive_rw("/home/app"));
  EXPECT_TRUE(sensitive_rw("/home/app/"));
  EXPECT_TRUE(sensitive_rw("/home/me/.ssh"));
  EXPECT_TRUE(sensitive_rw("/home/me/.bashrc"));
  EXPECT_TRUE(sensitive_rw("/home/me/.docker/config.json"));
  // Application data under a home is not a host secret.
  EXPECT_FALSE(sensitive_rw("/home/app/data"));
  EXPECT_FALSE(sensitive_rw("/home/me/project/src"));
  EXPECT_FALSE(sensitive_rw("/home/me/project/.git"));
  EXPECT_EQ(classify("/home/app").entry, "/home/<user>");
}

TEST(HostPaths, BenignExceptions) {
  // Whatever the mode.
  for (auto p : {"/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo/Europe/Berlin", "/dev/shm", "/dev/shm/x"}) {
    EXPECT_FALSE(sensitive_rw(p)) << p;
    EXPECT_FALSE(sensitive_ro(p)) << p;
    EXPECT_EQ(classify(p).benign, Benign::Always) << p;
  }
  // Only read-only.
  for (auto p : {"/etc/hosts", "/etc/resolv.conf", "/etc/hostname", "/etc/machine-id", "/etc/passwd", "/etc/group",
                 "/etc/ssl/certs", "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/ca-trust"}) {
    EXPECT_TRUE(sensitive_rw(p)) << p;
    EXPECT_FALSE(sensitive_ro(p)) << p;
  }
  // Not an exception: the key material next to the certificates, the shadow file.
  EXPECT_TRUE(sensitive_ro("/etc/ssl/private"));
  EXPECT_TRUE(sensitive_ro("/etc/shadow"));
  EXPECT_TRUE(sensitive_ro("/dev"));
}

}  // namespace
}  // namespace tocsin::host_paths
