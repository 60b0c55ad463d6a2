// The container CLIs' command grammar, once for every part that reads command lines: SH001 on
// scripts (words of a parsed shell command), AU001 and the audit model on EXECVE argv, and the
// runtime. `docker [global options] [container|compose [options]] cp [options] SRC DST`,
// `podman cp`, `nerdctl cp`, `kubectl [options] cp SRC DST [options]`, `docker-compose cp`.
// What each tool does with its arguments decides what is a copy: exactly two operands, exactly
// one of them `CONTAINER:PATH` (the CLIs refuse anything else: "requires exactly 2 arguments",
// "copying between containers is not supported").
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::container_cli {

// The programs: docker, podman, nerdctl, kubectl, docker-compose, podman-compose (base names).
bool is_tool(std::string_view program);

// Whether `option` of `table` takes its value in the next word (when not written `--x=v`).
// Tables: docker, podman, nerdctl, kubectl, compose (Compose's own options, for `docker compose`
// and docker-compose/podman-compose).
bool takes_value(std::string_view table, std::string_view option);

// `CONTAINER:PATH` → (container, path); nullopt for a local path: absolute, relative (`./a:b`),
// `~`, `-` (a tar stream), a Windows drive (`C:\x`), a URL, or a name with a `/` (kubectl: at
// most one, `ns/pod`).
std::optional<std::pair<std::string, std::string>> container_side(std::string_view arg, bool kubectl);

// The subcommand of a container CLI command line: `words[program]` is the program (any path;
// its base name counts), then global options, then `container`/`compose` groups.
struct Subcommand {
  std::string program;  // base name: docker, podman, ..., docker-compose
  std::string shown;    // "docker", "docker container", "docker compose", "kubectl", ...
  std::string table;    // the option table that applies after it: docker|podman|nerdctl|kubectl|compose
  bool kubectl = false;
  bool compose = false;
  size_t index = 0;  // of the subcommand word (`cp`, `pause`, ...)
};
std::optional<Subcommand> parse_subcommand(const std::vector<std::string_view>& words, size_t program = 0);

// Skips the options of `table` from `i`; the index of the first word that is not one (after a
// `--`, the word after it).
size_t skip_options(const std::vector<std::string_view>& words, size_t i, std::string_view table);

// A copy between the host and a container.
struct Copy {
  Subcommand via;
  bool to_container = false;
  std::string container;    // as written (`web`, `ns/pod`, `$CID`)
  std::string path;         // inside the container
  std::string local;        // the host side as written (`-` for a tar stream)
  size_t src = 0, dst = 0;  // indices of the two operands in the words
};
// A `cp` with exactly two operands, exactly one naming a container; nullopt for anything else
// (`--help`, one or three operands, container to container, not a container CLI).
std::optional<Copy> parse_copy(const std::vector<std::string_view>& words, size_t program = 0);

}  // namespace tocsin::container_cli
