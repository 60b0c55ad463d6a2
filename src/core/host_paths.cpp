// The host-path policy table (see host_paths.hpp and docs/host-paths.md). Order matters: runtime
// sockets first, then the benign exceptions, then the sensitive entries, most specific first.
#include "core/host_paths.hpp"

#include <array>
#include <vector>

namespace tocsin::host_paths {

std::string normalize(std::string_view p) {
  const bool abs = !p.empty() && p.front() == '/';
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= p.size()) {
    size_t c = p.find('/', start);
    if (c == std::string_view::npos) c = p.size();
    auto seg = p.substr(start, c - start);
    start = c + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!abs) {
        parts.push_back(seg);
      }
      continue;
    }
    parts.push_back(seg);
  }
  if (!abs && parts.empty()) return std::string(".");
  std::string out;
  out.reserve(p.size() + 2);
  if (!abs) out.push_back('.');
  for (auto seg : parts) {
    out.push_back('/');
    out.append(seg.data(), seg.size());
  }
  if (out.empty()) out.push_back('/');
  return out;
}

bool within(std::string_view inner, std::string_view outer) {
  if (outer == "/") return !inner.empty() && inner.front() == '/';
  if (inner.size() < outer.size() || inner.substr(0, outer.size()) != outer) return false;
  return inner.size() == outer.size() || inner[outer.size()] == '/';
}

namespace {

enum class Match { Exact, Tree };

struct Entry {
  std::string_view path;
  Match match;
  Kind kind;
  Benign benign;
  std::string_view what;
};

// Runtime API sockets and the directories that hold them.
constexpr std::array<std::string_view, 9> kSocketDirs = {
    "/var/run/docker", "/run/docker", "/run/containerd", "/var/run/containerd", "/run/crio",
    "/var/run/crio", "/run/podman", "/var/run/podman", "/var/run/cri-dockerd"};
constexpr std::array<std::string_view, 6> kSocketNames = {
    "docker.sock", "containerd.sock", "crio.sock", "podman.sock", "dockershim.sock", "cri-dockerd.sock"};

constexpr Kind S = Kind::Sensitive;
constexpr Kind O = Kind::Ordinary;

// Checked in order; the first entry that matches decides.
constexpr std::array<Entry, 37> kTable = {{
    // Benign whatever the mode: time zone data and the host's shared-memory tmpfs (world-writable
    // with the sticky bit on the host already).
    {"/etc/localtime", Match::Exact, S, Benign::Always, "the time zone"},
    {"/etc/timezone", Match::Exact, S, Benign::Always, "the time zone name"},
    {"/usr/share/zoneinfo", Match::Tree, S, Benign::Always, "time zone data"},
    {"/dev/shm", Match::Tree, O, Benign::Always, "the shared-memory tmpfs"},
    // Benign read-only: files every host user can read anyway.
    {"/etc/hosts", Match::Exact, S, Benign::ReadOnly, "host name resolution"},
    {"/etc/hostname", Match::Exact, S, Benign::ReadOnly, "the host name"},
    {"/etc/resolv.conf", Match::Exact, S, Benign::ReadOnly, "the resolver configuration"},
    {"/etc/machine-id", Match::Exact, S, Benign::ReadOnly, "the machine id"},
    {"/etc/os-release", Match::Exact, S, Benign::ReadOnly, "the OS release"},
    {"/etc/passwd", Match::Exact, S, Benign::ReadOnly, "the user database"},
    {"/etc/group", Match::Exact, S, Benign::ReadOnly, "the group database"},
    {"/etc/ssl/certs", Match::Tree, S, Benign::ReadOnly, "the CA certificates"},
    {"/etc/pki/ca-trust", Match::Tree, S, Benign::ReadOnly, "the CA certificates"},
    {"/etc/pki/tls/certs", Match::Tree, S, Benign::ReadOnly, "the CA certificates"},
    {"/etc/ca-certificates", Match::Tree, S, Benign::ReadOnly, "the CA certificates"},
    {"/usr/share/ca-certificates", Match::Tree, S, Benign::ReadOnly, "the CA certificates"},
    // Sensitive trees: everything below them.
    {"/etc", Match::Tree, S, Benign::No, "host configuration"},
    {"/proc", Match::Tree, S, Benign::No, "the host's process and kernel interface"},
    {"/sys", Match::Tree, S, Benign::No, "the kernel's device and control interface"},
    {"/dev", Match::Tree, S, Benign::No, "host devices"},
    {"/boot", Match::Tree, S, Benign::No, "the kernel and boot loader"},
    {"/root", Match::Tree, S, Benign::No, "root's home"},
    {"/usr", Match::Tree, S, Benign::No, "host programs and libraries"},
    {"/lib", Match::Tree, S, Benign::No, "host libraries and kernel modules"},
    {"/lib32", Match::Tree, S, Benign::No, "host libraries"},
    {"/lib64", Match::Tree, S, Benign::No, "host libraries"},
    {"/libx32", Match::Tree, S, Benign::No, "host libraries"},
    {"/bin", Match::Tree, S, Benign::No, "host programs"},
    {"/sbin", Match::Tree, S, Benign::No, "host programs"},
    {"/var/lib/docker", Match::Tree, S, Benign::No, "the Docker engine's state"},
    {"/var/lib/containerd", Match::Tree, S, Benign::No, "containerd's state"},
    {"/var/lib/containers", Match::Tree, S, Benign::No, "podman/CRI-O storage"},
    {"/var/lib/kubelet", Match::Tree, S, Benign::No, "the kubelet's state"},
    {"/run", Match::Tree, S, Benign::No, "host runtime state and sockets"},
    {"/var/run", Match::Tree, S, Benign::No, "host runtime state and sockets"},
    // Sensitive only as a whole: their subdirectories are ordinary data (see /home below).
    {"/var", Match::Exact, S, Benign::No, "all of the host's variable data"},
    {"/var/lib", Match::Exact, S, Benign::No, "all of the host's service state"},
}};

bool is_socket(std::string_view p) {
  for (auto d : kSocketDirs)
    if (p == d) return true;
  auto slash = p.find_last_of('/');
  std::string_view name = p.substr(slash + 1);
  for (auto n : kSocketNames)
    if (name == n) return true;
  return false;
}

}  // namespace

