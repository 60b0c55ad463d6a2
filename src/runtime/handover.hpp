// Handing the verified bytes to the application, so that it never opens the checked path again
// (the check and the use are then one read, not two opens a writer can race between):
// - emit_verified: an atomic, link-safe file write (mode 0600 by default) into a directory only
//   the application reads, e.g. a tmpfs emptyDir shared with an init container;
// - sealed_memfd: an anonymous in-memory file holding the bytes, sealed against any change
//   (F_SEAL_WRITE|SHRINK|GROW|SEAL), inherited by a command `verify` execs.
#pragma once
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tocsin::runtime {

// Writes `content` to `path` atomically with `mode`. `notes` gets a warning when the directory
// can be written by others (a reader of the emitted file must trust its directory).
Status emit_verified(const std::string& path, std::string_view content, mode_t mode,
                     std::vector<std::string>& notes);

// A memfd with `content`, offset 0, sealed; not close-on-exec (it is meant to be inherited).
Result<int> sealed_memfd(std::string_view content, const char* name = "tocsin-verified");

// The argv of the command to exec: every `{verified}` in an argument becomes `fd_path`.
std::vector<std::string> substitute_verified(const std::vector<std::string>& argv, const std::string& fd_path);

}  // namespace tocsin::runtime
