// Duplicate clusters: every paragraph and speech of an index grouped with its exact and near
// copies, from the signatures in its value slots (docs/duplicates.md).
#pragma once

#include <xapian.h>

#include <vector>

#include "duplicates.h"

namespace speechdex::schema {

/// What finding the clusters found, for the run's summary and the bench.
struct DuplicateStats {
  size_t paragraphs = 0;          ///< documents
  size_t paragraph_clusters = 0;  ///< clusters of two or more paragraphs
  size_t paragraph_copies = 0;    ///< paragraphs in a cluster that are not its earliest
  size_t speeches = 0;
  size_t speech_clusters = 0;
  size_t speech_copies = 0;
  size_t compared = 0;  ///< candidate pairs whose signatures were compared
};

/// One database of several searched as one: its documents' ids plus `base` are the ids of
/// the whole.
struct DatabasePart {
  const Xapian::Database* db = nullptr;
  Xapian::docid base = 0;
};

/// Computes the clusters of every document of `db` as it is (committed or not): exact
/// copies by the normalized text's hash, near copies by MinHash with locality-sensitive
/// hashing; each cluster's earliest member by year, then source path, then document order.
DuplicateTable find_duplicates(const Xapian::Database& db, DuplicateStats* stats = nullptr);
/// The same over several databases searched as one, in the ids of the whole (parts in
/// increasing base order, none overlapping): the table one database holding all their
/// documents under those ids would have.
DuplicateTable find_duplicates(const std::vector<DatabasePart>& parts,
                               DuplicateStats* stats = nullptr);

/// find_duplicates, stored in the metadata of `db` (committed with the caller's next
/// commit).
DuplicateStats write_duplicates(Xapian::WritableDatabase& db);

}  // namespace speechdex::schema
