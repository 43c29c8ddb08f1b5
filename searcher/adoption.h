// Adoption: the first year each county's speeches hold a query, and how it spread, county by
// county, year by year (docs/output.md, "Adoption").
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "printer.h"
#include "searcher.h"
#include "svg_plot.h"

namespace speechdex::searcher {

/// One speech as adoption counts it.
struct AdoptionSpeech {
  uint32_t speech = 0;   ///< the speech's code in Searcher::value_column(kSlotSpeech)
  std::string county;    ///< county code (6 digits); "" if unknown (anonymized XX县)
  std::string province;  ///< province code (2 digits); "" if unknown
  int year = 0;          ///< 0 if unknown
};

/// The speeches with a paragraph that `request` selects (its query, filters and boilerplate
/// setting), each once, with its county, province and year from the value slots of its
/// first such paragraph. The one place adoption looks speeches up: duplicate-aware
/// counting (--dedup speech) goes here, giving each speech cluster once, under its
/// earliest member.
std::vector<AdoptionSpeech> adoption_speeches(Searcher& searcher, const SearchRequest& request);

/// When one county adopted the query: the first year a speech of it held the query.
struct CountyAdoption {
  std::string county_code, county;      ///< 422823, 巴东县
  std::string province_code, province;  ///< 42, 湖北省
  int first_year = 0;
  uint64_t speeches = 0;  ///< its matching speeches (of known year)
  uint64_t years = 0;     ///< distinct years of those speeches
};

/// One year of an adoption curve (of one province, or of all).
struct AdoptionYear {
  std::string province_code, province;  ///< "" for the curve of all provinces
  int year = 0;
  uint64_t new_counties = 0;         ///< counties whose first year this is
  uint64_t cumulative_counties = 0;  ///< counties whose first year is this one or earlier
};

/// The adoption of one query.
struct AdoptionResult {
  std::string query;
  std::vector<CountyAdoption> counties;  ///< by first year, then county code
  /// Every year from the first adoption to the last year of the filtered corpus (its
  /// speeches of known county and year), zeros included; per province (by province code,
  /// provinces with an adopting county) when asked for, else one curve.
  std::vector<AdoptionYear> curve;
  bool by_province = false;
  uint64_t matching_speeches = 0;        ///< speeches holding the query
  uint64_t adopting_speeches = 0;        ///< of them, of known county and year: they count
  uint64_t unknown_county_speeches = 0;  ///< of them, of unknown county: they cannot adopt
  uint64_t unknown_year_speeches = 0;    ///< of them, of a known county, unknown year: neither
  uint64_t corpus_counties = 0;  ///< counties with a speech of known year in the filtered corpus
  int corpus_first_year = 0, corpus_last_year = 0;  ///< years of those speeches (0: none)
};

/// The adoption of `request`'s query under its filters and boilerplate setting: counties
/// and the curve (per province with `by_province`), from one snapshot of the index.
AdoptionResult run_adoption(Searcher& searcher, const SearchRequest& request,
                            const std::string& query_text, bool by_province);

/// What to print: the counties, or the curve (--by year, --by year,province).
enum class AdoptionView { kCounties, kCurve };

/// Prints the counties or the curve as a table (CJK-aware columns, a bar per year, and the
/// speeches that cannot adopt in a footer), CSV (counties: county_code, county, province,
/// first_year, speeches, years; curve: [province,] year, new_counties,
/// cumulative_counties) or JSON Lines (a summary line, then one object per row).
void print_adoption(const AdoptionResult& result, AdoptionView view, Format format,
                    std::ostream& out, bool color);

/// The one line saying which matching speeches cannot adopt ("" if none): for stderr
/// where the output has no room for it (CSV).
std::string adoption_note(const AdoptionResult& result);

/// The cumulative curve as a chart: counties that have adopted, per year (one line, or
/// one per province for the eight provinces with the most adopters), with a caption
/// naming the query, the corpus (`corpus`), the filters and the speeches not counted.
Chart adoption_chart(const AdoptionResult& result, const std::string& corpus,
                     const std::string& filters);

}  // namespace speechdex::searcher
