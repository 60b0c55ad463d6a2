// YAML loading with positions: document splitting, a cheap pre-scan (depth, tabs) that runs
// before yaml-cpp sees the text, an event handler building a compact node arena, and lookups
// that follow aliases and apply merge keys without expanding anything.
#include "iac/parse/yaml_doc.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <charconv>
#include <istream>
#include <stdexcept>
#include <streambuf>
#include <unordered_map>

#include <fmt/format.h>

namespace tocsin::yaml {

std::optional<size_t> find_invalid_utf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return std::nullopt;
}

bool has_top_level_key(std::string_view content, std::string_view key) {
  size_t pos = 0;
  while (pos <= content.size()) {
    size_t nl = content.find('\n', pos);
    if (nl == std::string_view::npos) nl = content.size();
    std::string_view line = content.substr(pos, nl - pos);
    if (line.size() > key.size() && line.substr(0, key.size()) == key) {
      char c = line[key.size()];
      if (c == ':') return true;
    }
    pos = nl + 1;
  }
  return false;
}

namespace {

// An input stream over bytes already in memory (std::istringstream would copy them twice).
class MemoryBuf final : public std::streambuf {
 public:
  explicit MemoryBuf(std::string_view s) {
    char* p = const_cast<char*>(s.data());  // read-only: no put area, no putback into it
    setg(p, p, p + s.size());
  }

 protected:
  int_type pbackfail(int_type) override { return traits_type::eof(); }
};

struct BuildError {
  std::string message;
  size_t offset;
};

struct Chunk {
  size_t begin;
  size_t end;
};

bool is_doc_marker(std::string_view line, std::string_view marker) {
  if (line.substr(0, 3) != marker) return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r' || line[3] == '\n';
}

// Splits at `---`/`...` lines so that one broken document does not hide the others.
std::vector<Chunk> split_documents(std::string_view s) {
  std::vector<Chunk> out;
  size_t start = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    size_t next = nl == std::string_view::npos ? s.size() : nl + 1;
    std::string_view line = s.substr(pos, next - pos);
    if (pos != start && is_doc_marker(line, "---")) {
      out.push_back({start, pos});
      start = pos;
    } else if (is_doc_marker(line, "...")) {
      out.push_back({start, next});
      start = next;
    }
    pos = next;
  }
  if (start < s.size() || out.empty()) out.push_back({start, s.size()});
  return out;
}

// Rejects, before yaml-cpp (whose parser recurses per level) sees it, input nested deeper than
// the limit, and tabs used as indentation. Block scalar bodies are skipped: they are text.
std::optional<BuildError> prescan(std::string_view s, size_t base, size_t max_depth) {
  std::vector<size_t> stack;
  size_t flow = 0;
  bool in_block = false;
  size_t block_owner = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    size_t next = nl == std::string_view::npos ? s.size() : nl + 1;
    std::string_view line = s.substr(pos, next - pos);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    size_t ws = indent;
    while (ws < line.size() && (line[ws] == ' ' || line[ws] == '\t')) ++ws;
    std::string_view rest = line.substr(ws);
    if (in_block) {
      if (rest.empty() || indent > block_owner) {
        pos = next;
        continue;
      }
      in_block = false;
    }
    if (rest.empty() || rest.front() == '#' || is_doc_marker(line, "---") || line.front() == '%') {
      pos = next;
      continue;
    }
    if (flow == 0 && ws > indent && indent == 0 && line[indent] == '\t') {
      return BuildError{"tab character used for indentation (YAML allows spaces only)", base + pos + indent};
    }
    if (flow == 0 && ws > indent && line[indent] == '\t' && (rest.front() == '-' || rest.find(':') != std::string_view::npos)) {
      return BuildError{"tab character used for indentation (YAML allows spaces only)", base + pos + indent};
    }
    size_t extra = 0;
    if (flow == 0) {
      while (!stack.empty() && stack.back() > indent) stack.pop_back();
      if (stack.empty() || stack.back() < indent) stack.push_back(indent);
      std::string_view p = rest;
      while (p.size() >= 2 && p[0] == '-' && (p[1] == ' ' || p[1] == '\t')) {
        ++extra;
        p.remove_prefix(2);
        while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
      }
    }
    // Flow brackets outside quotes and comments.
    char quote = 0;
    char prev = ' ';
    size_t last_significant = std::string_view::npos;
    for (size_t i = 0; i < rest.size(); ++i) {
      char c = rest[i];
      if (quote) {
        if (quote == '"' && c == '\\') {
          ++i;
        } else if (c == quote) {
          quote = 0;
        }
        prev = c;
        continue;
      }
      if (c == '#' && (prev == ' ' || prev == '\t')) break;
      if ((c == '"' || c == '\'') &&
          (prev == ' ' || prev == '[' || prev == '{' || prev == ',' || prev == ':' || i == 0)) {
        quote = c;
      } else if (c == '[' || c == '{') {
        ++flow;
        if (stack.size() + extra + flow > max_depth)
          return BuildError{fmt::format("nesting deeper than {} levels", max_depth), base + pos + ws + i};
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
      if (c != ' ' && c != '\t') last_significant = i;
      prev = c;
    }
    if (stack.size() + extra + flow > max_depth)
      return BuildError{fmt::format("nesting deeper than {} levels", max_depth), base + pos + ws};
    if (flow == 0 && last_significant != std::string_view::npos) {
      // `key: |`, `- >-`, `key: |2+`: a block scalar starts; its body is text.
      size_t e = last_significant + 1;
      size_t b = e;
      while (b > 0 && (rest[b - 1] == '+' || rest[b - 1] == '-' || (rest[b - 1] >= '0' && rest[b - 1] <= '9'))) --b;
      if (b > 0 && (rest[b - 1] == '|' || rest[b - 1] == '>') &&
          (b == 1 || rest[b - 2] == ' ' || rest[b - 2] == '\t')) {
        in_block = true;
        block_owner = indent;
      }
    }
    pos = next;
  }
  return std::nullopt;
}

}  // namespace

