// One audit record's vocabulary, below both the lexer (lexer.hpp) and the event model
// (event.hpp), which each build on it: the record types and their names, where a field sits in
// a record's text, and how auditd writes values (quotes, hex, numeric bases).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::audit {

// Record types the hunt looks at by name; everything else is Other (raw name kept).
// Values are the kernel/userspace numbers from linux/audit.h and libaudit.h.
enum class RecordType : uint16_t {
  Other = 0,
  // 1000-1099: kernel commands/messages
  User = 1005,
  Login = 1006,
  // 1100-1199: user space messages (single-record events)
  UserAuth = 1100,
  UserAcct = 1101,
  UserMgmt = 1102,
  CredAcq = 1103,
  CredDisp = 1104,
  UserStart = 1105,
  UserEnd = 1106,
  UserAvc = 1107,
  UserChauthtok = 1108,
  UserErr = 1109,
  CredRefr = 1110,
  UsysConfig = 1111,
  UserLogin = 1112,
  UserLogout = 1113,
  AddUser = 1114,
  DelUser = 1115,
  AddGroup = 1116,
  DelGroup = 1117,
  UserCmd = 1123,
  UserTty = 1124,
  SystemBoot = 1127,
  SystemShutdown = 1128,
  SystemRunlevel = 1129,
  ServiceStart = 1130,
  ServiceStop = 1131,
  // 1200-1299: audit daemon
  DaemonStart = 1200,
  DaemonEnd = 1201,
  DaemonAbort = 1202,
  DaemonConfig = 1203,
  DaemonReconfig = 1204,
  DaemonRotate = 1205,
  DaemonResume = 1206,
  DaemonAccept = 1207,
  DaemonClose = 1208,
  DaemonErr = 1209,
  // 1300-1399: kernel syscall events
  Syscall = 1300,
  Path = 1302,
  Ipc = 1303,
  Socketcall = 1304,
  ConfigChange = 1305,
  Sockaddr = 1306,
  Cwd = 1307,
  Execve = 1309,
  MqOpen = 1312,
  KernelOther = 1316,
  FdPair = 1317,
  ObjPid = 1318,
  Tty = 1319,
  Eoe = 1320,
  BprmFcaps = 1321,
  Capset = 1322,
  Mmap = 1323,
  NetfilterPkt = 1324,
  NetfilterCfg = 1325,
  Seccomp = 1326,
  Proctitle = 1327,
  FeatureChange = 1328,
  Replace = 1329,
  KernModule = 1330,
  Fanotify = 1331,
  Bpf = 1334,
  EventListener = 1335,
  Uringop = 1336,
  Openat2 = 1337,
  // 1400-1499: SELinux
  Avc = 1400,
  SelinuxErr = 1401,
  // 1700-1799: kernel anomalies
  AnomPromiscuous = 1700,
  AnomAbend = 1701,
  AnomLink = 1702,
  AnomCreat = 1703,
  // 2000: kernel
  Kernel = 2000,
};

// Name as auditd writes it ("SYSCALL"); empty for Other.
std::string_view record_type_name(RecordType t);
// "SYSCALL" → Syscall; "UNKNOWN[1334]" → by number; unknown → Other.
RecordType record_type_from_name(std::string_view name);
// By number (JSON formats sometimes carry the number); unknown → Other.
RecordType record_type_from_number(uint32_t n);
// Types that always form an event alone (never followed by EOE): user-space messages
// (1100-1299, 2100-2999), LOGIN, CONFIG_CHANGE, DAEMON_*. Decided on the raw number so
// unnamed types (UNKNOWN[n]) are classified too.
bool is_standalone_type_number(uint32_t n);
bool is_standalone_type(RecordType t);

// Key and raw value of one field, as offsets into the text the record was lexed from.
struct FieldRef {
  uint32_t key_off, key_len, val_off, val_len;
};

// `k == lit` for a string literal, compiled to a length check and fixed-size loads (a
// string_view comparison calls memcmp, which is most of the cost on short field names).
template <size_t N>
inline bool key_is(std::string_view k, const char (&lit)[N]) {
  return k.size() == N - 1 && std::memcmp(k.data(), lit, N - 1) == 0;
}

// --- raw values as auditd writes them (decoded by the event, the lexer, the formats, tests)

// `"abc"` → abc; hex → bytes when `hex_allowed`; `(null)` → nullopt; others unchanged.
std::optional<std::string> decode_value(std::string_view raw, bool hex_allowed);
// True for an even-length, non-empty run of [0-9A-Fa-f].
bool is_hex_string(std::string_view s);
// Hex → bytes; invalid pairs make nullopt.
std::optional<std::string> hex_decode(std::string_view s);
// Whether auditd may hex-encode this field (untrusted strings: name, exe, comm, cwd, a0 of
// EXECVE, proctitle, key, cmd, acct, data, ...).
bool is_encoded_field(RecordType t, std::string_view key);
// Base a numeric field is written in: 16 (a0..a3, arch, per, cap_*, ...), 8 (mode), 10 otherwise.
int numeric_base(RecordType t, std::string_view key);
// Parses a number in `base` (accepts a 0x prefix for 16, a leading '-' for 10).
std::optional<uint64_t> parse_unsigned(std::string_view s, int base);
std::optional<int64_t> parse_signed(std::string_view s, int base);
// `"abc"` or `'abc'` → abc (an unterminated quote is dropped); other values unchanged.
std::string_view strip_quotes(std::string_view raw);
// An EXECVE argument key: "a12" → (12, Whole), "a12_len" → (12, Len), "a12[3]" → (12, Piece 3).
enum class ArgKey { None, Whole, Len, Piece };
ArgKey parse_arg_key(std::string_view k, size_t& index, size_t& piece);

}  // namespace tocsin::audit
