// Record types by name and number, and the decoding of raw audit values (see record.hpp).
#include "audit/record.hpp"

#include <algorithm>
#include <array>

namespace tocsin::audit {
namespace {

struct TypeName {
  std::string_view name;
  RecordType type;
};

// Sorted by name for binary search.
constexpr std::array kTypeNames = {
    TypeName{"ADD_GROUP", RecordType::AddGroup},
    TypeName{"ADD_USER", RecordType::AddUser},
    TypeName{"ANOM_ABEND", RecordType::AnomAbend},
    TypeName{"ANOM_CREAT", RecordType::AnomCreat},
    TypeName{"ANOM_LINK", RecordType::AnomLink},
    TypeName{"ANOM_PROMISCUOUS", RecordType::AnomPromiscuous},
    TypeName{"AVC", RecordType::Avc},
    TypeName{"BPF", RecordType::Bpf},
    TypeName{"BPRM_FCAPS", RecordType::BprmFcaps},
    TypeName{"CAPSET", RecordType::Capset},
    TypeName{"CONFIG_CHANGE", RecordType::ConfigChange},
    TypeName{"CRED_ACQ", RecordType::CredAcq},
    TypeName{"CRED_DISP", RecordType::CredDisp},
    TypeName{"CRED_REFR", RecordType::CredRefr},
    TypeName{"CWD", RecordType::Cwd},
    TypeName{"DAEMON_ABORT", RecordType::DaemonAbort},
    TypeName{"DAEMON_ACCEPT", RecordType::DaemonAccept},
    TypeName{"DAEMON_CLOSE", RecordType::DaemonClose},
    TypeName{"DAEMON_CONFIG", RecordType::DaemonConfig},
    TypeName{"DAEMON_END", RecordType::DaemonEnd},
    TypeName{"DAEMON_ERR", RecordType::DaemonErr},
    TypeName{"DAEMON_RECONFIG", RecordType::DaemonReconfig},
    TypeName{"DAEMON_RESUME", RecordType::DaemonResume},
    TypeName{"DAEMON_ROTATE", RecordType::DaemonRotate},
    TypeName{"DAEMON_START", RecordType::DaemonStart},
    TypeName{"DEL_GROUP", RecordType::DelGroup},
    TypeName{"DEL_USER", RecordType::DelUser},
    TypeName{"EOE", RecordType::Eoe},
    TypeName{"EVENT_LISTENER", RecordType::EventListener},
    TypeName{"EXECVE", RecordType::Execve},
    TypeName{"FANOTIFY", RecordType::Fanotify},
    TypeName{"FD_PAIR", RecordType::FdPair},
    TypeName{"FEATURE_CHANGE", RecordType::FeatureChange},
    TypeName{"IPC", RecordType::Ipc},
    TypeName{"KERNEL", RecordType::Kernel},
    TypeName{"KERNEL_OTHER", RecordType::KernelOther},
    TypeName{"KERN_MODULE", RecordType::KernModule},
    TypeName{"LOGIN", RecordType::Login},
    TypeName{"MMAP", RecordType::Mmap},
    TypeName{"MQ_OPEN", RecordType::MqOpen},
    TypeName{"NETFILTER_CFG", RecordType::NetfilterCfg},
    TypeName{"NETFILTER_PKT", RecordType::NetfilterPkt},
    TypeName{"OBJ_PID", RecordType::ObjPid},
    TypeName{"OPENAT2", RecordType::Openat2},
    TypeName{"PATH", RecordType::Path},
    TypeName{"PROCTITLE", RecordType::Proctitle},
    TypeName{"REPLACE", RecordType::Replace},
    TypeName{"SECCOMP", RecordType::Seccomp},
    TypeName{"SELINUX_ERR", RecordType::SelinuxErr},
    TypeName{"SERVICE_START", RecordType::ServiceStart},
    TypeName{"SERVICE_STOP", RecordType::ServiceStop},
    TypeName{"SOCKADDR", RecordType::Sockaddr},
    TypeName{"SOCKETCALL", RecordType::Socketcall},
    TypeName{"SYSCALL", RecordType::Syscall},
    TypeName{"SYSTEM_BOOT", RecordType::SystemBoot},
    TypeName{"SYSTEM_RUNLEVEL", RecordType::SystemRunlevel},
    TypeName{"SYSTEM_SHUTDOWN", RecordType::SystemShutdown},
    TypeName{"TTY", RecordType::Tty},
    TypeName{"URINGOP", RecordType::Uringop},
    TypeName{"USER", RecordType::User},
    TypeName{"USER_ACCT", RecordType::UserAcct},
    TypeName{"USER_AUTH", RecordType::UserAuth},
    TypeName{"USER_AVC", RecordType::UserAvc},
    TypeName{"USER_CHAUTHTOK", RecordType::UserChauthtok},
    TypeName{"USER_CMD", RecordType::UserCmd},
    TypeName{"USER_END", RecordType::UserEnd},
    TypeName{"USER_ERR", RecordType::UserErr},
    TypeName{"USER_LOGIN", RecordType::UserLogin},
    TypeName{"USER_LOGOUT", RecordType::UserLogout},
    TypeName{"USER_MGMT", RecordType::UserMgmt},
    TypeName{"USER_START", RecordType::UserStart},
    TypeName{"USER_TTY", RecordType::UserTty},
    TypeName{"USYS_CONFIG", RecordType::UsysConfig},
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_encoded_key(std::string_view key) {
  static constexpr std::array kKeys = {
      std::string_view("acct"),
      std::string_view("cmd"),
      std::string_view("comm"),
      std::string_view("cwd"),
      std::string_view("data"),
      std::string_view("dir"),
      std::string_view("exe"),
      std::string_view("file"),
      std::string_view("grp"),
      std::string_view("key"),
      std::string_view("name"),
      std::string_view("new"),
      std::string_view("new_group"),
      std::string_view("ocomm"),
      std::string_view("old"),
      std::string_view("path"),
      std::string_view("proctitle"),
      std::string_view("root_dir"),
      std::string_view("sauid"),
      std::string_view("vm"),
      std::string_view("watch"),
      std::string_view("old_prom"),
      std::string_view("new-disk"),
      std::string_view("old-disk"),
      std::string_view("new-chardev"),
      std::string_view("old-chardev"),
      std::string_view("new-fs"),
      std::string_view("old-fs"),
      std::string_view("new-net"),
      std::string_view("old-net"),
      std::string_view("new-rng"),
      std::string_view("old-rng"),
      std::string_view("cgroup"),
      std::string_view("hostname"),
      std::string_view("invalid_context"),
      std::string_view("unit"),
      std::string_view("terminal"),
      std::string_view("ses_name"),
  };
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

}  // namespace

std::string_view strip_quotes(std::string_view v) {
  if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
    char q = v.front();
    v.remove_prefix(1);
    if (!v.empty() && v.back() == q) v.remove_suffix(1);
  }
  return v;
}

ArgKey parse_arg_key(std::string_view k, size_t& index, size_t& piece) {
  if (k.size() < 2 || k[0] != 'a' || !is_digit(k[1])) return ArgKey::None;
  size_t i = 1;
  index = 0;
  while (i < k.size() && is_digit(k[i])) {
    if (index > 10'000'000) return ArgKey::None;
    index = index * 10 + static_cast<size_t>(k[i] - '0');
    ++i;
  }
  if (i == k.size()) return ArgKey::Whole;
  if (k.substr(i) == "_len") return ArgKey::Len;
  if (k[i] == '[' && k.back() == ']' && i + 2 < k.size()) {
    piece = 0;
    for (size_t j = i + 1; j + 1 < k.size(); ++j) {
      if (!is_digit(k[j]) || piece > 10'000'000) return ArgKey::None;
      piece = piece * 10 + static_cast<size_t>(k[j] - '0');
    }
    return ArgKey::Piece;
  }
  return ArgKey::None;
}

std::string_view record_type_name(RecordType t) {
  for (const auto& tn : kTypeNames)
    if (tn.type == t) return tn.name;
  return {};
}

RecordType record_type_from_number(uint32_t n) {
  for (const auto& tn : kTypeNames)
    if (static_cast<uint32_t>(tn.type) == n) return tn.type;
  return RecordType::Other;
}

RecordType record_type_from_name(std::string_view name) {
  // The common kernel record types first: they are most of any log.
  if (key_is(name, "SYSCALL")) return RecordType::Syscall;
  if (key_is(name, "PATH")) return RecordType::Path;
  if (key_is(name, "EOE")) return RecordType::Eoe;
  if (key_is(name, "CWD")) return RecordType::Cwd;
  if (key_is(name, "PROCTITLE")) return RecordType::Proctitle;
  if (key_is(name, "EXECVE")) return RecordType::Execve;
  auto it = std::lower_bound(kTypeNames.begin(), kTypeNames.end(), name,
                             [](const TypeName& a, std::string_view b) { return a.name < b; });
  if (it != kTypeNames.end() && it->name == name) return it->type;
  if (name.size() > 9 && name.substr(0, 8) == "UNKNOWN[" && name.back() == ']') {
    auto n = parse_unsigned(name.substr(8, name.size() - 9), 10);
    if (n && *n < 100000) return record_type_from_number(static_cast<uint32_t>(*n));
  }
  return RecordType::Other;
}

bool is_standalone_type_number(uint32_t n) {
  // User-space messages (USER_*, CRED_*, ...), daemon records and user-space anomaly /
  // integrity / MAC ranges are relayed by the kernel without syscall context and never get an
  // EOE. Kernel types that are often alone (LOGIN, CONFIG_CHANGE, ANOM_*) can be followed by a
  // SYSCALL of the same serial, so they wait for EOE or the watermark instead.
  return (n >= 1100 && n <= 1299) || (n >= 2100 && n <= 2999);
}

bool is_standalone_type(RecordType t) {
  return t != RecordType::Other && is_standalone_type_number(static_cast<uint32_t>(t));
}

bool is_hex_string(std::string_view s) {
  if (s.empty() || (s.size() & 1u) != 0) return false;
  for (char c : s)
    if (hex_val(c) < 0) return false;
  return true;
}

std::optional<std::string> hex_decode(std::string_view s) {
  if ((s.size() & 1u) != 0) return std::nullopt;
  std::string out;
  out.resize(s.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_val(s[2 * i]);
    int lo = hex_val(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

std::optional<std::string> decode_value(std::string_view raw, bool hex_allowed) {
  if (raw == "(null)") return std::nullopt;
  if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) return std::string(strip_quotes(raw));
  if (hex_allowed && is_hex_string(raw)) {
    if (auto d = hex_decode(raw)) return d;
  }
  return std::string(raw);
}

bool is_encoded_field(RecordType t, std::string_view key) {
  if (t == RecordType::Execve) {
    size_t idx = 0, piece = 0;
    ArgKey k = parse_arg_key(key, idx, piece);
    return k == ArgKey::Whole || k == ArgKey::Piece;
  }
  return is_encoded_key(key);
}

int numeric_base(RecordType t, std::string_view key) {
  if (key == "mode") return 8;
  if (key == "arch" || key == "per" || key == "cap_fp" || key == "cap_fi" || key == "cap_fe" || key == "cap_fver" ||
      key == "cap_pp" || key == "cap_pi" || key == "cap_pe" || key == "cap_pa" || key == "cap_bs" || key == "cap_bnd" ||
      key == "cap_effective" || key == "cap_permitted" || key == "cap_inheritable" || key == "cap_ambient" ||
      key.substr(0, 6) == "old_pp" || key.substr(0, 6) == "old_pi" || key.substr(0, 6) == "old_pe" ||
      key.substr(0, 6) == "old_pa" || key.substr(0, 6) == "new_pp" || key.substr(0, 6) == "new_pi" ||
      key.substr(0, 6) == "new_pe" || key.substr(0, 6) == "new_pa")
    return 16;
  if (t != RecordType::Execve && key.size() == 2 && key[0] == 'a' && key[1] >= '0' && key[1] <= '3') return 16;
  return 10;
}

std::optional<uint64_t> parse_unsigned(std::string_view s, int base) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  if (s.empty() || s.size() > 24) return std::nullopt;
  if (base == 10 && s.size() <= 19) {
    // The usual case (pids, ids, inodes): 19 digits cannot overflow 64 bits.
    uint64_t v = 0;
    for (char c : s) {
      const auto d = static_cast<unsigned>(static_cast<unsigned char>(c) - '0');
      if (d > 9) return std::nullopt;
      v = v * 10 + d;
    }
    return v;
  }
  uint64_t v = 0;
  const auto b = static_cast<uint64_t>(base);
  for (char c : s) {
    int d = base == 10 ? (is_digit(c) ? c - '0' : -1) : hex_val(c);
    if (d < 0 || d >= base) return std::nullopt;
    if (__builtin_mul_overflow(v, b, &v) || __builtin_add_overflow(v, static_cast<uint64_t>(d), &v))
      return std::nullopt;
  }
  return v;
}

std::optional<int64_t> parse_signed(std::string_view s, int base) {
  bool neg = false;
  if (!s.empty() && s[0] == '-' && base == 10) {
    neg = true;
    s.remove_prefix(1);
  }
  auto u = parse_unsigned(s, base);
  if (!u) return std::nullopt;
  if (neg) return -static_cast<int64_t>(*u);
  return static_cast<int64_t>(*u);
}

}  // namespace tocsin::audit
