// Dockerfile model and parser: the whole BuildKit syntax (parser directives, escape character,
// continuations with comments inside, heredocs, JSON and shell forms, instruction flags,
// named stages, ONBUILD), with every piece located by byte offsets into the source file.
// Semantic helpers (ARG/ENV expansion, per-instruction state) are in dockerfile_eval.hpp.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/source.hpp"

namespace tocsin::df {

// Byte range [begin, end) in the source file.
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

enum class Kind {
  From, Run, Cmd, Entrypoint, Copy, Add, Env, Arg, User, Workdir, Volume, Expose, Label,
  Shell, Healthcheck, Onbuild, Stopsignal, Maintainer, Unknown
};
std::string_view kind_name(Kind k);  // "FROM", ...

// `--name=value` or `--name` (value empty, has_value false). Names are lower-case.
struct Flag {
  std::string name;
  std::string value;  // raw value (quotes kept as written)
  bool has_value = false;
  Span span;          // the whole flag
  Span value_span;    // the value only
};

// A here-document attached to an instruction (`RUN <<EOF`, `COPY <<EOF /dst`).
struct Heredoc {
  std::string delimiter;  // without quotes
  bool quoted = false;    // <<"EOF" / <<'EOF': no expansion
  bool strip_tabs = false;  // <<-EOF
  MappedText content;     // body after tab stripping, each line ending in '\n', mapped to the file
  Span body;              // the body lines in the file (without the terminator line)
  Span marker;            // the `<<EOF` token on the instruction line
  bool terminated = true; // false when the file ended before the delimiter line
};

// An argument word: JSON-form array element, or a whitespace-separated shell-form word
// (quotes respected, not removed from `raw`; removed in `text`).
struct Word {
  std::string text;  // unquoted (escapes removed); variables not expanded
  std::string raw;   // as written
  Span span;
};

struct Instruction {
  Kind kind = Kind::Unknown;
  std::string keyword;  // as written, upper-cased ("RUN")
  Span span;            // from keyword to end of the last continuation line (heredoc bodies excluded)
  Span full_span;       // span including heredoc bodies and terminators
  Span keyword_span;
  std::vector<Flag> flags;
  bool json_form = false;  // exec form (`["a","b"]`) for RUN/CMD/ENTRYPOINT/COPY/ADD/VOLUME/SHELL
  // Everything after the flags: continuations joined (escape+newline removed), comment lines
  // inside continuations removed, mapped back to file offsets.
  MappedText rest;
  std::vector<Word> args;  // JSON elements or shell-form words of `rest`
  std::vector<Heredoc> heredocs;
  std::unique_ptr<Instruction> onbuild;  // the instruction inside ONBUILD
  int stage = -1;          // index into Dockerfile::stages (-1 before the first FROM)

  const Flag* flag(std::string_view name) const;
  // For Env/Label/Arg: key/value pairs (`K=V K2=V2`, legacy `K V`, `ARG K` without value).
  struct KeyValue {
    std::string key;
    std::optional<std::string> value;  // unquoted, not expanded
    Span span;
    std::string raw_value;  // the value as written (quotes kept), for expansion
    bool legacy = false;    // `ENV KEY value` form: the value is the rest of the line
  };
  std::vector<KeyValue> pairs;
};

struct Stage {
  std::string base;        // image as written (`node:18-alpine`, `builder`, `${BASE}`)
  std::string name;        // `AS name`, lower-cased, empty when unnamed
  int base_stage = -1;     // index of the stage it builds on, -1 for an external image
  size_t first = 0;        // index of its FROM instruction
  size_t last = 0;         // index of its last instruction (inclusive)
  std::string platform;    // --platform
};

struct Directive {
  std::string name;   // lower-case: "syntax", "escape", "check"
  std::string value;
  Span span;
};

struct Comment {
  std::string text;   // without the leading '#'
  Span span;
};

struct ParseError {
  std::string message;
  Span span;
};

struct Dockerfile {
  char escape = '\\';
  std::vector<Directive> directives;
  std::vector<Instruction> instructions;
  std::vector<Stage> stages;
  // Comment lines that mention "tocsin" (only they can be pragmas), also inside continuations.
  std::vector<Comment> comments;
  std::vector<ParseError> errors;      // reported as DF000 by the analyzer
  // Index of the first instruction that starts after `offset` (for suppression pragmas).
  std::optional<size_t> next_instruction_after(size_t offset) const;
};

// Instructions and pragma comments kept per file: a real Dockerfile has hundreds, and each
// costs about a kilobyte parsed. Past this the rest of the file is a located DF000, not parsed.
inline constexpr size_t kMaxInstructions = 10'000;
inline constexpr size_t kMaxComments = 10'000;

// Why `head` (the first bytes of a file) is not a Dockerfile, or nothing when it plausibly is
// one. The first line that is not blank or a comment (parser directives and a shebang are
// comments) decides: binary data, a template or a line of another language refuse (a script's
// shebang is then named in the reason). `named`: the file's
// name says Dockerfile, so any instruction keyword may come first and an unknown upper-case word
// is a broken Dockerfile (reported as DF000); otherwise it must start with `FROM image [AS name]`,
// optionally after ARGs.
std::optional<std::string> implausible_dockerfile(std::string_view head, bool named);

// Parses a whole file. Never throws; problems are in Dockerfile::errors with their location.
Dockerfile parse_dockerfile(const SourceFile& src);

}  // namespace tocsin::df
