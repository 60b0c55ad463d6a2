// Detections rest on records that are present, never on records a rule set may not write:
// copy helpers confined by design (no chroot/pivot_root record needed), writes charged to a
// copy through process lineage only, wins seen in inodes, podman's in-namespace copy, and the
// in-process copy of newer Docker engines (moby 23+: events built from the engine's source,
// not yet confirmed on a live engine).
#include <gtest/gtest.h>

#include "detect_helpers.hpp"

using namespace tocsin::audit;
using namespace tocsin::audit::testing;

namespace {

const std::string kRootfs = "/var/lib/docker/vfs/dir/9a8b7c6d5e4f30211f2e3d4c5b6a79881726354453627180a9b8c7d6e5f40312";
const std::string kAdmin = "auid=1000 uid=0 euid=0 tty=pts0 ses=3";
const std::string kService = "auid=4294967295 uid=0 euid=0 tty=(none) ses=4294967295";
const std::string kDockerd = "/usr/sbin/dockerd";
const std::string kPodman = "/usr/bin/podman";
const std::string kMerged = "/var/lib/containers/storage/overlay/4be1c0ffee/merged";

std::string item(const std::string& name, const std::string& nametype, uint64_t inode = 0,
                 const std::string& mode = "0100644", const std::string& dev = "fe:00") {
  return "name=\"" + name + "\"" + (inode ? " inode=" + std::to_string(inode) + " dev=" + dev + " mode=" + mode : "") +
         " ouid=0 ogid=0 rdev=00:00 nametype=" + nametype;
}

// docker cp into victim:PATH, its docker-untar helper (pid+1, child of dockerd 812) given
// RESOLVED; with_mount: the helper's unshare/mount/pivot_root records (our full rule set).
std::string docker_copy_in(LogWriter& w, int64_t pid, const std::string& path, const std::string& resolved,
                           bool with_mount, uint64_t root_inode = 1097461) {
  std::string id = w.execve(pid, 1500, {"/usr/bin/docker", "cp", "/root/payload", "victim:" + path}, "/usr/bin/docker",
                            "docker", kAdmin);
  w.advance(4);
  w.execve(pid + 1, 812, {"docker-untar", resolved, kRootfs}, kDockerd, "exe", kService);
  // Before the chroot: the pivot directory inside the rootfs (container storage).
  w.syscall_paths(83, pid + 1, 812, kDockerd, "exe", {item(kRootfs + "/.pivot_root4711", "CREATE", 77, "040700")});
  if (with_mount) {
    w.syscall_paths(272, pid + 1, 812, kDockerd, "exe", {}, "/", "a0=20000 a1=0 a2=0 a3=0");
    w.syscall_paths(155, pid + 1, 812, kDockerd, "exe",
                    {item(kRootfs, "NORMAL", root_inode, "040755"), item(kRootfs + "/.pivot_root4711", "NORMAL", 77, "040700")});
  }
  w.syscall_paths(80, pid + 1, 812, kDockerd, "exe", {item("/", "NORMAL", root_inode, "040755")});
  // After it: container paths (the pivot dir removed from the new root).
  w.syscall_paths(84, pid + 1, 812, kDockerd, "exe",
                  {item("/", "PARENT", root_inode, "040755"), item("/.pivot_root4711", "DELETE", 77, "040700")});
  return id;
}

void helper_creates(LogWriter& w, int64_t helper, const std::string& name, uint64_t parent_inode) {
  std::string dir = name.substr(0, name.rfind('/') + 1);
  w.syscall_paths(257, helper, 812, kDockerd, "exe",
                  {item(dir.empty() ? "/" : dir, "PARENT", parent_inode, "040755"), item(name, "CREATE", 990)}, "/",
                  "a0=ffffff9c a1=c000a2b030 a2=80041 a3=1a4");
}

}  // namespace

TEST(Evidence, HelperIsConfinedByItsExecWithoutMountRecords) {
  for (bool with_mount : {true, false}) {
    LogWriter w;
    docker_copy_in(w, 4001, "/data/cfg/app.conf", "/data/cfg", with_mount);
    helper_creates(w, 4002, "/data/cfg/app.conf", 5555);
    auto hunted = hunt_text(w.text());
    EXPECT_TRUE(of_rule(hunted, "AU005").empty()) << "with_mount=" << with_mount;
    EXPECT_TRUE(of_rule(hunted, "AU004").empty()) << "with_mount=" << with_mount;
    EXPECT_EQ(of_rule(hunted, "AU001").size(), 1u);
  }
}

