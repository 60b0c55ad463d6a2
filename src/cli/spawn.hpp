// Running another program (auditctl, git) as a runtime tool: no shell, stdin from /dev/null,
// stdout captured.
#pragma once
#include <string>
#include <vector>

#include "core/result.hpp"

namespace tocsin::cli {

// Runs argv (argv[0] an absolute path, or a name looked up on PATH) and returns its stdout; an
// error naming the command and carrying its stderr when it cannot start or exits non-zero.
Result<std::string> run_capture(const std::vector<std::string>& argv);

}  // namespace tocsin::cli
