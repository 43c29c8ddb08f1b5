// An LD_PRELOAD shim for the integrity tests: counts the calls that change files and makes
// one of them fail.
//
// Loaded into speechdex-index with LD_PRELOAD, it counts every call of write, pwrite,
// pwrite64, writev, fsync, fdatasync, ftruncate, rename, renameat, renameat2, and open,
// open64, openat, openat64 with O_CREAT, in the order the process makes them (all threads
// share one counter). Writes to standard input, output and error are passed through
// uncounted: the tests are about the database, and the program's messages are what they
// read. Everything else is passed to the real function, found with dlsym(RTLD_NEXT).
//
// Environment:
//   SPEECHDEX_FAULT_AT=N        call number N (from 1) fails; 0 or unset: none does
//   SPEECHDEX_FAULT_ERRNO=E     EIO (default), ENOSPC, EDQUOT or EROFS
//   SPEECHDEX_FAULT_REPORT=F    appends one line per injected failure to F
//                               ("injected N <call> <errno name>"), and at exit
//                               "calls N" (the number of counted calls)
//
// Only what the C library exports can be caught: a write the library makes internally
// (stdio's own buffers, for one) is not seen. Xapian, the text store and Boost.Filesystem
// call these functions directly.
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::atomic<long> g_calls{0};

long fault_at() {
  static const long at = [] {
    const char* v = std::getenv("SPEECHDEX_FAULT_AT");
    return v ? std::strtol(v, nullptr, 10) : 0L;
  }();
  return at;
}

struct Errno {
  int value;
  const char* name;
};

Errno fault_errno() {
  static const Errno e = [] {
    const char* v = std::getenv("SPEECHDEX_FAULT_ERRNO");
    const std::string s = v ? v : "EIO";
    if (s == "ENOSPC") return Errno{ENOSPC, "ENOSPC"};
    if (s == "EDQUOT") return Errno{EDQUOT, "EDQUOT"};
    if (s == "EROFS") return Errno{EROFS, "EROFS"};
    return Errno{EIO, "EIO"};
  }();
  return e;
}

// Appends a line to the report file with raw system calls, so that the shim never counts
// or fails its own writes.
void report(const std::string& line) {
  const char* path = std::getenv("SPEECHDEX_FAULT_REPORT");
  if (path == nullptr || *path == '\0') return;
  const long fd =
      syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  const std::string text = line + "\n";
  [[maybe_unused]] const long n = syscall(SYS_write, fd, text.data(), text.size());
  syscall(SYS_close, fd);
}

// Counts one call; true when this one must fail (errno is then set).
bool inject(const char* call) {
  const long n = ++g_calls;
  if (n != fault_at()) return false;
  const Errno e = fault_errno();
  report("injected " + std::to_string(n) + " " + call + " " + e.name);
  errno = e.value;
  return true;
}

bool counted_fd(int fd) { return fd > 2; }

template <class F>
F real(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

__attribute__((destructor)) void report_calls() {
  report("calls " + std::to_string(g_calls.load()));
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t n) {
  static const auto f = real<ssize_t (*)(int, const void*, size_t)>("write");
  if (counted_fd(fd) && inject("write")) return -1;
  return f(fd, buf, n);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset) {
  static const auto f = real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  if (counted_fd(fd) && inject("pwrite")) return -1;
  return f(fd, buf, n, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t offset) {
  static const auto f = real<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
  if (counted_fd(fd) && inject("pwrite64")) return -1;
  return f(fd, buf, n, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int count) {
  static const auto f = real<ssize_t (*)(int, const struct iovec*, int)>("writev");
  if (counted_fd(fd) && inject("writev")) return -1;
  return f(fd, iov, count);
}

int fsync(int fd) {
  static const auto f = real<int (*)(int)>("fsync");
  if (inject("fsync")) return -1;
  return f(fd);
}

int fdatasync(int fd) {
  static const auto f = real<int (*)(int)>("fdatasync");
  if (inject("fdatasync")) return -1;
  return f(fd);
}

int ftruncate(int fd, off_t length) noexcept {
  static const auto f = real<int (*)(int, off_t)>("ftruncate");
  if (inject("ftruncate")) return -1;
  return f(fd, length);
}

int ftruncate64(int fd, off64_t length) noexcept {
  static const auto f = real<int (*)(int, off64_t)>("ftruncate64");
  if (inject("ftruncate64")) return -1;
  return f(fd, length);
}

int rename(const char* from, const char* to) noexcept {
  static const auto f = real<int (*)(const char*, const char*)>("rename");
  if (inject("rename")) return -1;
  return f(from, to);
}

int renameat(int from_dir, const char* from, int to_dir, const char* to) noexcept {
  static const auto f = real<int (*)(int, const char*, int, const char*)>("renameat");
  if (inject("renameat")) return -1;
  return f(from_dir, from, to_dir, to);
}

int renameat2(int from_dir, const char* from, int to_dir, const char* to, unsigned flags) noexcept {
  static const auto f = real<int (*)(int, const char*, int, const char*, unsigned)>("renameat2");
  if (inject("renameat2")) return -1;
  return f(from_dir, from, to_dir, to, flags);
}

// The open family takes a mode only with O_CREAT or O_TMPFILE; only creating calls count.
#define SPEECHDEX_OPEN_MODE(flags)                 \
  mode_t mode = 0;                                 \
  if ((flags) & (O_CREAT | O_TMPFILE)) {           \
    va_list args;                                  \
    va_start(args, flags);                         \
    mode = static_cast<mode_t>(va_arg(args, int)); \
    va_end(args);                                  \
  }

int open(const char* path, int flags, ...) {
  static const auto f = real<int (*)(const char*, int, ...)>("open");
  SPEECHDEX_OPEN_MODE(flags)
  if ((flags & O_CREAT) && inject("open")) return -1;
  return f(path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  static const auto f = real<int (*)(const char*, int, ...)>("open64");
  SPEECHDEX_OPEN_MODE(flags)
  if ((flags & O_CREAT) && inject("open64")) return -1;
  return f(path, flags, mode);
}

int openat(int dir, const char* path, int flags, ...) {
  static const auto f = real<int (*)(int, const char*, int, ...)>("openat");
  SPEECHDEX_OPEN_MODE(flags)
  if ((flags & O_CREAT) && inject("openat")) return -1;
  return f(dir, path, flags, mode);
}

int openat64(int dir, const char* path, int flags, ...) {
  static const auto f = real<int (*)(int, const char*, int, ...)>("openat64");
  SPEECHDEX_OPEN_MODE(flags)
  if ((flags & O_CREAT) && inject("openat64")) return -1;
  return f(dir, path, flags, mode);
}

#undef SPEECHDEX_OPEN_MODE

}  // extern "C"