TEST(Evidence, ConcurrentCopiesEachKeepTheirHelpersWrites) {
  // Two copies at once (the case): the helper of the second one writes /tmp/app.conf,
  // a container path; nothing is charged to the first copy, nothing is an escape.
  LogWriter w;
  docker_copy_in(w, 4001, "/data/cfg/app.conf", "/data/cfg", false);
  docker_copy_in(w, 4101, "/tmp/app.conf", "/tmp", false);
  helper_creates(w, 4002, "/data/cfg/app.conf", 5555);
  helper_creates(w, 4102, "/tmp/app.conf", 6666);
  auto hunted = hunt_text(w.text());
  EXPECT_TRUE(of_rule(hunted, "AU005").empty());
  EXPECT_TRUE(of_rule(hunted, "AU004").empty());
  EXPECT_EQ(of_rule(hunted, "AU001").size(), 2u);
}

TEST(Evidence, DaemonWriteOutsideStorageIsNotChargedToAnArbitraryCopy) {
  LogWriter w;
  std::string c1 = docker_copy_in(w, 4001, "/data/cfg/app.conf", "/data/cfg", false);
  std::string c2 = docker_copy_in(w, 4101, "/tmp/app.conf", "/tmp", false);
  std::string bad = w.openat_write(812, 1, "/etc/cron.d/evil", kDockerd, "dockerd");
  w.openat_write(812, 1, "/var/lib/docker/containers/x/config.v2.json", kDockerd, "dockerd");  // storage
  auto hunted = hunt_text(w.text());
  auto a = of_rule(hunted, "AU005");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->event_ids.front(), bad);
  EXPECT_FALSE(a[0]->docker_cp) << "no lineage leads from dockerd's own write to either copy";
  EXPECT_EQ(a[0]->copy_id, 0u);
  EXPECT_NE(a[0]->message.find("2 copies were active"), std::string::npos) << a[0]->message;
  EXPECT_FALSE(a[0]->reason.empty());
}

TEST(Evidence, UseTimeWinSeenInTheParentInode) {
  // The helper was given /w/dir (a1 as requested) but the file's parent is the container root.
  for (bool with_mount : {true, false}) {
    LogWriter w;
    std::string c = docker_copy_in(w, 4001, "/w/dir/payload2", "/w/dir", with_mount);
    helper_creates(w, 4002, "/w/dir/payload2", 1097461);
    std::string ok = docker_copy_in(w, 4101, "/w/dir/payload3", "/w/dir", with_mount);
    helper_creates(w, 4102, "/w/dir/payload3", 1097167);  // the real /w/dir
    auto hunted = hunt_text(w.text());
    auto a = of_rule(hunted, "AU004");
    ASSERT_EQ(a.size(), 1u) << "with_mount=" << with_mount;
    EXPECT_EQ(a[0]->event_ids.front(), c);
    EXPECT_EQ(a[0]->docker_cp->resolved_path.value_or(""), "/");
    EXPECT_NE(a[0]->reason.find("inode 1097461"), std::string::npos) << a[0]->reason;
    EXPECT_TRUE(of_rule(hunted, "AU005").empty());
  }
}

TEST(Evidence, UseTimeWinNeedsTheRootInode) {
  // Without the helper's chdir("/") or a PATH naming the rootfs nothing says which inode is
  // the root: no claim.
  LogWriter w;
  w.execve(4001, 1500, {"/usr/bin/docker", "cp", "/root/payload", "victim:/w/dir/payload2"}, "/usr/bin/docker",
           "docker", kAdmin);
  w.execve(4002, 812, {"docker-untar", "/w/dir", kRootfs}, kDockerd, "exe", kService);
  helper_creates(w, 4002, "/w/dir/payload2", 1097461);
  EXPECT_TRUE(of_rule(hunt_text(w.text()), "AU004").empty());
}

