// speechdex-search: searches a speechdex database from the command line.
#include <unistd.h>
#include <xapian.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>

#include "batch.h"
#include "collocates.h"
#include "errors.h"
#include "facets.h"
#include "kwic.h"
#include "printer.h"
#include "progress_line.h"
#include "provenance.h"
#include "query_parser.h"
#include "reuse.h"
#include "searcher.h"
#include "svg_plot.h"
#include "trend.h"

namespace {

constexpr const char* kProgram = "speechdex-search";
// Marks a query word that starts with '-' and a non-ASCII character (-政府) so that the
// option parser takes it for a positional word, not an option.
constexpr char kWordMark = '\x01';

// Options as parsed.
struct RawOptions {
  std::string db;
  std::vector<std::string> query_words;
  size_t limit = 10;
  std::string offset = "0";
  std::string count;  ///< "" = no --count; "paragraphs" or "all"
  std::string format = "table";
  std::string color = "auto";
  std::vector<std::string> county, province, year, topic, role;
  std::vector<std::string> facets;
  std::string group;
  std::string sort = "relevance";
  std::string boilerplate = "exclude";
  std::string explain;  ///< "" = none
  std::string batch;
  bool kwic = false;
  size_t context = 20;
  std::string kwic_sort = "rank";
  std::string trend;                     ///< "" = no trend; else field[,field]
  std::vector<std::string> expressions;  ///< -e QUERY, one trend series each
  std::string plot;                      ///< --plot FILE.svg
  bool all = false;                      ///< --all
  std::string fields;                    ///< --fields a,b,c
  bool bom = false;                      ///< --bom
  std::string provenance;                ///< --provenance FILE or -
  bool collocates = false;
  size_t window = 5;
  bool reuse = false;                   ///< --reuse
  std::vector<std::string> reuse_pair;  ///< --reuse-pair A B
  size_t min_chars = 40;
};

// Options validated.
struct Config {
  std::string db;
  std::string query;
  speechdex::searcher::SearchRequest request;
  bool count_only = false;
  speechdex::searcher::Format format = speechdex::searcher::Format::kTable;
  bool color = false;
  std::optional<Xapian::docid> explain;
  std::string batch;       ///< "" = no batch; "-" = stdin
  bool count_all = false;  ///< --count=all: paragraphs, speeches and occurrences
  bool kwic = false;       ///< one row per occurrence (--format kwic, --kwic)
  speechdex::searcher::KwicOptions kwic_options;
  std::vector<std::string> trend_fields;   ///< empty: no trend
  std::vector<std::string> trend_queries;  ///< the query words, then each -e
  std::string plot;
  std::string filters_text;         ///< the filter flags as typed, for the plot's caption
  bool all = false;                 ///< stream every hit (or KWIC row) in index order
  std::vector<std::string> fields;  ///< JSON and CSV columns; empty: the format's default
  bool bom = false;                 ///< a UTF-8 BOM before CSV
  std::string provenance;           ///< "" none; "-" the first JSON line; else a file
  speechdex::searcher::ProvenanceRequest provenance_request;
  bool collocates = false;  ///< --collocates
  speechdex::searcher::CollocateOptions collocate_options;
  bool reuse = false;                   ///< --reuse
  std::vector<std::string> reuse_pair;  ///< --reuse-pair: two speech ids
  speechdex::searcher::ReuseOptions reuse_options;
};

// "a, b, c" for an error message.
std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// --all, --fields, --bom and --provenance: checked against the rest of `c`.
void validate_export(const RawOptions& raw, Config& c) {
  using speechdex::UsageError;
  using namespace speechdex::searcher;
  c.all = raw.all;
  c.bom = raw.bom;
  c.provenance = raw.provenance;
  if (c.all) {
    const char* clash = c.count_only                                       ? "--count"
                        : !c.batch.empty()                                 ? "--batch"
                        : !c.trend_fields.empty()                          ? "--trend"
                        : c.explain                                        ? "--explain"
                        : c.request.group_by_speech                        ? "--group"
                        : !c.request.facets.empty()                        ? "--facets"
                        : c.request.sort != Sort::kRelevance               ? "--sort"
                        : c.request.page.offset != 0                       ? "--offset"
                        : c.kwic && c.kwic_options.sort != KwicSort::kRank ? "--kwic-sort"
                                                                           : nullptr;
    if (clash) {
      throw UsageError(
          std::string("--all prints every hit in index order; it does not go with ") + clash,
          clash);
    }
  }
  if (!raw.fields.empty()) {
    if (c.format == Format::kTable) {
      throw UsageError("--fields picks columns of --format json or csv", "--fields");
    }
    const std::vector<std::string>& valid = c.kwic ? kwic_field_names() : hit_field_names();
    for (size_t i = 0; i <= raw.fields.size();) {
      size_t j = raw.fields.find(',', i);
      if (j == std::string::npos) j = raw.fields.size();
      const std::string f = raw.fields.substr(i, j - i);
      if (std::find(valid.begin(), valid.end(), f) == valid.end()) {
        throw UsageError("unknown field '" + f + "'; valid " + (c.kwic ? "KWIC " : "") +
                             "fields are " + listed(valid),
                         "--fields");
      }
      if (std::find(c.fields.begin(), c.fields.end(), f) != c.fields.end()) {
        throw UsageError("field '" + f + "' given twice", "--fields");
      }
      c.fields.push_back(f);
      i = j + 1;
    }
  }
  if (c.bom && c.format != Format::kCsv) {
    throw UsageError("--bom goes with --format csv", "--bom");
  }
  if (!c.provenance.empty() && (!c.batch.empty() || !c.trend_fields.empty() || c.explain)) {
    throw UsageError("--provenance describes a search's output, not --batch, --trend or --explain",
                     "--provenance");
  }
  if (c.provenance == "-" && c.format != Format::kJson) {
    throw UsageError("--provenance - (a first JSON line) goes with --format json; give a file",
                     "--provenance");
  }
  ProvenanceRequest& p = c.provenance_request;
  p.query = c.query;
  p.filters = c.request.filters;
  p.options = {{"format", raw.format},
               {"kwic", c.kwic ? "true" : "false"},
               {"all", c.all ? "true" : "false"},
               {"fields", raw.fields},
               {"limit", c.all ? "" : std::to_string(c.request.page.limit)},
               {"offset", std::to_string(c.request.page.offset)},
               {"sort", raw.sort},
               {"group", raw.group},
               {"boilerplate", raw.boilerplate}};
  if (c.kwic) {
    p.options.emplace_back("context", std::to_string(c.kwic_options.context));
    p.options.emplace_back("kwic_sort", raw.kwic_sort);
  }
  if (c.reuse) {
    p.options.emplace_back("reuse", "true");
    p.options.emplace_back("min_chars", std::to_string(c.reuse_options.min_chars));
  }
}

// --reuse and --reuse-pair: what goes with them.
void validate_reuse(const RawOptions& raw, Config& c) {
  using speechdex::UsageError;
  c.reuse = raw.reuse;
  c.reuse_pair = raw.reuse_pair;
  c.reuse_options.min_chars = raw.min_chars;
  if (!c.reuse && c.reuse_pair.empty()) return;
  const char* self = c.reuse ? "--reuse" : "--reuse-pair";
  const char* clash = c.reuse && !c.reuse_pair.empty()   ? "--reuse-pair"
                      : c.explain                        ? "--explain"
                      : !c.batch.empty()                 ? "--batch"
                      : !raw.trend.empty()               ? "--trend"
                      : raw.collocates                   ? "--collocates"
                      : raw.all                          ? "--all"
                      : !raw.count.empty()               ? "--count"
                      : raw.kwic || raw.format == "kwic" ? "--kwic"
                      : !raw.facets.empty()              ? "--facets"
                      : !raw.group.empty()               ? "--group"
                      : !raw.fields.empty()              ? "--fields"
                                                         : nullptr;
  if (clash) throw UsageError(std::string(self) + " does not go with " + clash, clash);
  if (!c.reuse_pair.empty() && (!c.query.empty() || !c.request.filters.empty())) {
    throw UsageError("--reuse-pair aligns two speeches; it takes no query or filter",
                     "--reuse-pair");
  }
}

// `text` as a whole number from `min` to `max`, or a UsageError naming it and `option`.
// (CLI11 read --offset -1 into a size_t as 2^64 - 1, and --explain 99999999999 into the
// unsigned id 1215752191; 0 reached Xapian, which aborted.)
uint64_t parse_number(const std::string& text, uint64_t min, uint64_t max, const char* what,
                      const char* option) {
  uint64_t n = 0;
  const char* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, n);
  if (text.empty() || error != std::errc() || at != end || n < min || n > max) {
    throw speechdex::UsageError("expected " + std::string(what) + " from " + std::to_string(min) +
                                    " to " + std::to_string(max) + ", not '" + text + "'",
                                option);
  }
  return n;
}

