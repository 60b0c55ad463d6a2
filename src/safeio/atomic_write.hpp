// Atomic, link-safe file replacement: the one writer behind every file tocsin creates or
// replaces (scan/hunt -o reports, --fix, the baseline model, the watch state file).
//
// The bytes go to a new temporary file created in the target's directory with
// O_CREAT|O_EXCL|O_NOFOLLOW under a random name (a symlink or file planted there makes the
// create fail and another name is tried; nothing is ever opened through a link), the file is
// fsynced, renamed over the target, and the directory is fsynced. Readers see the old file or
// the new one, never a partial one; a crash before the rename leaves the old file intact (and at
// most a stray `.NAME.tocsin-XXXXXXXX.tmp`).
//
// A target that is a symlink is replaced by the new file: the link itself goes, the file it
// pointed to is never written. A target that exists but is not a regular file or a symlink
// (directory, device, FIFO, socket) is refused.
#pragma once
#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace tocsin::safeio {

struct AtomicWriteOptions {
  mode_t mode = 0644;       // mode of a new file (the umask applies)
  bool keep_mode = false;   // replacing a regular file keeps its mode (and owner, when allowed)
  // Tests: called with the temporary file's path after it is written and fsynced, just before
  // the rename (to simulate a crash there, or to race the rename).
  void (*before_rename)(const std::string& temp_path) = nullptr;
};

Status write_file_atomic(const std::string& path, std::string_view bytes,
                         const AtomicWriteOptions& opt = {});

}  // namespace tocsin::safeio