namespace {

// podman cp SRC victim:PATH: the client copies in its own pid after setns (PRODUCT.md).
std::string podman_copy_in(LogWriter& w, int64_t pid, const std::string& path, bool with_ns) {
  std::string id = w.execve(pid, 1500, {kPodman, "cp", "/root/payload", "victim:" + path}, kPodman, "podman", kAdmin);
  w.execve(pid + 1, pid, {"chrootuser-open", kMerged, "/etc/passwd"}, kPodman, "exe", kAdmin);
  w.syscall_paths(257, pid + 1, pid, kPodman, "exe", {item("/etc/passwd", "NORMAL", 31)}, "/",
                  "a0=ffffff9c a1=c0001 a2=80000 a3=0");  // owner lookup (read)
  if (with_ns) {
    w.syscall_paths(272, pid, 1500, kPodman, "podman", {}, "/", "a0=20000 a1=0 a2=0 a3=0");
    w.syscall_paths(308, pid, 1500, kPodman, "podman", {item("/", "NORMAL", 256, "040755", "00:29")}, "/",
                    "a0=9 a1=20000 a2=0 a3=0");
  }
  return id;
}

}  // namespace

TEST(Evidence, PodmanCopyInWonAndBenign) {
  for (bool with_ns : {true, false}) {
    LogWriter w;
    std::string won = podman_copy_in(w, 7001, "/w/dir/payload1", with_ns);
    w.syscall_paths(257, 7001, 1500, kPodman, "podman",
                    {item("/", "PARENT", 256, "040755", "00:29"), item("/payload1", "CREATE", 801, "0100644", "00:29")},
                    "/", "a0=ffffff9c a1=c0001 a2=800c1 a3=1a4");
    w.advance(20000);
    podman_copy_in(w, 7101, "/w/dir/payload2", with_ns);
    w.syscall_paths(257, 7101, 1500, kPodman, "podman",
                    {item("/w/dir/", "PARENT", 300, "040755", "00:29"), item("/w/dir/payload2", "CREATE", 802, "0100644", "00:29")},
                    "/", "a0=ffffff9c a1=c0001 a2=800c1 a3=1a4");
    auto hunted = hunt_text(w.text());
    EXPECT_EQ(of_rule(hunted, "AU001").size(), 2u);
    auto a = of_rule(hunted, "AU004");
    ASSERT_EQ(a.size(), 1u) << "with_ns=" << with_ns;
    EXPECT_EQ(a[0]->event_ids.front(), won);
    EXPECT_EQ(a[0]->docker_cp->resolved_path.value_or(""), "/");
    EXPECT_TRUE(of_rule(hunted, "AU005").empty()) << "container paths of podman's in-namespace copy";
  }
}

TEST(Evidence, PodmanCopyOut) {
  LogWriter w;
  std::string won = w.execve(7201, 1500, {kPodman, "cp", "victim:/data/cfg/hostname", "/root/out"}, kPodman,
                             "podman", kService);
  w.syscall_paths(308, 7201, 1500, kPodman, "podman", {item("/", "NORMAL", 256, "040755", "00:29")}, "/",
                  "a0=9 a1=20000 a2=0 a3=0");
  // The source opened inside the container: the swapped directory led to /etc.
  w.syscall_paths(257, 7201, 1500, kPodman, "podman", {item("/etc/hostname", "NORMAL", 402, "0100644", "00:29")}, "/",
                  "a0=ffffff9c a1=c0001 a2=80000 a3=0");
  // buildah-copier, chrooted into the host destination, creates the file there.
  w.execve(7202, 7201, {"buildah-copier"}, kPodman, "exe", kService);
  w.syscall_paths(257, 7202, 7201, kPodman, "exe", {item("/", "PARENT", 9, "040755"), item("/hostname", "CREATE", 10)},
                  "/", "a0=ffffff9c a1=c0001 a2=800c1 a3=1a4");
  w.advance(20000);
  w.execve(7301, 1500, {kPodman, "cp", "victim:/data/cfg/hostname", "/root/out2"}, kPodman, "podman", kService);
  w.syscall_paths(257, 7301, 1500, kPodman, "podman", {item("/data/cfg/hostname", "NORMAL", 403, "0100644", "00:29")},
                  "/", "a0=ffffff9c a1=c0001 a2=80000 a3=0");
  auto hunted = hunt_text(w.text());
  auto a = of_rule(hunted, "AU004");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->event_ids.front(), won);
  EXPECT_EQ(a[0]->docker_cp->resolved_path.value_or(""), "/etc");
  EXPECT_TRUE(of_rule(hunted, "AU005").empty()) << "buildah-copier's /hostname is below its chroot";
}

