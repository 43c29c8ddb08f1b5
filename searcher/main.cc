// speechdex-search: searches a speechdex database from the command line.
#include <unistd.h>
#include <xapian.h>

#include <CLI/CLI.hpp>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>

#include "adoption.h"
#include "batch.h"
#include "collocates.h"
#include "copies.h"
#include "databases.h"
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
#include "version.h"
#include "xapian_search.h"

namespace {

constexpr const char* kProgram = "speechdex-search";
// Marks a query word that starts with '-' and a non-ASCII character (-政府) so that the
// option parser takes it for a positional word, not an option.
constexpr char kWordMark = '\x01';

// CLI11's help, with option names as typed: -c,--count, not -c{paragraphs},--count{paragraphs}
// (the default a flag takes when given no value).
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option_name(const CLI::Option* opt, bool positional) const override {
    std::string name = CLI::Formatter::make_option_name(opt, positional);
    for (size_t open = name.find('{'); open != std::string::npos; open = name.find('{', open)) {
      const size_t close = name.find('}', open);
      if (close == std::string::npos) break;
      name.erase(open, close - open + 1);
    }
    return name;
  }
};

// Options as parsed.
struct RawOptions {
  std::vector<std::string> db;
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
  std::string dedup = "none";           ///< --dedup
  std::string copies;                   ///< --copies ID
  std::string clusters;                 ///< --clusters paragraph|speech
  bool adoption = false;                ///< --adoption
  std::string by;                       ///< --by year or year,province: the adoption curve
  bool reuse = false;                   ///< --reuse
  std::vector<std::string> reuse_pair;  ///< --reuse-pair A B
  size_t min_chars = 40;
  std::vector<std::string> remotes;  ///< --remote HOST:PORT
  unsigned timeout_ms = 10000;       ///< --timeout
  bool allow_partial = false;        ///< --allow-partial
};

// What a run does: one mode per run, picked from the options in this order of precedence
// (mode_of). Each mode reads some options (kOptionUses).
enum Mode : unsigned {
  kAll = 1u << 0,          ///< --all: every hit in index order
  kAllKwic = 1u << 1,      ///< --all with KWIC: every KWIC row
  kExplain = 1u << 2,      ///< --explain ID: one paragraph's metadata
  kTrend = 1u << 3,        ///< --trend: counts per bucket
  kAdoption = 1u << 4,     ///< --adoption: each county's first year, the adoption curve
  kBatch = 1u << 5,        ///< --batch: one search per line of a file
  kCollocates = 1u << 6,   ///< --collocates: n-grams near the matches
  kCountAll = 1u << 7,     ///< --count=all: paragraphs, speeches, occurrences
  kCount = 1u << 8,        ///< --count: the number alone
  kCountFacets = 1u << 9,  ///< --count with --facets: the number and the facets
  kKwicSearch = 1u << 10,  ///< --format kwic or --kwic: KWIC rows of a page of hits
  kSearch = 1u << 11,      ///< a page of ranked hits
  kCopies = 1u << 12,      ///< --copies ID: the members of a paragraph's duplicate cluster
  kClusters = 1u << 13,    ///< --clusters: every duplicate cluster
  kReuse = 1u << 14,       ///< --reuse: passages shared by speeches
  kReusePair = 1u << 15,   ///< --reuse-pair A B: two speeches aligned
};
constexpr int kModes = 16;
constexpr unsigned kEveryMode = (1u << kModes) - 1;

// How messages name each mode, in the enum's order.
constexpr const char* kModeNames[kModes] = {
    "--all",       "--all with KWIC", "--explain",   "--trend",    "--adoption",
    "--batch",     "--collocates",    "--count=all", "--count",    "--count with --facets",
    "KWIC rows",   "a ranked search", "--copies",    "--clusters", "--reuse",
    "--reuse-pair"};

// Output formats as bits, for the formats an option is read in.
constexpr unsigned kTableFormat = 1u << static_cast<int>(speechdex::searcher::Format::kTable);
constexpr unsigned kJsonFormat = 1u << static_cast<int>(speechdex::searcher::Format::kJson);
constexpr unsigned kCsvFormat = 1u << static_cast<int>(speechdex::searcher::Format::kCsv);
constexpr unsigned kAnyFormat = kTableFormat | kJsonFormat | kCsvFormat;

