// libFuzzer target for the shell word splitter (RUN bodies, scripts, CI steps).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "iac/parse/shell.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto script = tocsin::sh::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const auto& c : script.commands) (void)c.real_command_index();
  return 0;
}
