// Duplicate-aware counting (--dedup) and the members of a cluster (--copies, --clusters),
// from the duplicate table the indexer stores (schema/duplicates.h, docs/duplicates.md).
#pragma once

#include <xapian.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "duplicates.h"
#include "match.h"

namespace speechdex::searcher {

class ValueColumn;

/// What --dedup collapses: nothing, each paragraph cluster, or each speech cluster.
enum class Dedup { kNone, kParagraph, kSpeech };

/// The name as typed and printed: "none", "paragraph", "speech".
const char* dedup_name(Dedup mode);

/// The duplicate table of one snapshot of an index.
class DuplicateIndex {
 public:
  /// Reads the table from the metadata of `db`; throws IndexError naming `path` if there
  /// is none or it is out of date (an indexing run was interrupted before its last commit).
  /// `speeches` is the speech slot's column of the same snapshot.
  DuplicateIndex(const Xapian::Database& db, const std::string& path, const ValueColumn& speeches);
  /// A table computed at search time (several indexes searched as one).
  DuplicateIndex(schema::DuplicateTable table, const ValueColumn& speeches);

  /// The cluster of a paragraph: the id of the cluster's earliest paragraph; under kSpeech,
  /// the id of the first paragraph of the cluster's earliest speech.
  uint32_t cluster(Dedup mode, Xapian::docid docid) const {
    const auto& c = mode == Dedup::kSpeech ? table_.speech : table_.paragraph;
    return docid < c.size() ? c[docid] : 0;
  }
  /// True if the paragraph's cluster under `mode` holds nothing else (no other paragraph;
  /// under kSpeech, no other speech).
  bool alone(Dedup mode, Xapian::docid docid) const {
    return docid < alone_.size() && (alone_[docid] & (mode == Dedup::kSpeech ? 2 : 1)) != 0;
  }
  /// The place of a paragraph in "earliest" order (year, then source, then position).
  uint32_t order(Xapian::docid docid) const {
    return docid < table_.order.size() ? table_.order[docid] : UINT32_MAX;
  }
  /// The members of `cluster` under `mode`, earliest first: paragraphs, or under kSpeech
  /// the first paragraph of each member speech. `speeches` is the speech slot's column.
  std::vector<Xapian::docid> members(Dedup mode, uint32_t cluster,
                                     const ValueColumn& speeches) const;
  /// Every cluster of two or more members, each as members() gives it; the largest first,
  /// then the one whose earliest member is earlier.
  std::vector<std::vector<Xapian::docid>> clusters(Dedup mode, const ValueColumn& speeches) const;

  /// Work arrays for collapse(), by cluster id and by speech code, valid where stamped
  /// with the current epoch (so a call clears nothing).
  struct Scratch {
    std::vector<uint32_t> cluster_stamp, earliest, members, speech_stamp;
    uint32_t epoch = 0;
    /// The next epoch; when the count wraps, every stamp is cleared first, so none from
    /// 2^32 calls ago can pass for current.
    uint32_t next_epoch() {
      if (++epoch == 0) {
        std::fill(cluster_stamp.begin(), cluster_stamp.end(), 0);
        std::fill(speech_stamp.begin(), speech_stamp.end(), 0);
        epoch = 1;
      }
      return epoch;
    }
  };
  /// The work arrays, sized for this table and `speeches` speech codes.
  Scratch& scratch(size_t speeches) const;

 private:
  // Sets alone_ from table_.
  void find_alone(const ValueColumn& speeches);
  mutable Scratch scratch_;
  std::vector<uint8_t> alone_;  // by id: bit 0 paragraph, bit 1 speech cluster alone
  // Members of every cluster (`only` 0) or of one.
  std::vector<std::vector<Xapian::docid>> group(Dedup mode, uint32_t only,
                                                const ValueColumn& speeches) const;
  schema::DuplicateTable table_;
};

/// The matches that count under `mode` (DESIGN: within the set being counted, each cluster
/// counts once, as its earliest member in that set):
/// - kParagraph: of each paragraph cluster, the earliest matching paragraph;
/// - kSpeech: of each speech cluster, every matching paragraph of the earliest matching
///   speech.
/// `matches` keeps its order; `copies` receives, per kept match, how many others it stands
/// for (paragraphs, or speeches under kSpeech). `speeches` is the speech slot's column.
void collapse(std::vector<textstore::Scored>& matches, std::vector<uint32_t>& copies, Dedup mode,
              const DuplicateIndex& duplicates, const ValueColumn& speeches);

}  // namespace speechdex::searcher
