// The writer's lock: flock() on DB/lock, with the holder's PID and start time in the file.
#include "write_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "errors.h"
#include "index_layout.h"

namespace speechdex::indexer {

namespace {

// Why a folder or file cannot be written, with its owner when that is the reason.
std::string cannot_write(const std::string& path, int err) {
  std::string why = std::strerror(err);
  struct stat st {};
  if (err == EACCES && ::stat(path.c_str(), &st) == 0 && st.st_uid != ::geteuid()) {
    why += " (owned by uid " + std::to_string(st.st_uid) + ", this is uid " +
           std::to_string(::geteuid()) + ")";
  }
  return "cannot write to the index: " + why;
}

// The holder's line from the lock file, or a stand-in if it has none yet.
std::string holder(int fd) {
  char buf[256];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s.empty() ? "another process" : s;
}

}  // namespace

WriteLock::WriteLock(const std::string& db, bool wait) {
  boost::system::error_code ec;
  boost::filesystem::create_directories(db, ec);
  if (ec) throw IndexError(cannot_write(db, ec.value()), db);
  const std::string path = schema::lock_path(db);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    const int err = errno;
    throw IndexError(
        cannot_write(err == EACCES && ::access(path.c_str(), F_OK) != 0 ? db : path, err), db);
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      const int err = errno;
      ::close(fd_);
      throw IndexError(std::string("cannot lock the index: ") + std::strerror(err), path);
    }
    if (!wait) {
      const std::string who = holder(fd_);
      ::close(fd_);
      throw IndexError("the index is locked by " + who + "; wait for it or use --wait", db);
    }
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const int err = errno;
        ::close(fd_);
        throw IndexError(std::string("cannot lock the index: ") + std::strerror(err), path);
      }
    }
  }
  // Say who holds it. The lock, not this text, is what excludes: a stale text is harmless.
  char when[64];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
  const std::string text = "PID " + std::to_string(::getpid()) + " since " + when + "\n";
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    const int err = errno;
    ::close(fd_);
    throw IndexError(cannot_write(path, err), db);
  }
}

WriteLock::~WriteLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace speechdex::indexer
