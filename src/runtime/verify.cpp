// Race-free file verification (see verify.hpp).
#include "runtime/verify.hpp"

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

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
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
  // Shared lock: a writer that takes an exclusive flock while rewriting is waited for.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(opt.lock_timeout_ms);
  while (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) break;  // e.g. ENOLCK on some filesystems: go on
    if (std::chrono::steady_clock::now() >= deadline) {
      r.status = VerifyStatus::Problem;
      r.problems.push_back(fmt::format("file stayed locked by a writer for {} ms", opt.lock_timeout_ms));
      return r;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
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
  if (opt.sha256 && lower(*opt.sha256) != *r.sha256) {
    r.status = VerifyStatus::Problem;
    r.problems.push_back(fmt::format("sha256 mismatch: expected {}", lower(*opt.sha256)));
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
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tocsin::runtime
