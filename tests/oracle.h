// The oracle: queries sampled from a corpus, answered by brute force over the normalized
// paragraphs and by the engine; the two hit sets must be equal.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "searcher.h"
#include "test_support.h"

namespace speechdex::testing {

/// A sampled query and the class it was drawn for (len3-freq, len5-rare, traditional, ...).
struct OracleQuery {
  std::string cls;
  std::string text;  ///< as typed (quoted where it holds non-CJK characters)
};

/// True if `c` is a Han character (ICU script Han).
bool is_han(char32_t c);

/// The oracle's form of a text: normalized (the engine's one Normalizer), then white space,
/// control and format characters removed. Both paragraphs and queries are compared in it.
std::u32string squeeze(const std::string& text);

/// True if squeezed `text` contains squeezed query `q`, with word boundaries respected where
/// `q` starts or ends with a letter or digit (the oracle's containment, written
/// independently of the tokenizer).
bool contains_query(const std::u32string& text, const std::u32string& q);

/// Draws about `n` queries from the paragraphs, deterministically from `seed`: CJK
/// substrings of 1 to 12 characters, half drawn by position (frequent) and half from the
/// distinct substrings (rare); their Traditional-character forms; and substrings holding
/// Latin letters or digits, in full-width forms.
std::vector<OracleQuery> sample_queries(const std::vector<StoredParagraph>& paragraphs, size_t n,
                                        uint32_t seed);

/// Paragraphs whose normalized text (white space removed) contains the normalized query
/// (white space and quotes removed), with word boundaries respected where the query starts
/// or ends with a letter or digit. Written independently of the tokenizer.
std::set<unsigned> brute_force(const std::vector<StoredParagraph>& paragraphs,
                               const std::string& query);

/// Runs every query through the engine and compares; returns the number of mismatches
/// (each is reported as a test failure with the query, class and differences). The engine
/// searches with `boilerplate`; `paragraphs` must be the matching set (read_all).
size_t check_oracle(const std::string& db, const std::vector<StoredParagraph>& paragraphs,
                    const std::vector<OracleQuery>& queries,
                    searcher::Boilerplate boilerplate = searcher::Boilerplate::kExclude);

/// A proximity query: parts `a` and `b` (squeezed text, as drawn), NEAR or BEFORE, within
/// `distance` units or (`sentence`) one sentence.
struct NearQuery {
  std::string cls;
  std::string a, b;
  bool ordered = false;
  bool sentence = false;
  uint32_t distance = 0;
  /// As typed: each part bare if it is all Han characters, else quoted.
  std::string text() const;
};

/// Paragraphs where some occurrence of `q.a` and some other of `q.b` lie as `q` asks, found by
/// brute force over the squeezed text, independently of the tokenizer and the index: the
/// occurrences of a part are contains_query's; units are characters, but a run of ASCII
/// letters and digits (with a '.' between an alphanumeric and a digit) is one; the two must
/// not overlap; for a distance, at most `distance` units lie between them; for a sentence, no
/// 。 ! ? ; or '.' unit lies from the first's first unit up to the second's last, exclusive.
std::set<unsigned> brute_force_near(const std::vector<StoredParagraph>& paragraphs,
                                    const NearQuery& q);

/// Draws about `n` proximity queries from the paragraphs, deterministically from `seed`: pairs
/// of parts from one paragraph (Han runs, quoted runs with punctuation, Latin and mixed parts),
/// overlapping pairs, a part paired with itself and pairs from different paragraphs, each
/// three times: NEAR and BEFORE at distances drawn from 0, 1, 5, 20, 100, and NEAR/s or
/// BEFORE/s. So about 3n queries.
std::vector<NearQuery> sample_near_queries(const std::vector<StoredParagraph>& paragraphs, size_t n,
                                           uint32_t seed);

/// Runs every proximity query through the engine and compares with brute_force_near; returns
/// the number of mismatches (each a test failure naming the query).
size_t check_near_oracle(const std::string& db, const std::vector<StoredParagraph>& paragraphs,
                         const std::vector<NearQuery>& queries);

}  // namespace speechdex::testing
