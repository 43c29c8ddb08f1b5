// Text reuse: passages shared by two or more speeches (--reuse), with their members, the
// probable source and the central-quote rule, and the alignment of two speeches
// (--reuse-pair). Method and parameters: docs/reuse.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "printer.h"
#include "reuse_align.h"
#include "searcher.h"
#include "snippets.h"
#include "tokenizer.h"

namespace speechdex::searcher {

/// What --reuse looks for and how (docs/reuse.md gives the reasons for each default).
struct ReuseOptions {
  /// A passage has at least this many characters (units of the tokenizer: a CJK character
  /// or punctuation mark, or a whole run of Latin letters and digits) on both sides.
  size_t min_chars = 40;
  /// n of the hashed character n-grams (seeds). Every shared run of at least max(ngram,
  /// ⌈min_chars / 2⌉) characters holds a seed: the winnowing window is chosen for it, so a
  /// passage of min_chars with an edit in the middle is still found.
  size_t ngram = 10;
  /// n-grams in at most this many speeches seed every pair of them (Passim's maxDF);
  /// those in more seed each speech against three of them only (hubs).
  size_t max_df = 100;
  /// The central-quote rule: a passage in at least this share of the speeches considered,
  /// and in at least central_min_speeches of them,
  double central_share = 0.05;
  size_t central_min_speeches = 5;
  /// across at least this many provinces (or every province among the speeches
  /// considered, when they are fewer).
  size_t central_provinces = 5;
  /// Unit ids of speeches kept in memory between the passes; speeches beyond it are read
  /// again from the index when an alignment needs them.
  size_t cache_bytes = size_t{1} << 30;
  AlignParams align;
};

/// A speech's text as --reuse and --reuse-pair see it: the stored text of its paragraphs that
/// are not boilerplate, in paragraph order, joined with "\n"; its units (byte ranges into
/// the text, from the one tokenizer, so offsets map back through normalization) and each
/// unit's code point range in the text (to_char_ranges, as KWIC maps its matches).
struct TextUnits {
  std::string text;
  std::vector<schema::Unit> units;
  std::vector<Range> chars;  ///< per unit
  size_t length = 0;         ///< code points of text
};

/// Tokenizes `text` and maps its units to code points.
TextUnits text_units(std::string text);

/// A speech as reuse output names it.
struct ReuseSpeech {
  std::string speech_id, source, county_code, county, province;
  int year = 0;  ///< 0 if unknown
};

/// One occurrence of a passage: code point offsets [start, end) in the speech text (the
/// stored text of its paragraphs that are not boilerplate, joined with "\n" in paragraph
/// order) and that slice of it.
struct ReuseMember {
  uint32_t speech = 0;  ///< index into ReuseResult::speeches
  size_t start = 0, end = 0;
  std::string text;
};

/// A passage cluster: members ordered earliest first (known years ascending, unknown last,
/// then source, then start).
struct ReusePassage {
  size_t id = 0;  ///< 1-based, in output order
  bool central_quote = false;
  /// Marked central because it is mostly a central quote (at least half of its members
  /// have at least half of their characters inside central-quote members of their speech),
  /// not by its own spread.
  bool contains_central = false;
  std::vector<ReuseMember> members;
  size_t earliest = 0;                               ///< the probable source: an index into members
  int year_min = 0, year_max = 0;                    ///< over known years; 0 if none is known
  size_t speeches = 0, counties = 0, provinces = 0;  ///< distinct, known ones for the last two
  size_t chars = 0;                                  ///< the longest member's code points
};

/// The central-quote rule's thresholds for one run: a passage is a central quote if it is
/// in at least `speeches` speeches across at least `provinces` known provinces.
struct CentralRule {
  size_t speeches = 0, provinces = 0;
};

/// The thresholds for `considered` speeches with `provinces_present` distinct known
/// provinces among them: max(central_min_speeches, ⌈central_share × considered⌉) speeches,
/// min(central_provinces, provinces_present) provinces.
CentralRule central_rule(size_t considered, size_t provinces_present, const ReuseOptions& options);

/// What a run looked at and did, for the table's summary and the benchmark.
struct ReuseStats {
  size_t speeches = 0;   ///< speeches considered
  size_t provinces = 0;  ///< distinct known provinces among them
  uint64_t units = 0;    ///< their characters (units)
  uint64_t fingerprints = 0;
  uint64_t common = 0;      ///< fingerprints of n-grams in more than max_df speeches
  uint64_t pairs = 0;       ///< speech pairs aligned
  uint64_t extensions = 0;  ///< seeds extended
  uint64_t links = 0;       ///< aligned passages of a pair
  uint64_t rereads = 0;     ///< speeches read again because the cache had dropped them
  CentralRule central;      ///< the central-quote rule's thresholds as applied
};

struct ReuseResult {
  std::vector<ReuseSpeech> speeches;  ///< the speeches considered
  std::vector<ReusePassage> passages;
  ReuseStats stats;
  ReuseOptions options;
};

/// How far a run has come: `phase` is "reading", "aligning" or "writing", `done` of `total`
/// speeches, and the share of the phase's work done (in "aligning" a speech is compared
/// with the speeches after it, so the first ones cost the most).
struct ReuseProgress {
  const char* phase;
  size_t done, total;
  double share;
};

/// Finds the passages of at least options.min_chars characters that two or more of the
/// speeches `request` selects share exactly or nearly: a speech is considered if any of its
/// paragraphs matches the request's query and filters (Query::all() for every speech).
/// Winnowed n-gram fingerprints give candidate pairs and seeds; each pair is aligned around
/// its seeds; aligned spans linked by alignments, and spans of one speech that overlap by at
/// least half the longer, form the clusters. Memory: the fingerprints, the speeches' metadata
/// and the unit ids of up to options.cache_bytes of speeches. One snapshot of the index.
ReuseResult find_reuse(Searcher& searcher, const SearchRequest& request,
                       const ReuseOptions& options,
                       const std::function<void(const ReuseProgress&)>& progress = {});

/// Prints passages: kJson one object per passage (docs/output.md, "Shared passages"), kCsv
/// one row per member, kTable a block per passage for a terminal and a summary line.
void print_reuse(std::ostream& out, Format format, const ReuseResult& result, bool color);

/// The aligned text of two speeches.
struct ReusePairSegment {
  EditOp op;
  size_t a_start, a_end, b_start, b_end;  ///< code points in each speech text
  std::string a_text, b_text;
  size_t passage = 0;  ///< 1-based index into ReusePair::passages; 0 outside every passage
};
struct ReusePairPassage {
  size_t a_start, a_end, b_start, b_end;  ///< code points, trimmed to the aligned units
  double identity = 0;                    ///< equal units over the longer side
};
struct ReusePair {
  ReuseSpeech a, b;
  size_t a_chars = 0, b_chars = 0;  ///< code points of each speech text
  std::vector<ReusePairPassage> passages;
  /// Cover both texts in order: inside a passage its edit script (equal, replace, delete,
  /// insert), between passages what only one side has (delete, insert, or replace if both).
  std::vector<ReusePairSegment> segments;
};

/// Aligns speeches `a` and `b` (speech ids): every passage of at least options.min_chars
/// characters they share, with what changed. Throws UsageError if either id is not a speech
/// of the index.
ReusePair reuse_pair(Searcher& searcher, const std::string& a, const std::string& b,
                     const ReuseOptions& options);

/// Prints an aligned pair: kTable each passage as wdiff does, [-only in A-]{+only in B+}
/// (coloured if `color`), with what lies between passages summarized; kJson one object
/// (both speeches, the passages and every segment); kCsv one row per segment.
void print_reuse_pair(std::ostream& out, Format format, const ReusePair& pair, bool color);

}  // namespace speechdex::searcher
