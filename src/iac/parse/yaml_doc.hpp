// YAML with exact positions: every node and key remembers the byte offset where it starts in
// the file. Built from yaml-cpp's event parser (not its Node tree) so that aliases stay
// references (no expansion), merge keys (`<<`) are applied on lookup with positions pointing at
// the original, duplicate keys are detected, and hostile input (alias bombs, deep nesting,
// tabs, invalid UTF-8) ends in a located error in bounded time and memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/source.hpp"
#include "iac/suppress.hpp"

namespace tocsin::yaml {

enum class Kind : uint8_t { Null, Scalar, Seq, Map, Alias };
enum class ScalarStyle : uint8_t { Plain, SingleQuoted, DoubleQuoted, Literal, Folded };

// 20 bytes: a dense file has a node every 5 bytes, so the node is most of a scan's memory.
// A scalar's value lives in the file's text pool, a collection's children in the file's child
// list (contiguous, in order): no allocation per node.
struct Node {
  Kind kind = Kind::Null;
  ScalarStyle style = ScalarStyle::Plain;
  bool flow = false;
  uint32_t begin = 0;  // file byte offset where the node (or the alias) starts
  uint32_t end = 0;    // scalars: end of the token on its line; others: == begin
  uint32_t first = 0;  // Seq/Map: index of the first child in the file's child list;
                       // Alias: index of the anchored node; Scalar: the value in the text pool
  uint32_t size = 0;   // Seq/Map: number of children (Map: key0, value0, key1, ...);
                       // Scalar: bytes of the value
};
struct Issue {
  std::string message;
  size_t offset = 0;  // file byte offset
  bool fatal = true;  // fatal: the document (or file) was not analysed
};

struct Document {
  int32_t root = -1;  // -1 when empty or unparsable
  size_t begin = 0;   // byte range of the document in the file
  size_t end = 0;
  bool failed = false;
};

struct Limits {
  size_t max_depth = 200;             // nesting of collections (block indentation + flow brackets)
  // Nodes built per file: about 30 bytes each with their share of the child list and the text
  // pool (docs/reliability.md), and dense YAML has one every 5 bytes.
  size_t max_nodes = 2'000'000;
  uint64_t max_expanded = 2'000'000;  // nodes an alias-expanding reader would see, per document
  size_t max_visits = 4'000'000;      // lookups/iterations while building the models
};

class File;

// A byte range of the file.
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// A handle to a node: aliases are followed transparently, merge keys are applied on lookup.
class Ref {
 public:
  Ref() = default;
  Ref(const File* f, int32_t idx);
  explicit operator bool() const { return file_ != nullptr && idx_ >= 0; }
  Kind kind() const;  // Null for an empty handle
  bool is_map() const { return kind() == Kind::Map; }
  bool is_seq() const { return kind() == Kind::Seq; }
  bool is_scalar() const { return kind() == Kind::Scalar; }
  bool is_null() const { return kind() == Kind::Null; }
  // Scalar text (empty for non-scalars); valid as long as the File.
  std::string_view str() const;
  // YAML boolean (true/True/TRUE, and the quoted "true" Compose accepts).
  std::optional<bool> as_bool() const;
  std::optional<long long> as_int() const;
  size_t begin() const;  // start offset of the resolved node
  size_t end() const;
  // Where this handle was written (the alias itself, when it is one).
  size_t written_at() const;
  int32_t index() const { return idx_; }
  const Node* node() const;

  struct Entry;
  // Map lookup by scalar key; own keys first, then merge (`<<`) sources in order.
  Ref get(std::string_view key) const;
  std::optional<Entry> find(std::string_view key) const;
  // Map entries with merge keys applied (own keys override merged ones); `<<` itself omitted.
  std::vector<Entry> entries() const;
  // The first `max` of them (a huge mapping need not be listed whole to look at its start).
  std::vector<Entry> entries(size_t max) const;
  // Sequence items.
  std::vector<Ref> items() const;

 private:
  const File* file_ = nullptr;
  int32_t idx_ = -1;  // as written (may be an alias)
  int32_t resolved() const;
};

struct Ref::Entry {
  Ref key;
  Ref value;
  Span key_span() const { return {key.begin(), key.end()}; }
};

inline Span span_of(const Ref& r) { return {r.begin(), r.end() > r.begin() ? r.end() : r.begin() + 1}; }

class File {
 public:
  static File parse(std::string_view content, const Limits& limits = {});
  const std::vector<Document>& documents() const { return docs_; }
  // Every problem found, in file order; fatal ones mean "cannot be parsed".
  const std::vector<Issue>& issues() const { return issues_; }
  bool has_fatal() const;
  Ref root(const Document& d) const { return Ref(this, d.root); }
  const Node& node(int32_t i) const { return nodes_[static_cast<size_t>(i)]; }
  // The k-th child of a Seq/Map node (k < n.size).
  uint32_t kid(const Node& n, size_t k) const { return kids_[n.first + k]; }
  // A scalar's value.
  std::string_view value(const Node& n) const {
    return n.size == 0 ? std::string_view()
                       : std::string_view(text_chunks_[n.first >> kChunkBits].get() + (n.first & (kChunk - 1)), n.size);
  }
  // Counts one visit; false when the traversal budget is spent (the caller stops and the file
  // reports a located error through budget_exceeded()).
  bool visit() const;
  bool budget_exceeded() const { return visits_ > limits_.max_visits; }

 private:
  friend class Builder;
  // A deque, not a vector: growing never holds the old and the new copy at once (at the node
  // cap a vector's last doubling alone took 450 MB).
  std::deque<Node> nodes_;
  std::deque<uint32_t> kids_;  // children of every collection, each collection's contiguous
  // Scalar values, packed into chunks of 256 KiB (a value over 64 KiB gets one of its own);
  // Node::first of a scalar is chunk << kChunkBits | offset.
  static constexpr uint32_t kChunkBits = 18;
  static constexpr size_t kChunk = size_t{1} << kChunkBits;
  std::vector<std::unique_ptr<char[]>> text_chunks_;
  size_t text_used_ = kChunk;              // of the last chunk
  uint32_t keep_text(std::string_view v);  // throws std::length_error past 16,384 chunks
  std::vector<Document> docs_;
  std::vector<Issue> issues_;
  Limits limits_;
  mutable size_t visits_ = 0;
};

// Offset of the first byte of invalid UTF-8, if any.
std::optional<size_t> find_invalid_utf8(std::string_view s);

// True when `s` looks like a YAML mapping with key `key` at column 0 (cheap content sniffing).
bool has_top_level_key(std::string_view content, std::string_view key);

// The text of a scalar with each byte mapped back to the file: block scalars (`|`, `>`) line by
// line, quoted and plain scalars where the source spells the value literally.
MappedText scalar_text(const SourceFile& src, const Ref& r);

// `# tocsin ignore=ID reason` on a line of its own covers the next content line; at the end
// of a line it covers that line; `ignore-file=` covers the file.
void collect_pragmas(const SourceFile& src, Suppressions& sup);

}  // namespace tocsin::yaml
