// Facets: exact counts of metadata values over the whole match set.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gazetteer.h"
#include "taxonomy.h"

namespace speechdex::searcher {

/// One value of a facet and how many matching paragraphs have it.
struct FacetBucket {
  std::string key;    ///< county code, 2-digit province code, year, topic id or role
  std::string label;  ///< 巴东县 (湖北省), 湖北省, 2020, 法治政府, 县长
  uint64_t count = 0;
};

/// A facet: buckets sorted by count (then key), and the paragraphs with no value.
struct Facet {
  std::string name;
  std::vector<FacetBucket> buckets;
  uint64_t unknown = 0;
};

/// The facet names there are.
const std::vector<std::string>& facet_names();

/// Counts facets with Xapian's own ValueCountMatchSpy (so the counts stay exact on
/// remote shards): one spy per value slot; topics, which a paragraph may have several of,
/// get one slot per topic.
class FacetCollector {
 public:
  /// Registers spies for `names` on `enquire`.
  FacetCollector(const std::vector<std::string>& names, const schema::Taxonomy& taxonomy,
                 Xapian::Enquire& enquire);
  /// Reads the counts after the match; `total` is the exact number of matches.
  /// `gazetteer` labels county and province buckets (needed only for those facets).
  std::vector<Facet> collect(uint64_t total, const schema::Gazetteer* gazetteer) const;
  /// True if collect() needs the gazetteer.
  bool needs_gazetteer() const;

 private:
  struct Spy {
    std::string facet;
    std::unique_ptr<Xapian::ValueCountMatchSpy> spy;
    int topic = -1;  // for per-topic slots
  };
  std::vector<std::string> names_;
  const schema::Taxonomy& taxonomy_;
  std::vector<Spy> spies_;
};

}  // namespace speechdex::searcher
