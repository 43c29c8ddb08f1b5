// Batch queries: one query per line, one result line per query (docs/output.md).
#pragma once

#include <istream>
#include <ostream>

#include "printer.h"
#include "searcher.h"

namespace speechdex::searcher {

/// Runs one query per line of `in` (blank lines skipped) with the filters, facets, page
/// and grouping of `base`, in this one process, and prints for each query its exact count,
/// the ids of its top hits, the facet counts asked for and the milliseconds it took (JSON
/// Lines), or a table of query × count × facet bucket (CSV). A query that cannot be parsed
/// gets an error entry and the batch goes on. Returns the number of failed queries.
size_t run_batch(Searcher& searcher, std::istream& in, const SearchRequest& base, Format format,
                 std::ostream& out);

}  // namespace speechdex::searcher
