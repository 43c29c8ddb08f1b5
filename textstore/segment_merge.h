// Merging segments into one: what compaction, parallel builds and updates need to bound the
// number of segments a query walks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "segment.h"

namespace speechdex::textstore {

/// Where a source document goes: its id in the merged segment, or 0 to drop it (deleted).
/// Kept documents must get increasing ids in the order of the sources, then of their ids.
using Renumber = std::function<uint32_t(size_t source, uint32_t docid)>;

/// Merges `sources` into one segment at `path`, written as SegmentWriter::write writes
/// (temporary file, sync, rename): every document `renumber` keeps, with all its terms,
/// lengths and positions. Terms left with no document are dropped. Memory holds one term's
/// merged postings at a time, and the dictionary. Returns the file's size. Throws
/// std::invalid_argument if the renumbering is not increasing or a term is positional in one
/// source and not another, std::runtime_error if a file cannot be read or written.
///
/// With `offsets` (one per source), `renumber` keeps every document and adds offsets[k] to
/// each of source k (as Xapian's compactor renumbers shards with nothing deleted): each
/// list is then copied block by block (PostingListBuilder::append), not decoded and
/// re-encoded, and blocks of fewer than kBlockDocuments documents may end each source's
/// part of a list. A renumbering that differs from the offsets is std::invalid_argument.
uint64_t merge_segments(const std::vector<std::shared_ptr<const Segment>>& sources,
                        const Renumber& renumber, const std::string& path,
                        const std::vector<uint32_t>* offsets = nullptr);

/// Xapian's compactor's renumbering of its sources (api/compactor.cc): document d of source
/// k becomes d − (first_k − 1) + Σ_{j<k} (last_j − first_j + 1), where `ranges` holds each
/// source's lowest and highest used id ((0, 0) if it is empty). Gaps inside a source stay.
/// It drops nothing: wrap it to drop deleted documents.
Renumber compactor_renumbering(const std::vector<std::pair<uint32_t, uint32_t>>& ranges);
/// The offset compactor_renumbering() adds to each source's documents.
std::vector<uint32_t> compactor_offsets(const std::vector<std::pair<uint32_t, uint32_t>>& ranges);

}  // namespace speechdex::textstore
