// Running a parsed query against a database: exact counts and ranked hits.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "query_parser.h"
#include "record.h"

namespace speechdex::searcher {

/// One ranked hit.
struct Hit {
  unsigned docid = 0;
  double score = 0;
  size_t rank = 0;  ///< 1-based, counting from the first hit of the whole result
  schema::ParagraphRecord record;
};

/// What a search returns.
struct SearchResult {
  uint64_t total = 0;  ///< exact number of matching paragraphs
  std::vector<Hit> hits;
};

/// Which page of hits to fetch.
struct Page {
  size_t offset = 0;
  size_t limit = 10;  ///< 0: count only, fetch no hits
};

/// A database opened for searching.
class Searcher {
 public:
  /// Opens the database at `path` and checks its schema version; throws UsageError if
  /// there is no folder at `path`, IndexError if it cannot be opened or is of another version.
  explicit Searcher(const std::string& path);
  ~Searcher();
  Searcher(const Searcher&) = delete;
  Searcher& operator=(const Searcher&) = delete;

  /// Runs a query (BM25, ties by document order). The total is exact. Reopens and retries
  /// once if the database was modified by a writer during the search.
  SearchResult search(const ParsedQuery& query, const Page& page);

 private:
  SearchResult run(const ParsedQuery& query, const Page& page);

  std::string path_;
  std::unique_ptr<Xapian::Database> db_;
};

}  // namespace speechdex::searcher
