// The one-writer lock of an index folder, held for a writer's whole run.
#pragma once

#include <string>

namespace speechdex::indexer {

/// Holds the lock file of the index folder at `db` (schema/index_layout.h) for as long as it
/// lives: one writer at a time, for the whole run, its shards and compaction included. The
/// file says which process holds it and since when, so a second writer is told at once.
/// The lock is the kernel's (flock), so a writer killed by any signal releases it.
class WriteLock {
 public:
  /// Creates the folder if it is missing and takes the lock. With `wait`, waits for another
  /// writer to finish; without, throws IndexError "locked by PID … since …" at once.
  /// Throws IndexError with the real reason if the folder or lock file cannot be written
  /// (a read-only file system, another owner's folder).
  WriteLock(const std::string& db, bool wait);
  ~WriteLock();
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace speechdex::indexer