// Which modes read an option (in which formats), and which refuse it (a usage error: the
// two cannot go together). An option may have several rows: it is read if one of them
// reads it. Given where no row reads it, it is ignored with a warning. Options not listed
// (--db, --bom) are read everywhere. "the query" is the query words, "--format kwic" that
// value of --format (the rows of --format are about the others).
struct OptionUse {
  const char* option;
  unsigned reads;
  unsigned refuses = 0;
  unsigned formats = kAnyFormat;
};
constexpr unsigned kFilterModes = kEveryMode & ~(kExplain | kCopies | kReusePair);
constexpr unsigned kPageModes = kSearch | kKwicSearch | kBatch;  // a page of ranked hits
constexpr unsigned kAllModes = kAll | kAllKwic;
constexpr OptionUse kOptionUses[] = {
    {"the query", kEveryMode & ~(kExplain | kBatch | kCopies | kReusePair), kBatch | kReusePair},
    {"--county", kFilterModes},
    {"--province", kFilterModes},
    {"--year", kFilterModes},
    {"--topic", kFilterModes},
    {"--role", kFilterModes},
    {"--boilerplate", kFilterModes},
    {"--limit", kPageModes | kCollocates},
    {"--offset", kPageModes, kAllModes},
    {"--sort", kPageModes, kAllModes},
    {"--group", kPageModes | kCount | kCountFacets, kAllModes},
    // Facets are a JSON summary line or the table's last lines; CSV has no place for them
    // but in --batch's columns.
    {"--facets", kBatch, kAllModes},
    {"--facets", kSearch | kCountFacets, kAllModes, kTableFormat | kJsonFormat},
    {"--facets", kKwicSearch, kAllModes, kJsonFormat},
    {"--count", kCount | kCountFacets | kCountAll,
     kAllModes | kCopies | kClusters | kReuse | kReusePair},
    {"--format", kEveryMode & ~kCount},
    {"--format kwic", kKwicSearch | kAllKwic},
    {"--kwic", kKwicSearch | kAllKwic},
    {"--context", kKwicSearch | kAllKwic},
    {"--kwic-sort", kKwicSearch, kAllKwic},
    {"--color",
     kSearch | kKwicSearch | kCountFacets | kAllModes | kTrend | kAdoption | kReuse | kReusePair, 0,
     kTableFormat},
    {"--fields", kSearch | kKwicSearch | kAllModes},
    {"--provenance", kEveryMode & ~(kExplain | kTrend | kBatch | kCopies | kClusters | kReusePair),
     kExplain | kTrend | kBatch | kCopies | kClusters | kReusePair},
    {"--explain", kExplain, kAllModes},
    {"--trend", kTrend, kAllModes | kExplain | kCopies | kClusters | kReuse | kReusePair},
    {"--batch", kBatch | kTrend,
     kAllModes | kExplain | kAdoption | kCopies | kClusters | kReuse | kReusePair},
    {"-e", kTrend, kEveryMode & ~kTrend},
    {"--plot", kTrend | kAdoption, kEveryMode & ~(kTrend | kAdoption)},
    {"--adoption", kAdoption,
     kAllModes | kExplain | kTrend | kCopies | kClusters | kReuse | kReusePair},
    {"--by", kAdoption},
    {"--collocates", kCollocates,
     kAllModes | kExplain | kTrend | kAdoption | kBatch | kCopies | kClusters | kReuse |
         kReusePair},
    {"--window", kCollocates},
    {"--dedup", kEveryMode & ~(kExplain | kClusters | kReuse | kReusePair), kClusters},
    {"--reuse", kReuse,
     kAllModes | kExplain | kTrend | kAdoption | kBatch | kCollocates | kCopies | kClusters},
    {"--reuse-pair", kReusePair,
     kAllModes | kExplain | kTrend | kAdoption | kBatch | kCollocates | kCopies | kClusters |
         kReuse},
    {"--min-chars", kReuse | kReusePair},
    {"--copies", kCopies,
     kAllModes | kExplain | kTrend | kAdoption | kBatch | kCollocates | kClusters},
    {"--clusters", kClusters, kAllModes | kExplain | kTrend | kAdoption | kBatch | kCollocates},
};

// The mode the options pick (the first that applies, in the enum's order).
Mode mode_of(const RawOptions& raw) {
  const bool kwic = raw.format == "kwic" || raw.kwic;
  if (raw.all) return kwic ? kAllKwic : kAll;
  if (!raw.explain.empty()) return kExplain;
  if (!raw.copies.empty()) return kCopies;
  if (!raw.clusters.empty()) return kClusters;
  if (raw.reuse) return kReuse;
  if (!raw.reuse_pair.empty()) return kReusePair;
  if (!raw.trend.empty()) return kTrend;
  if (raw.adoption) return kAdoption;
  if (!raw.batch.empty()) return kBatch;
  if (raw.collocates) return kCollocates;
  if (raw.count == "all") return kCountAll;
  if (!raw.count.empty()) return raw.facets.empty() ? kCount : kCountFacets;
  return kwic ? kKwicSearch : kSearch;
}

