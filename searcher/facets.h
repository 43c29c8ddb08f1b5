// Facets: exact counts of metadata values over the whole match set.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "clusters.h"
#include "gazetteer.h"
#include "taxonomy.h"

namespace speechdex::searcher {

/// One value of a facet and how many matching paragraphs have it.
struct FacetBucket {
  std::string key;    ///< county code, 2-digit province code, year, topic id or role
  std::string label;  ///< 巴东县 (湖北省), 湖北省, 2020, 法治政府, 县长
  uint64_t count = 0;
};

/// A facet: buckets sorted by count, then by value (years in numeric order), and the
/// paragraphs with no value.
struct Facet {
  std::string name;
  std::vector<FacetBucket> buckets;
  uint64_t unknown = 0;
};

/// The facet names there are.
const std::vector<std::string>& facet_names();

/// One value slot of every document, read once from the slot's value stream: each
/// document's value as a small code into the slot's distinct values, so that counting,
/// grouping and sorting over a match set are array look-ups.
class ValueColumn {
 public:
  ValueColumn(const Xapian::Database& db, Xapian::valueno slot);
  /// The slot of several databases searched as one, by the ids of the whole.
  ValueColumn(const std::vector<schema::DatabasePart>& parts, Xapian::valueno slot);
  /// A column of these documents' values (the others have none), ids below `end`.
  ValueColumn(Xapian::docid end, const std::vector<std::pair<Xapian::docid, std::string>>& values);
  /// The document's value code: 0 if it has no value.
  uint32_t code(Xapian::docid docid) const { return docid < codes_.size() ? codes_[docid] : 0; }
  /// The value of a code (code 0: empty).
  const std::string& value(uint32_t code) const { return values_[code]; }
  size_t distinct() const { return values_.size(); }
  /// The place of a code's value among the values in byte order (Xapian's value order, so
  /// numeric for sortable_serialise'd numbers): ties in a facet's counts are broken by it.
  uint32_t rank(uint32_t code) const { return ranks_[code]; }

 private:
  ValueColumn() : values_(1) {}
  void set(Xapian::docid docid, std::string value,
           std::unordered_map<std::string, uint32_t>& code_of);
  void rank_values();

  std::vector<uint32_t> codes_;      // by document id
  std::vector<std::string> values_;  // by code; values_[0] is empty
  std::vector<uint32_t> ranks_;      // by code
};

/// Counts facets over the matches, from the documents' value slots: county, province, year
/// and role from theirs, topics from the paragraph's list of topic ids.
class FacetCollector {
 public:
  /// `column(slot)` gives the value column of a slot.
  FacetCollector(const std::vector<std::string>& names, const schema::Taxonomy& taxonomy,
                 const std::function<const ValueColumn&(Xapian::valueno)>& column);
  /// Counts one match.
  void add(Xapian::docid docid) {
    for (Counter& c : counters_) ++c.counts[c.column->code(docid)];
  }
  /// The counts; `total` is the exact number of matches. `gazetteer` labels county and
  /// province buckets (needed only for those facets).
  std::vector<Facet> collect(uint64_t total, const schema::Gazetteer* gazetteer) const;
  /// True if collect() needs the gazetteer.
  bool needs_gazetteer() const;

 private:
  struct Counter {
    std::string facet;
    const ValueColumn* column;
    std::vector<uint64_t> counts;  // by value code
  };
  const schema::Taxonomy& taxonomy_;
  std::vector<Counter> counters_;
};

}  // namespace speechdex::searcher
