// Occurrences and KWIC: every match of a query's text parts, counted and shown in context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "printer.h"
#include "searcher.h"
#include "snippets.h"

namespace speechdex::searcher {

/// The non-overlapping occurrences of the highlights (normalized unit sequences, as in
/// ParsedQuery::highlights) in `text`, as byte ranges: read left to right, at each unit the
/// longest highlight that starts there is taken and the search goes on after it (so 依法依法
/// holds 依法 twice, and 哈哈哈 holds 哈哈 once). Unlike find_matches, adjacent and
/// overlapping matches are not merged.
std::vector<Range> find_occurrences(const std::string& text,
                                    const std::vector<std::vector<std::string>>& highlights);

/// Counts over the whole match of a request, not only a page.
struct Totals {
  uint64_t paragraphs = 0;
  uint64_t speeches = 0;
  uint64_t occurrences = 0;  ///< find_occurrences summed over every matching paragraph
};

/// Runs `request` once more for every match (records read, no facets, no grouping) and
/// counts its paragraphs, speeches and occurrences. It reads every matching paragraph's
/// record: about 45 µs of CPU a paragraph (20 MB make-corpus, 的: 26,751 paragraphs, 1.2 s),
/// some 60% of printing every hit as JSON.
Totals count_totals(Searcher& searcher, const SearchRequest& request);

/// How KWIC rows are ordered. kRank keeps the hits' order, occurrences in text order;
/// kLeft / kRight sort by the context just left of the match read right to left / just
/// right of it read left to right (as concordancers do); kYear (unknown last), kCounty
/// (unknown last) and kSource sort by metadata. Ties keep rank and text order.
enum class KwicSort { kRank, kLeft, kRight, kYear, kCounty, kSource };

/// KWIC options.
struct KwicOptions {
  size_t context = 20;  ///< characters each side of the match
  KwicSort sort = KwicSort::kRank;
};

/// One occurrence in its context.
struct KwicRow {
  const Hit* hit = nullptr;
  size_t from = 0, to = 0;  ///< code point offsets of the keyword in the paragraph text [from, to)
  std::string pre, keyword, post;  ///< as in the text, except newlines and tabs shown as spaces
};

/// The occurrences in the hits of `result`, each with up to `options.context` characters
/// either side (within its paragraph), ordered by `options.sort`.
std::vector<KwicRow> kwic_rows(const SearchResult& result, const ParsedQuery& query,
                               const KwicOptions& options);

/// Prints rows for a terminal: location and year, left context right-aligned, keyword,
/// right context, aligned by display width so the keywords stand in one column; then, if
/// more hits follow the page, `showing a–b of N; --offset b for more`. `color` marks the
/// keyword (ANSI).
void print_kwic_table(std::ostream& out, const std::vector<KwicRow>& rows,
                      const SearchResult& result, bool color);

/// The columns of a KWIC row in JSON Lines and CSV, in order.
const std::vector<std::string>& kwic_field_names();

/// Prints rows as JSON Lines (docs/output.md, KWIC): docname, from, to, pre, keyword, post,
/// speech_id, county, year; or only `fields` (names from kwic_field_names()) in their order.
void print_kwic_json(std::ostream& out, const std::vector<KwicRow>& rows,
                     const std::vector<std::string>& fields = {});

/// Prints rows as CSV (RFC 4180, a header line first unless `header` is false), the
/// columns of print_kwic_json (or `fields`).
void print_kwic_csv(std::ostream& out, const std::vector<KwicRow>& rows,
                    const std::vector<std::string>& fields = {}, bool header = true);

/// Prints rows in `format`: kTable as print_kwic_table, kJson as the summary line (when
/// `result` has facets) and print_kwic_json, kCsv as print_kwic_csv.
void print_kwic(std::ostream& out, Format format, const SearchResult& result,
                const std::vector<KwicRow>& rows, bool color,
                const std::vector<std::string>& fields = {});

/// Prints totals (--count=all): `P paragraphs, S speeches, O occurrences` for kTable, an
/// object {"paragraphs","speeches","occurrences"} for kJson, a header and a row for kCsv.
void print_totals(std::ostream& out, Format format, const Totals& totals);

}  // namespace speechdex::searcher
