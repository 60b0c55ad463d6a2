// Memory-mapped input with a SIGBUS guard (see mapped_file.hpp).
#include "safeio/mapped_file.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace tocsin::safeio {
namespace {

// The mappings the guard protects. A fixed table of atomics: the signal handler may only read
// lock-free memory. A slot is in use while `end` is non-zero.
constexpr int kSlots = 64;
struct Slot {
  std::atomic<uintptr_t> begin{0}, end{0};
  std::atomic<bool> truncated{false};
};
Slot g_slots[kSlots];
std::mutex g_install_mu;
bool g_installed = false;
struct sigaction g_previous {};

void on_sigbus(int sig, siginfo_t* info, void* uctx) {
  const auto addr = reinterpret_cast<uintptr_t>(info ? info->si_addr : nullptr);
  for (auto& s : g_slots) {
    const uintptr_t b = s.begin.load(std::memory_order_acquire);
    const uintptr_t e = s.end.load(std::memory_order_acquire);
    if (e == 0 || addr < b || addr >= e) continue;
    // Past the file's new end: zero-filled memory from this page to the end of the mapping
    // (one fault for the whole rest), and the reader is told.
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t from = addr & ~(page - 1);
    void* r =
        mmap(reinterpret_cast<void*>(from), e - from, PROT_READ,  // NOLINT(performance-no-int-to-ptr): a page address
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (r == MAP_FAILED) break;  // cannot repair: fall through to the default action
    s.truncated.store(true, std::memory_order_release);
    return;
  }
  // Not ours: what the process did before us.
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction) {
      g_previous.sa_sigaction(sig, info, uctx);
      return;
    }
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN &&
             g_previous.sa_handler != nullptr) {
    g_previous.sa_handler(sig);
    return;
  }
  signal(SIGBUS, SIG_DFL);  // the fault repeats on return and ends the process as it would have
}

void install_guard() {
  std::lock_guard<std::mutex> lock(g_install_mu);
  if (g_installed) return;
  struct sigaction sa {};
  sa.sa_sigaction = on_sigbus;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, &g_previous);
  g_installed = true;
}

int claim_slot(uintptr_t begin, uintptr_t end) {
  for (int i = 0; i < kSlots; ++i) {
    uintptr_t expected = 0;
    // `begin` doubles as the claim: 0 = free.
    if (g_slots[i].begin.compare_exchange_strong(expected, begin, std::memory_order_acq_rel)) {
      g_slots[i].truncated.store(false, std::memory_order_relaxed);
      g_slots[i].end.store(end, std::memory_order_release);
      return i;
    }
  }
  return -1;
}

void free_slot(int i) {
  if (i < 0) return;
  g_slots[i].end.store(0, std::memory_order_release);
  g_slots[i].begin.store(0, std::memory_order_release);
}

}  // namespace

Result<MappedFile> MappedFile::map(int fd, size_t size) {
  if (size == 0) return Error{"cannot map an empty file"};
  install_guard();
  void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) return Error{fmt::format("cannot map: {}", std::strerror(errno))};
  const auto b = reinterpret_cast<uintptr_t>(p);
  const int slot = claim_slot(b, b + size);
  if (slot < 0) {  // more mappings at once than the guard tracks: not safe, let the caller read()
    munmap(p, size);
    return Error{"too many mapped inputs"};
  }
  madvise(p, size, MADV_SEQUENTIAL);
  MappedFile m;
  m.base_ = p;
  m.size_ = size;
  m.slot_ = slot;
  return m;
}

MappedFile::~MappedFile() { unmap(); }

MappedFile::MappedFile(MappedFile&& o) noexcept
    : base_(o.base_), size_(o.size_), released_(o.released_), slot_(o.slot_) {
  o.base_ = nullptr;
  o.size_ = 0;
  o.slot_ = -1;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    unmap();
    base_ = o.base_;
    size_ = o.size_;
    released_ = o.released_;
    slot_ = o.slot_;
    o.base_ = nullptr;
    o.size_ = 0;
    o.slot_ = -1;
  }
  return *this;
}

void MappedFile::unmap() {
  if (!base_) return;
  // Out of the guard's table before the addresses can be reused.
  free_slot(slot_);
  munmap(base_, size_);
  base_ = nullptr;
  size_ = 0;
  slot_ = -1;
}

void MappedFile::release_before(size_t offset) {
  if (!base_) return;
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t upto = std::min(offset, size_) & ~(page - 1);
  if (upto <= released_) return;
  madvise(static_cast<char*>(base_) + released_, upto - released_, MADV_DONTNEED);
  released_ = upto;
}

bool MappedFile::truncated() const {
  return slot_ >= 0 && g_slots[slot_].truncated.load(std::memory_order_acquire);
}

}  // namespace tocsin::safeio