Config validate(const RawOptions& raw) {
  using namespace speechdex::searcher;
  Config c;
  c.db = raw.db;
  for (const std::string& w : raw.query_words) {
    const std::string word = (!w.empty() && w[0] == kWordMark) ? w.substr(1) : w;
    if (!c.query.empty()) c.query.push_back(' ');
    c.query += word;
  }
  auto add = [&](const std::string& field, const std::vector<std::string>& values) {
    for (const std::string& v : values) c.request.filters.push_back({field, v, false});
  };
  add("county", raw.county);
  add("province", raw.province);
  add("year", raw.year);
  add("topic", raw.topic);
  add("role", raw.role);
  if (!raw.explain.empty()) {
    c.explain = static_cast<Xapian::docid>(
        parse_number(raw.explain, 1, UINT32_MAX, "a paragraph id", "--explain"));
  }
  c.batch = raw.batch;
  for (const auto& [name, values] : {std::pair{"county", &raw.county},
                                     {"province", &raw.province},
                                     {"year", &raw.year},
                                     {"topic", &raw.topic},
                                     {"role", &raw.role}}) {
    for (const std::string& v : *values) {
      c.filters_text += (c.filters_text.empty() ? "" : " ") + std::string(name) + ":" + v;
    }
  }
  if (!raw.trend.empty()) {
    const auto& names = facet_names();
    for (size_t i = 0; i <= raw.trend.size();) {
      size_t j = raw.trend.find(',', i);
      if (j == std::string::npos) j = raw.trend.size();
      const std::string f = raw.trend.substr(i, j - i);
      if (std::find(names.begin(), names.end(), f) == names.end()) {
        throw speechdex::UsageError("unknown trend field '" + f +
                                        "'; valid values are year, county, province, topic, "
                                        "role, or two of them as year,province",
                                    "--trend");
      }
      if (std::find(c.trend_fields.begin(), c.trend_fields.end(), f) != c.trend_fields.end()) {
        throw speechdex::UsageError("trend field '" + f + "' given twice", "--trend");
      }
      c.trend_fields.push_back(f);
      i = j + 1;
    }
    if (c.trend_fields.size() > 2) {
      throw speechdex::UsageError("a trend has one or two fields", "--trend");
    }
    if (!c.query.empty()) c.trend_queries.push_back(c.query);
    for (const std::string& e : raw.expressions) c.trend_queries.push_back(e);
    if (c.trend_queries.empty() && c.batch.empty()) {
      throw speechdex::UsageError("give a query, -e QUERY (repeatable) or --batch FILE", "--trend");
    }
    if (!c.batch.empty() && !c.trend_queries.empty()) {
      throw speechdex::UsageError(
          "give queries in the --batch file or on the command line, not both", "--batch");
    }
    c.plot = raw.plot;
    if (!c.plot.empty() && c.trend_fields.size() != 1) {
      throw speechdex::UsageError("--plot draws a trend over one field", "--plot");
    }
  } else if (!raw.expressions.empty() || !raw.plot.empty()) {
    throw speechdex::UsageError("-e and --plot go with --trend",
                                raw.plot.empty() ? "-e" : "--plot");
  }
  if (!c.batch.empty() && !c.query.empty()) {
    throw speechdex::UsageError("give queries in the --batch file or on the command line, not both",
                                "--batch");
  }
  validate_reuse(raw, c);
  if (!c.explain && c.batch.empty() && c.trend_fields.empty() && c.reuse_pair.empty()) {
    if (c.query.empty() && c.request.filters.empty() && !c.reuse) {
      throw speechdex::UsageError("give a query, a filter (--county, --year, ...) or --explain ID",
                                  "");
    }
    // Filters alone list the paragraphs they select.
    c.request.query = c.query.empty()
                          ? ParsedQuery{speechdex::textstore::Query::all(), {}, true, {}}
                          : parse_query(c.query);
  }
  // No index holds more paragraphs than ids, so a larger offset could only skip them all.
  c.request.page.offset = parse_number(raw.offset, 0, UINT32_MAX, "a number", "--offset");
  c.request.page.limit = raw.count.empty() ? raw.limit : 0;
  c.count_only = !raw.count.empty();
  c.count_all = raw.count == "all";
  for (const std::string& f : raw.facets) {
    const auto& names = facet_names();
    if (std::find(names.begin(), names.end(), f) == names.end()) {
      throw speechdex::UsageError(
          "unknown facet '" + f + "'; valid values are county, province, year, topic, role",
          "--facets");
    }
    c.request.facets.push_back(f);
  }
  c.request.group_by_speech = raw.group == "speech";
  c.request.boilerplate = raw.boilerplate == "include" ? Boilerplate::kInclude
                          : raw.boilerplate == "only"  ? Boilerplate::kOnly
                                                       : Boilerplate::kExclude;
  c.request.sort = raw.sort == "year"    ? Sort::kYear
                   : raw.sort == "-year" ? Sort::kYearDescending
                                         : Sort::kRelevance;
  c.format = raw.format == "json"  ? Format::kJson
             : raw.format == "csv" ? Format::kCsv
                                   : Format::kTable;
  c.kwic = raw.format == "kwic" || raw.kwic;
  c.kwic_options.context = raw.context;
  c.kwic_options.sort = raw.kwic_sort == "left"     ? KwicSort::kLeft
                        : raw.kwic_sort == "right"  ? KwicSort::kRight
                        : raw.kwic_sort == "year"   ? KwicSort::kYear
                        : raw.kwic_sort == "county" ? KwicSort::kCounty
                        : raw.kwic_sort == "source" ? KwicSort::kSource
                                                    : KwicSort::kRank;
  c.collocates = raw.collocates;
  c.collocate_options.window = raw.window;
  c.collocate_options.limit = raw.limit;
  if (c.collocates && (!c.batch.empty() || !c.trend_fields.empty() || c.explain)) {
    throw speechdex::UsageError("--collocates goes with one query", "--collocates");
  }
  c.color = raw.color == "always" || (raw.color == "auto" && isatty(STDOUT_FILENO));
  validate_export(raw, c);
  return c;
}

