// Colour decision shared by the human-readable outputs.
#include <unistd.h>

#include <cstdlib>

#include "cli/commands.hpp"

namespace tocsin::cli {

bool use_color(int fd) {
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return ::isatty(fd) == 1;
}

}  // namespace tocsin::cli