const char* mode_name(unsigned mode) { return kModeNames[std::countr_zero(mode)]; }

// The modes in `modes` by name, "a, b" (a ranked search first), or "any mode but c" if
// that is shorter.
std::string modes_text(unsigned modes) {
  const unsigned others = kEveryMode & ~modes;
  const bool but = std::popcount(others) < std::popcount(modes);
  std::string out;
  for (unsigned m = 1u << (kModes - 1); m != 0; m >>= 1) {
    if (((but ? others : modes) & m) == 0) continue;
    out += (out.empty() ? "" : ", ") + std::string(mode_name(m));
  }
  return but ? "any mode but " + out : out;
}

std::string format_name(unsigned format, unsigned mode) {
  return format == kJsonFormat             ? "json"
         : format == kCsvFormat            ? "csv"
         : mode & (kKwicSearch | kAllKwic) ? "kwic"
                                           : "table";
}

// Checks the options `given` against what `mode` in `format` reads: throws UsageError for
// one it refuses, and returns a warning for each it ignores.
std::vector<std::string> check_option_uses(const std::set<std::string>& given, unsigned mode,
                                           speechdex::searcher::Format format) {
  const unsigned format_bit = 1u << static_cast<int>(format);
  std::vector<std::string> warnings;
  for (const std::string& option : given) {
    unsigned reads = 0, refuses = 0, formats = 0;  // formats: those read in this mode
    bool listed = false, read = false;
    for (const OptionUse& use : kOptionUses) {
      if (option != use.option) continue;
      listed = true;
      read = read || ((use.reads & mode) != 0 && (use.formats & format_bit) != 0);
      reads |= use.reads;
      refuses |= use.refuses;
      if ((use.reads & mode) != 0) formats |= use.formats;
    }
    if (!listed || read) continue;
    // An option that picks a mode is not told where it goes: there.
    const bool names_a_mode = std::any_of(std::begin(kModeNames), std::end(kModeNames),
                                          [&](const char* m) { return option == m; });
    std::string where = mode_name(mode);
    if (formats != 0) {  // read in this mode, in other formats
      where.append(" and --format ").append(format_name(format_bit, mode));
      std::string names;
      for (unsigned f = 1; f <= kAnyFormat; f <<= 1) {
        if (formats & f) names.append(names.empty() ? "" : " or ").append(format_name(f, mode));
      }
      where.append("; it goes with --format ").append(names);
    } else if (!names_a_mode) {
      where.append("; it goes with ").append(modes_text(reads));
    }
    if ((refuses & mode) != 0) {
      throw speechdex::UsageError(option + " does not go with " + where, option);
    }
    warnings.push_back(option + " is ignored with " + where);
  }
  return warnings;
}

// Options validated.
struct Config {
  Mode mode = kSearch;
  std::vector<std::string> warnings;  ///< options given that the mode ignores
  speechdex::searcher::Layout layout = speechdex::searcher::Layout::kStore;
  std::vector<std::string> databases;  ///< the index folders --db names (resolve_databases)
  std::string db;                      ///< their paths joined by ", ", for captions
  std::string query;
  speechdex::searcher::SearchRequest request;
  speechdex::searcher::Format format = speechdex::searcher::Format::kTable;
  bool color = false;
  std::optional<Xapian::docid> explain;
  std::string batch;  ///< "" = no batch; "-" = stdin
  bool kwic = false;  ///< one row per occurrence (--format kwic, --kwic)
  speechdex::searcher::KwicOptions kwic_options;
  std::vector<std::string> trend_fields;   ///< empty: no trend
  std::vector<std::string> trend_queries;  ///< the query words, then each -e
  std::string plot;
  std::string filters_text;         ///< the filter flags as typed, for the plot's caption
  std::vector<std::string> fields;  ///< JSON and CSV columns; empty: the format's default
  bool bom = false;                 ///< a UTF-8 BOM before CSV
  std::string provenance;           ///< "" none; "-" the first JSON line; else a file
  speechdex::searcher::ProvenanceRequest provenance_request;
  speechdex::searcher::CollocateOptions collocate_options;
  std::optional<Xapian::docid> copies;  ///< --copies ID
  /// --clusters: kNone for none.
  speechdex::searcher::Dedup clusters = speechdex::searcher::Dedup::kNone;
  speechdex::searcher::AdoptionView adoption_view = speechdex::searcher::AdoptionView::kCounties;
  bool adoption_by_province = false;    ///< --by year,province
  bool reuse = false;                   ///< --reuse
  std::vector<std::string> reuse_pair;  ///< --reuse-pair: two speech ids
  speechdex::searcher::ReuseOptions reuse_options;
  speechdex::searcher::ShardOptions shards;  ///< Xapian-layout shards (xapian_search.h)
};

