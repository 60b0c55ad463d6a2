// `tocsin verify`: race-free integrity check of one file. The file is opened once through
// safeio (no symlinks, confined to a root), and everything — type, owner, mode, lock, content,
// digest — is taken from that one descriptor, so what is checked is what was read. The bytes
// that were verified can be handed over (a file written atomically, or a sealed memfd for an
// exec'd command), so the application uses exactly them and never opens the path again.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "safeio/resolve.hpp"

namespace tocsin::runtime {

// flock(2) on the opened file while it is read: cooperating writers that rewrite it under an
// exclusive lock are never read half-written.
enum class VerifyLock { None, Shared, Exclusive };

struct VerifyOptions {
  std::string file;                    // as given (inside `root` when set)
  std::optional<std::string> root;     // resolve `file` inside this directory
  std::optional<std::string> sha256;   // expected digest, lowercase or uppercase hex
  std::optional<uid_t> owner;
  std::optional<mode_t> max_mode;      // permission bits allowed (e.g. 0644)
  size_t max_bytes = 64u << 20;
  VerifyLock lock = VerifyLock::Shared;
  bool lock_required = false;          // a file system without flock support is an error (else a note)
  int lock_timeout_ms = 2000;          // waiting for a writer's exclusive flock
  safeio::ResolveOptions resolve;
};

enum class VerifyStatus { Intact, Problem, Error };

struct VerifyReport {
  std::string file;
  VerifyStatus status = VerifyStatus::Error;
  std::optional<std::string> sha256;
  std::optional<uint64_t> size;
  std::optional<uint32_t> owner;
  std::optional<uint32_t> mode;  // permission bits
  std::vector<std::string> problems;
  std::vector<std::string> notes;  // e.g. not locked: the file system has no flock
  std::string content;           // kept only when asked (keep_content)
  bool ok() const { return status == VerifyStatus::Intact; }
};

// Lowercase hex SHA-256 (OpenSSL EVP).
std::string sha256_hex(std::string_view data);
// True for 64 hex digits.
bool is_sha256_hex(std::string_view s);
// An expected digest as people write it: bare hex, `sha256:HEX` (image-style), or a line of
// `sha256sum FILE` output (`HEX  FILE`, `HEX *FILE`). Lowercase hex, or nullopt.
std::optional<std::string> parse_sha256_digest(std::string_view s);

VerifyReport verify_file(const VerifyOptions& opt, bool keep_content = false);
// The same checks on `relpath` under an already opened root descriptor.
VerifyReport verify_in_root(int root_fd, const std::string& relpath, const VerifyOptions& opt,
                            bool keep_content = false);

// {"file","ok","sha256","size","owner","mode","problems":[...]} on one line (plus "notes" and
// "emitted" when present).
std::string to_json(const VerifyReport& r);

}  // namespace tocsin::runtime