TEST(Evidence, InProcessDockerCopyMoby23Shape) {
  // moby 23+: dockerd (comm dockerd) unshares, chroots into the rootfs and opens the file
  // itself; no docker-untar. Derived from the engine's source, not seen on a live engine.
  for (bool with_mount : {true, false}) {
    LogWriter w;
    std::string won = w.execve(4501, 1500, {"/usr/bin/docker", "cp", "/root/p", "victim:/w/dir/payload2"},
                               "/usr/bin/docker", "docker", kAdmin);
    if (with_mount) {
      w.syscall_paths(272, 812, 1, kDockerd, "dockerd", {}, "/", "a0=20200 a1=0 a2=0 a3=0");
      w.syscall_paths(161, 812, 1, kDockerd, "dockerd", {item(kRootfs, "NORMAL", 1097461, "040755")});
    }
    w.syscall_paths(257, 812, 1, kDockerd, "dockerd", {item("/", "PARENT", 1097461, "040755"), item("/payload2", "CREATE", 55)},
                    "/", "a0=ffffff9c a1=c0001 a2=800c1 a3=1a4");
    w.advance(20000);
    w.execve(4601, 1500, {"/usr/bin/docker", "cp", "/root/p", "victim:/w/dir/payload3"}, "/usr/bin/docker", "docker",
             kAdmin);
    if (with_mount) w.syscall_paths(161, 812, 1, kDockerd, "dockerd", {item(kRootfs, "NORMAL", 1097461, "040755")});
    w.syscall_paths(257, 812, 1, kDockerd, "dockerd",
                    {item("/w/dir/", "PARENT", 1097167, "040755"), item("/w/dir/payload3", "CREATE", 56)}, "/",
                    "a0=ffffff9c a1=c0001 a2=800c1 a3=1a4");
    auto hunted = hunt_text(w.text());
    auto a = of_rule(hunted, "AU004");
    ASSERT_EQ(a.size(), 1u) << "with_mount=" << with_mount;
    EXPECT_EQ(a[0]->event_ids.front(), won);
    EXPECT_EQ(a[0]->docker_cp->resolved_path.value_or(""), "/");
    EXPECT_TRUE(of_rule(hunted, "AU005").empty()) << "with_mount=" << with_mount;
  }
}

