// Writing: speeches -> Xapian documents, one per paragraph, replaced file by file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clusters.h"
#include "corpus_reader.h"
#include "duplicates.h"
#include "gazetteer.h"
#include "index_meta.h"
#include "metadata_extractor.h"
#include "record.h"
#include "segment_writer.h"
#include "speech_splitter.h"
#include "taxonomy.h"
#include "tokenizer.h"

namespace Xapian {
class Database;
class Document;
class WritableDatabase;
}  // namespace Xapian

namespace speechdex::indexer {

/// Where a paragraph's text store terms go (docs/index.md): the indexer's segment, or a test.
class TermSink {
 public:
  virtual ~TermSink() = default;
  /// `wdf` occurrences of a term without positions (0 for a filter term).
  virtual void add_term(std::string_view term, uint32_t wdf) = 0;
  /// One occurrence of a term at `position`.
  virtual void add_occurrence(std::string_view term, uint32_t position) = 0;
  /// The same two for a term of a field that repeats alike on consecutive paragraphs (a
  /// speech's title, a section's headings), which a sink may store once per run of them
  /// (textstore::SegmentWriter::add_repeated_term); by default, as any other.
  virtual void add_repeated_term(std::string_view term, uint32_t wdf) { add_term(term, wdf); }
  virtual void add_repeated_occurrence(std::string_view term, uint32_t position) {
    add_occurrence(term, position);
  }
  using Addition = textstore::SegmentWriter::Addition;
  /// Many of the four calls above, in order (a paragraph's terms of one field); by default,
  /// one by one.
  virtual void add(std::span<const Addition> additions);
};

/// Builds paragraph `paragraph_index` (0-based) of a speech: its text and filter terms go
/// to `terms`; the Xapian document returned holds its record and value slots (the writer
/// adds the source term where its layout wants it).
/// `minhash`, if given, receives the MinHash of its text (none for boilerplate), from
/// which the caller makes the speech's signature; `places` are the county names its
/// signature reads as placeholders (schema::minhash). The document's data refers to the
/// paragraph's record (schema::ParagraphRef), which `record`, if given, receives: the caller
/// stores it with its speech's (schema::SpeechRecords).
Xapian::Document build_document(const SourceFile& file, int speech_number, const Speech& speech,
                                const SpeechMetadata& meta, size_t paragraph_index,
                                const schema::Taxonomy& taxonomy, TermSink& terms,
                                schema::MinHash* minhash = nullptr,
                                const schema::Gazetteer* places = nullptr,
                                schema::ParagraphRecord* record = nullptr);

/// Removes what no commit of the index at `db` names (left by a crash or a failed run):
/// unnamed segments and records generations, the work folder. The caller holds the lock.
void remove_leftovers(const std::string& db);

/// Throws UsageError unless the folder at `db` is empty but for a lock, or a speechdex index
/// (of any schema version): --rebuild never replaces a folder of other files.
void check_rebuildable(const std::string& db);
/// Removes the work folder of the index at `db`; the caller holds the lock.
void remove_work(const std::string& db);
/// Removes everything of the index folder but its lock, stub, live generation and the
/// segments that generation names (--rebuild: the old index's files, of any schema).
void remove_all_but_live(const std::string& db);

/// Adds the text store terms of a paragraph, from its record alone: its text (`units`, the
/// tokenized text), title and headings, and a filter term for each metadata field known.
void add_record_terms(const schema::ParagraphRecord& r, const std::vector<schema::Unit>& units,
                      TermSink& terms);
void add_record_terms(const schema::ParagraphRecord& r, TermSink& terms);

/// Compacts the databases at `sources` into one database at `target`, through a temporary
/// copy that replaces `target` only when complete (Xapian's compactor merges shards and
/// halves a freshly built index). Their text stores are merged into one segment, without
/// deleted documents and renumbered as Xapian renumbers the records. Throws IndexError.
/// Finds the duplicate clusters of the compacted database (clusters.h) and returns what it
/// found.
schema::DuplicateStats compact_into(const std::vector<std::string>& sources,
                                    const std::string& target);

/// Writes files into a Xapian database and its text store (docs/text-store.md). Each file's
/// paragraphs replace whatever the database held for that file, and commits happen only
/// between files, so a crash or a bad file never leaves a file half-indexed or loses what
/// was committed before. A commit first writes the paragraphs' text terms as a new segment,
/// then commits the records with metadata naming it; segment files no commit names (left by
/// a crash) are removed when a writer opens the database.
class IndexWriter {
 public:
  /// Opens or creates the database at `path`; throws IndexError if it cannot be opened
  /// (locked by another writer, not a database, another schema version). An index built
  /// with another gazetteer or topic taxonomy is refused (UsageError) unless `force`, when
  /// every file given is re-indexed. An index whose text store disagrees with its records
  /// is refused (IndexError) unless `repairing` (--check --repair).
  IndexWriter(const std::string& path, const schema::Gazetteer& gazetteer,
              const schema::Taxonomy& taxonomy, bool force, bool repairing = false);
  ~IndexWriter();
  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;