class Builder final : public YAML::EventHandler {
 public:
  // `chunk_bytes`: the length of the text this builder's parser reads.
  Builder(File& f, std::string_view content, size_t base, size_t chunk_bytes)
      : f_(f),
        content_(content),
        base_(base),
        first_node_(f.nodes_.size()),
        max_chunk_nodes_(2 * chunk_bytes + 64) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    Document d;
    d.begin = off(mark);
    f_.docs_.push_back(d);
    anchors_.clear();
    stack_.clear();
    pending_.clear();
    total_ = 0;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(Kind::Null, mark, anchor);
    finish_anchor(anchor, 1);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const Anchor a = anchor < anchors_.size() ? anchors_[anchor] : Anchor{};
    if (a.node < 0) throw BuildError{"alias to an unknown anchor", off(mark)};
    if (a.expanded == 0) throw BuildError{"recursive alias: it refers to a node that contains it", off(mark)};
    const uint64_t sz = a.expanded;
    total_ = total_ + sz < total_ ? UINT64_MAX : total_ + sz;
    if (total_ > f_.limits_.max_expanded)
      throw BuildError{fmt::format("aliases expand to more than {} nodes (alias bomb?); not expanded",
                                   f_.limits_.max_expanded),
                       off(mark)};
    int32_t i = add(Kind::Alias, mark, YAML::NullAnchor, /*count=*/false);
    f_.nodes_[static_cast<size_t>(i)].first = static_cast<uint32_t>(a.node);
    extra_ += sz - 1;  // the alias node itself is counted as a node
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    int32_t i = add(Kind::Scalar, mark, anchor);
    Node& n = f_.nodes_[static_cast<size_t>(i)];
    n.first = f_.keep_text(value);
    n.size = static_cast<uint32_t>(value.size());
    set_scalar_extent(n);
    finish_anchor(anchor, 1);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    int32_t i = add(Kind::Seq, mark, anchor);
    f_.nodes_[static_cast<size_t>(i)].flow = style == YAML::EmitterStyle::Flow;
    stack_.push_back({i, pending_.size(), anchor, extra_});
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    int32_t i = add(Kind::Map, mark, anchor);
    f_.nodes_[static_cast<size_t>(i)].flow = style == YAML::EmitterStyle::Flow;
    stack_.push_back({i, pending_.size(), anchor, extra_});
  }
  void OnMapEnd() override {
    int32_t i = stack_.empty() ? -1 : stack_.back().node;
    close();
    if (i >= 0) check_duplicates(i);
  }

 private:
  File& f_;
  std::string_view content_;  // the whole file
  size_t base_;
  // Text cannot hold more nodes than about one per byte (`?` or `- ` lines: a node and an
  // implicit null per two bytes); yaml-cpp 0.7 emits nulls without end on some malformed input
  // (an 84-byte fuzz input reached the 2,000,000-node cap).
  size_t first_node_;
  size_t max_chunk_nodes_;
  // Alias-bomb accounting without a number per node: a subtree's nodes are contiguous (they
  // are added in document order), so the nodes an alias-expanding reader would see under a
  // collection are its node count plus what the aliases inside it add (`extra_` then and now).
  struct Anchor {
    int32_t node = -1;
    uint64_t expanded = 0;  // 0 while the anchored collection is still open
  };
  std::vector<Anchor> anchors_;  // by yaml-cpp's anchor id
  uint64_t extra_ = 0;           // sum over the aliases so far of (their target's size - 1)
  struct Open {
    int32_t node;           // a collection being built
    size_t pending;         // where its children start in pending_
    YAML::anchor_t anchor;  // its anchor (NullAnchor when none)
    uint64_t extra;         // extra_ when it opened
  };
  std::vector<Open> stack_;
  // Children of the open collections, innermost last; a collection's move to the file's child
  // list when it ends, so each one's children are contiguous there.
  std::vector<uint32_t> pending_;
  uint64_t total_ = 0;

  void finish_anchor(YAML::anchor_t anchor, uint64_t expanded) {
    if (anchor != YAML::NullAnchor && anchor < anchors_.size()) anchors_[anchor].expanded = expanded;
  }

  size_t off(const YAML::Mark& m) const {
    if (m.is_null() || m.pos < 0) return base_;
    return std::min(content_.size(), base_ + static_cast<size_t>(m.pos));
  }

  int32_t add(Kind k, const YAML::Mark& mark, YAML::anchor_t anchor, bool count = true) {
    if (f_.nodes_.size() >= f_.limits_.max_nodes)
      throw BuildError{fmt::format("more than {} YAML nodes", f_.limits_.max_nodes), off(mark)};
    if (f_.nodes_.size() - first_node_ >= max_chunk_nodes_)
      throw BuildError{"the YAML parser produced more nodes than the text can hold (malformed input it loops on)",
                       off(mark)};
    if (count && ++total_ > f_.limits_.max_expanded)
      throw BuildError{fmt::format("more than {} YAML nodes in one document", f_.limits_.max_expanded), off(mark)};
    Node n;
    n.kind = k;
    n.begin = static_cast<uint32_t>(off(mark));
    n.end = n.begin;
    auto i = static_cast<int32_t>(f_.nodes_.size());
    f_.nodes_.push_back(n);
    if (anchor != YAML::NullAnchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
      anchors_[anchor] = Anchor{i, 0};
    }
    if (!stack_.empty()) {
      pending_.push_back(static_cast<uint32_t>(i));
    } else if (!f_.docs_.empty() && f_.docs_.back().root < 0) {
      f_.docs_.back().root = i;
    }
    return i;
  }

  void close() {
    if (stack_.empty()) return;
    const Open open = stack_.back();
    stack_.pop_back();
    Node& n = f_.nodes_[static_cast<size_t>(open.node)];
    n.first = static_cast<uint32_t>(f_.kids_.size());
    n.size = static_cast<uint32_t>(pending_.size() - open.pending);
    for (size_t k = open.pending; k < pending_.size(); ++k) f_.kids_.push_back(pending_[k]);
    pending_.resize(open.pending);
    const uint64_t nodes = f_.nodes_.size() - static_cast<size_t>(open.node);
    finish_anchor(open.anchor, nodes + (extra_ - open.extra));
  }

  void set_scalar_extent(Node& n) const {
    size_t b = n.begin;
    if (b >= content_.size()) return;
    char c = content_[b];
    size_t line_end = content_.find('\n', b);
    if (line_end == std::string_view::npos) line_end = content_.size();
    if (line_end > b && content_[line_end - 1] == '\r') --line_end;
    if (c == '"' || c == '\'') {
      n.style = c == '"' ? ScalarStyle::DoubleQuoted : ScalarStyle::SingleQuoted;
      size_t i = b + 1;
      while (i < content_.size()) {
        if (c == '"' && content_[i] == '\\') {
          i += 2;
          continue;
        }
        if (content_[i] == c) {
          if (c == '\'' && i + 1 < content_.size() && content_[i + 1] == '\'') {
            i += 2;
            continue;
          }
          break;
        }
        ++i;
      }
      n.end = static_cast<uint32_t>(std::min(i + 1, content_.size()));
    } else if ((c == '|' || c == '>') && f_.value(n).find(c) != 0) {
      n.style = c == '|' ? ScalarStyle::Literal : ScalarStyle::Folded;
      n.end = static_cast<uint32_t>(b + 1);
    } else {
      n.end = static_cast<uint32_t>(std::min<size_t>(line_end, b + n.size));
      if (n.end == n.begin && n.size > 0) n.end = n.begin + 1;
    }
  }

  void check_duplicates(int32_t map) {
    const Node& m = f_.nodes_[static_cast<size_t>(map)];
    // Key nodes by index (4 bytes each: a mapping can have a million keys), sorted by text.
    std::vector<uint32_t> keys;
    keys.reserve(m.size / 2);
    for (size_t k = 0; k + 1 < m.size; k += 2) {
      uint32_t key = f_.kid(m, k);
      const Node& kn = f_.nodes_[key];
      if (kn.kind == Kind::Scalar && f_.value(kn) != "<<") keys.push_back(key);
    }
    if (keys.size() < 2) return;
    auto text = [&](uint32_t i) { return f_.value(f_.nodes_[i]); };
    std::sort(keys.begin(), keys.end(), [&](uint32_t a, uint32_t b) {
      auto ta = text(a), tb = text(b);
      return ta != tb ? ta < tb : f_.nodes_[a].begin < f_.nodes_[b].begin;
    });
    for (size_t k = 1; k < keys.size(); ++k) {
      if (text(keys[k]) == text(keys[k - 1])) {
        f_.issues_.push_back(Issue{fmt::format("duplicate key '{}' in the same mapping (YAML forbids it; "
                                               "loaders disagree on which value wins)",
                                               text(keys[k])),
                                   f_.nodes_[keys[k]].begin, false});
      }
    }
  }
};

