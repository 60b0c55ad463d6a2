// POSIX shell word splitter for RUN instructions, scripts and CI steps: quoting, escapes,
// `&&`/`||`/`;`/`|`/`&`, subshells and `$(...)`, `if/then/else/fi`, loops, `case`,
// assignments and redirections. It does not execute or expand anything; it yields the simple
// commands with every word located, so rules can reason about "command X on path Y".
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::sh {

struct Word {
  std::string text;   // quotes and escapes removed; `$VAR`/`${...}`/`$(...)` kept as written
  std::string raw;    // as written
  size_t begin = 0;   // offsets into the parsed text
  size_t end = 0;
  bool quoted = false;         // some part was quoted
  bool has_expansion = false;  // contains an unquoted or double-quoted `$`/backtick expansion
};

enum class Op { None, And, Or, Seq, Pipe, Background };

struct Redirect {
  std::string op;  // ">", ">>", "<", "2>", "&>", "<<", "<<<", ">&", ...
  Word target;     // file name / fd / here-doc delimiter
};

struct Command {
  std::vector<Word> assignments;  // leading NAME=value words
  std::vector<Word> words;        // the command and its arguments (keywords removed)
  std::vector<Redirect> redirects;
  Op next = Op::None;             // operator that follows this command
  bool piped_from_prev = false;   // stdin is the previous command's stdout
  int depth = 0;                  // nesting: subshell, $(...), if/while/for bodies, functions
  bool conditional = false;       // inside an if/while condition or after || / && chain
  size_t begin = 0;
  size_t end = 0;

  // words[0] without a leading path ("/usr/bin/chmod" -> "chmod"); empty when no words.
  std::string_view name() const;
  // The command with wrappers peeled off: `sudo -u x cmd`, `env A=b cmd`, `exec cmd`,
  // `nice`, `timeout 5 cmd`, `xargs cmd` ... Returns index of the real command in `words`.
  size_t real_command_index() const;
};

struct Script {
  std::vector<Command> commands;  // in source order, nested commands included
  std::vector<std::string> errors;  // e.g. unterminated quote (parsing still returns what it could)
  // Set when the parse stopped at the command limit: the offset where the commands not parsed
  // begin (the callers report it with a location, never as a silent cut).
  std::optional<size_t> stopped_at;
};

// Commands kept per parse. A command costs a few hundred bytes parsed, and a hostile line of
// `a;a;a;…` has one every two bytes: past this the rest is not parsed (Script::stopped_at).
inline constexpr size_t kMaxCommands = 100'000;

// Decides, once a simple command is complete, whether Script::commands keeps it. A caller
// that needs only some commands (SH001 on a whole script) passes one, so memory follows the
// commands kept, not the size of the script; `next` links to a dropped command are not kept.
using CommandFilter = bool (*)(const Command&);

Script parse(std::string_view text, CommandFilter keep = nullptr, size_t max_commands = kMaxCommands);

}  // namespace tocsin::sh
