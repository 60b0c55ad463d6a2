// The one host-path policy: which host paths are sensitive when bind-mounted into a container,
// which are container runtime sockets, and which are benign exceptions. Compose (DC002/DC003),
// Kubernetes (K8003) and the runtime checks (RT002) all decide through it; docs/host-paths.md
// is its documentation.
#pragma once
#include <string>
#include <string_view>

namespace tocsin::host_paths {

enum class Kind {
  Ordinary,       // application data, scratch space: not reported for being a host path
  Sensitive,      // host configuration, binaries, kernel interfaces, runtime state, homes
  RuntimeSocket,  // a container runtime API socket (or its directory): root on the host
};

enum class Benign {
  No,
  ReadOnly,  // harmless when mounted read-only (files every host user can read anyway)
  Always,    // harmless even writable (time zone data, the shared-memory tmpfs)
};

struct Verdict {
  Kind kind = Kind::Ordinary;
  Benign benign = Benign::No;
  std::string_view entry;  // the policy entry that decided, as documented ("/etc", "/home/<user>")
  std::string_view what;   // what lives there, for messages ("host configuration")

  // True when a mount of the path is to be reported as a sensitive host path.
  bool sensitive(bool read_only) const {
    if (kind != Kind::Sensitive || benign == Benign::Always) return false;
    return !(read_only && benign == Benign::ReadOnly);
  }
};

// Lexically normalised path: "." and empty components dropped, ".." folded (never above "/"
// for absolute paths), no trailing slash. Relative paths keep a leading "./" ("." when empty).
std::string normalize(std::string_view path);
// True when `inner` equals `outer` or lies below it (both normalised).
bool within(std::string_view inner, std::string_view outer);

// Classifies an absolute host path (normalised first). Relative or variable paths are Ordinary.
Verdict classify(std::string_view host_path);

inline bool is_runtime_socket(std::string_view host_path) {
  return classify(host_path).kind == Kind::RuntimeSocket;
}

}  // namespace tocsin::host_paths
