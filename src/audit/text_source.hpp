// EventSource for raw and ENRICHED auditd text: files, directories of rotated logs (oldest
// first), gzip (by magic bytes, streaming), stdin ("-"). Streams through a fixed buffer, so
// memory does not grow with input size; over-long lines are skipped (AU000) without being held.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/assembler.hpp"
#include "audit/line_reader.hpp"
#include "audit/source.hpp"
#include "safeio/safe_file.hpp"

namespace tocsin::audit {

class ByteStream;

struct TextSourceOptions {
  size_t max_line = 1u << 20;       // longer lines are AU000 and skipped
  size_t read_chunk = 4u << 20;     // bytes per read()
  // Regular, uncompressed files at least this large are memory-mapped instead of read() (no
  // copy; safeio::MappedFile). 0 = never.
  size_t map_min_bytes = 1u << 20;
  uint64_t progress_every = 64u << 20;
  AssemblerOptions assembler;
};

// Expands inputs: a directory becomes its regular, non-hidden files in rotation order
// (per base name: audit.log.N … audit.log.1, audit.log; .gz suffixes ignored for ordering);
// files and "-" are kept as given, and so are inputs that already carry their directory.
// Unreadable directories are errors. Entries not read by policy (symlinks, subdirectories) are
// appended to `skipped` (status Skipped, the reason as their issue) when it is given, so the
// caller can say so; FIFOs, sockets and devices are kept, and fail when opened (unreadable).
Result<std::vector<InputFile>> expand_inputs(const std::vector<InputFile>& inputs,
                                             std::vector<InputReport>* skipped = nullptr);

// Opens one input for reading, for every hunt input format: a file that expand_inputs found
// inside a directory input is opened beneath that directory's descriptor (openat2, no symlink,
// no escape: a symlink swapped in after the listing is refused); a file the user named is
// opened by its path (a symlink the user named is followed once), then checked to be regular.
Result<safeio::Fd> open_input(const InputFile& in);

class TextSource : public EventSource {
 public:
  // Reads the given paths ("-" = stdin; directories expanded with expand_inputs).
  explicit TextSource(std::vector<InputFile> inputs, TextSourceOptions opts = {});
  // Reads `data` (plain or gzip) as if it were a file named `name` (tests, fuzzing).
  static TextSource from_memory(std::string data, std::string name = "<memory>",
                                TextSourceOptions opts = {});
  Status for_each(const EventSink& sink) override;

 private:
  // Splits the bytes into lines for `lines` (audit/line_reader.hpp: records, AU000).
  bool read_stream(ByteStream& raw, LineReader& lines, uint64_t total_bytes);
  // The same over a mapped file (`size` bytes of `fd`); false from `mapped` when the file
  // cannot be mapped or is gzip (the caller reads it instead).
  bool read_mapped(int fd, uint64_t size, LineReader& lines, uint64_t total_bytes, bool& mapped);
  void tick_progress(uint64_t total_bytes);

  std::vector<InputFile> inputs_;
  TextSourceOptions opts_;
  uint64_t cur_line_ = 0;
  uint64_t done_bytes_ = 0;
  uint64_t next_progress_ = 0;
  std::unique_ptr<char[]> buf_;
  std::optional<std::string> memory_;  // from_memory() data
};

}  // namespace tocsin::audit
