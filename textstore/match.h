// Matching over the text store: a query tree of terms, exact phrases and boolean operators,
// evaluated document at a time over every segment, with exact counts and a BM25 top k.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "segment.h"

namespace speechdex::textstore {

/// A query over terms. Everything that walks it (matching, terms(), describe(), copies and
/// the destructor) recurses once per level of `children`, so whoever builds one bounds its
/// depth (the query parser: searcher::kMaxQueryDepth); width costs no stack: an OR of
/// 20,000 children is one level.
struct Query {
  enum class Op {
    kTerm,    ///< documents holding `term`
    kPhrase,  ///< documents where every phrase term sits at p + its offset, for one p
    kAnd,     ///< documents matching every child
    kOr,      ///< documents matching any child
    kAndNot,  ///< documents matching children[0] but not children[1]
    kAll,     ///< every document
    kNear,    ///< documents where children[0] and children[1] occur as `near` says
    kUnit,    ///< documents holding the unigram `term`; its positions come from `unit`
  };
  /// Where a single unit occurs, read from bigram terms since unigrams carry no positions:
  /// a positional term longer than `starts` that begins with it holds the unit at its own
  /// position, one longer than `ends` that ends with it at its position + 1. Terms of
  /// prefixed fields (those beginning with an ASCII capital) are left out.
  struct UnitPattern {
    std::string starts, ends;
  };
  /// The proximity of a kNear node's two parts. A part is a kTerm (a positional term standing
  /// for `width` units from its position), a kPhrase (`width` units from its last offset
  /// on) or a kUnit (one unit). Two occurrences match if they do not overlap and either
  /// - `sentence`: no unit of `enders` (sentence ends) lies from the first's first unit up to
  ///   the second's last, that last unit excluded (a sentence ends with its ender); or
  /// - else: at most `distance` units lie between the first's end and the second's start.
  /// With `ordered`, children[0]'s occurrence must come first.
  struct Near {
    uint32_t distance = 0;
    bool ordered = false;
    bool sentence = false;
    std::vector<UnitPattern> enders;
  };
  Op op = Op::kAll;
  std::string term;
  std::vector<std::pair<std::string, uint32_t>> phrase;  ///< (positional term, offset)
  /// A phrase's terms are the n-grams of one run of units, n = `width`: the term at offset o
  /// stands for units o .. o + width - 1. So any subset of them that covers every unit the
  /// whole set covers matches exactly where they all do, and the index matches with the
  /// subset it expects to be cheapest (see phrase_plan).
  uint32_t width = 1;
  std::vector<Query> children;
  UnitPattern unit;  ///< kUnit
  Near near;         ///< kNear

  static Query make_term(std::string t);
  static Query make_phrase(std::vector<std::pair<std::string, uint32_t>> terms, uint32_t width = 1);
  static Query make(Op op, std::vector<Query> children);
  static Query all() { return make(Op::kAll, {}); }
  /// A kUnit: the unigram `t`, positions by `pattern`.
  static Query make_unit(std::string t, UnitPattern pattern);
  /// A kNear of two parts (see Near).
  static Query make_near(Query a, Query b, Near near);

  /// Every term the query reads, in order, with repeats.
  std::vector<std::string> terms() const;
  /// A compact description for tests and debugging: 依法, PHRASE(全面@0 推进@2),
  /// (a AND b), (a OR b), (a AND_NOT b), <all>, UNIT(法), (a NEAR/3 b), (a BEFORE/s b).
  std::string describe() const;
};

/// The phrase terms a search matches by, given each term's document frequency: of the subsets
/// that cover every unit the phrase covers, the one of least estimated cost when its rarest
/// term leads the conjunction: Σ over its terms t of (2 df(leader) + df(t)), as each list is
/// read through once and each of the leader's documents costs every term a seek and a look
/// at its positions. Indices
/// into `offsets`, in offset order. A phrase scores the sum of the BM25 weights of these
/// terms. A phrase of more than 1,000 terms is matched by all of them (the search for the
/// least cover is quadratic in them).
std::vector<size_t> phrase_plan(const std::vector<uint32_t>& offsets, uint32_t width,
                                const std::vector<double>& df);

/// One match.
struct Scored {
  uint32_t docid = 0;
  double score = 0;
};

/// The relevance order: higher score first, then lower document id (as Xapian's).
inline bool ranks_before(const Scored& a, const Scored& b) {
  return a.score > b.score || (a.score == b.score && a.docid < b.docid);
}

/// The result of a search: the exact number of matches and the best k, best first (higher
/// score, then lower document id).
struct MatchResult {
  uint64_t count = 0;
  std::vector<Scored> top;
};

/// A set of segments searched as one, less the deleted documents. BM25 uses Xapian's default
/// parameters (k1 = 1, b = 0.5, minimum normalized length 0.5) with statistics over all
/// segments: document frequencies still count deleted documents until their segments are
/// merged, as Lucene's do.
class TextIndex {
 public:
  /// `deleted`: document ids to skip, in any order. `bases`, if given, one per segment: what
  /// is added to the segment's own document ids to make the ids the index answers with
  /// (several indexes searched as one, each numbered after the one before); `deleted`
  /// holds such ids too. Without it every base is 0.
  explicit TextIndex(std::vector<std::shared_ptr<const Segment>> segments,
                     std::vector<uint32_t> deleted = {}, std::vector<uint32_t> bases = {});

  /// Documents in the index, deleted ones excluded.
  uint64_t documents() const { return documents_; }

  /// Counts every match and keeps the best k.
  MatchResult search(const Query& query, size_t k) const;
  /// Calls `hit` for every match, in document order within each segment. Without `scores`,
  /// every match's score is 0: counting and facets need none, and BM25 costs a length
  /// look-up and a division per term and match.
  void for_each(const Query& query, const std::function<void(const Scored&)>& hit,
                bool scores = true) const;
  /// Instances of a run of units in the documents `docs` (increasing ids, none deleted):
  /// the positions p where `bigrams[k]` (its adjacent pairs' positional terms, in order)
  /// sits at p + k for every k, overlaps included. For collocates' corpus frequencies.
  uint64_t count_run(const std::vector<std::string>& bigrams,
                     const std::vector<uint32_t>& docs) const;

 private:
  template <typename Hit>
  void each(const Query& query, Hit&& hit, bool scores) const;

  std::vector<std::shared_ptr<const Segment>> segments_;
  std::vector<uint32_t> bases_;                 // per segment
  std::vector<std::vector<uint32_t>> deleted_;  // per segment: its own ids, sorted
  uint64_t documents_ = 0;
  double average_length_ = 1;
};

/// Checks that segments and a deleted list agree with the records they index: segments in
/// increasing, disjoint id ranges (each id in one segment), every deleted id in a segment,
/// live documents (segments' less the deleted) exactly `records`, no id above `last_docid`.
/// Returns "" if they do, else what is wrong. Cheap enough for every open: it reads the
/// segments' document tables, which open() has read already.
std::string check_segments(const std::vector<std::shared_ptr<const Segment>>& segments,
                           const std::vector<uint32_t>& deleted, uint64_t records,
                           uint32_t last_docid);

}  // namespace speechdex::textstore
