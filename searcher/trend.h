// Trends: how often queries occur per year, county, province, topic or role, with each
// bucket's totals and rates normalized by them (docs/output.md, "Trends").
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "printer.h"
#include "searcher.h"

namespace speechdex::searcher {

class XapianSearcher;

/// What to count.
struct TrendRequest {
  /// One or two of facet_names(): buckets are their values (pairs of values for two).
  std::vector<std::string> fields;
  /// One series per query (query syntax as for a search).
  std::vector<std::string> queries;
  /// Filters that narrow the matches and the buckets' totals alike.
  std::vector<FilterSpec> filters;
  Boilerplate boilerplate = Boilerplate::kExclude;
  /// Count each duplicate cluster once, in the matches and in the totals alike (dedup.h).
  Dedup dedup = Dedup::kNone;
};

/// One bucket and what the filtered corpus holds in it.
struct TrendBucket {
  std::vector<std::string> keys;  ///< per field: county code, province code, year, topic id,
                                  ///< role; "" for paragraphs with no value
  std::vector<std::string> labels;  ///< per field: 巴东县, 湖北省, 2020, 法治政府, 县长, unknown
  std::string label;                ///< the labels joined by '/'
  uint64_t paragraphs = 0, speeches = 0;
  uint64_t chars = 0;  ///< code points of the bucket's paragraph texts
};

/// One query's counts in one bucket.
struct TrendCount {
  uint64_t paragraphs = 0;   ///< matching paragraphs
  uint64_t speeches = 0;     ///< speeches with a matching paragraph
  uint64_t occurrences = 0;  ///< non-overlapping matches of the query's text parts in them
};

/// One query's series: a count per bucket, in the order of TrendResult::buckets.
struct TrendSeries {
  std::string query;
  std::string error;  ///< the query could not be parsed or its filters resolved; no counts
  std::vector<TrendCount> counts;
  TrendCount whole;  ///< over the whole filtered corpus (a speech once, however many buckets)
  double ms = 0;     ///< time to count this series
};

/// Trends of several queries over the same buckets.
struct TrendResult {
  std::vector<std::string> fields;
  /// Years in numeric order, other values in key order (topics in taxonomy order); the
  /// bucket of paragraphs with no value ("unknown") last.
  std::vector<TrendBucket> buckets;
  TrendBucket whole;  ///< the whole filtered corpus
  std::vector<TrendSeries> series;
  double setup_ms = 0;  ///< time to read the buckets and their totals
};

/// Counts the trends. The filtered corpus is read once (each paragraph's record, for its
/// character count and its units), then each query costs one match and a scan of the
/// matching paragraphs' units. A query that cannot be parsed or whose filters do not
/// resolve gets an error series; throws QueryError if the request's own filters do not.
TrendResult run_trend(Searcher& searcher, const TrendRequest& request);
/// The same over Xapian-layout shards (xapian_search.h): every paragraph of the filtered
/// corpus is read from its shard. --dedup is refused there (XapianSearcher::for_each_match).
TrendResult run_trend(XapianSearcher& searcher, const TrendRequest& request);

/// Occurrences per 10,000 characters of the bucket (0 for an empty bucket).
double per_10k_chars(const TrendCount& count, const TrendBucket& bucket);
/// Share of the bucket's speeches with a match (0 for an empty bucket).
double speech_share(const TrendCount& count, const TrendBucket& bucket);

/// Prints the trends as a table with a bar per bucket, as CSV in long format or as JSON
/// Lines (docs/output.md). `color` applies to the table only.
void print_trend(const TrendResult& result, Format format, std::ostream& out, bool color);

}  // namespace speechdex::searcher