// --trend: the series of each query (from the command line or the --batch file), printed,
// and drawn with --plot.
int trend_command(speechdex::searcher::Searcher& searcher, const Config& c) {
  using namespace speechdex::searcher;
  TrendRequest request;
  request.fields = c.trend_fields;
  request.queries = c.trend_queries;
  request.filters = c.request.filters;
  request.boilerplate = c.request.boilerplate;
  if (!c.batch.empty()) {
    std::ifstream file;
    if (c.batch != "-") {
      file.open(c.batch);
      if (!file) throw speechdex::UsageError("cannot read batch file", c.batch);
    }
    std::istream& in = c.batch == "-" ? std::cin : file;
    for (std::string line; std::getline(in, line);) {
      while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
        line.pop_back();
      }
      const size_t start = line.find_first_not_of(" \t");
      if (start != std::string::npos) request.queries.push_back(line.substr(start));
    }
  }
  const TrendResult result = speechdex::searcher::run_trend(searcher, request);
  print_trend(result, c.format, std::cout, c.color);
  int status = 0;
  for (const TrendSeries& s : result.series) {
    if (s.error.empty()) continue;
    status = 1;
    if (c.format == Format::kCsv) std::cerr << kProgram << ": error: " << s.error << "\n";
  }
  if (!c.plot.empty()) {
    std::ofstream svg(c.plot, std::ios::binary);
    svg << trend_svg(result, c.db, c.filters_text);
    svg.close();
    if (!svg) throw speechdex::UsageError("cannot write the plot", c.plot);
  }
  return status;
}

