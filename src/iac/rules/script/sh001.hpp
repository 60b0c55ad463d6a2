// SH001 container-copy-while-running, the shared core: finds `docker cp`, `podman cp`,
// `nerdctl cp`, `kubectl cp`, `docker compose cp` … against a container in a parsed shell
// script. Used for Dockerfile RUN scripts, shell scripts, Makefile recipes and CI steps.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/source.hpp"
#include "iac/emitter.hpp"
#include "iac/parse/shell.hpp"

namespace tocsin::iac::script {

// One container copy command found in a script.
struct ContainerCopy {
  size_t command = 0;          // index into Script::commands
  size_t tool_word = 0;        // index of `docker`/`kubectl`/... in the command's words
  size_t last_word = 0;        // index of the last operand
  std::string tool;            // "docker cp", "docker compose cp", "kubectl cp", ...
  std::string container;       // as written (`web`, `ns/pod`, `$CID`)
  std::string container_path;  // path inside the container
  std::string local;           // the other operand
  bool to_container = false;   // direction
  bool paused = false;         // a pause/stop of the same container brackets it (not reported)
  bool not_started = false;    // the container was `create`d in the script and never started
};

// Whether find_container_copies can use the command: it names a container tool in some word,
// or assigns from a `create`/`run` command substitution. As the sh::parse filter of a whole
// script, it keeps memory proportional to the container commands, not to the script.
bool may_concern_containers(const sh::Command& cmd);

// False only when no word of `text` can name a container tool, so that find_container_copies
// would find nothing and the script need not be parsed at all: the tool names are looked for in
// the text with every quote and backslash taken out (a word's unquoted text is a substring of
// that), e.g. `d"ock"er` and `dock\<newline>er` still count.
bool may_name_tool(std::string_view text);

// Every container copy in `script`, with the pause/created analysis applied.
std::vector<ContainerCopy> find_container_copies(const sh::Script& script);

// Reports SH001 for each copy that may hit a running container. `text` is the text the
// script was parsed from, mapped to the file.
void check_container_copy(const sh::Script& script, const MappedText& text, Emitter& out);

}  // namespace tocsin::iac::script
