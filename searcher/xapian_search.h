// Searching databases of the Xapian layout (docs/scaling.md): local ones, stub files and
// shards served by the stock xapian-tcpsrv, with the parsed query compiled into stock
// Xapian operators. Results are the store layout's SearchResult, so every printer prints them.
#pragma once

#include <xapian.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gazetteer.h"
#include "match.h"
#include "searcher.h"
#include "taxonomy.h"

namespace speechdex::searcher {

/// Which shards to open.
struct ShardOptions {
  /// Folders of the Xapian layout, or stub files of `remote HOST:PORT`, `auto PATH` and
  /// `glass PATH` lines (relative paths from the stub's folder; '#' starts a comment).
  std::vector<std::string> dbs;
  /// HOST:PORT of shards served by xapian-tcpsrv.
  std::vector<std::string> remotes;
  /// How long a remote shard may take to connect or to answer, in milliseconds (stub files'
  /// remote lines too: this program opens each line itself).
  unsigned timeout_ms = 10000;
  /// Skip the shards that cannot be opened (warning for each) instead of failing; results
  /// name them (SearchResult::skipped_shards).
  bool allow_partial = false;
};

/// Compiles a text store query into stock Xapian operators: a term, OP_PHRASE of a run's
/// bigrams at consecutive positions (window = their number, so Xapian checks them at exact
/// offsets), OP_AND, OP_OR, OP_AND_NOT, MatchAll; a kUnit is its unigram term. Throws
/// QueryError naming what stock Xapian cannot express (NEAR and BEFORE).
Xapian::Query to_xapian(const textstore::Query& query);

/// Shards of the Xapian layout opened as one Xapian database.
class XapianSearcher {
 public:
  /// Opens every shard and checks its schema and layout. Throws IndexError naming the first
  /// shard that cannot be opened (or, with allow_partial, if none can); with allow_partial,
  /// `warn` receives one line per shard skipped.
  XapianSearcher(const ShardOptions& options, const std::function<void(const std::string&)>& warn);

  /// A ranked search: exact counts (every document is checked), facets by
  /// ValueCountMatchSpy, grouping by a collapse key on the speech slot, --dedup paragraph by
  /// one on the cluster slot, sort by year by value then relevance. Throws QueryError for
  /// what the layout cannot answer exactly (facets with --dedup, --dedup speech).
  SearchResult search(const SearchRequest& request);
  /// Every hit of the request, by relevance (ranks from 1), its record read (--all).
  void for_each_hit(const SearchRequest& request, const std::function<void(const Hit&)>& hit);
  /// The record of a paragraph by its id in the combined database; UsageError if none.
  schema::ParagraphRecord record(unsigned docid);
  /// Calls `hit` with the id of every match of the request's query, filters and boilerplate
  /// setting (no ranking, page, facets or grouping), for trends. Throws QueryError for
  /// --dedup (a collapse keeps a cluster's best-ranked member, not its earliest).
  void for_each_match(const SearchRequest& request, const std::function<void(unsigned)>& hit);
  /// A value slot of every document of the shards (read on first use and kept). With a
  /// remote shard, the column holds the values of the last for_each_match's matches only
  /// (what a trend reads): Xapian 1.4 reads a remote value stream one document per round
  /// trip, so the values come as the matches' collapse keys, one match set per slot.
  const ValueColumn& value_column(Xapian::valueno slot);
  /// The vocabularies of the first shard (every shard is built with the same --data).
  const schema::Gazetteer& gazetteer();
  const schema::Taxonomy& taxonomy();
  /// The shards skipped (allow_partial).
  const std::vector<std::string>& skipped() const { return skipped_; }
  const Xapian::Database& database() const { return db_; }

 private:
  Xapian::Query build(const SearchRequest& request);
  Xapian::Enquire enquire(const SearchRequest& request, const Xapian::Query& query) const;
  // Matches `first` to `first + count` of `query` in id order, unweighted; with `key_slot`,
  // each item's collapse key is its value there (a collapse that keeps every member).
  Xapian::MSet in_id_order(const Xapian::Query& query, Xapian::doccount first,
                           Xapian::doccount count,
                           Xapian::valueno key_slot = Xapian::BAD_VALUENO) const;

  std::string name_;  ///< the shards as the options name them, for messages
  Xapian::Database db_;
  std::vector<std::string> skipped_;
  std::optional<schema::Gazetteer> gazetteer_;
  std::optional<schema::Taxonomy> taxonomy_;
  std::map<Xapian::valueno, std::unique_ptr<ValueColumn>> columns_;
  bool remote_ = false;        ///< a shard is remote
  std::string columns_query_;  ///< with remote_: the query whose matches columns_ hold
  // The next batch of the last for_each_match's matches from match `first`, fetched.
  Xapian::MSet fetch_batch(Xapian::doccount first) const;
  // The last for_each_match: its query and matches, and a batch of their records (record()).
  Xapian::Query last_query_;
  std::vector<unsigned> last_ids_;
  std::unordered_map<unsigned, std::string> prefetched_;
};

}  // namespace speechdex::searcher