// --all: every hit (or KWIC row) printed as it is read, in index order; returns the rows.
uint64_t print_all(speechdex::searcher::Searcher& searcher, const Config& c,
                   speechdex::searcher::Printer& printer) {
  using namespace speechdex::searcher;
  uint64_t rows = 0;
  if (!c.kwic) {
    printer.begin();
    searcher.for_each_hit(c.request, [&](const Hit& h) {
      printer.hit(c.request.query, h);
      ++rows;
    });
    printer.end(c.query.empty() ? "(filters only)" : c.query, rows);
    return rows;
  }
  if (c.format == Format::kCsv) print_kwic_csv(std::cout, {}, c.fields);
  SearchResult one;  // one hit at a time, for kwic_rows
  searcher.for_each_hit(c.request, [&](const Hit& h) {
    one.hits.assign(1, h);
    const std::vector<KwicRow> kwic = kwic_rows(one, c.request.query, c.kwic_options);
    if (c.format == Format::kJson) {
      print_kwic_json(std::cout, kwic, c.fields);
    } else if (c.format == Format::kCsv) {
      print_kwic_csv(std::cout, kwic, c.fields, false);
    } else {
      print_kwic_table(std::cout, kwic, one, c.color);
    }
    rows += kwic.size();
  });
  return rows;
}

