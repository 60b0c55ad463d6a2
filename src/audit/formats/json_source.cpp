// JSON audit inputs → Events. Reading: JSON lines are parsed one at a time (bounded memory, a
// broken line costs only itself); a file that starts with '[' or with a multi-line object (a
// `_search` response, a pretty-printed array) is parsed whole. Mapping per flavour is below;
// fields we do not know are kept as record fields when they are scalars and ignored otherwise.
#include "audit/formats/json_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <string>

#include "audit/formats/json_mapping.hpp"
#include "audit/input_stream.hpp"
#include "audit/text_source.hpp"

namespace tocsin::audit {

namespace {

constexpr size_t kExcerpt = 120;

std::string_view excerpt_of(std::string_view s) { return s.substr(0, kExcerpt); }

// A byte stream over a file or memory, gunzipped when it starts with the gzip magic; damage
// (CRC, truncation, trailing garbage, read errors) is listed by issues(), never silent.
class Reader {
 public:
  static Result<Reader> open_file(const InputFile& in) {
    Reader r;
    if (in.path == "-") {
      r.raw_ = std::make_unique<FdStream>(STDIN_FILENO);
    } else {
      // The same safe-open layer as the text reader (directory inputs opened beneath the dir).
      auto opened = open_input(in);
      if (!opened) return opened.error();
      struct stat st {};
      if (fstat(opened->get(), &st) == 0 && S_ISREG(st.st_mode))
        r.size_ = static_cast<uint64_t>(st.st_size);
      r.fd_ = std::move(*opened);
      r.raw_ = std::make_unique<FdStream>(r.fd_.get());
    }
    r.in_ = std::make_unique<InputStream>(*r.raw_);
    return r;
  }
  static Reader from_string(const std::string* data) {
    Reader r;
    r.raw_ = std::make_unique<MemoryStream>(*data);
    r.in_ = std::make_unique<InputStream>(*r.raw_);
    r.size_ = data->size();
    return r;
  }
  // Appends up to n bytes; returns bytes read, 0 at the end (or after damage: see issues()).
  long read(std::string& out, size_t n) {
    size_t old = out.size();
    out.resize(old + n);
    size_t got = in_->read(out.data() + old, n);
    out.resize(old + got);
    return static_cast<long>(got);
  }
  const InputStream& stream() const { return *in_; }
  std::optional<uint64_t> size_on_disk() const { return size_; }
  int fd() const { return fd_.get(); }

 private:
  safeio::Fd fd_;
  std::unique_ptr<ByteStream> raw_;
  std::unique_ptr<InputStream> in_;
  std::optional<uint64_t> size_;
};

size_t skip_ws(std::string_view s, size_t i = 0) {
  if (i == 0 && s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return i;
}

}  // namespace

struct JsonSource::Impl {
  Impl(JsonSource& s, const EventSink& k, std::shared_ptr<const std::string> f)
      : src(s), sink(k), file(std::move(f)) {}
  JsonSource& src;
  const EventSink& sink;
  std::shared_ptr<const std::string> file;
  simdjson::dom::parser parser;
  bool stopped = false;

