// The indexing pipeline: paths -> read -> clean -> split -> metadata -> write, file by file.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "corpus_reader.h"

namespace speechdex::indexer {

/// What to index and with which vocabularies.
struct IndexOptions {
  std::string db;
  std::vector<std::string> paths;
  std::string data_dir = kDefaultDataDir;  ///< gazetteer tables (admin-divisions.tsv, ...)
  std::string topics;                      ///< topic taxonomy; "" = data_dir/topics.tsv
  std::string manifest;                    ///< "" = none
  bool force = false;                      ///< re-index unchanged files too
  /// Every non-blank line is a paragraph and a file is one speech: no boilerplate removal,
  /// no rejoined lines (corpora with one document per line).
  bool lines = false;
  /// Keep every line as text: no website furniture is set aside (--no-clean).
  bool no_clean = false;
  /// Compact the database after the run (Xapian's compactor: about half the size).
  /// kAuto compacts when the run started from an empty database.
  enum class Compact { kAuto, kAlways, kNever } compact = Compact::kAuto;
  /// Parallel jobs for a fresh build: each writes a shard, and the shards are merged by
  /// compaction. Adding to an existing index always uses one job.
  unsigned jobs = 1;
  /// Wait for another writer of the same index to finish instead of failing at once.
  bool wait = false;
  /// Remove everything the index holds first, then index the paths into it.
  bool rebuild = false;

  /// The data folder of the source tree this program was built from.
  static constexpr const char* kDefaultDataDir = SPEECHDEX_DEFAULT_DATA_DIR;
};

/// What a run did.
struct IndexStats {
  size_t indexed = 0, unchanged = 0, failed = 0, speeches = 0, paragraphs = 0;
  size_t set_aside = 0;  ///< of the paragraphs, those set aside as boilerplate
  bool compacted = false;
  size_t files = 0;  ///< files found
};

/// Indexes the paths. Bad files are reported through `warn` (what, path) and skipped;
/// `note` receives remarks that are not problems (a file read as GB18030). Throws
/// IndexError / UsageError / InputError for what stops the whole run (the database cannot
/// be opened, a vocabulary cannot be read).
IndexStats index_corpus(const IndexOptions& options, const Warn& warn, const Warn& note);

}  // namespace speechdex::indexer