  /// What the database holds of a file.
  enum class FileState {
    kNew,      ///< nothing
    kChanged,  ///< the file as it was at another size or mtime
    kCurrent,  ///< the file as it is now (same size and mtime)
  };
  FileState state_of(const SourceFile& file) const;
  /// True if the database holds this file as it is now (same size and mtime).
  bool is_current(const SourceFile& file) const { return state_of(file) == FileState::kCurrent; }

  /// The canonical paths of the files the database holds whose path starts with `folder`
  /// followed by '/'.
  std::vector<std::string> files_under(const std::string& folder) const;

  /// Removes a file's paragraphs (a file deleted from disk). Returns their number.
  size_t remove_file(const std::string& canonical_path);

  /// Replaces the file's paragraphs by these speeches and their metadata (one entry per
  /// speech). Returns the number of paragraphs.
  size_t write_file(const SourceFile& file, const std::vector<Speech>& speeches,
                    const std::vector<SpeechMetadata>& metas);

  /// Commits if enough has been written since the last commit (call between files).
  void commit_if_due();

  /// Commits everything written.
  void commit();
  /// Commits everything written, then the duplicate clusters of the whole index as it is
  /// (clusters.h) in a second commit. The last commit of a run that does not compact.
  schema::DuplicateStats finish();

  /// True if the database files have grown past 1.25 times their size right after the
  /// last compaction (false if it was never compacted). Call after commit().
  bool grown_since_compaction() const;

  /// True if the database held no documents when it was opened, or holds those of a fresh
  /// build that did not finish (a crash): the run goes on as that build.
  bool started_empty() const { return started_empty_; }
  /// True if the database holds no documents now.
  bool empty() const;
  /// Marks the commits of this run as those of a fresh build, which a re-run after a crash
  /// continues (kMetaBuild) until compaction ends it.
  void set_fresh_build(bool fresh) { fresh_build_ = fresh; }

  /// Replaces the text store by one segment built from the records alone (every live
  /// paragraph's terms come from its record: add_record_terms), with no deleted ids; takes
  /// effect with the next commit. For an index whose records are sound and whose text
  /// store is damaged (speechdex-index --check --repair).
  void rebuild_text_store();

  /// Commits, closes the database and rewrites it compacted (Xapian's compactor), through
  /// a temporary copy that replaces the original only when complete. The writer cannot be
  /// used afterwards. The compacted database holds its duplicate clusters.
  schema::DuplicateStats compact();

 private:
  std::string path_;
  const schema::Gazetteer& gazetteer_;
  const schema::Taxonomy& taxonomy_;
  std::unique_ptr<Xapian::WritableDatabase> db_;
  std::unique_ptr<textstore::SegmentWriter> segment_;  ///< paragraphs since the last commit
  schema::TextStoreState text_;                        ///< as the next commit will record it
  size_t pending_ = 0;
  bool index_metadata_written_ = false;  ///< schema and vocabularies committed by this writer
  bool started_empty_ = false;
  bool fresh_build_ = false;
  // The records dictionary new speeches are compressed with (none until trained), and the
  // speeches written so far to train it on.
  std::shared_ptr<const schema::RecordDictionary> dictionary_;
  std::vector<std::string> samples_;
  size_t samples_bytes_ = 0;
  bool dictionary_tried_ = false;

  void begin();
  // Removes a file's paragraphs from the records and their matches from the text store.
  size_t forget(const std::string& canonical_path);
  // Keeps a speech's serialized records to train the records dictionary on, and trains it
  // once there are enough.
  void sample_for_dictionary(std::string body);
  // Sets the schema version, tokenizer and vocabularies (committed with the next commit).
  void write_index_metadata();
};

/// The metadata value that records a file's state: "<size> <mtime>".
std::string file_state(const SourceFile& file);
/// What `db` holds of a file, from its kMetaFilePrefix entry (IndexWriter::state_of).
IndexWriter::FileState file_state_in(const Xapian::Database& db, const SourceFile& file);
/// The canonical paths of the files `db` holds under `folder` (IndexWriter::files_under).
std::vector<std::string> files_in(const Xapian::Database& db, const std::string& folder);

}  // namespace speechdex::indexer
