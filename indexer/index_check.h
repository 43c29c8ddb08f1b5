// speechdex-index --check: verifies an index whole, and --repair mends what it can.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace speechdex::indexer {

/// What a check found.
struct CheckReport {
  uint64_t records = 0, segments = 0, terms = 0, postings = 0;
  /// Damage or disagreement: each one line naming the file or the part.
  std::vector<std::string> problems;
  /// Files no commit names (left by a crash): harmless; the next writer removes them.
  std::vector<std::string> leftovers;
  /// Remarks that are no problem.
  std::vector<std::string> notes;
  /// The records passed Xapian's check, so a damaged text store can be rebuilt from them.
  bool records_sound = false;
  /// True if --repair rebuilt the text store from the records.
  bool repaired = false;
};

/// Verifies the index at `db` while holding its write lock (waiting for a writer if `wait`):
/// the layout, Xapian's own check of the records (Database::check), the schema version,
/// every segment's checksums and structure (every posting and position read), and the
/// agreement of segments, deleted list and records (the same live ids). With `repair`,
/// removes leftovers and, if only the text store is damaged or disagrees, rebuilds it from
/// the records; damaged records need a rebuild from the sources (--rebuild).
CheckReport check_index(const std::string& db, bool repair, bool wait);

}  // namespace speechdex::indexer