// "a, b, c" for an error message.
std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// --fields, --bom and --provenance: checked against the rest of `c`.
void validate_export(const RawOptions& raw, Config& c) {
  using speechdex::UsageError;
  using namespace speechdex::searcher;
  c.bom = raw.bom;
  c.provenance = raw.provenance;
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
  if (c.provenance == "-" && c.format != Format::kJson) {
    throw UsageError("--provenance - (a first JSON line) goes with --format json; give a file",
                     "--provenance");
  }
  const bool all = c.mode == kAll || c.mode == kAllKwic;
  ProvenanceRequest& p = c.provenance_request;
  p.query = c.query;
  p.filters = c.request.filters;
  p.options = {{"format", raw.format},
               {"kwic", c.kwic ? "true" : "false"},
               {"all", all ? "true" : "false"},
               {"fields", raw.fields},
               {"limit", all ? "" : std::to_string(c.request.page.limit)},
               {"offset", std::to_string(c.request.page.offset)},
               {"sort", raw.sort},
               {"group", raw.group},
               {"boilerplate", raw.boilerplate},
               {"dedup", raw.dedup}};
  if (c.kwic) {
    p.options.emplace_back("context", std::to_string(c.kwic_options.context));
    p.options.emplace_back("kwic_sort", raw.kwic_sort);
  }
  if (c.mode == kCollocates) {
    p.options.emplace_back("collocates", "true");
    p.options.emplace_back("window", std::to_string(raw.window));
  }
  if (c.mode == kAdoption) {
    p.options.emplace_back("adoption", "true");
    p.options.emplace_back("by", raw.by);
  }
  if (c.mode == kReuse || c.mode == kReusePair) {
    p.options.emplace_back("reuse", c.mode == kReuse ? "true" : "pair");
    p.options.emplace_back("min_chars", std::to_string(raw.min_chars));
  }
}

