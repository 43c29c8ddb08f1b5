// Running a query against a database: exact counts, filters, facets, grouping, ranked hits.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dedup.h"
#include "facets.h"
#include "gazetteer.h"
#include "match.h"
#include "query_parser.h"
#include "record.h"
#include "taxonomy.h"

namespace speechdex::searcher {

/// One ranked hit.
struct Hit {
  unsigned docid = 0;
  double score = 0;
  size_t rank = 0;                 ///< 1-based, counting from the first hit of the whole result
  schema::ParagraphRecord record;  ///< empty unless SearchRequest::records
  /// With grouping by speech: how many paragraphs of this hit's speech match.
  uint64_t speech_matches = 0;
  /// With --dedup: how many other matches (paragraphs, or speeches) this hit stands for.
  uint32_t copies = 0;
};

/// Which page of hits to fetch.
struct Page {
  size_t offset = 0;
  size_t limit = 10;  ///< 0: count only, fetch no hits
};

/// Order of hits.
enum class Sort { kRelevance, kYear, kYearDescending };

/// Which paragraphs the website furniture the cleaner set aside (kind boilerplate) counts
/// among: none by default, or all of them too, or only them.
enum class Boilerplate { kExclude, kInclude, kOnly };

/// What to search for and what to return.
struct SearchRequest {
  ParsedQuery query;
  std::vector<FilterSpec> filters;  ///< from flags; ANDed with the query's inline filters
  Page page;
  std::vector<std::string> facets;  ///< facet names (facet_names())
  bool group_by_speech = false;     ///< one hit per speech, its best paragraph
  Sort sort = Sort::kRelevance;
  Boilerplate boilerplate = Boilerplate::kExclude;
  /// Read each hit's record (document data). Without it a hit has its id, rank and score
  /// only, and the match reads no document data at all.
  bool records = true;
  /// Count each duplicate cluster once (dedup.h): hits, counts, facets and every pass over
  /// the matches see only the matches that count. kSpeech groups hits by speech.
  Dedup dedup = Dedup::kNone;
};

/// What a search returns.
struct SearchResult {
  uint64_t total = 0;             ///< exact number of matches: paragraphs, or speeches if grouped
  uint64_t total_paragraphs = 0;  ///< exact number of matching paragraphs
  std::vector<Hit> hits;
  std::vector<Facet> facets;  ///< counts of matching paragraphs
  /// Occurrences of the query's text parts in every matching paragraph: set only when
  /// asked for (count_totals in kwic.h reads every matching paragraph's text).
  std::optional<uint64_t> occurrences;
  /// The --dedup mode the counts were made under, and the matching paragraphs before
  /// collapsing (equal to total_paragraphs without it).
  Dedup dedup = Dedup::kNone;
  uint64_t matched_paragraphs = 0;
  /// Shards of a Xapian-layout search that were skipped with --allow-partial (they could
  /// not be reached): the counts cover the others only (xapian_search.h).
  std::vector<std::string> skipped_shards;
};

/// A database opened for searching.
class Searcher {
 public:
  /// Opens the database at `path` and checks its schema version; throws UsageError if
  /// there is no folder at `path`, IndexError if it cannot be opened or is of another version.
  explicit Searcher(const std::string& path);
  /// Opens several databases to search as one (docs/scaling.md): the documents of each are
  /// numbered after those of the one before (its ids plus the last id of those before), so
  /// counts, facets, BM25 statistics, duplicate clusters and document order are those of
  /// one index holding all their documents under these ids. They must share the gazetteer
  /// and topics they were built with (IndexError naming the first that does not).
  explicit Searcher(const std::vector<std::string>& paths);
  ~Searcher();
  Searcher(const Searcher&) = delete;
  Searcher& operator=(const Searcher&) = delete;

  /// Convenience: a plain query and a page.
  SearchResult search(const ParsedQuery& query, const Page& page);
  /// Runs a request: the text store finds and scores the matches (BM25, ties by document
  /// order), the records and value slots come from Xapian. Counts and facets are exact.
  /// Starts over on a new snapshot if a writer replaced this one during the search.
  SearchResult search(const SearchRequest& request);

  /// The record of a paragraph by document id; throws UsageError if there is none.
  schema::ParagraphRecord record(unsigned docid);

  /// Calls `hit` with the id of every paragraph the request's query, filters and
  /// boilerplate setting select, in document order within each segment; no scores, no
  /// ranking (page, facets, sort and grouping are ignored). For trends (trend.h). With
  /// --dedup, only the matches that count (collapse in dedup.h).
  void for_each_match(const SearchRequest& request, const std::function<void(unsigned)>& hit);

