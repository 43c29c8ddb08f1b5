// The indexing pipeline: paths -> read -> clean -> split -> metadata -> write, file by file.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "clusters.h"
#include "corpus_reader.h"
#include "data_dir.h"

namespace speechdex::indexer {

/// What to index and with which vocabularies.
struct IndexOptions {
  std::string db;
  std::vector<std::string> paths;
  std::string data_dir = default_data_dir();  ///< gazetteer tables (admin-divisions.tsv, ...)
  std::string topics;                         ///< topic taxonomy; "" = data_dir/topics.tsv
  std::string manifest;                       ///< "" = none
  bool force = false;                         ///< re-index unchanged files too
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
  /// With jobs > 1: keep each job's shard as an index of its own, DB/shard-1 .. shard-N,
  /// instead of merging them (a folder of indexes, searched as one: docs/scaling.md). DB
  /// must not hold an index or shards already.
  bool keep_shards = false;
  /// Wait for another writer of the same index to finish instead of failing at once.
  bool wait = false;
  /// Remove everything the index holds first, then index the paths into it.
  bool rebuild = false;
  /// How folders are walked (hidden entries, the file size limit).
  WalkOptions walk;
  /// How text is decoded (a forced encoding, --lossy).
  DecodeOptions decode;
  /// kStore: the index folder with its text store (docs/index.md); kXapian: a plain Xapian
  /// database that stock xapian-tcpsrv serves (xapian_layout.h, docs/scaling.md).
  enum class Layout { kStore, kXapian } layout = Layout::kStore;
};

/// What a run did.
struct IndexStats {
  size_t files = 0;        ///< files found by the walk
  size_t indexed = 0;      ///< files read that the index did not hold
  size_t updated = 0;      ///< files read again because they changed (or --force)
  size_t unchanged = 0;    ///< files the index holds as they are
  size_t removed = 0;      ///< files deleted from disk whose paragraphs were removed
  size_t skipped = 0;      ///< not read, reported: too large, a link loop, a broken link
  size_t failed = 0;       ///< could not be read or decoded, reported
  size_t bad_records = 0;  ///< JSON Lines lines that could not be used, reported
  size_t speeches = 0, paragraphs = 0;
  size_t set_aside = 0;  ///< of the paragraphs, those set aside as boilerplate
  size_t hidden = 0;     ///< hidden entries not entered (--hidden enters them)
  std::map<std::string, size_t> other_formats;  ///< files not read, by extension
  bool compacted = false;
  /// The shards kept (--keep-shards), in order; empty otherwise.
  std::vector<std::string> shards;
  schema::DuplicateStats duplicates;  ///< the index's duplicate clusters after the run
};

/// How far a run has come, for a progress line.
struct Progress {
  size_t files_done = 0, files = 0;
  uint64_t bytes_done = 0, bytes = 0;
};

/// Indexes the paths. Bad files are reported through `warn` (what, path) and skipped;
/// `note` receives remarks that are not problems (a file read as GB18030). Throws
/// IndexError / UsageError / InputError for what stops the whole run (the database cannot
/// be opened, a vocabulary cannot be read).
/// `progress`, if given, is called after each file (from one thread at a time).
IndexStats index_corpus(const IndexOptions& options, const Warn& warn, const Warn& note,
                        const std::function<void(const Progress&)>& progress = {});

}  // namespace speechdex::indexer
