// Writing: speeches -> Xapian documents, one per paragraph, replaced file by file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "corpus_reader.h"
#include "speech_splitter.h"

namespace Xapian {
class Document;
class WritableDatabase;
}  // namespace Xapian

namespace speechdex::indexer {

/// Builds the Xapian document of one paragraph (terms, values, data).
Xapian::Document build_document(const SourceFile& file, int speech_number, const Speech& speech,
                                int paragraph_number, const Paragraph& paragraph);

/// Writes files into a Xapian database. Each file's paragraphs replace whatever the
/// database held for that file, and commits happen only between files, so a crash or a
/// bad file never leaves a file half-indexed or loses what was committed before.
class IndexWriter {
 public:
  /// Opens or creates the database at `path`; throws IndexError if it cannot be opened
  /// (locked by another writer, not a database, another schema version).
  explicit IndexWriter(const std::string& path);
  ~IndexWriter();
  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;

  /// True if the database holds this file as it is now (same size and mtime).
  bool is_current(const SourceFile& file) const;

  /// Replaces the file's paragraphs by these speeches. Returns the number of paragraphs.
  size_t write_file(const SourceFile& file, const std::vector<Speech>& speeches);

  /// Commits if enough has been written since the last commit (call between files).
  void commit_if_due();

  /// Commits everything written.
  void commit();

 private:
  std::string path_;
  std::unique_ptr<Xapian::WritableDatabase> db_;
  size_t pending_ = 0;
};

}  // namespace speechdex::indexer
