// The Xapian layout (docs/scaling.md): a plain Xapian glass database of paragraphs that the
// stock xapian-tcpsrv can serve, with the store layout's terms, filter terms and value slots
// in Xapian and each paragraph's whole record as its document data.
#pragma once

#include <xapian.h>

#include <memory>
#include <string>
#include <vector>

#include "clusters.h"
#include "corpus_reader.h"
#include "gazetteer.h"
#include "index_writer.h"
#include "metadata_extractor.h"
#include "speech_splitter.h"
#include "taxonomy.h"

namespace speechdex::indexer {

/// True if `path` holds a database of the Xapian layout (its metadata says so).
bool is_xapian_layout_db(const std::string& path);

/// --check of a database of the Xapian layout: Xapian's own check of every table, the schema
/// version, and every paragraph's record decoded. Returns the problems found ("" none) and
/// sets `paragraphs` to the number of documents.
std::vector<std::string> check_xapian_layout(const std::string& path, size_t& paragraphs);

/// Writes files into a database of the Xapian layout at `path` (a folder: the glass files
/// are at its top, so `xapian-tcpsrv PATH` and a stub line `auto PATH` open it):
/// - per paragraph, the terms IndexWriter puts in the text store (add_record_terms: unigrams,
///   bigrams at each unit's position, title and heading terms, boolean filter terms), here as
///   Xapian terms, postings and boolean terms;
/// - the same value slots, and schema::kSlotCluster after finish();
/// - as document data, the whole record (schema::SpeechRecords of the one paragraph), so a
///   remote shard's hits print without its metadata.
/// The metadata holds the schema version, tokenizer, vocabularies, file states and
/// kMetaLayout. Each file's paragraphs replace the old ones in one transaction, as
/// IndexWriter's do.
class XapianLayoutWriter {
 public:
  XapianLayoutWriter(const std::string& path, const schema::Gazetteer& gazetteer,
                     const schema::Taxonomy& taxonomy, bool force);
  ~XapianLayoutWriter();
  XapianLayoutWriter(const XapianLayoutWriter&) = delete;
  XapianLayoutWriter& operator=(const XapianLayoutWriter&) = delete;

  using FileState = IndexWriter::FileState;
  FileState state_of(const SourceFile& file) const;
  std::vector<std::string> files_under(const std::string& folder) const;
  size_t remove_file(const std::string& canonical_path);
  size_t write_file(const SourceFile& file, const std::vector<Speech>& speeches,
                    const std::vector<SpeechMetadata>& metas);
  void commit_if_due();
  void commit();
  /// Commits, then finds the duplicate clusters of this database (clusters.h: they are
  /// per database, so per shard) and stores each clustered paragraph's cluster key in
  /// schema::kSlotCluster, in a second commit.
  schema::DuplicateStats finish();
  /// True if the database held no documents when this writer opened it.
  bool started_empty() const { return started_empty_; }
  /// Closes the database and compacts it with Xapian's compactor (about half the size): the
  /// compacted tables are written aside, synced and renamed over the old ones, the version
  /// file last. For a fresh build only, which nothing serves yet: a reader opening the
  /// database during the renames could see tables of both. The writer cannot be used after.
  void compact();

 private:
  std::string path_;
  const schema::Gazetteer& gazetteer_;
  const schema::Taxonomy& taxonomy_;
  std::unique_ptr<Xapian::WritableDatabase> db_;
  size_t pending_ = 0;
  bool started_empty_ = false;
  // Deletes a file's paragraphs; returns how many there were.
  size_t forget(const std::string& canonical_path);
};

}  // namespace speechdex::indexer