// Writes the --provenance file (with the rows written, when known).
void write_provenance(const speechdex::searcher::Searcher& searcher, const Config& c,
                      std::optional<uint64_t> rows) {
  if (c.provenance.empty() || c.provenance == "-") return;
  std::ofstream file(c.provenance, std::ios::binary);
  file << speechdex::searcher::provenance_json(searcher, c.provenance_request, rows) << "\n";
  file.close();
  if (!file) throw speechdex::UsageError("cannot write the provenance file", c.provenance);
}

// The progress line of --reuse on a terminal: the phase, speeches done, time spent and the
// time left in the phase.
class ReuseProgressLine {
 public:
  explicit ReuseProgressLine(bool on) : line_(on) {}
  void show(const speechdex::searcher::ReuseProgress& p) {
    const bool new_phase = p.phase != phase_;
    if (!line_.due(new_phase)) return;
    if (new_phase) {
      phase_ = p.phase;
      phase_started_ = line_.seconds();
    }
    const double in_phase = line_.seconds() - phase_started_;
    const double left = p.share > 0 ? in_phase * (1 - p.share) / p.share : 0;
    char text[160];
    std::snprintf(text, sizeof text, "%s: %zu/%zu speeches, %.0f s, %.0f s left in this phase",
                  p.phase, p.done, p.total, line_.seconds(), left);
    line_.draw(text);
  }
  void clear() { line_.clear(); }

 private:
  speechdex::schema::ProgressLine line_;
  const char* phase_ = nullptr;
  double phase_started_ = 0;
};

