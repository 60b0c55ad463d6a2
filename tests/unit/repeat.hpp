// Test inputs of a given size: `unit` repeated until the text is at least `bytes` long.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace tocsin::test {

inline std::string repeat(std::string_view unit, size_t bytes) {
  std::string out;
  out.reserve(bytes + unit.size());
  while (out.size() < bytes) out += unit;
  return out;
}

}  // namespace tocsin::test
