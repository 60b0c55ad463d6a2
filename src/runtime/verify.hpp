// `tocsin verify`: race-free integrity check of one file. The file is opened once through
// safeio (no symlinks, confined to a root), and everything — type, owner, mode, lock, content,
// digest — is taken from that one descriptor, so what is checked is what was read.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "safeio/resolve.hpp"

namespace tocsin::runtime {

struct VerifyOptions {
  std::string file;                    // as given (inside `root` when set)
  std::optional<std::string> root;     // resolve `file` inside this directory
  std::optional<std::string> sha256;   // expected digest, lowercase or uppercase hex
  std::optional<uid_t> owner;
  std::optional<mode_t> max_mode;      // permission bits allowed (e.g. 0644)
  size_t max_bytes = 64u << 20;
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
  std::string content;           // kept only when asked (keep_content)
  bool ok() const { return status == VerifyStatus::Intact; }
};

// Lowercase hex SHA-256 (OpenSSL EVP).
std::string sha256_hex(std::string_view data);
// True for 64 hex digits.
bool is_sha256_hex(std::string_view s);

VerifyReport verify_file(const VerifyOptions& opt, bool keep_content = false);
// The same checks on `relpath` under an already opened root descriptor.
VerifyReport verify_in_root(int root_fd, const std::string& relpath, const VerifyOptions& opt,
                            bool keep_content = false);

// {"file","ok","sha256","size","owner","mode","problems":[...]} on one line.
std::string to_json(const VerifyReport& r);

}  // namespace tocsin::runtime
