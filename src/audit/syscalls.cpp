// Syscall tables by architecture: number → name by binary search, name → number by a lazily
// built sorted index.
#include "audit/syscalls.hpp"

#include <algorithm>
#include <span>
#include <vector>

namespace tocsin::audit {
namespace {

struct SyscallEntry {
  int nr;
  std::string_view name;
};

#include "audit/syscall_tables.inc"

std::span<const SyscallEntry> table(Arch a) {
  switch (a) {
    case Arch::X86_64: return kX86_64;
    case Arch::I386: return kI386;
    case Arch::Aarch64: return kAarch64;
    case Arch::Unknown: break;
  }
  return {};
}

struct ByName {
  std::vector<SyscallEntry> x86_64, i386, aarch64;
  static std::vector<SyscallEntry> sorted(std::span<const SyscallEntry> t) {
    std::vector<SyscallEntry> v(t.begin(), t.end());
    std::sort(v.begin(), v.end(),
              [](const SyscallEntry& a, const SyscallEntry& b) { return a.name < b.name; });
    return v;
  }
  ByName() : x86_64(sorted(kX86_64)), i386(sorted(kI386)), aarch64(sorted(kAarch64)) {}
  const std::vector<SyscallEntry>* get(Arch a) const {
    switch (a) {
      case Arch::X86_64: return &x86_64;
      case Arch::I386: return &i386;
      case Arch::Aarch64: return &aarch64;
      case Arch::Unknown: break;
    }
    return nullptr;
  }
};

}  // namespace

Arch arch_from_audit(uint64_t audit_arch) {
  switch (audit_arch) {
    case 0xc000003eULL: return Arch::X86_64;
    case 0x40000003ULL: return Arch::I386;
    case 0xc00000b7ULL: return Arch::Aarch64;
    default: return Arch::Unknown;
  }
}

Arch arch_from_text(std::string_view s) {
  if (s == "c000003e" || s == "C000003E" || s == "x86_64" || s == "0xc000003e") return Arch::X86_64;
  if (s == "40000003" || s == "i386" || s == "0x40000003" || s == "i686" || s == "x86")
    return Arch::I386;
  if (s == "c00000b7" || s == "C00000B7" || s == "aarch64" || s == "arm64" || s == "0xc00000b7")
    return Arch::Aarch64;
  return Arch::Unknown;
}

std::string_view arch_name(Arch a) {
  switch (a) {
    case Arch::X86_64: return "x86_64";
    case Arch::I386: return "i386";
    case Arch::Aarch64: return "aarch64";
    case Arch::Unknown: break;
  }
  return {};
}

std::string_view syscall_name(Arch a, int64_t nr) {
  auto t = table(a);
  auto it = std::lower_bound(t.begin(), t.end(), nr,
                             [](const SyscallEntry& e, int64_t n) { return e.nr < n; });
  if (it != t.end() && it->nr == nr) return it->name;
  return {};
}

std::optional<int> syscall_number(Arch a, std::string_view name) {
  static const ByName kByName;
  const auto* t = kByName.get(a);
  if (!t) return std::nullopt;
  auto it = std::lower_bound(t->begin(), t->end(), name,
                             [](const SyscallEntry& e, std::string_view n) { return e.name < n; });
  if (it != t->end() && it->name == name) return it->nr;
  return std::nullopt;
}

}  // namespace tocsin::audit
