// --copies and --clusters: the members of duplicate clusters, with where and when each was
// said and how similar it is to the earliest (docs/duplicates.md).
#pragma once

#include <optional>
#include <ostream>

#include "dedup.h"
#include "printer.h"
#include "searcher.h"

namespace speechdex::searcher {

/// Prints every member of the cluster of paragraph `docid` (under kSpeech: of its speech's
/// cluster), earliest first. Table, JSON Lines (one member a line) or CSV. Throws
/// UsageError if there is no paragraph `docid`.
void print_copies(std::ostream& out, Format format, Searcher& searcher, Dedup mode,
                  Xapian::docid docid);

/// Prints every cluster of two or more members under `mode` (kParagraph or kSpeech), the
/// largest first; with `request` (a query or filters), only the clusters one of whose
/// members it matches. Table, JSON Lines (one cluster a line, its members in a list) or CSV
/// (one member a row). Returns the number of clusters printed.
size_t print_clusters(std::ostream& out, Format format, Searcher& searcher, Dedup mode,
                      const std::optional<SearchRequest>& request);

}  // namespace speechdex::searcher
