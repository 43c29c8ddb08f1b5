// The one tokenizer: normalized text -> units -> index terms, used by indexer and searcher.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace speechdex::schema {

/// What a unit is. Text is read as a sequence of units after normalization:
/// - kChar: one character that is not part of a word: a CJK ideograph, kana, a
///   punctuation mark or a symbol (。 、 % ℃ ...);
/// - kWord: a maximal run of letters and digits of alphabetic scripts (Latin, Greek,
///   Cyrillic ...) and digits, with a '.' kept between an alphanumeric and a digit:
///   pm2.5, gdp, 3348, 77.15.
/// White space and control characters separate units and are not units themselves, so
/// 第九 ，科学 and 第九，科学 read the same.
enum class UnitKind : uint8_t { kChar, kWord };

/// One unit of normalized text.
struct Unit {
  std::string text;     ///< normalized UTF-8 (a word is cut at kMaxWordBytes)
  UnitKind kind;        ///< character or word
  bool punctuation;     ///< separating punctuation (category P* but not % # & @ * / · ...):
                        ///< it splits unquoted queries into runs
  uint32_t begin, end;  ///< byte range of the unit in the text given to tokenize()
};

/// Words longer than this (in bytes, normalized) are cut to this length, on both sides.
inline constexpr size_t kMaxWordBytes = 64;

/// Normalizes `utf8` (see Normalizer) and splits it into units.
std::vector<Unit> tokenize(std::string_view utf8);

/// The term of one unit: `prefix` + its text. Indexed without positions (with wdf).
std::string unigram_term(std::string_view prefix, const Unit& u);
/// The same, written over `out` (whose buffer a loop reuses).
void unigram_term(std::string_view prefix, const Unit& u, std::string& out);

/// The term of two adjacent units: `prefix` + both texts, with a space between them when
/// either is a word (so new+york differs from the word newyork). Indexed with the
/// position of its first unit.
std::string bigram_term(std::string_view prefix, const Unit& a, const Unit& b);
/// The same, written over `out`.
void bigram_term(std::string_view prefix, const Unit& a, const Unit& b, std::string& out);

/// Positions: the bigram starting at unit i (0-based) has position i + kFirstPosition.
inline constexpr uint32_t kFirstPosition = 1;

/// The two terms above, appended to `out`.
inline void append_unigram_term(std::string_view prefix, const Unit& u, std::string& out) {
  out.append(prefix);
  out.append(u.text);
}
inline void append_bigram_term(std::string_view prefix, const Unit& a, const Unit& b,
                               std::string& out) {
  out.append(prefix);
  out.append(a.text);
  if (a.kind == UnitKind::kWord || b.kind == UnitKind::kWord) out.push_back(' ');
  out.append(b.text);
}

/// The text terms of a unit sequence, in order, the one definition index and tests share:
/// a unigram for every unit, a bigram for every adjacent pair, the pair starting at unit i
/// at position base + i. Each term is appended to `bytes`, then `unigram()` or
/// `bigram(position)` is called (the term ends at bytes.size()). Returns base +
/// units.size(), the first position after them.
template <typename Unigram, typename Bigram>
uint32_t append_text_terms(std::string_view prefix, const std::vector<Unit>& units, uint32_t base,
                           std::string& bytes, Unigram&& unigram, Bigram&& bigram) {
  for (size_t i = 0; i < units.size(); ++i) {
    append_unigram_term(prefix, units[i], bytes);
    unigram();
    if (i + 1 < units.size()) {
      append_bigram_term(prefix, units[i], units[i + 1], bytes);
      bigram(base + static_cast<uint32_t>(i));
    }
  }
  return base + static_cast<uint32_t>(units.size());
}

/// The same terms, each given whole: `unigram(term)`, `bigram(term, position)`.
template <typename Unigram, typename Bigram>
uint32_t for_each_text_term(std::string_view prefix, const std::vector<Unit>& units, uint32_t base,
                            Unigram&& unigram, Bigram&& bigram) {
  std::string term;  // one buffer for every term
  return append_text_terms(
      prefix, units, base, term,
      [&] {
        unigram(std::as_const(term));
        term.clear();
      },
      [&](uint32_t position) {
        bigram(std::as_const(term), position);
        term.clear();
      });
}

/// Describes the terms of `utf8` as one compact string, for tests and debugging:
/// unigrams in order of first occurrence, then bigrams with positions:
/// `法 治 政 府 | 法治[1] 治政[2] 政府[3]`.
std::string describe_terms(std::string_view utf8);

}  // namespace speechdex::schema
