// `tocsin verify FILE`: race-free integrity check of a config file, for readiness probes.
// Exit 0 intact, 1 mismatch or unsafe, 2 error.
#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "cli/commands.hpp"
#include "core/text_sanitize.hpp"
#include "runtime/verify.hpp"

namespace tocsin::cli {

namespace {
struct VerifyArgs {
  std::string file, root, sha256, sha256_env, max_mode;
  int64_t owner = -1;
  bool quiet = false;
};
}  // namespace

void add_verify(CLI::App& root, Commands& cmds) {
  auto args = std::make_shared<VerifyArgs>();
  auto* app = root.add_subcommand("verify", "Race-free integrity check of a (config) file");
  app->add_option("file", args->file, "the file (inside --root when given)")->required();
  app->add_option("--root", args->root, "resolve FILE inside this directory (symlinks and '..' refused)");
  auto* sha = app->add_option("--sha256", args->sha256, "expected SHA-256 (hex)");
  app->add_option("--sha256-env", args->sha256_env, "read the expected SHA-256 from this environment variable")
      ->excludes(sha);
  app->add_option("--owner", args->owner, "expected owner uid");
  app->add_option("--max-mode", args->max_mode, "highest permission bits allowed, octal (e.g. 0644)");
  app->add_flag("-q,--quiet", args->quiet, "print nothing, only the exit code");
  app->footer(
      "Exit: 0 intact, 1 digest/owner/mode mismatch or unsafe path (symlink, escape), 2 error.\n"
      "TOCSIN_NO_OPENAT2=1 forces the O_NOFOLLOW walk used where openat2 is missing.");
  cmds.push_back({app, [args] {
                    runtime::VerifyOptions opt;
                    opt.file = args->file;
                    if (!args->root.empty()) opt.root = args->root;
                    std::string expected = args->sha256;
                    if (!args->sha256_env.empty()) {
                      const char* v = std::getenv(args->sha256_env.c_str());
                      if (!v || !*v) {
                        fmt::print(stderr, "tocsin verify: environment variable {} is not set\n", args->sha256_env);
                        return kExitError;
                      }
                      expected = v;
                    }
                    if (!expected.empty()) {
                      if (!runtime::is_sha256_hex(expected)) {
                        fmt::print(stderr, "tocsin verify: '{}' is not a SHA-256 (64 hex digits)\n", expected);
                        return kExitError;
                      }
                      opt.sha256 = expected;
                    }
                    if (args->owner >= 0) opt.owner = static_cast<uid_t>(args->owner);
                    if (!args->max_mode.empty()) {
                      char* end = nullptr;
                      unsigned long m = std::strtoul(args->max_mode.c_str(), &end, 8);
                      if (!end || *end || m > 07777) {
                        fmt::print(stderr, "tocsin verify: --max-mode '{}' is not an octal mode\n", args->max_mode);
                        return kExitError;
                      }
                      opt.max_mode = static_cast<mode_t>(m);
                    }
                    const char* nofs = std::getenv("TOCSIN_NO_OPENAT2");
                    opt.resolve.force_fallback = nofs && std::string(nofs) == "1";
                    auto rep = runtime::verify_file(opt);
                    if (!args->quiet) {
                      std::string out = runtime::to_json(rep);
                      escape_json_for_terminal(out);  // the path is the caller's, any bytes
                      fmt::print("{}\n", out);
                    }
                    switch (rep.status) {
                      case runtime::VerifyStatus::Intact: return kExitClean;
                      case runtime::VerifyStatus::Problem: return kExitFindings;
                      case runtime::VerifyStatus::Error: break;
                    }
                    return kExitError;
                  }});
}

}  // namespace tocsin::cli
