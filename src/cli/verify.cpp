// `tocsin verify FILE [-- COMMAND...]`: race-free integrity check of a config file, for
// readiness probes — and, better, for handing the verified bytes to the application (--emit, or
// a sealed memfd for COMMAND) so that nothing re-reads the path after the check.
// Exit 0 intact (or COMMAND's own exit status), 1 mismatch or unsafe, 2 error.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cli/commands.hpp"
#include "core/text_sanitize.hpp"
#include "runtime/handover.hpp"
#include "runtime/verify.hpp"

namespace tocsin::cli {

std::vector<std::string>& verify_trailing_command() {
  static std::vector<std::string> command;
  return command;
}

namespace {
struct VerifyArgs {
  std::string file, root, sha256, sha256_env, max_mode, lock = "shared", emit, emit_mode = "0600";
  int64_t owner = -1;
  int lock_timeout_ms = 2000;
  bool quiet = false;
};

int usage(const std::string& msg) {
  fmt::print(stderr, "tocsin verify: {}\n", sanitize_for_terminal(msg));
  return kExitError;
}

std::optional<mode_t> octal_mode(const std::string& s) {
  char* end = nullptr;
  unsigned long m = std::strtoul(s.c_str(), &end, 8);
  if (s.empty() || !end || *end || m > 07777) return std::nullopt;
  return static_cast<mode_t>(m);
}

// Runs COMMAND with the verified bytes on an inherited sealed memfd; returns only on failure.
int exec_with_verified(const runtime::VerifyReport& rep, const std::vector<std::string>& command) {
  auto fd = runtime::sealed_memfd(rep.content);
  if (!fd) return usage(fd.error().message);
  const std::string fd_path = fmt::format("/proc/self/fd/{}", *fd);
  ::setenv("TOCSIN_VERIFIED_FILE", fd_path.c_str(), 1);
  ::setenv("TOCSIN_VERIFIED_FD", std::to_string(*fd).c_str(), 1);
  ::setenv("TOCSIN_VERIFIED_SHA256", rep.sha256.value_or("").c_str(), 1);
  auto argv = runtime::substitute_verified(command, fd_path);
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execvp(cargv[0], cargv.data());
  const int e = errno;
  fmt::print(stderr, "tocsin verify: cannot run {}: {}\n", sanitize_for_terminal(argv[0]), std::strerror(e));
  return e == ENOENT ? 127 : 126;  // the shell's codes for "not found" / "not executable"
}
}  // namespace

void add_verify(CLI::App& root, Commands& cmds) {
  auto args = std::make_shared<VerifyArgs>();
  auto* app = root.add_subcommand("verify", "Race-free integrity check of a (config) file; hand the verified bytes over");
  app->add_option("file", args->file, "the file (inside --root when given)")->required();
  app->add_option("--root", args->root, "resolve FILE inside this directory (symlinks and '..' refused)");
  auto* sha = app->add_option("--sha256", args->sha256, "expected SHA-256: hex, sha256:HEX, or a `sha256sum` output line");
  app->add_option("--sha256-env", args->sha256_env, "read the expected SHA-256 from this environment variable (same forms)")
      ->excludes(sha);
  app->add_option("--owner", args->owner, "expected owner uid");
  app->add_option("--max-mode", args->max_mode, "highest permission bits allowed, octal (e.g. 0644)");
  auto* lock = app->add_option("--lock", args->lock,
                               "flock held while reading: shared (default; writers that lock exclusively are "
                               "waited for), exclusive, or none")
                   ->check(CLI::IsMember({"none", "shared", "exclusive"}));
  app->add_option("--lock-timeout", args->lock_timeout_ms, "wait this long (ms) for a writer's lock (default 2000)")
      ->check(CLI::Range(0, 600000));
  app->add_option("--emit", args->emit,
                  "write the verified bytes to this file (atomically, link-safe) — the application reads it, "
                  "never FILE; nothing is written unless the file verifies");
  app->add_option("--emit-mode", args->emit_mode, "mode of the --emit file, octal (default 0600)");
  app->add_flag("-q,--quiet", args->quiet, "print nothing, only the exit code");
  app->footer(
      "With `-- COMMAND [ARGS...]` after the options, COMMAND is executed (in place of tocsin) only when\n"
      "the file verifies, with the verified bytes on an inherited memfd sealed against change:\n"
      "  TOCSIN_VERIFIED_FILE=/proc/self/fd/N (and TOCSIN_VERIFIED_FD=N, TOCSIN_VERIFIED_SHA256)\n"
      "and every `{verified}` in ARGS replaced by that path, e.g.\n"
      "  tocsin verify /etc/app/app.yaml --sha256-env CONFIG_HASH -- /app/server --config {verified}\n"
      "The report then goes to stderr. A probe that checks FILE and an application that opens it again later\n"
      "leave a window a writer can swap the file in; --emit and COMMAND close it (docs/deploy/README.md).\n"
      "Exit: 0 intact (with COMMAND: its exit status), 1 digest/owner/mode mismatch or unsafe path (symlink,\n"
      "escape), 2 error. TOCSIN_NO_OPENAT2=1 forces the O_NOFOLLOW walk used where openat2 is missing.");
  cmds.push_back({app, [args, lock] {
                    const auto& command = verify_trailing_command();
                    runtime::VerifyOptions opt;
                    opt.file = args->file;
                    if (!args->root.empty()) opt.root = args->root;
                    std::string expected = args->sha256;
                    if (!args->sha256_env.empty()) {
                      const char* v = std::getenv(args->sha256_env.c_str());
                      if (!v || !*v) return usage(fmt::format("environment variable {} is not set", args->sha256_env));
                      expected = v;
                    }
                    if (!expected.empty()) {
                      auto d = runtime::parse_sha256_digest(expected);
                      if (!d)
                        return usage(fmt::format("'{}' is not a SHA-256 (64 hex digits, sha256:HEX, or a sha256sum line)",
                                                 expected));
                      opt.sha256 = *d;
                    }
                    if (args->owner >= 0) opt.owner = static_cast<uid_t>(args->owner);
                    if (!args->max_mode.empty()) {
                      auto m = octal_mode(args->max_mode);
                      if (!m) return usage(fmt::format("--max-mode '{}' is not an octal mode", args->max_mode));
                      opt.max_mode = *m;
                    }
                    auto emit_mode = octal_mode(args->emit_mode);
                    if (!emit_mode) return usage(fmt::format("--emit-mode '{}' is not an octal mode", args->emit_mode));
                    opt.lock = args->lock == "none" ? runtime::VerifyLock::None
                               : args->lock == "exclusive" ? runtime::VerifyLock::Exclusive
                                                           : runtime::VerifyLock::Shared;
                    opt.lock_required = lock->count() > 0;
                    opt.lock_timeout_ms = args->lock_timeout_ms;
                    const char* nofs = std::getenv("TOCSIN_NO_OPENAT2");
                    opt.resolve.force_fallback = nofs && std::string(nofs) == "1";
                    const bool hand_over = !args->emit.empty() || !command.empty();
                    auto rep = runtime::verify_file(opt, hand_over);
                    if (rep.ok() && !args->emit.empty()) {
                      auto w = runtime::emit_verified(args->emit, rep.content, *emit_mode, rep.notes);
                      if (!w) {
                        rep.status = runtime::VerifyStatus::Error;
                        rep.problems.push_back(w.error().message);
                      } else {
                        rep.notes.push_back(fmt::format("verified bytes written to {}", args->emit));
                      }
                    }
                    if (!args->quiet) {
                      std::string out = runtime::to_json(rep);
                      escape_json_for_terminal(out);  // the path is the caller's, any bytes
                      // With a command, stdout is the command's: the report goes to stderr.
                      fmt::print(command.empty() ? stdout : stderr, "{}\n", out);
                    }
                    if (rep.ok() && !command.empty()) return exec_with_verified(rep, command);
                    switch (rep.status) {
                      case runtime::VerifyStatus::Intact: return kExitClean;
                      case runtime::VerifyStatus::Problem: return kExitFindings;
                      case runtime::VerifyStatus::Error: break;
                    }
                    return kExitError;
                  }});
}

}  // namespace tocsin::cli
