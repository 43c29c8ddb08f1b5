// Metadata filters: county:, province:, year:, topic:, role: resolved to filter terms.
#pragma once

#include <optional>
#include <vector>

#include "gazetteer.h"
#include "match.h"
#include "query_parser.h"
#include "taxonomy.h"

namespace speechdex::searcher {

/// The filters of a query as text store queries over boolean terms: `keep` (values of one
/// field ORed, fields ANDed) and `drop` (negated filters, ORed). Boolean terms have wdf 0,
/// so they add nothing to a score.
struct FilterQueries {
  std::optional<textstore::Query> keep, drop;
};

/// Resolves filters against the index's vocabularies: a county by code, full, former or
/// short name (a name shared by several divisions means all of them); a province by name,
/// short name or 2-digit code; a year or a range 2015..2020; a topic by id or label; a role.
/// An unknown value is a QueryError naming the nearest valid values.
FilterQueries build_filters(const std::vector<FilterSpec>& filters,
                            const schema::Gazetteer& gazetteer, const schema::Taxonomy& taxonomy);

}  // namespace speechdex::searcher
