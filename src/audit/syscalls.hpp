// Syscall number <-> name tables for the architectures audit logs come from, chosen by the
// SYSCALL record's arch= field (AUDIT_ARCH_* values).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace tocsin::audit {

enum class Arch : uint8_t { Unknown, X86_64, I386, Aarch64 };

// AUDIT_ARCH_X86_64 = 0xc000003e, AUDIT_ARCH_I386 = 0x40000003, AUDIT_ARCH_AARCH64 = 0xc00000b7.
Arch arch_from_audit(uint64_t audit_arch);
// From the arch= field text ("c000003e") or an ENRICHED/JSON name ("x86_64", "i386", "aarch64").
Arch arch_from_text(std::string_view s);
std::string_view arch_name(Arch a);  // "x86_64", "i386", "aarch64", "" for Unknown

// Empty when the number is unknown for the arch.
std::string_view syscall_name(Arch a, int64_t nr);
std::optional<int> syscall_number(Arch a, std::string_view name);

}  // namespace tocsin::audit