  // Converts one parsed document, expanding `_search` responses and arrays.
  void document(simdjson::dom::element doc, uint64_t line, std::string_view where, int depth) {
    if (stopped) return;
    if (depth > 3) {
      issue(line, fmt::format("{}nested too deeply to be an audit event", where), {});
      return;
    }
    if (doc.is_array()) {
      size_t i = 0;
      for (auto el : as_array(doc)) {
        document(el, line, fmt::format("{}[{}]: ", trim_where(where), i), depth + 1);
        ++i;
        if (stopped) return;
      }
      return;
    }
    if (!doc.is_object()) {
      issue(line, fmt::format("{}not a JSON object", where), {});
      return;
    }
    simdjson::dom::object obj = as_object(doc);
    // A `_search` response body: {"hits": {"hits": [{"_source": {...}}]}}.
    simdjson::dom::element hits;
    if (obj.at_pointer("/hits/hits").get(hits) == simdjson::SUCCESS && hits.is_array()) {
      size_t i = 0;
      for (auto h : as_array(hits)) {
        simdjson::dom::element source;
        std::string w = fmt::format("{}hits[{}]: ", trim_where(where), i);
        if (h.at_key("_source").get(source) == simdjson::SUCCESS)
          document(source, line, w, depth + 1);
        else
          issue(line, w + "hit without _source (search with _source enabled)", {});
        ++i;
        if (stopped) return;
      }
      return;
    }
    // go-libaudit test data wraps events: {"test_name": ..., "event": {...}}.
    simdjson::dom::element inner;
    if (obj.at_key("test_name").error() == simdjson::SUCCESS &&
        obj.at_key("event").get(inner) == simdjson::SUCCESS) {
      document(inner, line, where, depth + 1);
      return;
    }
    JsonFlavor f = src.opts_.flavor == JsonFlavor::Auto ? classify_json_object(obj) : src.opts_.flavor;
    if (f == JsonFlavor::Auto) {
      issue(line, fmt::format("{}not an audit event: no laurel ID, auditbeat auditd/sequence or "
                              "es-export m_/h_/b_ fields",
                              where),
            {});
      return;
    }
    auto ev = map_json_event(obj, f, file, line);
    if (!ev) {
      issue(line, fmt::format("{}{}", where, ev.error().message), {});
      return;
    }
    src.stats_.records += ev->record_count();
    ++src.stats_.events;
    if (!sink(std::move(*ev))) stopped = true;
  }

  static std::string trim_where(std::string_view w) {
    if (w.size() >= 2 && w.substr(w.size() - 2) == ": ") w.remove_suffix(2);
    return std::string(w);
  }

  void issue(uint64_t line, std::string message, std::string_view text) {
    ++src.stats_.bad_lines;
    src.add_issue(file ? *file : std::string(), line, std::move(message), excerpt_of(text));
  }

  void parse_text(std::string_view text, uint64_t line) {
    simdjson::dom::element doc;
    auto err = parser.parse(text.data(), text.size(), true).get(doc);
    if (err != simdjson::SUCCESS) {
      issue(line, fmt::format("invalid JSON: {}", simdjson::error_message(err)), text);
      return;
    }
    document(doc, line, {}, 0);
  }

  // JSON lines: one document per line; long lines are skipped without being held.
  void read_lines(Reader& in, std::string buf) {
    uint64_t line = 0;
    bool skipping = false;
    size_t start = 0;
    bool eof = false;
    while (!stopped) {
      size_t nl = buf.find('\n', start);
      if (nl == std::string::npos) {
        if (eof) {
          if (start < buf.size()) handle_line(std::string_view(buf).substr(start), ++line, skipping);
          break;
        }
        buf.erase(0, start);
        start = 0;
        if (buf.size() > src.opts_.max_document) {
          if (!skipping) {
            ++src.stats_.long_lines;
            issue(line + 1, fmt::format("JSON document longer than {} bytes, skipped",
                                        src.opts_.max_document),
                  buf);
          }
          skipping = true;
          buf.clear();
        }
        long got = in.read(buf, src.opts_.read_chunk);
        if (got == 0) {
          eof = true;
        } else {
          src.stats_.bytes += static_cast<uint64_t>(got);
        }
        continue;
      }
      handle_line(std::string_view(buf).substr(start, nl - start), ++line, skipping);
      skipping = false;
      start = nl + 1;
    }
  }

  void handle_line(std::string_view l, uint64_t line, bool skipping) {
    if (skipping) return;  // the tail of an over-long line
    ++src.stats_.lines;
    size_t i = skip_ws(l);
    if (i == l.size()) return;
    if (l.size() > src.opts_.max_document) {
      ++src.stats_.long_lines;
      issue(line, fmt::format("JSON document longer than {} bytes, skipped", src.opts_.max_document),
            l);
      return;
    }
    if (l[i] != '{' && l[i] != '[') {
      issue(line, "not JSON", l);
      return;
    }
    parse_text(l.substr(i), line);
  }

