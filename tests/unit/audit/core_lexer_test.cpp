// Lexer and value decoding: headers, node= prefixes, every value encoding, nested user messages,
// ENRICHED fields, odd hex, broken lines.
#include <gtest/gtest.h>

#include <string>

#include "audit/lexer.hpp"
#include "core_test_util.hpp"

namespace tocsin::audit {
namespace {

using testing::one_event;
using testing::parse_text;

struct Lexed {
  LexStatus status;
  LexedRecord rec;
  std::vector<Event::FieldRef> fields;
  std::string line;
  std::string_view key(size_t i) const {
    return std::string_view(line).substr(fields[i].key_off, fields[i].key_len);
  }
  std::string_view val(size_t i) const {
    return std::string_view(line).substr(fields[i].val_off, fields[i].val_len);
  }
};

Lexed lex(std::string line) {
  Lexed l;
  l.line = std::move(line);
  l.status = lex_line(l.line, l.rec, l.fields);
  return l;
}

TEST(CoreLexer, HeaderAndPlainFields) {
  auto l = lex("type=SYSCALL msg=audit(1364481363.243:24287): arch=c000003e syscall=2 success=no "
               "exit=-13 a0=7fffd19c5592 comm=\"cat\" key=(null)");
  ASSERT_EQ(l.status, LexStatus::Ok);
  EXPECT_EQ(l.rec.type, RecordType::Syscall);
  EXPECT_EQ(l.rec.type_name, "SYSCALL");
  EXPECT_EQ(l.rec.sec, 1364481363u);
  EXPECT_EQ(l.rec.msec, 243u);
  EXPECT_EQ(l.rec.serial, 24287u);
  EXPECT_TRUE(l.rec.node.empty());
  ASSERT_EQ(l.fields.size(), 7u);
  EXPECT_EQ(l.key(0), "arch");
  EXPECT_EQ(l.val(0), "c000003e");
  EXPECT_EQ(l.key(3), "exit");
  EXPECT_EQ(l.val(3), "-13");
  EXPECT_EQ(l.val(5), "\"cat\"");  // raw: quotes kept
  EXPECT_EQ(l.val(6), "(null)");
  EXPECT_FALSE(l.rec.enriched);
}

TEST(CoreLexer, RepeatedTimestampsParseLikeFreshOnes) {
  // Consecutive records of one event share "SEC.MS:SERIAL" and the lexer reuses the previous
  // parse; a timestamp that only starts like the previous one, or one that is broken, must not.
  struct Case {
    const char* line;
    LexStatus status;
    uint64_t sec;
    uint32_t msec;
    uint64_t serial;
  };
  const Case cases[] = {
      {"type=SYSCALL msg=audit(1700000000.123:55): pid=1", LexStatus::Ok, 1700000000, 123, 55},
      {"type=PATH msg=audit(1700000000.123:55): item=0", LexStatus::Ok, 1700000000, 123, 55},
      {"type=PATH msg=audit(1700000000.123:555): item=0", LexStatus::Ok, 1700000000, 123, 555},
      {"type=PATH msg=audit(1700000000.123:55", LexStatus::BadTimestamp, 0, 0, 0},
      {"type=PATH msg=audit(1700000000.123:55x): item=0", LexStatus::BadTimestamp, 0, 0, 0},
      {"type=PATH msg=audit(1700000000.123:55): item=1", LexStatus::Ok, 1700000000, 123, 55},
      {"node=a type=PATH msg=audit(1700000000.123:55): item=2", LexStatus::Ok, 1700000000, 123, 55},
      {"type=PATH audit(1700000000.12:55): item=3", LexStatus::Ok, 1700000000, 120, 55},
      {"type=PATH msg=audit(1700000001.000:1): item=0", LexStatus::Ok, 1700000001, 0, 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    auto l = lex(c.line);
    ASSERT_EQ(l.status, c.status);
    if (c.status != LexStatus::Ok) continue;
    EXPECT_EQ(l.rec.sec, c.sec);
    EXPECT_EQ(l.rec.msec, c.msec);
    EXPECT_EQ(l.rec.serial, c.serial);
  }
}

TEST(CoreLexer, NodePrefixAndSyslogPrefix) {
  auto l = lex("node=web-01.example type=EOE msg=audit(1.002:3):");
  ASSERT_EQ(l.status, LexStatus::Ok);
  EXPECT_EQ(l.rec.node, "web-01.example");
  EXPECT_EQ(l.rec.type, RecordType::Eoe);
  EXPECT_EQ(l.rec.msec, 2u);
  EXPECT_TRUE(l.fields.empty());

  auto s = lex("Nov 22 07:04:44 host audispd: node=h2 type=CWD msg=audit(5.100:7): cwd=\"/\"");
  ASSERT_EQ(s.status, LexStatus::Ok);
  EXPECT_EQ(s.rec.node, "h2");
  EXPECT_EQ(s.rec.type, RecordType::Cwd);
  ASSERT_EQ(s.fields.size(), 1u);
  EXPECT_EQ(s.val(0), "\"/\"");

  // The dispatcher's raw format has no "msg=".
  auto d = lex("type=SYSCALL audit(1572298453.690:5717): arch=c00000b7 syscall=222");
  ASSERT_EQ(d.status, LexStatus::Ok);
  EXPECT_EQ(d.rec.serial, 5717u);
}

TEST(CoreLexer, QuotedValuesWithSpacesAndEquals) {
  auto l = lex("type=USER_CMD msg=audit(1.000:1): cwd=\"/home/a b\" x=\"k=v c\" y=z");
  ASSERT_EQ(l.status, LexStatus::Ok);
  ASSERT_EQ(l.fields.size(), 3u);
  EXPECT_EQ(l.val(0), "\"/home/a b\"");
  EXPECT_EQ(l.val(1), "\"k=v c\"");
  EXPECT_EQ(l.key(2), "y");
}

TEST(CoreLexer, NestedUserMessageIsFlattened) {
  auto l = lex("type=USER_START msg=audit(1481077043.087:419): pid=1298 uid=0 auid=1000 ses=1 "
               "msg='op=PAM:session_open grantors=pam_unix acct=\"root\" exe=\"/usr/sbin/sshd\" "
               "hostname=? addr=10.0.0.1 terminal=ssh res=success'");
  ASSERT_EQ(l.status, LexStatus::Ok);
  std::vector<std::string> keys;
  for (size_t i = 0; i < l.fields.size(); ++i) keys.emplace_back(l.key(i));
  EXPECT_EQ(keys, (std::vector<std::string>{"pid", "uid", "auid", "ses", "op", "grantors", "acct",
                                            "exe", "hostname", "addr", "terminal", "res"}));
  EXPECT_EQ(l.val(11), "success");  // no trailing quote
  EXPECT_EQ(l.val(6), "\"root\"");
}

TEST(CoreLexer, NestedMessageWithQuoteInsideDoubleQuotes) {
  auto l = lex("type=USER_CMD msg=audit(1.000:1): pid=1 msg='cwd=\"/it's\" cmd=6C73 res=ok'");
  ASSERT_EQ(l.status, LexStatus::Ok);
  ASSERT_EQ(l.fields.size(), 4u);
  EXPECT_EQ(l.val(1), "\"/it's\"");
  EXPECT_EQ(l.val(3), "ok");
}

TEST(CoreLexer, EnrichedFieldsAfterGroupSeparator) {
  auto l = lex("type=SYSCALL msg=audit(1.000:9): arch=c000003e syscall=59 auid=1000 uid=0"
               "\x1d" "ARCH=x86_64 SYSCALL=execve AUID=\"admin\" UID=\"root\"");
  ASSERT_EQ(l.status, LexStatus::Ok);
  EXPECT_TRUE(l.rec.enriched);
  EXPECT_EQ(l.rec.interp_begin, 4u);
  ASSERT_EQ(l.fields.size(), 8u);
  EXPECT_EQ(l.key(5), "SYSCALL");
  EXPECT_EQ(l.val(5), "execve");
  EXPECT_EQ(l.val(6), "\"admin\"");
}

TEST(CoreLexer, BareWordsAreNotFields) {
  auto l = lex("type=AVC msg=audit(1.000:2): avc:  denied  { read } for  pid=12 comm=\"x\"");
  ASSERT_EQ(l.status, LexStatus::Ok);
  ASSERT_EQ(l.fields.size(), 2u);
  EXPECT_EQ(l.key(0), "pid");
}

TEST(CoreLexer, BrokenLines) {
  EXPECT_EQ(lex("").status, LexStatus::Blank);
  EXPECT_EQ(lex("   \t").status, LexStatus::Blank);
  EXPECT_EQ(lex("hello world").status, LexStatus::NoType);
  EXPECT_EQ(lex("type=SYSCALL something").status, LexStatus::NoTimestamp);
  EXPECT_EQ(lex("type=UNKNOWN[1329] msg=?").status, LexStatus::NoTimestamp);
  EXPECT_EQ(lex("type=SYSCALL msg=audit(abc.1:2):").status, LexStatus::BadTimestamp);
  EXPECT_EQ(lex("type=SYSCALL msg=audit(1.1:):").status, LexStatus::BadTimestamp);
  EXPECT_EQ(lex("type=SYSCALL msg=audit(1.1:2").status, LexStatus::BadTimestamp);
  EXPECT_EQ(lex("type=SYSCALL msg=audit(99999999999999999999.1:2):").status,
            LexStatus::BadTimestamp);
  // Unterminated quote: the value runs to the end of the line.
  auto u = lex("type=CWD msg=audit(1.000:1): cwd=\"/tmp/x");
  ASSERT_EQ(u.status, LexStatus::Ok);
  EXPECT_EQ(u.val(0), "\"/tmp/x");
  // CRLF line endings.
  auto c = lex("type=CWD msg=audit(1.000:1): cwd=\"/\"\r");
  ASSERT_EQ(c.status, LexStatus::Ok);
  EXPECT_EQ(c.val(0), "\"/\"");
}

TEST(CoreLexer, UnknownTypesKeepTheirNameAndNumber) {
  auto l = lex("type=UNKNOWN[1327] msg=audit(1.000:1): proctitle=6C73");
  ASSERT_EQ(l.status, LexStatus::Ok);
  EXPECT_EQ(l.rec.type, RecordType::Proctitle);
  auto o = lex("type=UNKNOWN[1999] msg=audit(1.000:1): x=1");
  EXPECT_EQ(o.rec.type, RecordType::Other);
  EXPECT_EQ(o.rec.type_number, 1999u);
  auto n = lex("type=MY_OWN_TYPE msg=audit(1.000:1): x=1");
  EXPECT_EQ(n.rec.type, RecordType::Other);
  EXPECT_EQ(n.rec.type_name, "MY_OWN_TYPE");
  EXPECT_EQ(n.rec.type_number, 0u);
}

TEST(CoreLexer, MillisecondsScaledWhateverTheDigits) {
  EXPECT_EQ(lex("type=EOE msg=audit(1.5:1):").rec.msec, 500u);
  EXPECT_EQ(lex("type=EOE msg=audit(1.050:1):").rec.msec, 50u);
  EXPECT_EQ(lex("type=EOE msg=audit(1.123456:1):").rec.msec, 123u);
}

// ---------------------------------------------------------------- decoding

TEST(CoreDecode, HexAndQuotedAndNull) {
  EXPECT_EQ(decode_value("\"ls\"", true), "ls");
  EXPECT_EQ(decode_value("2F62696E2F6C73", true), "/bin/ls");
  EXPECT_EQ(decode_value("2f62696e", true), "/bin");  // lower case hex too
  EXPECT_EQ(decode_value("2F62696E", false), "2F62696E");
  EXPECT_EQ(decode_value("(null)", true), std::nullopt);
  EXPECT_EQ(decode_value("ABC", true), "ABC");        // odd length: not hex
  EXPECT_EQ(decode_value("GG", true), "GG");          // not hex digits
  EXPECT_EQ(decode_value("\"\"", true), "");
  EXPECT_EQ(decode_value("\"unterminated", true), "unterminated");
  EXPECT_EQ(decode_value("00", true), std::string(1, '\0'));
  EXPECT_EQ(hex_decode("4A4"), std::nullopt);
  EXPECT_EQ(hex_decode("ZZ"), std::nullopt);
  EXPECT_TRUE(is_hex_string("00FF"));
  EXPECT_FALSE(is_hex_string(""));
}

TEST(CoreDecode, NumbersUseTheBaseTheFieldImplies) {
  auto ev = one_event(
      "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=316 success=yes exit=-2 "
      "a0=ffffff9c a1=7ffd0 a2=0x10 a3=0 items=6 ppid=10 pid=11 auid=4294967295 uid=0 "
      "tty=(none) comm=\"swap\" exe=2F746D702F7377 key=(null)\n"
      "type=PATH msg=audit(1.000:1): item=0 name=\"/a\" inode=42 dev=fd:01 mode=0100644 "
      "ouid=0 ogid=0 rdev=00:00 nametype=DELETE\n"
      "type=EOE msg=audit(1.000:1):\n");
  EXPECT_EQ(ev.arch(), Arch::X86_64);
  EXPECT_EQ(ev.syscall(), 316);
  EXPECT_EQ(ev.syscall_name(), "renameat2");
  EXPECT_EQ(ev.success(), true);
  EXPECT_EQ(ev.exit(), -2);
  EXPECT_EQ(ev.arg(0), 0xffffff9cu);
  EXPECT_EQ(ev.arg(1), 0x7ffd0u);
  EXPECT_EQ(ev.arg(2), 0x10u);
  EXPECT_EQ(ev.items(), 6);
  EXPECT_EQ(ev.pid(), 11);
  EXPECT_EQ(ev.ppid(), 10);
  EXPECT_EQ(ev.auid(), 4294967295);
  EXPECT_EQ(ev.tty(), "(none)");
  EXPECT_EQ(ev.comm(), "swap");
  EXPECT_EQ(ev.exe(), "/tmp/sw");
  EXPECT_TRUE(ev.keys().empty());
  auto paths = ev.paths();
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0].mode, 0100644u);
  EXPECT_EQ(paths[0].inode, 42u);
  EXPECT_EQ(paths[0].dev, "fd:01");
  EXPECT_EQ(paths[0].nametype, "DELETE");
  EXPECT_EQ(paths[0].name, "/a");
  // An unparsable number is absent, not zero.
  EXPECT_EQ(ev.record(0).num("tty"), std::nullopt);
}

TEST(CoreDecode, MultipleKeysSplitOnSoh) {
  // key="a" + 0x01 + "b" is hex-encoded by auditd.
  auto ev = one_event("type=SYSCALL msg=audit(1.000:1): syscall=59 key=610162\n"
                      "type=EOE msg=audit(1.000:1):\n");
  EXPECT_EQ(ev.keys(), (std::vector<std::string>{"a", "b"}));
}

TEST(CoreDecode, EnrichedInterpretedFields) {
  auto ev = one_event("type=SYSCALL msg=audit(1.000:1): arch=c00000b7 syscall=221 auid=1000"
                      "\x1d" "ARCH=aarch64 SYSCALL=execve AUID=\"admin\" UID=\"root\"\n"
                      "type=EOE msg=audit(1.000:1):\n");
  EXPECT_EQ(ev.arch(), Arch::Aarch64);
  EXPECT_EQ(ev.syscall_name(), "execve");
  EXPECT_EQ(ev.interp("AUID"), "admin");
  EXPECT_EQ(ev.record(0).interp("UID"), "root");
  EXPECT_EQ(ev.record(0).interp_count(), 4u);
  EXPECT_EQ(ev.record(0).field_count(), 3u);  // interpreted fields are not plain fields
  EXPECT_EQ(ev.auid(), 1000);
}

TEST(CoreDecode, UserMessageFields) {
  auto ev = one_event("type=USER_CMD msg=audit(1623701789.269:26455408): pid=24552 uid=1000 "
                      "auid=1000 ses=18162 msg='cwd=\"/home/user\" cmd=6563686F206869 "
                      "terminal=pts/2 res=success'\n");
  EXPECT_EQ(ev.completion(), Completion::Standalone);
  EXPECT_EQ(ev.str("cmd"), "echo hi");
  EXPECT_EQ(ev.str("cwd"), "/home/user");
  EXPECT_EQ(ev.str("terminal"), "pts/2");
  EXPECT_EQ(ev.ses(), 18162);
  EXPECT_EQ(ev.primary_type(), RecordType::UserCmd);
}

TEST(CoreDecode, NonUtf8AndControlBytesSurvive) {
  // Invalid UTF-8 inside a quoted value and hex that decodes to binary.
  std::string line = "type=CWD msg=audit(1.000:1): cwd=\"/tmp/\xff\xfe\"\n"
                     "type=PATH msg=audit(1.000:1): item=0 name=2F0A1B00FF nametype=CREATE\n"
                     "type=EOE msg=audit(1.000:1):\n";
  auto ev = one_event(line);
  EXPECT_EQ(ev.cwd(), std::string("/tmp/\xff\xfe"));
  auto p = ev.paths();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].name, std::string("/\n\x1b\0\xff", 5));
}