Verdict classify(std::string_view raw) {
  if (raw.empty() || raw.front() != '/') return {};
  const std::string p = normalize(raw);
  if (is_socket(p)) return {Kind::RuntimeSocket, Benign::No, "runtime sockets", "a container runtime API socket"};
  for (const auto& e : kTable) {
    bool hit = e.match == Match::Exact ? p == e.path : within(p, e.path);
    if (hit) return {e.kind, e.benign, e.path, e.what};
  }
  if (p == "/") return {Kind::Sensitive, Benign::No, "/", "the host's whole file system"};
  // Homes: /home and a whole home directory are sensitive, and so are the dot files and
  // directories at the top of a home (shell start-up files, .ssh, .docker, .kube, .aws:
  // code that runs at login, and credentials). Anything else below a home is application data
  // (/home/app/data, /home/me/project).
  if (within(p, "/home")) {
    std::string_view rest = std::string_view(p).substr(5);  // "" or "/user[/...]"
    if (rest.empty()) return {Kind::Sensitive, Benign::No, "/home", "every user's home"};
    size_t second = rest.find('/', 1);
    if (second == std::string_view::npos) return {Kind::Sensitive, Benign::No, "/home/<user>", "a user's home"};
    std::string_view below = rest.substr(second + 1);
    if (!below.empty() && below.front() == '.')
      return {Kind::Sensitive, Benign::No, "/home/<user>/.<name>", "a user's start-up files or credentials"};
  }
  return {};
}

}  // namespace tocsin::host_paths