File File::parse(std::string_view content, const Limits& limits) {
  File f;
  f.limits_ = limits;
  if (auto bad = find_invalid_utf8(content)) {
    f.issues_.push_back({"invalid UTF-8 (YAML files must be UTF-8)", *bad, true});
    Document d;
    d.end = content.size();
    d.failed = true;
    f.docs_.push_back(d);
    return f;
  }
  for (const Chunk& c : split_documents(content)) {
    std::string_view text = content.substr(c.begin, c.end - c.begin);
    size_t docs_before = f.docs_.size();
    auto fail = [&](std::string msg, size_t offset) {
      if (f.docs_.size() == docs_before) {
        Document d;
        d.begin = c.begin;
        f.docs_.push_back(d);
      }
      Document& d = f.docs_.back();
      d.failed = true;
      d.root = -1;
      d.end = c.end;
      f.issues_.push_back({std::move(msg), offset, true});
    };
    if (f.nodes_.size() >= limits.max_nodes) {
      // Past the node cap every document would fail alike: one located error for the rest.
      fail(fmt::format("more than {} YAML nodes; the rest of the file was not parsed", limits.max_nodes), c.begin);
      break;
    }
    if (auto err = prescan(text, c.begin, limits.max_depth)) {
      fail(err->message, err->offset);
      continue;
    }
    try {
      MemoryBuf buf(text);  // yaml-cpp reads a stream; this one reads the file's bytes in place
      std::istream in(&buf);
      YAML::Parser parser(in);
      Builder b(f, content, c.begin, text.size());
      while (parser.HandleNextDocument(b)) {
        f.docs_.back().end = c.end;
      }
    } catch (const BuildError& e) {
      fail(e.message, e.offset);
    } catch (const YAML::Exception& e) {
      size_t o = e.mark.is_null() || e.mark.pos < 0 ? c.begin : c.begin + static_cast<size_t>(e.mark.pos);
      fail(e.msg.empty() ? std::string("invalid YAML") : e.msg, std::min(o, content.size()));
    } catch (const std::exception& e) {
      fail(fmt::format("invalid YAML: {}", e.what()), c.begin);
    }
  }
  std::stable_sort(f.issues_.begin(), f.issues_.end(),
                   [](const Issue& a, const Issue& b) { return a.offset < b.offset; });
  return f;
}

