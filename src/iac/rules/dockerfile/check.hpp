// The interface of a Dockerfile rule: one class per rule, one rule per file
// (rules/dockerfile/<ID>_<name>.cpp), listed in registry.cpp in id order.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_paths.hpp"
#include "core/rule_check.hpp"
#include "iac/emitter.hpp"
#include "iac/parse/dockerfile.hpp"
#include "iac/parse/dockerfile_eval.hpp"
#include "iac/parse/shell.hpp"

namespace tocsin::iac::dockerfile {

// A shell script found in a RUN instruction: its shell-form body, or a heredoc body that is
// run by the shell (`RUN <<EOF`, `RUN sh <<EOF`, `RUN bash -e <<EOF`). Offsets in `script`
// are into `text->text()`; map them to the file with `text->to_file(offset)`.
struct RunScript {
  size_t instruction = 0;        // index into Dockerfile::instructions
  const MappedText* text = nullptr;
  sh::Script script;
  bool from_heredoc = false;
};

struct Context {
  const df::Dockerfile& file;
  const std::vector<df::InstructionState>& state;  // state before each instruction
  const std::vector<RunScript>& scripts;           // every RUN's shell scripts, in order
  Emitter& out;

  // File byte offsets of a shell word of a script.
  size_t begin_of(const RunScript& s, const sh::Word& w) const { return s.text->to_file(w.begin); }
  size_t end_of(const RunScript& s, const sh::Word& w) const;
};

using Check = RuleCheck<Context>;

// `path` is the volume `vol` or below it (both normalised); `VOLUME /` is not a real pattern and
// matches nothing here (it would flag everything). DF011 and DF012.
inline bool in_volume(std::string_view path, std::string_view vol) {
  return vol != "/" && host_paths::within(path, vol);
}

// `path` joined onto `workdir` when relative, "." and ".." folded (never above "/").
inline std::string join_path(std::string_view workdir, std::string_view path) {
  return df::resolve_path(path, workdir);
}

// All Dockerfile checks (DF001–DF013 and SH001 on RUN), sorted by id.
const std::vector<std::unique_ptr<Check>>& checks();

// Factories, one per rule file.
std::unique_ptr<Check> make_df001();
std::unique_ptr<Check> make_df002();
std::unique_ptr<Check> make_df003();
std::unique_ptr<Check> make_df004();
std::unique_ptr<Check> make_df005();
std::unique_ptr<Check> make_df006();
std::unique_ptr<Check> make_df007();
std::unique_ptr<Check> make_df008();
std::unique_ptr<Check> make_df009();
std::unique_ptr<Check> make_df010();
std::unique_ptr<Check> make_df011();
std::unique_ptr<Check> make_df012();
std::unique_ptr<Check> make_df013();
std::unique_ptr<Check> make_sh001_in_run();

}  // namespace tocsin::iac::dockerfile