TEST(CoreDecode, SyscallTablesByArch) {
  EXPECT_EQ(syscall_name(Arch::X86_64, 59), "execve");
  EXPECT_EQ(syscall_name(Arch::X86_64, 316), "renameat2");
  EXPECT_EQ(syscall_name(Arch::X86_64, 322), "execveat");
  EXPECT_EQ(syscall_name(Arch::X86_64, 437), "openat2");
  EXPECT_EQ(syscall_name(Arch::I386, 11), "execve");
  EXPECT_EQ(syscall_name(Arch::I386, 353), "renameat2");
  EXPECT_EQ(syscall_name(Arch::Aarch64, 221), "execve");
  EXPECT_EQ(syscall_name(Arch::Aarch64, 276), "renameat2");
  EXPECT_EQ(syscall_name(Arch::Aarch64, 56), "openat");
  EXPECT_EQ(syscall_name(Arch::X86_64, 100000), "");
  EXPECT_EQ(syscall_name(Arch::Unknown, 59), "");
  EXPECT_EQ(syscall_number(Arch::X86_64, "renameat2"), 316);
  EXPECT_EQ(syscall_number(Arch::Aarch64, "unshare"), 97);
  EXPECT_EQ(syscall_number(Arch::I386, "chroot"), 61);
  EXPECT_EQ(syscall_number(Arch::Aarch64, "open"), std::nullopt);  // arm64 has only openat
  EXPECT_EQ(arch_from_audit(0xc000003e), Arch::X86_64);
  EXPECT_EQ(arch_from_audit(0x40000003), Arch::I386);
  EXPECT_EQ(arch_from_audit(0xc00000b7), Arch::Aarch64);
  // Every syscall the detections need exists on x86_64.
  for (const char* n :
       {"execve", "execveat", "rename", "renameat", "renameat2", "open", "openat", "openat2",
        "creat", "chdir", "fchdir", "mount", "umount2", "unshare", "pivot_root", "chroot",
        "symlink", "symlinkat", "link", "linkat", "unlink", "unlinkat", "chmod", "fchmod",
        "fchmodat", "chown", "fchown", "fchownat", "lchown", "stat", "lstat", "newfstatat",
        "statx", "access", "faccessat", "faccessat2", "readlink", "readlinkat", "setns", "clone",
        "clone3", "fork", "vfork", "setuid", "setresuid", "mkdir", "mkdirat"})
    EXPECT_TRUE(syscall_number(Arch::X86_64, n).has_value()) << n;
  // And both directions agree for every entry.
  for (Arch a : {Arch::X86_64, Arch::I386, Arch::Aarch64})
    for (int nr = 0; nr < 500; ++nr) {
      auto name = syscall_name(a, nr);
      if (!name.empty()) {
        EXPECT_EQ(syscall_number(a, name), nr) << name;
      }
    }
}

TEST(CoreDecode, RecordTypeNames) {
  EXPECT_EQ(record_type_from_name("DAEMON_ROTATE"), RecordType::DaemonRotate);
  EXPECT_EQ(record_type_from_name("USER_AUTH"), RecordType::UserAuth);
  EXPECT_EQ(record_type_from_name("ANOM_ABEND"), RecordType::AnomAbend);
  EXPECT_EQ(record_type_from_name("UNKNOWN[1309]"), RecordType::Execve);
  EXPECT_EQ(record_type_from_name("NOPE"), RecordType::Other);
  EXPECT_EQ(record_type_name(RecordType::Proctitle), "PROCTITLE");
  EXPECT_EQ(record_type_from_number(1320), RecordType::Eoe);
  EXPECT_TRUE(is_standalone_type(RecordType::UserLogin));
  EXPECT_TRUE(is_standalone_type(RecordType::DaemonEnd));
  EXPECT_FALSE(is_standalone_type(RecordType::Syscall));
  EXPECT_FALSE(is_standalone_type(RecordType::Path));
}

}  // namespace
}  // namespace tocsin::audit