namespace {

// moby's in-process `docker cp` into a container, step by step as daemon/containerfs_linux.go
// (openContainerFS), internal/mounttree/switchroot_linux.go (SwitchRoot) and
// daemon/archive_unix.go (containerExtractToDir) do it on a locked thread of dockerd — its
// records carry dockerd's pid and comm. Built from the source, not seen on a live engine (none
// installs here). ns: the mount/namespace records (a rule set with them); creates: where the
// thread's archive.Untar created the file (a container path after the pivot).
std::string moby_inproc_copy_in(LogWriter& w, int64_t client, const std::string& path, const std::string& created,
                                uint64_t created_parent_inode, bool ns, uint64_t root_inode = 2201) {
  std::string id = w.execve(client, 1500, {"/usr/bin/docker", "cp", "/root/payload", "victim:" + path},
                            "/usr/bin/docker", "docker", kAdmin);
  w.advance(3);
  if (ns) {
    w.syscall_paths(272, 812, 1, kDockerd, "dockerd", {}, "/", "a0=20000 a1=0 a2=0 a3=0");  // unshare(CLONE_NEWNS)
    w.syscall_paths(165, 812, 1, kDockerd, "dockerd", {item("/", "NORMAL", 2, "040755")}, "/",
                    "a0=0 a1=c000123456 a2=0 a3=84000");  // MakeRSlave("/")
    w.syscall_paths(165, 812, 1, kDockerd, "dockerd", {item(kRootfs, "NORMAL", root_inode, "040755")}, "/",
                    "a0=c000123460 a1=c000123460 a2=c000123470 a3=5000");  // bind the vfs root on itself
  }
  // MkdirTemp(root, ".pivot_root"): a host path in container storage.
  w.syscall_paths(258, 812, 1, kDockerd, "dockerd",
                  {item(kRootfs + "/", "PARENT", root_inode, "040755"), item(kRootfs + "/.pivot_root3141", "CREATE", 88, "040700")});
  if (ns)
    w.syscall_paths(155, 812, 1, kDockerd, "dockerd",
                    {item(kRootfs, "NORMAL", root_inode, "040755"), item(kRootfs + "/.pivot_root3141", "NORMAL", 88, "040700")});
  w.syscall_paths(80, 812, 1, kDockerd, "dockerd", {item("/", "NORMAL", root_inode, "040755")});
  if (ns) w.syscall_paths(166, 812, 1, kDockerd, "dockerd", {item("/.pivot_root3141", "NORMAL", 88, "040700")});
  // os.Remove("/.pivot_root3141"): unlinkat fails with EISDIR, then rmdir (AT_REMOVEDIR).
  w.syscall_paths(263, 812, 1, kDockerd, "dockerd",
                  {item("/", "PARENT", root_inode, "040755"), item("/.pivot_root3141", "DELETE", 88, "040700")}, "/",
                  "a0=ffffff9c a1=c000123480 a2=200 a3=0");
  // EvalSymlinks + Lstat of the destination, then Untar: create, lchown, chmod.
  w.syscall_paths(262, 812, 1, kDockerd, "dockerd", {item(dir_name(path), "NORMAL", 3001, "040755")}, "/",
                  "a0=ffffff9c a1=c000123490 a2=c0001234a0 a3=100");
  std::string dir = created.substr(0, created.rfind('/') + 1);
  w.syscall_paths(257, 812, 1, kDockerd, "dockerd",
                  {item(dir, "PARENT", created_parent_inode, "040755"), item(created, "CREATE", 3100)}, "/",
                  "a0=ffffff9c a1=c0001234b0 a2=80241 a3=1a4");
  w.syscall_paths(260, 812, 1, kDockerd, "dockerd", {item(created, "NORMAL", 3100)}, "/",
                  "a0=ffffff9c a1=c0001234b0 a2=0 a3=100");
  return id;
}

}  // namespace

TEST(Evidence, InProcessDockerCopyFromTheEngineSource) {
  for (bool ns : {true, false}) {
    LogWriter w;
    // Benign: created where it was asked.
    moby_inproc_copy_in(w, 4701, "/w/dir/payload1", "/w/dir/payload1", 3001, ns);
    w.advance(20000);
    // Won when EvalSymlinks ran: the thread created /payload2 in the container's root.
    std::string won = moby_inproc_copy_in(w, 4801, "/w/dir/payload2", "/payload2", 2201, ns);
    w.advance(20000);
    // Won after it: /w/dir/payload3 by name, but its parent is the container root (inode 2201,
    // the thread's chdir("/") after pivot_root): seen only with the pivot_root record.
    std::string late = moby_inproc_copy_in(w, 4901, "/w/dir/payload3", "/w/dir/payload3", 2201, ns);
    auto hunted = hunt_text(w.text());
    EXPECT_EQ(of_rule(hunted, "AU001").size(), 3u);
    auto a = of_rule(hunted, "AU004");
    ASSERT_EQ(a.size(), ns ? 2u : 1u) << "ns=" << ns;
    EXPECT_EQ(a[0]->event_ids.front(), won);
    EXPECT_EQ(a[0]->docker_cp->resolved_path.value_or(""), "/");
    if (ns) {
      EXPECT_EQ(a[1]->event_ids.front(), late);
      EXPECT_EQ(a[1]->docker_cp->resolved_path.value_or(""), "/");
    }
    // The pivot directory's removal ("/.pivot_root3141" after the pivot) and the container
    // paths are never host writes, with or without the pivot_root record.
    auto au5 = of_rule(hunted, "AU005");
    EXPECT_TRUE(au5.empty()) << "ns=" << ns << ": " << au5.front()->message;
  }
}