  /// Runs `body` on one snapshot of the index: if a writer replaced the snapshot while it
  /// ran (the errors search() starts over on), reopens the index and runs it again, up to
  /// the same limit. For work that reads more than one search (records hit by hit,
  /// several queries), so that all of it answers from one commit. `body` must be safe to
  /// run again: it must not have printed anything.
  void on_one_snapshot(const std::function<void()>& body);
  /// Calls `hit` with every match of the request (query, filters, boilerplate), its record
  /// read and its BM25 score, in index order: segment by segment, oldest first, ids
  /// ascending within each (after a compaction, ascending ids). Ranks count from 1 in that
  /// order. Page, facets, sort and grouping are ignored. Memory does not grow with the
  /// matches: each hit is handed over and dropped (--all). No retry: a writer that
  /// replaces the snapshot meanwhile makes it throw, as hits were already handed over.
  void for_each_hit(const SearchRequest& request, const std::function<void(const Hit&)>& hit);
  /// The databases searched (one unless several were opened as one), in order.
  size_t parts() const { return parts_.size(); }
  /// The Xapian database of a part's snapshot (its metadata, document count, revision).
  const Xapian::Database& database(size_t part = 0) const { return *parts_[part].db; }
  /// The path a part was opened from.
  const std::string& part_path(size_t part) const { return parts_[part].path; }
  /// The path the database was opened from; with several, their paths joined by ", ".
  const std::string& path() const { return path_; }
  /// A document by id, from the part that holds it (for its values). Throws
  /// Xapian::DocNotFoundError if there is none.
  Xapian::Document document(Xapian::docid docid) const;
  /// The documents of the whole: the sum over the parts.
  Xapian::doccount documents() const;
  /// Instances of a run of units (as its bigram terms, see textstore::TextIndex::count_run)
  /// in the paragraphs `docs` (increasing ids from for_each_match). For collocates.
  uint64_t count_run(const std::vector<std::string>& bigrams, const std::vector<unsigned>& docs) {
    return text_->count_run(bigrams, docs);
  }
  /// A value slot of every document (read on first use, kept until a reopen).
  const ValueColumn& value_column(Xapian::valueno slot) { return column(slot); }

  /// The duplicate table of the snapshot (read on first use; throws IndexError if the index
  /// has none or it is out of date).
  const DuplicateIndex& duplicates();

  /// The vocabularies the index was built with (read from its metadata on first use).
  const schema::Gazetteer& gazetteer();
  const schema::Taxonomy& taxonomy();

 private:
  SearchResult run(const SearchRequest& request);
  // The request's query with its filters and the boilerplate setting applied.
  textstore::Query effective_query(const SearchRequest& request);
  // Opens a snapshot of every part: records, segments and deleted ids of one commit each.
  void open();
  struct Part;
  void open_part(Part& part);
  // The text store of every part, as one.
  void open_text();
  // True if a writer replaced a snapshot since open(): another generation or revision.
  bool moved() const;
  static bool moved(const Part& part);
  /// A slot's values for every document, read on first use and kept until a reopen.
  const ValueColumn& column(Xapian::valueno slot);

  // One database of those searched as one.
  struct Part {
    std::string path;
    std::string generation;  ///< the live records generation when opened
    std::unique_ptr<Xapian::Database> db;
    std::unique_ptr<schema::RecordReader> records;  ///< of db, its speeches cached
    Xapian::docid base = 0;                         ///< added to db's ids
  };
  // The part holding a document id of the whole (the last whose base is below it).
  Part& part_of(Xapian::docid docid);
  const Part& part_of(Xapian::docid docid) const;
  std::vector<schema::DatabasePart> database_parts() const;
  // A paragraph's record by id of the whole.
  schema::ParagraphRecord read_record(Xapian::docid docid);

  std::string path_;
  std::vector<Part> parts_;
  std::unique_ptr<textstore::TextIndex> text_;
  std::map<Xapian::valueno, std::unique_ptr<ValueColumn>> columns_;
  std::unique_ptr<DuplicateIndex> duplicates_;
  // Grouping by speech: each speech's best match so far, in arrays indexed by the speech
  // slot's code and stamped with the query's number, kept between queries.
  struct GroupScratch;
  std::unique_ptr<GroupScratch> groups_;
  // --dedup speech: keeps, of each speech cluster, the earliest of the grouped speeches,
  // with the number of others as its copies; returns the matches of the speeches kept.
  uint64_t collapse_speeches(GroupScratch& groups);
  // The matches of a query (effective_query) that count under a --dedup mode, with their
  // copies; returns the number of matches before collapsing.
  uint64_t collapsed_matches(const textstore::Query& query, Dedup mode, bool scores,
                             std::vector<textstore::Scored>& matches,
                             std::vector<uint32_t>& copies);
  std::optional<schema::Gazetteer> gazetteer_;
  std::optional<schema::Taxonomy> taxonomy_;
};

}  // namespace speechdex::searcher