  // Whole-file JSON: an array, a pretty-printed object, or several concatenated documents.
  void read_whole(Reader& in, std::string buf) {
    while (true) {
      if (buf.size() > src.opts_.max_whole) {
        ++src.stats_.long_lines;
        issue(1, fmt::format("JSON document longer than {} bytes, skipped", src.opts_.max_whole),
              buf);
        return;
      }
      long got = in.read(buf, src.opts_.read_chunk);
      if (got == 0) break;
      src.stats_.bytes += static_cast<uint64_t>(got);
    }
    ++src.stats_.lines;
    simdjson::dom::document_stream stream;
    size_t batch = std::max<size_t>(buf.size() + 64, 1u << 16);
    auto err = parser.parse_many(buf.data(), buf.size(), batch).get(stream);
    if (err != simdjson::SUCCESS) {
      issue(1, fmt::format("invalid JSON: {}", simdjson::error_message(err)), buf);
      return;
    }
    // Newline count up to each document start gives its line.
    uint64_t line = 1;
    size_t counted = 0;
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      size_t at = it.current_index();
      line += static_cast<uint64_t>(
          std::count(buf.begin() + static_cast<long>(counted),
                     buf.begin() + static_cast<long>(std::min(at, buf.size())), '\n'));
      counted = std::min(at, buf.size());
      simdjson::dom::element doc;
      if (auto e = (*it).get(doc); e != simdjson::SUCCESS) {
        issue(line, fmt::format("invalid JSON: {}", simdjson::error_message(e)),
              std::string_view(buf).substr(counted));
        break;  // a broken document: the rest of the stream cannot be resynchronised
      }
      document(doc, line, {}, 0);
      if (stopped) break;
    }
    if (stream.truncated_bytes() > 0)
      issue(line, fmt::format("JSON truncated: the last {} bytes are not a complete document",
                              stream.truncated_bytes()),
            {});
  }

