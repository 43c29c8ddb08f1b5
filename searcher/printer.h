// Output back ends: one interface, table / JSON Lines / CSV (see docs/output.md).
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "searcher.h"

namespace speechdex::searcher {

/// Output formats.
enum class Format { kTable, kJson, kCsv };

/// Prints a search result.
class Printer {
 public:
  virtual ~Printer() = default;
  /// Prints the whole result of `query_text`; highlights come from the parsed query.
  virtual void print(const std::string& query_text, const ParsedQuery& query,
                     const SearchResult& result, bool grouped) = 0;
  /// Prints one paragraph's record with how each metadata field was found (--explain).
  virtual void explain(unsigned docid, const schema::ParagraphRecord& record) = 0;

  /// Streaming (--all): what comes before the first hit (the CSV header; nothing else).
  virtual void begin() {}
  /// Streaming: one hit, printed at once and not kept.
  virtual void hit(const ParsedQuery& query, const Hit& h) = 0;
  /// Streaming: what follows the last hit (the table's count line; nothing else).
  virtual void end(const std::string& /*query_text*/, uint64_t /*hits*/) {}
};

/// The columns a hit has in JSON Lines and CSV (docs/output.md), in JSON order.
const std::vector<std::string>& hit_field_names();

/// The printer for a format. `color` applies to the table only (ANSI, for a terminal).
/// `fields` (--fields) picks and orders the columns of JSON and CSV hits, names from
/// hit_field_names(); empty: every JSON key, and CSV's default columns.
std::unique_ptr<Printer> make_printer(Format format, std::ostream& out, bool color,
                                      const std::vector<std::string>& fields = {});

/// The JSON summary line (docs/output.md): total, paragraphs, occurrences when the result
/// has them, facets and labels.
std::string summary_line(const SearchResult& result);

/// The line a table ends with when more hits follow the page: `showing a–b of N; --offset
/// b for more`; "" when the page is the last (or empty).
std::string more_line(const SearchResult& result);

/// A CSV field quoted as RFC 4180 wants it (every field quoted, quotes doubled).
std::string csv_field(const std::string& s);

/// Terminal display width of UTF-8 text (East Asian wide and full-width count 2).
size_t display_width(const std::string& utf8);

/// Prints rows of cells as columns aligned by display width: indented by two, two spaces
/// apart, the header first, each column as wide as its widest cell; `align` has an 'l'
/// (left) or 'r' (right) per column. `tails` (if given, one per row) are printed after
/// the row's cells, two spaces on (bars); an empty tail adds nothing.
void print_aligned(std::ostream& out, const std::vector<std::string>& heads,
                   const std::vector<std::vector<std::string>>& rows, const std::string& align,
                   const std::vector<std::string>& tails = {});

/// A bar of `fraction` (0 to 1) of `cells` character cells, in eighths of a cell (█ ▏ ▎ …).
std::string bar_cells(double fraction, size_t cells);
/// `text` cut to at most `width` display columns, "…" added when cut.
std::string clip(const std::string& text, size_t width);

}  // namespace speechdex::searcher
