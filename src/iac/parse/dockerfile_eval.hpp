// Dockerfile semantics the rules need: Docker's word expansion (quotes, escapes, `$VAR`,
// `${VAR:-default}` ...) and, for every instruction, the build state before it runs
// (variables in scope, WORKDIR, USER, volumes), following stage inheritance.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "iac/parse/dockerfile.hpp"

namespace tocsin::df {

using VarMap = std::map<std::string, std::string, std::less<>>;

// Processes one word as Docker does for ENV/ARG/WORKDIR/USER/COPY...: removes quotes and
// escape characters and expands `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:+a}`,
// `${VAR+a}`, `${VAR:?m}`. Unknown variables expand to the empty string. Takes the word as
// written (Word::raw, KeyValue::raw_value), not the already-unquoted text.
std::string expand(std::string_view word, const VarMap& vars, char escape = '\\');

// Joins `path` onto `workdir` when relative and normalises `.`, `..` and repeated slashes.
// The result is absolute ("/" at least); `..` never climbs above "/".
std::string resolve_path(std::string_view path, std::string_view workdir);

struct InstructionState {
  int stage = -1;                 // stage of the instruction (-1 before the first FROM)
  int base_stage = -1;            // the stage this stage builds on, -1 for an external image
  VarMap args;                    // ARG values in scope (unknown build args: their default)
  VarMap env;                     // ENV values in scope (inherited from a base stage)
  VarMap vars;                    // what `$NAME` expands to here: args overridden by env
  std::string workdir = "/";      // absolute, normalised
  bool workdir_set = false;       // some WORKDIR (here or in a base stage) set it
  bool relative_workdir_without_base = false;  // a relative WORKDIR came before any absolute one
  std::string user;               // expanded USER value; empty = root (never set)
  std::vector<std::string> volumes;  // VOLUME paths declared so far (expanded, absolute)
};

// One state per instruction, by index: the state just before that instruction runs. For a
// FROM, `vars`/`args` are the global ARGs (what the image reference can use) and the rest is
// the state the new stage starts from.
std::vector<InstructionState> evaluate(const Dockerfile& df);

}  // namespace tocsin::df