  void read(Reader& in) {
    std::string buf;
    // Enough of a head to decide between JSON lines and whole-file JSON.
    while (buf.size() < 64 * 1024) {
      long got = in.read(buf, 64 * 1024);
      if (got <= 0) break;
      src.stats_.bytes += static_cast<uint64_t>(got);
      if (buf.find('\n', skip_ws(buf)) != std::string::npos) break;
    }
    size_t i = skip_ws(buf);
    if (i == buf.size()) return;
    bool whole = buf[i] == '[';
    if (!whole && buf[i] == '{') {
      // JSON lines when the first line is a complete document; otherwise pretty-printed.
      // A pretty-printer's first line ends with an opener: "{", "{\"hits\": {", "\"a\": [".
      size_t nl = buf.find('\n', i);
      if (nl != std::string::npos) {
        std::string_view first = std::string_view(buf).substr(i, nl - i);
        while (!first.empty() && (first.back() == ' ' || first.back() == '\r' || first.back() == '\t'))
          first.remove_suffix(1);
        whole = !first.empty() && (first.back() == '{' || first.back() == '[' || first.back() == ',');
      }
    }
    if (whole)
      read_whole(in, std::move(buf));
    else
      read_lines(in, std::move(buf));
  }
};

JsonSource::JsonSource(std::vector<InputFile> inputs, JsonSourceOptions opts)
    : inputs_(std::move(inputs)), opts_(opts) {}

JsonSource JsonSource::from_memory(std::string data, std::string name, JsonSourceOptions opts) {
  JsonSource s({std::move(name)}, opts);
  s.memory_ = std::move(data);
  return s;
}

Status JsonSource::for_each(const EventSink& sink) {
  std::vector<InputFile> files = inputs_;
  if (!memory_) {
    auto expanded = expand_inputs(inputs_, &reports_);
    if (!expanded) return expanded.error();
    files = *expanded;
  }
  std::optional<Error> first_error;
  for (const auto& file : files) {
    Impl impl(*this, sink, std::make_shared<const std::string>(file.path));
    std::optional<Reader> r;
    if (memory_) {
      r.emplace(Reader::from_string(&*memory_));
    } else {
      auto opened = Reader::open_file(file);
      if (!opened) {
        // Reported as unreadable; the other inputs are still read.
        mark_unreadable(file.path, opened.error().message);
        if (!first_error) first_error = opened.error();
        continue;
      }
      r.emplace(std::move(*opened));
    }
    ++stats_.files;
    begin_input(file.path, "json");
    reports_.back().bytes_on_disk = r->size_on_disk();
    const uint64_t events_before = stats_.events;
    impl.read(*r);
    InputReport& rep = reports_.back();
    rep.events = stats_.events - events_before;
    const InputStream& in = r->stream();
    rep.gzip = in.gzip();
    rep.bytes_read = in.raw_bytes();
    if (in.gzip()) rep.bytes_decompressed = in.out_bytes();
    if (!impl.stopped) {
      for (const auto& issue : in.issues()) add_damage(issue.line, issue.offset, issue.message);
      struct stat now {};
      if (r->size_on_disk() && rep.bytes_read < *r->size_on_disk() && r->fd() >= 0 &&
          fstat(r->fd(), &now) == 0 && static_cast<uint64_t>(now.st_size) < *r->size_on_disk())
        add_damage(std::nullopt, rep.bytes_read,
                   fmt::format("the file shrank while it was read, from {} to {}: evidence after "
                               "offset {} is lost",
                               human_bytes(*r->size_on_disk()),
                               human_bytes(static_cast<uint64_t>(now.st_size)), rep.bytes_read));
    }
    if (impl.stopped) break;
  }
  if (first_error) return *first_error;
  return ok_status();
}

namespace {

// A directory entry that is not audit data: read nothing, report it as skipped.
class SkippedSource : public EventSource {
 public:
  SkippedSource(const std::string& file, std::optional<uint64_t> size, std::string why) {
    InputReport& r = begin_input(file, "");
    r.status = InputStatus::Skipped;
    r.bytes_on_disk = size;
    r.issues.push_back({std::nullopt, std::nullopt, std::move(why)});
  }
  Status for_each(const EventSink&) override { return ok_status(); }
};

enum class Probed : uint8_t { Text, Json, Unknown };

}  // namespace

Result<std::unique_ptr<EventSource>> open_event_source(std::vector<InputFile> inputs,
                                                       std::string_view input_format) {
  std::string_view fmt_name = input_format;
  const bool text = fmt_name == "text" || fmt_name == "audit" || fmt_name == "raw";
  std::optional<JsonFlavor> flavor;
  if (!text) {
    auto f = parse_json_flavor(fmt_name);
    if (!f)
      return Error{fmt::format("unknown --input-format '{}': use auto, text, es-export, laurel "
                               "or auditbeat",
                               input_format)};
    flavor = *f;
  }
  const bool forced = fmt_name != "auto";
  // Sniff the first regular input (stdin cannot be peeked at without consuming it: it is read
  // as text unless --input-format says otherwise). A file found in a log directory must look
  // like audit data, or it is skipped with a note (a README, a non-audit JSON file): only a
  // file the user named is read whatever it holds.
  auto expanded = expand_inputs(inputs);
  if (!expanded) return expanded.error();
  Probed probed = Probed::Unknown;
  for (const auto& file : *expanded) {
    if (file.path == "-") break;
    auto r = Reader::open_file(file);
    if (!r) break;  // the source reports it when it reads
    std::string head;
    while (head.size() < 64 * 1024) {
      long got = r->read(head, 64 * 1024);
      if (got <= 0) break;
    }
    const bool clean = r->stream().issues().empty();
    const InputFormat f = sniff_format(head);
    if (f == InputFormat::Json) probed = Probed::Json;
    else if (f == InputFormat::AuditText) probed = Probed::Text;
    if (!file.dir.empty() && inputs.size() == 1 && clean && !head.empty()) {
      // Damaged heads are read (and reported) as the format asks: never skipped as "not a log".
      std::optional<std::string> why;
      const bool json = f == InputFormat::Json;
      if (json && (text || (!forced && sniff_json_flavor(head) == JsonFlavor::Auto)))
        why = "JSON, but not an audit format tocsin reads (laurel, auditbeat/ECS, Elasticsearch "
              "export): skipped";
      else if (!json && (!flavor || !forced) && !starts_like_audit_text(head))
        why = "not audit data (no audit record in its first lines): skipped";
      else if (!json && forced && flavor)
        why = "not JSON, so not the --input-format asked for: skipped";
      if (why) return std::unique_ptr<EventSource>(std::make_unique<SkippedSource>(
                   file.path, r->size_on_disk(), std::move(*why)));
    }
    break;
  }
  if (text || (!forced && probed != Probed::Json))
    return std::unique_ptr<EventSource>(std::make_unique<TextSource>(std::move(inputs)));
  JsonSourceOptions o;
  o.flavor = forced ? *flavor : JsonFlavor::Auto;  // auto: decided per document (mixed inputs)
  return std::unique_ptr<EventSource>(std::make_unique<JsonSource>(std::move(inputs), o));
}

}  // namespace tocsin::audit