int run(const Config& c) {
  using namespace speechdex::searcher;
  Searcher searcher(c.db);
  auto printer = make_printer(c.format, std::cout, c.color, c.fields);
  if (c.bom) std::cout << "\xEF\xBB\xBF";
  if (c.provenance == "-") {
    std::cout << "{\"provenance\":" << provenance_json(searcher, c.provenance_request, {}) << "}\n";
  }
  if (c.all) {
    const uint64_t rows = print_all(searcher, c, *printer);
    std::cout.flush();
    write_provenance(searcher, c, rows);
    return 0;
  }
  if (c.explain) {
    printer->explain(*c.explain, searcher.record(*c.explain));
    return 0;
  }
  if (!c.trend_fields.empty()) return trend_command(searcher, c);
  if (!c.batch.empty()) {
    std::ifstream file;
    if (c.batch != "-") {
      file.open(c.batch);
      if (!file) throw speechdex::UsageError("cannot read batch file", c.batch);
    }
    std::istream& in = c.batch == "-" ? std::cin : file;
    return run_batch(searcher, in, c.request, c.format, std::cout) > 0 ? 1 : 0;
  }
  if (c.reuse) {
    ReuseProgressLine progress(isatty(STDERR_FILENO) != 0);
    const ReuseResult result = find_reuse(searcher, c.request, c.reuse_options,
                                          [&](const ReuseProgress& p) { progress.show(p); });
    progress.clear();
    print_reuse(std::cout, c.format, result, c.color);
    std::cout.flush();
    write_provenance(searcher, c, result.passages.size());
    return 0;
  }
  if (!c.reuse_pair.empty()) {
    print_reuse_pair(std::cout, c.format,
                     reuse_pair(searcher, c.reuse_pair[0], c.reuse_pair[1], c.reuse_options),
                     c.color);
    return 0;
  }
  if (c.collocates) {
    print_collocates(std::cout, c.format, collocates(searcher, c.request, c.collocate_options),
                     c.collocate_options);
    return 0;
  }
  SearchResult result = searcher.search(c.request);
  if (c.count_all) {
    print_totals(std::cout, c.format, count_totals(searcher, c.request));
    write_provenance(searcher, c, {});
    return 0;
  }
  if (c.count_only && c.request.facets.empty()) {
    std::cout << result.total << "\n";
    write_provenance(searcher, c, {});
    return 0;
  }
  // The summary line's occurrences read every matching paragraph: only when it is printed.
  if (c.format == Format::kJson && !c.request.facets.empty()) {
    result.occurrences = count_totals(searcher, c.request).occurrences;
  }
  if (c.kwic) {
    const std::vector<KwicRow> rows = kwic_rows(result, c.request.query, c.kwic_options);
    print_kwic(std::cout, c.format, result, rows, c.color, c.fields);
    write_provenance(searcher, c, rows.size());
    return 0;
  }
  printer->print(c.query.empty() ? "(filters only)" : c.query, c.request.query, result,
                 c.request.group_by_speech);
  write_provenance(searcher, c, result.hits.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Search a speechdex database. A run of Chinese characters matches exactly as a "
      "substring; parts separated by spaces are ANDed; -part excludes; \"quoted text\" "
      "matches exactly, punctuation included; a NEAR/5 b finds two parts at most 5 "
      "characters apart (BEFORE/5: a first; NEAR/s, BEFORE/s: in one sentence); OR and ( ) "
      "combine; title: and heading: "
      "search the speech title and the section headings; county:, province:, year:, "
      "topic:, role: filter. See docs/query.md.",
      kProgram};
  app.footer(
      "Examples (DB is the database folder):\n"
      "  speechdex-search --db DB 依法行政                      ranked paragraphs\n"
      "  speechdex-search --db DB --count=all 依法行政          paragraphs, speeches, occurrences\n"
      "  speechdex-search --db DB '依法行政 NEAR/10 法治政府'   two parts within 10 characters\n"
      "  speechdex-search --db DB '招商 BEFORE/s 引资'          in one sentence, 招商 first\n"
      "  speechdex-search --db DB --format kwic --kwic-sort left 枫桥经验   concordance\n"
      "  speechdex-search --db DB --trend year -e 依法行政 -e 法治政府 --plot t.svg\n"
      "  speechdex-search --db DB --collocates --window 5 依法行政\n"
      "  speechdex-search --db DB --all --format csv --bom --provenance p.json 依法行政 > all.csv\n"
      "  speechdex-search --db DB 法治 --county 巴东 --year 2015..2020 --facets year,topic\n"
      "  speechdex-search --db DB --explain 150                 a paragraph's metadata\n"
      "  speechdex-search --db DB --reuse --min-chars 40 --format json > passages.jsonl\n"
      "  speechdex-search --db DB --reuse --province 湖北 --year 2015..2020   shared passages\n"
      "  speechdex-search --db DB --reuse-pair 'a.txt#1' 'b.txt#1'   what changed between two\n"
      "Docs: docs/query.md (the query language), docs/output.md (formats), docs/reuse.md\n"
      "(shared passages).");
  RawOptions raw;
  app.add_option("--db", raw.db, "database folder")->required();
  app.add_option("query", raw.query_words, "the query");
  app.add_option("-n,--limit", raw.limit, "number of hits to print")
      ->default_val(10)
      ->check(CLI::Range(0, 100000));
  app.add_option("--offset", raw.offset, "hits to skip before printing")->default_val("0");
  app.add_flag("-c{paragraphs},--count{paragraphs}", raw.count,
               "print only the exact number of matching paragraphs (speeches with --group "
               "speech); --count=all prints paragraphs, speeches and occurrences (every "
               "non-overlapping match of the query's text, over all matching paragraphs)")
      ->check(CLI::IsMember({"paragraphs", "all"}));
  app.add_option("-f,--format", raw.format,
                 "output format; kwic: one line per occurrence in the hits shown, in context, "
                 "matches aligned in one column")
      ->default_val("table")
      ->check(CLI::IsMember({"table", "json", "csv", "kwic"}));
  app.add_flag("--kwic", raw.kwic,
               "with --format json or csv: one row per occurrence in the hits shown (docname, "
               "from, to, pre, keyword, post, speech_id, county, year)");
  app.add_option("--context", raw.context, "KWIC: characters of context each side")
      ->default_val(20)
      ->check(CLI::Range(0, 10000));
  app.add_option("--kwic-sort", raw.kwic_sort,
                 "KWIC: order of the rows: rank (hits' order), left (context left of the match, "
                 "read right to left), right, year, county, source")
      ->default_val("rank")
      ->check(CLI::IsMember({"rank", "left", "right", "year", "county", "source"}));
  app.add_option("--color", raw.color, "colour the table")
      ->default_val("auto")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  // Each occurrence of a repeatable option takes one value, so the query may follow it.
  app.add_option("--county", raw.county, "county: name, short name or code (repeat to OR)")
      ->allow_extra_args(false);
  app.add_option("--province", raw.province, "province: name, short name or 2-digit code")
      ->allow_extra_args(false);
  app.add_option("--year", raw.year, "year or range: 2020, 2015..2020")->allow_extra_args(false);
  app.add_option("--topic", raw.topic, "topic id or label (data/topics.tsv)")
      ->allow_extra_args(false);
  app.add_option("--role", raw.role, "speaker role: 县长, 县委书记, ...")->allow_extra_args(false);
  app.add_option("--facets", raw.facets, "count matches by county,province,year,topic,role")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--group", raw.group, "one hit per speech (its best paragraph)")
      ->check(CLI::IsMember({"speech"}));
  app.add_option("--sort", raw.sort, "order of hits")
      ->default_val("relevance")
      ->check(CLI::IsMember({"relevance", "year", "-year"}));
  app.add_option("--boilerplate", raw.boilerplate,
                 "website furniture the indexer set aside (site headers, 来源 lines, adverts, "
                 "what comes before a file's first title): exclude it from results and counts, "
                 "include it, or search only it")
      ->default_val("exclude")
      ->check(CLI::IsMember({"exclude", "include", "only"}));
  app.add_option("--batch", raw.batch,
                 "run one query per line of FILE (- for stdin) in this process; prints count, "
                 "top ids, facets and milliseconds per query (json), or a query x count table "
                 "(csv)");
  app.add_option("--trend", raw.trend,
                 "count the query per year, county, province, topic or role (or two as "
                 "year,province): matching paragraphs, speeches and occurrences per bucket, the "
                 "bucket's totals, occurrences per 10,000 characters and the share of speeches; "
                 "one series per query (the query words, each -e, or each --batch line)")
      ->type_name("FIELD[,FIELD]");
  app.add_option("-e,--query", raw.expressions,
                 "with --trend: one more query, a series of its own (repeatable)")
      ->type_name("QUERY")
      ->allow_extra_args(false);
  app.add_option("--plot", raw.plot,
                 "with --trend over one field: write an SVG chart of occurrences per 10,000 "
                 "characters to FILE (lines over years, bars otherwise)")
      ->type_name("FILE.svg");
  app.add_flag("--all", raw.all,
               "print every hit (every KWIC row with --kwic or --format kwic), whatever their "
               "number, in index order (segment by segment, ids ascending; not by relevance), "
               "each as it is read, in constant memory; --limit is ignored");
  app.add_option("--fields", raw.fields,
                 "with --format json or csv: only these columns, in this order (hits: rank, "
                 "score, id, speech_id, text, ...; KWIC rows: docname, from, to, pre, keyword, "
                 "post, ...; see docs/output.md)")
      ->type_name("A,B,...");
  app.add_flag("--bom", raw.bom, "with --format csv: write a UTF-8 byte order mark first (Excel)");
  app.add_option("--provenance", raw.provenance,
                 "write a JSON object to FILE saying how the output was made: query, filters, "
                 "options, database path, schema version, document count, gazetteer and topic "
                 "fingerprints, program version, UTC time, rows written; with --format json, - "
                 "puts it first in the output as {\"provenance\":{...}}")
      ->type_name("FILE|-");
  app.add_flag("--collocates", raw.collocates,
               "the character n-grams (2 to 6, not across punctuation) most often within "
               "--window characters of the query's occurrences in every matching paragraph, "
               "ranked by logDice (--limit rows; with f_xy, the n-gram's frequency under the "
               "same filters and the score; docs/output.md)");
  app.add_option("--window", raw.window, "with --collocates: characters each side of a match")
      ->default_val(5)
      ->check(CLI::Range(1, 100));
  app.add_flag("--reuse", raw.reuse,
               "list the passages of at least --min-chars characters that two or more speeches "
               "share, exactly or nearly: one cluster per passage with its members (speech, "
               "offsets, text, county, year), the probable source first, and central_quote set "
               "for a passage in a large share of the speeches across many provinces; a query or "
               "filters restrict the speeches considered to those with a matching paragraph (no "
               "query: every speech); progress on stderr on a terminal (docs/reuse.md)");
  app.add_option("--min-chars", raw.min_chars,
                 "with --reuse or --reuse-pair: the shortest passage, in characters (a CJK "
                 "character or punctuation mark is one; so is a run of Latin letters or digits)")
      ->default_val(40)
      ->check(CLI::Range(10, 1000000));
  app.add_option("--reuse-pair", raw.reuse_pair,
                 "align two speeches (speech ids, as speech_id in the output) and show what "
                 "changed in each passage they share: [-only in A-]{+only in B+} in the table; "
                 "segments with op equal, delete, insert or replace and offsets in both in JSON "
                 "and CSV")
      ->expected(2)
      ->type_name("A B");
  app.add_option("--explain", raw.explain,
                 "show a paragraph's metadata and how it was found (id, 1 to 4294967295)");

  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 1 && a[0] == '-' && static_cast<unsigned char>(a[1]) >= 0x80) {
      a.insert(0, 1, kWordMark);
    }
    args.push_back(std::move(a));
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes the vector back to front
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << kProgram << ": error: " << e.what() << " (try --help)\n";
    return 2;
  }
  return speechdex::run_and_report(kProgram, [&] {
    // Xapian::Error is not a std::exception: one that escaped would abort the program.
    try {
      return run(validate(raw));
    } catch (const Xapian::Error& e) {
      throw speechdex::IndexError(e.get_description(), raw.db);
    }
  });
}
