// Collocates: the character n-grams said most often near a query's matches, by logDice
// (docs/output.md, "Collocates").
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "printer.h"
#include "searcher.h"
#include "tokenizer.h"

namespace speechdex::searcher {

/// Collocate options.
struct CollocateOptions {
  size_t window = 5;  ///< units (characters; a Latin word or number is one) each side
  size_t limit = 10;  ///< rows to return
  /// How many n-grams, the most frequent in the windows, get a corpus frequency and a score:
  /// max(candidates, 5 × limit).
  size_t candidates = 100;
  /// Drop an n-gram when an n-gram one unit longer that contains it has the same f_xy.
  bool reduce = true;
};

/// One n-gram near the query.
struct Collocate {
  std::string ngram;               ///< normalized text
  std::vector<std::string> units;  ///< its units
  uint64_t cooccurrences = 0;      ///< f_xy: its instances inside a window
  uint64_t frequency = 0;          ///< f_y: its instances in the filtered corpus
  double logdice = 0;              ///< 14 + log2(2 f_xy / (f_x + f_y))
};

/// Collocates of a request's query.
struct CollocateResult {
  uint64_t occurrences = 0;     ///< f_x: the query's occurrences (find_occurrences) in every match
  uint64_t paragraphs = 0;      ///< matching paragraphs
  uint64_t ngrams = 0;          ///< distinct n-grams in the windows (after reduction)
  std::vector<Collocate> rows;  ///< best logDice first, then f_xy, then the n-gram's bytes
};

/// The n-grams of 2 to 6 units next to the query. Every matching paragraph of `request`
/// (its filters and boilerplate setting) is read; each occurrence of the query's text parts
/// (find_occurrences) opens a window of `window` units before its start and after its end,
/// within the paragraph. An n-gram instance counts once in f_xy if all its units lie in
/// windows, none inside an occurrence, and all are characters or words that are not
/// separating punctuation. f_y counts the n-gram's instances (every start, overlaps
/// included) in the paragraphs the same filters select, found by running it as an exact
/// phrase and reading those paragraphs. Throws UsageError if the query has no text part.
CollocateResult collocates(Searcher& searcher, const SearchRequest& request,
                           const CollocateOptions& options);

/// Every instance of `units` in `text` (tokenized and normalized), overlaps included.
uint64_t count_instances(const std::string& text, const std::vector<std::string>& units);
/// The same over units already tokenized.
uint64_t count_instances(const std::vector<schema::Unit>& text,
                         const std::vector<std::string>& units);

/// Prints the rows: a table (with f_x and the paragraphs above it), CSV (ngram,
/// cooccurrences, frequency, logdice) or JSON Lines (one object per row, the CSV's columns).
void print_collocates(std::ostream& out, Format format, const CollocateResult& result,
                      const CollocateOptions& options);

}  // namespace speechdex::searcher