uint32_t File::keep_text(std::string_view v) {
  if (v.empty()) return 0;
  const bool own = v.size() > kChunk / 4;  // a long value gets a chunk of its own
  if (own || kChunk - text_used_ < v.size()) {
    if (text_chunks_.size() >= (size_t{1} << (32 - kChunkBits)))
      throw std::length_error("more YAML scalar text than tocsin keeps for one file");
    text_chunks_.push_back(std::make_unique<char[]>(own ? v.size() : kChunk));
    text_used_ = own ? kChunk : 0;  // nothing else goes into a value's own chunk
  }
  const auto chunk = static_cast<uint32_t>(text_chunks_.size() - 1);
  const size_t at = own ? 0 : text_used_;
  std::copy(v.begin(), v.end(), text_chunks_.back().get() + at);
  if (!own) text_used_ += v.size();
  return chunk << kChunkBits | static_cast<uint32_t>(at);
}

bool File::has_fatal() const {
  return std::any_of(issues_.begin(), issues_.end(), [](const Issue& i) { return i.fatal; });
}

bool File::visit() const { return ++visits_ <= limits_.max_visits; }

// ---- Ref ----

Ref::Ref(const File* f, int32_t idx) : file_(f), idx_(idx) {}

int32_t Ref::resolved() const {
  if (!file_ || idx_ < 0) return -1;
  int32_t i = idx_;
  for (int hops = 0; hops < 8 && i >= 0; ++hops) {
    const Node& n = file_->node(i);
    if (n.kind != Kind::Alias) return i;
    i = static_cast<int32_t>(n.first);
  }
  return -1;
}

