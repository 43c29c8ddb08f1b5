// Text reuse, the pairwise part: fingerprints of unit sequences (winnowed n-gram hashes), seeds
// extended into local alignments (banded X-drop, Smith–Waterman scores), chained across gaps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace speechdex::searcher {

/// A text as the reuse finder sees it: one id per unit of the tokenizer (schema::tokenize),
/// equal ids for equal normalized units. Whitespace is not a unit, so it never matters.
using UnitIds = std::span<const uint32_t>;

/// A text for alignment: its unit ids, and the units that start a paragraph (ascending, never
/// 0), which the edge rule needs.
struct UnitText {
  std::vector<uint32_t> ids;
  std::vector<uint32_t> breaks;
};

/// The hash of every n-gram of `units` (n consecutive units, starting at every unit), in
/// order: units.size() - n + 1 values (none if the text is shorter than n). Equal n-grams
/// get equal hashes in every text; the values are well mixed, as winnowing needs.
std::vector<uint64_t> ngram_hashes(UnitIds units, size_t n);

/// Winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003): in every window of `w`
/// consecutive hashes the smallest is selected (the rightmost of equal ones), and each
/// selected position is returned once, ascending. Two texts that share a run of at least
/// w + n - 1 units share at least one selected n-gram inside it (the window that lies wholly
/// inside the run selects the same n-gram in both). A text with fewer than `w` hashes gets
/// the smallest of them.
std::vector<uint32_t> winnow(const std::vector<uint64_t>& hashes, size_t w);

/// Scores and limits of the alignment (docs/reuse.md explains each value).
struct AlignParams {
  int match = 1;       ///< an equal unit
  int mismatch = -3;   ///< a substituted unit: 4 equal units must follow for it to be kept
  int gap = -4;        ///< an inserted or deleted unit
  int xdrop = 12;      ///< an extension stops where its score falls this far below its best
  uint32_t band = 16;  ///< at most this many units off the seed's diagonal
  /// Two local alignments of one pair, in the same order in both texts, are chained into one
  /// passage when the larger of their gaps is at most max_gap units and at most half the
  /// equal units of the shorter of them, and the chain keeps min_identity.
  uint32_t max_gap = 600;
  /// A passage's equal units over its longer side: below this it is not reported.
  double min_identity = 0.8;
  /// The edge rule: a piece of at most this many units before the first (after the last)
  /// paragraph break of a passage, in either text, is not part of it (the "。" that ends the
  /// paragraph before, a heading such as （二） after), unless the passage starts (ends) both
  /// texts; nor is separating punctuation at its start.
  uint32_t edge = 10;
};

/// One piece of an edit script, in units: [a0, a1) of A against [b0, b1) of B.
enum class EditOp : uint8_t { kEqual, kDelete, kInsert, kReplace };
struct Edit {
  EditOp op;
  uint32_t a0, a1, b0, b1;
};

/// A local alignment of [a0, a1) in A with [b0, b1) in B, `matches` equal units on its
/// path. `edits` (when asked for) covers both ranges in order; consecutive unequal pieces
/// are one piece (kReplace when both sides have units).
struct LocalAlignment {
  uint32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
  uint32_t matches = 0;
  std::vector<Edit> edits;
};

/// Extends a seed, the `length` equal units at a[pa] and b[pb], both ways over units that
/// are equal, substituted, inserted or deleted, as far as the score (AlignParams) rises:
/// each side is a banded X-drop dynamic program (Smith–Waterman scores; ends on an equal
/// unit). `edits` asks for the edit script.
LocalAlignment extend_seed(UnitIds a, UnitIds b, uint32_t pa, uint32_t pb, uint32_t length,
                           const AlignParams& params, bool edits);

/// Chains the local alignments of one pair (AlignParams::max_gap): each is put after the
/// chain whose end it follows in both texts with the smallest gap allowed, or starts a chain
/// of its own; an alignment that overlaps a chain's end is cut to follow it. The gap between
/// two chained alignments becomes one unequal edit. Chains come back ordered by a0.
std::vector<LocalAlignment> chain_alignments(std::vector<LocalAlignment> locals,
                                             const AlignParams& params);

/// The equal units of `al` over the longer of its two sides (0 for an empty alignment).
double identity(const LocalAlignment& al);

/// Applies the edge rule (AlignParams::edge) to `al`, within its first and last runs of
/// equal units only (so both sides lose the same units). `punctuation[id]` is true for a
/// unit id of separating punctuation (ids beyond its size are not).
void trim_edges(LocalAlignment& al, const UnitText& a, const UnitText& b,
                const std::vector<bool>& punctuation, const AlignParams& params);

/// The passages of one pair from its local alignments: chained (chain_alignments), edges
/// trimmed (trim_edges), kept if at least `min_units` units long on both sides and of
/// AlignParams::min_identity. Ordered by a0.
std::vector<LocalAlignment> pair_passages(std::vector<LocalAlignment> locals, const UnitText& a,
                                          const UnitText& b, const std::vector<bool>& punctuation,
                                          size_t min_units, const AlignParams& params);

/// The passages (pair_passages) of two whole texts, seeded by every shared n-gram (not only
/// winnowed ones), each extended unless an earlier alignment covers it. With `edits`, each
/// has its edit script. They may overlap (a text repeated in the other is aligned with each
/// of its copies).
std::vector<LocalAlignment> align_texts(const UnitText& a, const UnitText& b,
                                        const std::vector<bool>& punctuation, size_t n,
                                        size_t min_units, const AlignParams& params, bool edits);

}  // namespace speechdex::searcher
