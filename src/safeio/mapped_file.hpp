// Read-only memory mapping of a regular file for sequential parsing, without the copy read()
// makes, and safe against the file shrinking underneath.
//
// - A file truncated while mapped makes the pages past its new end raise SIGBUS. A guard
//   (installed once per process, chained to any earlier SIGBUS handler) replaces the rest of the
//   mapping with zero-filled memory and marks it truncated(): the reader sees NUL bytes instead
//   of crashing, and reports the truncation. Faults outside our mappings keep their old meaning.
// - release_before() drops the pages already parsed from the process (MADV_DONTNEED; the page
//   cache keeps them), so resident memory stays flat however large the file.
// - The mapping covers the file's size when mapped: data appended later is not seen.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/result.hpp"

namespace tocsin::safeio {

class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Maps the first `size` bytes of `fd` (a regular file; size > 0).
  static Result<MappedFile> map(int fd, size_t size);

  std::string_view data() const { return {static_cast<const char*>(base_), size_}; }
  // Hints that everything before `offset` was read and will not be again.
  void release_before(size_t offset);
  // The file shrank while mapped: the bytes from the first missing page on read as NUL.
  bool truncated() const;

 private:
  void unmap();
  void* base_ = nullptr;
  size_t size_ = 0;
  size_t released_ = 0;
  int slot_ = -1;  // index in the SIGBUS guard's table
};

}  // namespace tocsin::safeio