const Node* Ref::node() const {
  int32_t i = resolved();
  return i < 0 ? nullptr : &file_->node(i);
}

Kind Ref::kind() const {
  const Node* n = node();
  return n ? n->kind : Kind::Null;
}

std::string_view Ref::str() const {
  const Node* n = node();
  return n && n->kind == Kind::Scalar ? file_->value(*n) : std::string_view();
}

std::optional<bool> Ref::as_bool() const {
  if (!is_scalar()) return std::nullopt;
  std::string_view s = str();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

std::optional<long long> Ref::as_int() const {
  if (!is_scalar()) return std::nullopt;
  std::string_view s = str();
  long long v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

size_t Ref::begin() const {
  const Node* n = node();
  return n ? n->begin : 0;
}

size_t Ref::end() const {
  const Node* n = node();
  return n ? n->end : 0;
}

size_t Ref::written_at() const { return file_ && idx_ >= 0 ? file_->node(idx_).begin : 0; }

namespace {

constexpr int kMaxMergeDepth = 8;

bool is_merge_key(const Ref& k) {
  const Node* n = k.node();
  return n != nullptr && n->kind == Kind::Scalar && k.str() == "<<" && n->style == ScalarStyle::Plain;
}

std::optional<Ref::Entry> find_in(const File* f, int32_t map, std::string_view key, int depth) {
  Ref m(f, map);
  const Node* n = m.node();
  if (!n || n->kind != Kind::Map || !f->visit()) return std::nullopt;
  std::optional<Ref::Entry> found;
  for (size_t k = 0; k + 1 < n->size; k += 2) {
    Ref kr(f, static_cast<int32_t>(f->kid(*n, k)));
    if (kr.is_scalar() && kr.str() == key && key != "<<")
      found = Ref::Entry{kr, Ref(f, static_cast<int32_t>(f->kid(*n, k + 1)))};
  }
  if (found || depth >= kMaxMergeDepth) return found;
  for (size_t k = 0; k + 1 < n->size; k += 2) {
    Ref kr(f, static_cast<int32_t>(f->kid(*n, k)));
    if (!is_merge_key(kr)) continue;
    Ref v(f, static_cast<int32_t>(f->kid(*n, k + 1)));
    if (v.is_map()) {
      if (auto r = find_in(f, v.index(), key, depth + 1)) return r;
    } else if (v.is_seq()) {
      for (const Ref& item : v.items())
        if (auto r = find_in(f, item.index(), key, depth + 1)) return r;
    }
  }
  return std::nullopt;
}

// `index` maps each scalar key already in `out` to its position: with it, a mapping of n keys
// is listed in O(n), not O(n²) (a Compose file of 100,000 services took 11 minutes).
using KeyIndex = std::unordered_map<std::string_view, size_t>;

void entries_of(const File* f, int32_t map, int depth, std::vector<Ref::Entry>& out, KeyIndex& index, size_t max) {
  Ref m(f, map);
  const Node* n = m.node();
  if (!n || n->kind != Kind::Map) return;
  std::vector<Ref> merges;
  for (size_t k = 0; k + 1 < n->size; k += 2) {
    if (out.size() >= max || !f->visit()) return;
    Ref kr(f, static_cast<int32_t>(f->kid(*n, k)));
    Ref vr(f, static_cast<int32_t>(f->kid(*n, k + 1)));
    if (is_merge_key(kr)) {
      merges.push_back(vr);
      continue;
    }
    if (kr.is_scalar()) {
      auto [it, added] = index.try_emplace(kr.str(), out.size());
      if (!added) {
        // A merged key never overrides one already there (own keys, earlier merges); a
        // duplicate own key replaces the earlier one, as in most YAML loaders.
        if (depth == 0) out[it->second] = {kr, vr};
        continue;
      }
    }
    out.push_back({kr, vr});
  }
  if (depth >= kMaxMergeDepth) return;
  for (const Ref& v : merges) {
    if (v.is_map()) {
      entries_of(f, v.index(), depth + 1, out, index, max);
    } else if (v.is_seq()) {
      for (const Ref& item : v.items()) entries_of(f, item.index(), depth + 1, out, index, max);
    }
  }
}

}  // namespace

Ref Ref::get(std::string_view key) const {
  auto e = find(key);
  return e ? e->value : Ref();
}

std::optional<Ref::Entry> Ref::find(std::string_view key) const {
  if (!file_) return std::nullopt;
  return find_in(file_, resolved(), key, 0);
}

std::vector<Ref::Entry> Ref::entries() const { return entries(SIZE_MAX); }

std::vector<Ref::Entry> Ref::entries(size_t max) const {
  std::vector<Entry> out;
  KeyIndex index;
  if (file_) entries_of(file_, resolved(), 0, out, index, max);
  return out;
}

std::vector<Ref> Ref::items() const {
  std::vector<Ref> out;
  const Node* n = node();
  if (!n || n->kind != Kind::Seq) return out;
  out.reserve(n->size);
  for (size_t k = 0; k < n->size; ++k) {
    if (!file_->visit()) break;
    out.emplace_back(file_, static_cast<int32_t>(file_->kid(*n, k)));
  }
  return out;
}

MappedText scalar_text(const SourceFile& src, const Ref& r) {
  MappedText out;
  const Node* n = r.node();
  if (!n || n->kind != Kind::Scalar) return out;
  std::string_view all = src.content();
  size_t b = n->begin;
  if (n->style == ScalarStyle::Literal || n->style == ScalarStyle::Folded) {
    size_t nl = all.find('\n', b);
    if (nl == std::string_view::npos) return out;
    size_t pos = nl + 1;
    size_t indent = std::string_view::npos;
    bool prev_text = false;
    while (pos < all.size()) {
      size_t e = all.find('\n', pos);
      size_t next = e == std::string_view::npos ? all.size() : e + 1;
      std::string_view line = all.substr(pos, (e == std::string_view::npos ? all.size() : e) - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      size_t ind = 0;
      while (ind < line.size() && line[ind] == ' ') ++ind;
      if (ind == line.size()) {  // blank line inside the block
        out.append_synthetic("\n", pos);
        prev_text = false;
        pos = next;
        continue;
      }
      if (indent == std::string_view::npos) indent = ind;
      if (ind < indent) break;
      bool more = ind > indent;
      if (n->style == ScalarStyle::Folded && prev_text && !more) {
        out.append_synthetic(" ", pos);
      } else if (!out.empty() && n->style == ScalarStyle::Folded) {
        out.append_synthetic("\n", pos);
      }
      out.append_from(line.substr(indent), pos + indent);
      if (n->style == ScalarStyle::Literal) out.append_synthetic("\n", pos + line.size());
      prev_text = !more;
      pos = next;
    }
    return out;
  }
  size_t q = (n->style == ScalarStyle::SingleQuoted || n->style == ScalarStyle::DoubleQuoted) ? 1 : 0;
  std::string_view v = r.str();
  if (b + q + v.size() <= all.size() && all.substr(b + q, v.size()) == v) {
    out.append_from(v, b + q);
    return out;
  }
  // Escapes or folding changed the text: map word by word.
  size_t cursor = b + q;
  size_t i = 0;
  while (i < v.size()) {
    size_t j = i;
    while (j < v.size() && v[j] != ' ' && v[j] != '\n') ++j;
    if (j == i) {
      out.append_synthetic(v.substr(i, 1), cursor);
      ++i;
      continue;
    }
    std::string_view word = v.substr(i, j - i);
    size_t at = all.find(word, cursor);
    if (at != std::string_view::npos && at < cursor + 4 * v.size() + 64) {
      out.append_from(word, at);
      cursor = at + word.size();
    } else {
      out.append_synthetic(word, cursor);
    }
    i = j;
  }
  return out;
}

namespace {

// The last line of the block a key opens: a pragma before `volumes:` covers its items too. A line
// that does not end in `:` (a scalar value, a flow collection) is a block of one line.
uint32_t block_end(const SourceFile& src, uint32_t ln) {
  std::string_view key = src.line_text(ln);
  size_t indent = key.find_first_not_of(" \t");
  std::string_view body = key.substr(indent);
  if (size_t h = body.find(" #"); h != std::string_view::npos) body = body.substr(0, h);
  while (!body.empty() && (body.back() == ' ' || body.back() == '\t' || body.back() == '\r')) body.remove_suffix(1);
  if (body.empty() || body.back() != ':') return ln;
  const bool key_is_item = body.substr(0, 2) == "- ";
  uint32_t last = ln;
  const auto lines = static_cast<uint32_t>(src.line_count());
  for (uint32_t n = ln + 1; n <= lines; ++n) {
    std::string_view t = src.line_text(n);
    size_t ws = t.find_first_not_of(" \t\r");
    if (ws == std::string_view::npos || t[ws] == '#') continue;  // blank and comment lines
    // Deeper lines belong to the block; so do `- item` lines at the key's own indentation
    // (a sequence under a mapping key may be written unindented).
    const bool item_at_key = ws == indent && !key_is_item && t.substr(ws, 2) == "- ";
    if (ws <= indent && !item_at_key) break;
    if (t.substr(ws, 3) == "---" || t.substr(ws, 3) == "...") break;
    last = n;
  }
  return last;
}

}  // namespace

void collect_pragmas(const SourceFile& src, Suppressions& sup) {
  std::string_view all = src.content();
  if (all.find("tocsin") == std::string_view::npos) return;
  std::optional<Pragma> pending;
  const auto lines = static_cast<uint32_t>(src.line_count());
  for (uint32_t ln = 1; ln <= lines; ++ln) {
    std::string_view line = src.line_text(ln);
    size_t ws = line.find_first_not_of(" \t");
    if (ws == std::string_view::npos) continue;
    if (line[ws] == '#') {
      if (auto p = parse_pragma(line.substr(ws))) {
        if (p->file_wide) {
          sup.add(*p, 1, lines);
        } else {
          pending = std::move(p);
        }
      }
      continue;
    }
    if (pending) {
      sup.add(*pending, ln, block_end(src, ln));
      pending.reset();
    }
    size_t hash = line.find(" #");
    if (hash != std::string_view::npos && line.find("tocsin", hash) != std::string_view::npos) {
      if (auto p = parse_pragma(line.substr(hash + 1)))
        sup.add(*p, p->file_wide ? 1 : ln, p->file_wide ? lines : block_end(src, ln));
    }
  }
}

}  // namespace tocsin::yaml
