// Race-free file verification (see verify.hpp).
#include "runtime/verify.hpp"
#include "core/strings.hpp"

#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <thread>

namespace tocsin::runtime {

std::string sha256_hex(std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
    return {};
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> parse_sha256_digest(std::string_view s) {
  s = trim(s);
  if (s.substr(0, 7) == "sha256:" || s.substr(0, 7) == "SHA256:") s.remove_prefix(7);
  // sha256sum output: the digest, then a space and ' ' (text) or '*' (binary), then the name.
  if (s.size() > 64 && s[64] == ' ' && s.size() > 66 && (s[65] == ' ' || s[65] == '*')) s = s.substr(0, 64);
  if (!is_sha256_hex(s)) return std::nullopt;
  return ascii_lower(std::string(s));
}

namespace {

// Takes the lock asked for on `fd`, waiting up to the timeout for a writer. Returns false with
// a problem or error in `r` when the verification must stop.
bool take_lock(VerifyReport& r, int fd, const VerifyOptions& opt) {
  if (opt.lock == VerifyLock::None) return true;
  const int op = (opt.lock == VerifyLock::Exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(opt.lock_timeout_ms);
  while (::flock(fd, op) != 0) {
    const int e = errno;
    if (e == EINTR) continue;
    if (e != EWOULDBLOCK) {
      // ENOLCK/EOPNOTSUPP/EINVAL: the file system (some network or FUSE ones) has no flock.
      std::string why = fmt::format("cannot take a {} flock on the file: {} (the file system may not support "
                                    "flock; --lock none verifies without one)",
                                    opt.lock == VerifyLock::Exclusive ? "exclusive" : "shared", std::strerror(e));
      if (opt.lock_required) {
        r.status = VerifyStatus::Error;
        r.problems.push_back(std::move(why));
        return false;
      }
      r.notes.push_back("not locked: " + why);
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      r.status = VerifyStatus::Problem;
      r.problems.push_back(fmt::format("file stayed locked by a writer for {} ms", opt.lock_timeout_ms));
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

VerifyReport check_fd(VerifyReport r, int fd, const VerifyOptions& opt, bool keep_content) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    r.problems.push_back(fmt::format("fstat: {}", std::strerror(errno)));
    return r;
  }
  if (!S_ISREG(st.st_mode)) {
    r.status = VerifyStatus::Problem;
    r.problems.push_back("not a regular file");
    return r;
  }
  // A writer that takes an exclusive flock while rewriting is waited for.
  if (!take_lock(r, fd, opt)) return r;
  auto data = safeio::read_fd(fd, opt.max_bytes, r.file);
  if (!data) {
    r.problems.push_back(data.error().message);
    return r;
  }
  ::fstat(fd, &st);  // after the read, under the lock: the values that match the content
  r.size = data->size();
  r.owner = static_cast<uint32_t>(st.st_uid);
  r.mode = static_cast<uint32_t>(st.st_mode & 07777);
  r.sha256 = sha256_hex(*data);
  r.status = VerifyStatus::Intact;
  if (opt.sha256) {
    auto want = parse_sha256_digest(*opt.sha256);
    if (!want || *want != *r.sha256) {
      r.status = VerifyStatus::Problem;
      r.problems.push_back(fmt::format("sha256 mismatch: expected {}", want.value_or(ascii_lower(*opt.sha256))));
    }
  }
  if (opt.owner && *opt.owner != st.st_uid) {
    r.status = VerifyStatus::Problem;
    r.problems.push_back(fmt::format("owner is {}, expected {}", st.st_uid, *opt.owner));
  }
  if (opt.max_mode && ((st.st_mode & 07777) & ~*opt.max_mode) != 0) {
    r.status = VerifyStatus::Problem;
    r.problems.push_back(fmt::format("mode {:04o} exceeds {:04o}", st.st_mode & 07777, *opt.max_mode));
  }
  if (keep_content) r.content = std::move(*data);
  return r;
}

VerifyReport from_open(safeio::Opened o, const VerifyOptions& opt, bool keep_content) {
  VerifyReport r;
  r.file = opt.file;
  if (!o.ok()) {
    r.status = o.error.kind == safeio::ResolveFailure::Unsafe ? VerifyStatus::Problem : VerifyStatus::Error;
    r.problems.push_back(o.error.message);
    return r;
  }
  return check_fd(std::move(r), o.fd.get(), opt, keep_content);
}

}  // namespace

VerifyReport verify_in_root(int root_fd, const std::string& relpath, const VerifyOptions& opt,
                            bool keep_content) {
  return from_open(safeio::open_in_root(root_fd, relpath, O_RDONLY | O_NONBLOCK, opt.resolve), opt,
                   keep_content);
}

VerifyReport verify_file(const VerifyOptions& opt, bool keep_content) {
  if (opt.root) {
    auto root = safeio::open_root(*opt.root);
    if (!root) {
      VerifyReport r;
      r.file = opt.file;
      r.problems.push_back(root.error().message);
      return r;
    }
    return verify_in_root(root->get(), opt.file, opt, keep_content);
  }
  return from_open(safeio::open_no_symlinks(opt.file, O_RDONLY | O_NONBLOCK, opt.resolve), opt,
                   keep_content);
}

std::string to_json(const VerifyReport& r) {
  nlohmann::ordered_json j;
  j["file"] = r.file;
  j["ok"] = r.ok();
  j["sha256"] = r.sha256 ? nlohmann::ordered_json(*r.sha256) : nlohmann::ordered_json(nullptr);
  j["size"] = r.size ? nlohmann::ordered_json(*r.size) : nlohmann::ordered_json(nullptr);
  j["owner"] = r.owner ? nlohmann::ordered_json(*r.owner) : nlohmann::ordered_json(nullptr);
  j["mode"] = r.mode ? nlohmann::ordered_json(fmt::format("{:04o}", *r.mode)) : nlohmann::ordered_json(nullptr);
  j["problems"] = r.problems;
  if (!r.notes.empty()) j["notes"] = r.notes;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tocsin::runtime
