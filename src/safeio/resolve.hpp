// Root-confined, symlink-free path resolution (openat2 with RESOLVE_NO_SYMLINKS and
// RESOLVE_NO_MAGICLINKS, bounded EAGAIN retries, fail closed), with a component-by-component
// O_NOFOLLOW walk where openat2 is missing. Every reader that must not be redirected by a
// concurrent symlink swap opens through here.
#pragma once
#include <fcntl.h>

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin::safeio {

// Why a resolution was refused; `Unsafe` means the path itself is hostile (a symlink, `..`,
// an escape), as opposed to an ordinary error (missing, permission).
enum class ResolveFailure { None, Unsafe, NotFound, Other };

struct ResolveOptions {
  // Use the walk even when openat2 exists (tests; TOCSIN_NO_OPENAT2=1 in the CLI).
  bool force_fallback = false;
  // openat2 returns EAGAIN when a rename raced the resolution; retry this many times.
  int max_retries = 64;
};

struct ResolveError {
  ResolveFailure kind = ResolveFailure::Other;
  std::string message;
};

// An opened descriptor or the reason it could not be opened.
struct Opened {
  Fd fd;
  ResolveError error;  // kind == None when fd is valid
  bool used_fallback = false;
  bool ok() const { return fd.valid(); }
};

// Options from the environment: TOCSIN_NO_OPENAT2=1 forces the walk (for tests and for
// checking the fallback on a kernel that has openat2).
ResolveOptions resolve_options_from_env();

// True when the kernel has openat2 (checked once).
bool openat2_available();

// Opens a directory to act as a root (O_PATH | O_DIRECTORY; the root itself may be reached
// through symlinks: it is chosen by the caller, not by the data).
Result<Fd> open_root(const std::string& dir);

// Opens `relpath` under the directory `root_fd`. Every component must be a real directory or
// (the last) the target: symlinks anywhere are refused, `..` components are refused, and an
// absolute `relpath` is taken relative to the root. `open_flags` are openat flags
// (O_RDONLY by default; O_CLOEXEC | O_NOFOLLOW | O_NOCTTY are always added).
Opened open_in_root(int root_fd, std::string_view relpath, int open_flags = O_RDONLY,
                    const ResolveOptions& opt = {});

// Opens an absolute path (resolved from "/") or a relative one (from the working directory)
// with no symlink anywhere on the way.
Opened open_no_symlinks(const std::string& path, int open_flags = O_RDONLY,
                        const ResolveOptions& opt = {});

// Opens a regular file found by walking the directory `root_fd` (an O_PATH descriptor the
// caller opened once for the walk): `relpath` must be relative and is resolved beneath the root
// (RESOLVE_BENEATH: no `..`, no escape) with no symlink anywhere, magic links included
// (RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS; the O_NOFOLLOW walk where openat2 is missing).
// A symlink put in place of the file or of a directory on the way after the walk saw it is
// refused as `Unsafe`. The open is non-blocking (a FIFO cannot hang the reader; the flag is
// cleared afterwards) and fstat must then show a regular file (`Other` otherwise).
Opened open_regular_beneath(int root_fd, std::string_view relpath, const ResolveOptions& opt = {});

// open_in_root + fstat (regular file) + read_fd.
Result<std::string> read_file_in_root(int root_fd, std::string_view relpath, size_t max_bytes,
                                      const ResolveOptions& opt = {});

}  // namespace tocsin::safeio