// --reuse and --reuse-pair: what goes with them.
void validate_reuse(const RawOptions& raw, Config& c) {
  using speechdex::UsageError;
  c.reuse = raw.reuse;
  c.reuse_pair = raw.reuse_pair;
  c.reuse_options.min_chars = raw.min_chars;
  if (!c.reuse && c.reuse_pair.empty()) return;
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

// `given`: the options given on the command line (their names as in kOptionUses).
Config validate(const RawOptions& raw, const std::set<std::string>& given) {
  using namespace speechdex::searcher;
  Config c;
  c.mode = mode_of(raw);
  c.format = raw.format == "json"  ? Format::kJson
             : raw.format == "csv" ? Format::kCsv
                                   : Format::kTable;
  c.warnings = check_option_uses(given, c.mode, c.format);
  c.layout = speechdex::searcher::layout_of(raw.db, raw.remotes, &c.warnings);
  if (c.layout == speechdex::searcher::Layout::kStore) {
    c.databases = speechdex::searcher::resolve_databases(raw.db);
  } else {
    c.shards.dbs = raw.db;
  }
  for (const std::string& d :
       c.layout == speechdex::searcher::Layout::kStore ? c.databases : raw.db)
    c.db += (c.db.empty() ? "" : ", ") + d;
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
  }
  if (c.mode == kAdoption) {
    c.plot = raw.plot;
    if (raw.by == "year") {
      c.adoption_view = AdoptionView::kCurve;
    } else if (raw.by == "year,province" || raw.by == "province,year") {
      c.adoption_view = AdoptionView::kCurve;
      c.adoption_by_province = true;
    } else if (!raw.by.empty()) {
      throw speechdex::UsageError(
          "unknown --by '" + raw.by + "'; valid values are year and year,province", "--by");
    }
  }
  c.request.dedup = raw.dedup == "paragraph" ? Dedup::kParagraph
                    : raw.dedup == "speech"  ? Dedup::kSpeech
                                             : Dedup::kNone;
  if (c.mode == kCopies) {
    c.copies = static_cast<Xapian::docid>(
        parse_number(raw.copies, 1, UINT32_MAX, "a paragraph id (1 to 4294967295)", "--copies"));
  }
  c.clusters = raw.clusters == "paragraph" ? Dedup::kParagraph
               : raw.clusters == "speech"  ? Dedup::kSpeech
                                           : Dedup::kNone;
  if (c.mode == kClusters && !c.query.empty()) c.request.query = parse_query(c.query);
  validate_reuse(raw, c);
  if (c.mode != kExplain && c.mode != kBatch && c.mode != kTrend && c.mode != kCopies &&
      c.mode != kClusters && c.mode != kReusePair) {
    if (c.query.empty() && c.request.filters.empty() && c.mode != kReuse) {
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
  c.request.page.limit = c.mode == kCount || c.mode == kCountFacets ? 0 : raw.limit;
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
  c.kwic = c.mode == kKwicSearch || c.mode == kAllKwic;
  c.kwic_options.context = raw.context;
  c.kwic_options.sort = raw.kwic_sort == "left"     ? KwicSort::kLeft
                        : raw.kwic_sort == "right"  ? KwicSort::kRight
                        : raw.kwic_sort == "year"   ? KwicSort::kYear
                        : raw.kwic_sort == "county" ? KwicSort::kCounty
                        : raw.kwic_sort == "source" ? KwicSort::kSource
                                                    : KwicSort::kRank;
  c.collocate_options.window = raw.window;
  c.collocate_options.limit = raw.limit;
  c.color = raw.color == "always" || (raw.color == "auto" && isatty(STDOUT_FILENO));
  validate_export(raw, c);
  c.shards.remotes = raw.remotes;
  c.shards.timeout_ms = raw.timeout_ms;
  c.shards.allow_partial = raw.allow_partial;
  return c;
}

// Writes a chart to the --plot file.
void write_plot(const std::string& file, const std::string& svg) {
  std::ofstream out(file, std::ios::binary);
  out << svg;
  out.close();
  if (!out) throw speechdex::UsageError("cannot write the plot", file);
}

// --trend: the series of each query (from the command line or the --batch file), printed,
// and drawn with --plot. `S`: Searcher or XapianSearcher.
template <typename S>
int trend_command(S& searcher, const Config& c) {
  using namespace speechdex::searcher;
  TrendRequest request;
  request.fields = c.trend_fields;
  request.queries = c.trend_queries;
  request.filters = c.request.filters;
  request.boilerplate = c.request.boilerplate;
  request.dedup = c.request.dedup;
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
  if (!c.plot.empty()) write_plot(c.plot, trend_svg(result, c.db, c.filters_text));
  return status;
}

// --all: every hit (or KWIC row) printed as it is read, in index order; returns the rows.
// `S`: Searcher, or XapianSearcher (by relevance there).
template <typename S>
uint64_t print_all(S& searcher, const Config& c, speechdex::searcher::Printer& printer) {
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

// --adoption: each county's first year (or the curve with --by), printed, and the curve
// drawn with --plot.
int adoption_command(speechdex::searcher::Searcher& searcher, const Config& c) {
  using namespace speechdex::searcher;
  const AdoptionResult result = run_adoption(
      searcher, c.request, c.query.empty() ? "(filters only)" : c.query, c.adoption_by_province);
  print_adoption(result, c.adoption_view, c.format, std::cout, c.color);
  const std::string note = adoption_note(result);
  if (c.format == Format::kCsv && !note.empty()) {
    std::cerr << kProgram << ": note: " << note << "\n";
  }
  if (!c.plot.empty()) write_plot(c.plot, chart_svg(adoption_chart(result, c.db, c.filters_text)));
  write_provenance(
      searcher, c,
      c.adoption_view == AdoptionView::kCounties ? result.counties.size() : result.curve.size());
  return 0;
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

// A search over Xapian-layout shards (xapian_search.h): the modes stock Xapian can answer
// exactly; the others are refused naming the limitation.
int run_xapian(const Config& c) {
  using namespace speechdex::searcher;
  const unsigned supported =
      kSearch | kKwicSearch | kCount | kCountFacets | kAll | kAllKwic | kExplain | kTrend;
  if ((c.mode & supported) == 0) {
    throw speechdex::UsageError(std::string(mode_name(c.mode)) +
                                    " is not available on Xapian-layout shards: it reads the "
                                    "text store or the whole index's duplicate table "
                                    "(docs/scaling.md)",
                                "");
  }
  if (!c.provenance.empty()) {
    throw speechdex::UsageError("--provenance is not available on Xapian-layout shards",
                                "--provenance");
  }
  XapianSearcher searcher(
      c.shards, [](const std::string& w) { std::cerr << kProgram << ": warning: " << w << "\n"; });
  auto printer = make_printer(c.format, std::cout, c.color, c.fields);
  if (c.bom) std::cout << "\xEF\xBB\xBF";
  int status = 0;
  if (c.mode == kExplain) {
    printer->explain(*c.explain, searcher.record(*c.explain));
  } else if (c.mode == kTrend) {
    status = trend_command(searcher, c);
  } else if (c.mode == kAll || c.mode == kAllKwic) {
    print_all(searcher, c, *printer);
  } else {
    const SearchResult result = searcher.search(c.request);
    if (c.mode == kCount) {
      std::cout << result.total << "\n";
    } else if (c.mode == kKwicSearch) {
      print_kwic(std::cout, c.format, result, kwic_rows(result, c.request.query, c.kwic_options),
                 c.color, c.fields);
    } else {
      printer->print(c.query.empty() ? "(filters only)" : c.query, c.request.query, result,
                     c.request.group_by_speech);
    }
  }
  std::cout.flush();
  if (!searcher.skipped().empty()) {
    std::string names;
    for (const std::string& n : searcher.skipped()) names += (names.empty() ? "" : ", ") + n;
    std::cerr << kProgram << ": warning: results are partial: " << searcher.skipped().size()
              << " shard(s) skipped: " << names << "\n";
  }
  return status;
}

int run(const Config& c) {
  using namespace speechdex::searcher;
  if (c.layout == speechdex::searcher::Layout::kXapian) return run_xapian(c);
  Searcher searcher(c.databases);
  auto printer = make_printer(c.format, std::cout, c.color, c.fields);
  if (c.bom) std::cout << "\xEF\xBB\xBF";
  if (c.provenance == "-") {
    std::cout << "{\"provenance\":" << provenance_json(searcher, c.provenance_request, {}) << "}\n";
  }
  switch (c.mode) {
    case kAll:
    case kAllKwic: {
      const uint64_t rows = print_all(searcher, c, *printer);
      std::cout.flush();
      write_provenance(searcher, c, rows);
      return 0;
    }
    case kExplain:
      printer->explain(*c.explain, searcher.record(*c.explain));
      return 0;
    case kTrend:
      return trend_command(searcher, c);
    case kAdoption:
      return adoption_command(searcher, c);
    case kCopies:
      print_copies(std::cout, c.format, searcher,
                   c.request.dedup == Dedup::kSpeech ? Dedup::kSpeech : Dedup::kParagraph,
                   *c.copies);
      return 0;
    case kClusters: {
      // A query or filters narrow the list to the clusters with a member they select.
      std::optional<SearchRequest> request;
      if (!c.query.empty() || !c.request.filters.empty()) {
        request = c.request;
        if (c.query.empty()) {
          request->query = ParsedQuery{speechdex::textstore::Query::all(), {}, true, {}};
        }
      }
      print_clusters(std::cout, c.format, searcher, c.clusters, request);
      return 0;
    }
    case kBatch: {
      std::ifstream file;
      if (c.batch != "-") {
        file.open(c.batch);
        if (!file) throw speechdex::UsageError("cannot read batch file", c.batch);
      }
      std::istream& in = c.batch == "-" ? std::cin : file;
      return run_batch(searcher, in, c.request, c.format, std::cout) > 0 ? 1 : 0;
    }
    case kCollocates: {
      const CollocateResult result = collocates(searcher, c.request, c.collocate_options);
      print_collocates(std::cout, c.format, result, c.collocate_options);
      write_provenance(searcher, c, result.rows.size());
      return 0;
    }
    case kCountAll:
      print_totals(std::cout, c.format, count_totals(searcher, c.request));
      write_provenance(searcher, c, {});
      return 0;
    case kCount:
      std::cout << searcher.search(c.request).total << "\n";
      write_provenance(searcher, c, {});
      return 0;
    case kReuse: {
      ReuseProgressLine progress(isatty(STDERR_FILENO) != 0);
      const ReuseResult result = find_reuse(searcher, c.request, c.reuse_options,
                                            [&](const ReuseProgress& p) { progress.show(p); });
      progress.clear();
      print_reuse(std::cout, c.format, result, c.color);
      std::cout.flush();
      write_provenance(searcher, c, result.passages.size());
      return 0;
    }
    case kReusePair:
      print_reuse_pair(std::cout, c.format,
                       reuse_pair(searcher, c.reuse_pair[0], c.reuse_pair[1], c.reuse_options),
                       c.color);
      return 0;
    case kCountFacets:
    case kKwicSearch:
    case kSearch:
      break;
  }
  SearchResult result = searcher.search(c.request);
  // The summary line's occurrences read every matching paragraph: only when it is printed.
  if (c.format == Format::kJson && !c.request.facets.empty()) {
    result.occurrences = count_totals(searcher, c.request).occurrences;
  }
  if (c.mode == kKwicSearch) {
    const std::vector<KwicRow> rows = kwic_rows(result, c.request.query, c.kwic_options);
    print_kwic(std::cout, c.format, result, rows, c.color, c.fields);
    write_provenance(searcher, c, rows.size());
    return 0;
  }
  printer->print(c.query.empty() ? "(filters only)" : c.query, c.request.query, result,
                 c.request.group_by_speech || c.request.dedup == Dedup::kSpeech);
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
      "topic:, role: filter. An option the run does not use is ignored with a warning "
      "(docs/query.md, Modes). Exit status: 0 success, 1 a query of --batch or --trend "
      "failed, 2 usage or query error, 3 the index could not be opened. Docs: docs/query.md "
      "(the query language), docs/output.md (formats).",
      kProgram};
  // help2man (man/) reads each example as a command and, 20 columns in on the next line,
  // what it does. A command wider than 71 columns (a CJK character is 2) wraps in the man
  // page.
  app.footer(
      "Examples:\n"
      "  speechdex-search --db DB 依法行政\n"
      "                    ranked paragraphs, the match highlighted (DB: the database folder)\n"
      "  speechdex-search --db DB --count=all 依法行政\n"
      "                    paragraphs, speeches and occurrences\n"
      "  speechdex-search --db DB '依法行政 NEAR/10 法治政府'\n"
      "                    two parts at most 10 characters apart\n"
      "  speechdex-search --db DB '招商 BEFORE/s 引资'\n"
      "                    in one sentence, 招商 first\n"
      "  speechdex-search --db DB --format kwic --kwic-sort left 枫桥经验\n"
      "                    one line per occurrence, sorted by the context left of it\n"
      "  speechdex-search --db DB --trend year -e 法治 -e 依法行政 --plot t.svg\n"
      "                    two series per year with rates, and their chart\n"
      "  speechdex-search --db DB --adoption --format csv 枫桥经验\n"
      "                    each county's first year with it, its speeches and years\n"
      "  speechdex-search --db DB --adoption --by year,province --plot a.svg 发展\n"
      "                    counties adopting it per year and province, and the curve\n"
      "  speechdex-search --db DB --collocates --window 5 依法行政\n"
      "                    n-grams within 5 characters of it, by logDice\n"
      "  speechdex-search --db DB --all --format csv --bom 依法行政 > all.csv\n"
      "                    every hit as CSV, in constant memory, with a BOM for Excel\n"
      "  speechdex-search --db DB --all -f json --provenance p.json 依法行政\n"
      "                    every hit as JSON Lines, and in p.json how they were made\n"
      "  speechdex-search --db DB 法治 --year 2015..2020 --facets county,topic\n"
      "                    from 2015 to 2020, with exact counts per county and topic\n"
      "  speechdex-search --db DB --dedup paragraph --count 依法行政\n"
      "                    matching paragraphs, each cluster of copies counted once\n"
      "  speechdex-search --db DB --copies 150\n"
      "                    where paragraph 150 was copied, earliest first\n"
      "  speechdex-search --db DB --clusters paragraph --format json\n"
      "                    every paragraph said more than once, with its copies\n"
      "  speechdex-search --db . --facets province 依法行政\n"
      "                    every index folder in this folder, searched as one index\n"
      "  speechdex-search --db DB --reuse --min-chars 40\n"
      "                    passages of 40+ characters that speeches share, sources first\n"
      "  speechdex-search --db DB --explain 150\n"
      "                    a paragraph's metadata and how it was found\n"
      "  speechdex-search --db shard --facets year 依法行政\n"
      "                    a Xapian-layout shard, or a stub of remote lines (docs/scaling.md)\n");
  app.formatter(std::make_shared<HelpFormatter>());
  RawOptions raw;
  app.set_version_flag("--version", std::string(kProgram) + " " + speechdex::kVersion,
                       "print the program's name and version and exit");
  app.add_option("--db", raw.db,
                 "index folder; repeat it, or name a folder of index folders or a Xapian stub "
                 "file of 'auto PATH' lines, to search several indexes as one; or a "
                 "Xapian-layout shard, a folder of them, or a stub of 'remote HOST:PORT' and "
                 "'auto PATH' lines naming them (docs/scaling.md)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  app.add_option("--remote", raw.remotes,
                 "a Xapian-layout shard served by xapian-tcpsrv at HOST:PORT (repeatable; with "
                 "or without --db): searched with stock Xapian operators, counts, facets and "
                 "hits exact; NEAR, BEFORE, collocates, adoption, reuse and copies are "
                 "not available (docs/scaling.md)")
      ->type_name("HOST:PORT")
      ->allow_extra_args(false);
  app.add_option("--timeout", raw.timeout_ms,
                 "with Xapian-layout shards: milliseconds a remote shard may take to connect or "
                 "answer before it is reported by name")
      ->default_val(10000)
      ->check(CLI::Range(1, 3600000))
      ->type_name("MS");
  app.add_flag("--allow-partial", raw.allow_partial,
               "with Xapian-layout shards: skip a shard that cannot be reached (a warning names "
               "it), search the others and mark the results partial (stderr; the JSON "
               "summary's partial and skipped_shards)");
  app.add_option("query", raw.query_words, "the query");
  app.add_option("-n,--limit", raw.limit, "number of hits to print")
      ->default_val(10)
      ->check(CLI::Range(0, 100000));
  app.add_option("--offset", raw.offset, "hits to skip before printing")
      ->default_val("0")
      ->type_name("N");
  app.add_flag("-c{paragraphs},--count{paragraphs}", raw.count,
               "print only the exact number of matching paragraphs (speeches with --group "
               "speech); --count=all prints paragraphs, speeches and occurrences (every "
               "non-overlapping match of the query's text, over all matching paragraphs)")
      ->check(CLI::IsMember({"paragraphs", "all"}))
      ->option_text("[=all]");
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
  app.add_option("--topic", raw.topic,
                 "topic id or label (of the taxonomy the index was built with)")
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
                 "(csv)")
      ->type_name("FILE");
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
                 "characters to FILE (lines over years, bars otherwise); with --adoption: the "
                 "cumulative adoption curve")
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
  app.add_flag("--adoption", raw.adoption,
               "for each county, the first year one of its speeches holds the query, with its "
               "matching speeches and their years (table, csv or json); speeches of unknown "
               "county or year cannot adopt and are counted apart; --plot draws the cumulative "
               "curve");
  app.add_option("--by", raw.by,
                 "with --adoption: the adoption curve instead, counties adopting per year (new "
                 "and cumulative), per province with year,province")
      ->type_name("year|year,province");
  app.add_flag("--collocates", raw.collocates,
               "the character n-grams (2 to 6, not across punctuation) most often within "
               "--window characters of the query's occurrences in every matching paragraph, "
               "ranked by logDice (--limit rows; with f_xy, the n-gram's frequency under the "
               "same filters and the score; docs/output.md)");
  app.add_option("--window", raw.window, "with --collocates: characters each side of a match")
      ->default_val(5)
      ->check(CLI::Range(1, 100));
  app.add_option("--dedup", raw.dedup,
                 "count each duplicate cluster once (exact and near copies, found at index "
                 "time): paragraph collapses copies of a paragraph, speech copies of a whole "
                 "speech (hits grouped by speech); each cluster counts as its earliest member "
                 "among the matches (by year, then source); hits show (+N copies); applies to "
                 "--count, --facets, --trend, --collocates, --all (docs/duplicates.md)")
      ->default_val("none")
      ->check(CLI::IsMember({"none", "paragraph", "speech"}));
  app.add_option("--copies", raw.copies,
                 "every member of paragraph ID's duplicate cluster (its speech's with --dedup "
                 "speech), earliest first, with source, county, year and similarity to the "
                 "earliest")
      ->type_name("ID");
  app.add_option("--clusters", raw.clusters,
                 "list every duplicate cluster of two or more paragraphs or speeches, the "
                 "largest first; with a query or filters, those with a matching member")
      ->check(CLI::IsMember({"paragraph", "speech"}));
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
                 "show a paragraph's metadata and how it was found (id, 1 to 4294967295)")
      ->type_name("ID");

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
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << kProgram << ": error: " << e.what() << " (try --help)\n";
    return 2;
  }
  // The options given, as kOptionUses names them.
  std::set<std::string> given;
  for (const CLI::Option* o : app.get_options()) {
    if (o->count() == 0) continue;
    for (const std::string& n : o->get_snames()) given.insert("-" + n);
    for (const std::string& n : o->get_lnames()) given.insert("--" + n);
    if (o->get_lnames().empty() && o->get_snames().empty()) given.insert("the " + o->get_name());
  }
  if (raw.db.empty() && raw.remotes.empty()) {
    std::cerr << kProgram << ": error: --db is required (or --remote HOST:PORT) (try --help)\n";
    return 2;
  }
  if (raw.format == "kwic") {
    given.erase("--format");
    given.insert("--format kwic");
  }
  return speechdex::run_and_report(kProgram, [&] {
    // Xapian::Error is not a std::exception: one that escaped would abort the program.
    try {
      const Config config = validate(raw, given);
      for (const std::string& w : config.warnings) {
        std::cerr << kProgram << ": warning: " << w << "\n";
      }
      return run(config);
    } catch (const Xapian::Error& e) {
      std::string dbs;
      for (const std::string& d : raw.db) dbs += (dbs.empty() ? "" : ", ") + d;
      throw speechdex::IndexError(e.get_description(), dbs);
    }
  });
}
