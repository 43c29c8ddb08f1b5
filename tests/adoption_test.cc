// Adoption (--adoption): each county's first year against a brute-force scan of the records
// (the repository's sample corpora and a make-corpus corpus built here), golden CSV and JSON
// on the sample corpora, and the curve's chart rendered to PNG (issue 14).
#include "adoption.h"

#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "oracle.h"
#include "searcher.h"
#include "test_support.h"

namespace speechdex::testing {
namespace {

using searcher::AdoptionResult;

// What a brute-force scan of the records finds: the records of the matching paragraphs
// grouped by speech, each speech's county and year from its records.
struct Expected {
  struct County {
    std::string province;
    int first_year = 0;
    std::set<std::string> speeches;
    std::set<int> years;
  };
  std::map<std::string, County> counties;  // by code
  uint64_t matching = 0, unknown_county = 0, unknown_year = 0;
  std::set<std::string> corpus_counties;
  int corpus_last_year = 0;
};

// `hits`: the ids of the matching paragraphs among `corpus` (the filtered corpus).
Expected brute_force_adoption(const std::vector<StoredParagraph>& corpus,
                              const std::set<unsigned>& hits) {
  Expected e;
  std::map<std::string, const schema::ParagraphRecord*> speeches;  // speech id -> a record
  for (const StoredParagraph& p : corpus) {
    const schema::ParagraphRecord& r = p.record;
    // A speech's paragraphs share its county and year.
    const auto [at, fresh] = speeches.emplace(r.speech_id, &r);
    EXPECT_EQ(at->second->county_code, r.county_code) << r.speech_id;
    EXPECT_EQ(at->second->year, r.year) << r.speech_id;
    if (!r.county_code.empty() && r.year != 0) {
      e.corpus_counties.insert(r.county_code);
      e.corpus_last_year = std::max(e.corpus_last_year, r.year);
    }
  }
  std::set<std::string> matching;
  for (const StoredParagraph& p : corpus) {
    if (hits.count(p.docid)) matching.insert(p.record.speech_id);
  }
  for (const std::string& id : matching) {
    const schema::ParagraphRecord& r = *speeches.at(id);
    ++e.matching;
    if (r.county_code.empty()) {
      ++e.unknown_county;
    } else if (r.year == 0) {
      ++e.unknown_year;
    } else {
      Expected::County& c = e.counties[r.county_code];
      c.province = r.province;
      c.first_year = c.first_year ? std::min(c.first_year, r.year) : r.year;
      c.speeches.insert(id);
      c.years.insert(r.year);
    }
  }
  return e;
}

// Compares an adoption with the brute force: counties, the curve and the speeches not counted.
void expect_equal(const AdoptionResult& got, const Expected& want, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(got.matching_speeches, want.matching);
  EXPECT_EQ(got.unknown_county_speeches, want.unknown_county);
  EXPECT_EQ(got.unknown_year_speeches, want.unknown_year);
  EXPECT_EQ(got.adopting_speeches, want.matching - want.unknown_county - want.unknown_year);
  EXPECT_EQ(got.corpus_counties, want.corpus_counties.size());
  EXPECT_EQ(got.corpus_last_year, want.corpus_last_year);
  ASSERT_EQ(got.counties.size(), want.counties.size());
  int last = 0;
  std::map<int, uint64_t> adopting;  // first year -> counties
  for (const searcher::CountyAdoption& c : got.counties) {
    EXPECT_GE(c.first_year, last) << "by first year";
    last = c.first_year;
    const auto w = want.counties.find(c.county_code);
    ASSERT_NE(w, want.counties.end()) << c.county_code;
    EXPECT_EQ(c.first_year, w->second.first_year) << c.county_code;
    EXPECT_EQ(c.speeches, w->second.speeches.size()) << c.county_code;
    EXPECT_EQ(c.years, w->second.years.size()) << c.county_code;
    EXPECT_EQ(c.province, w->second.province) << c.county_code;
    ++adopting[w->second.first_year];
  }
  // The curve: every year from the first adoption to the corpus's last, new and cumulative.
  if (want.counties.empty()) {
    EXPECT_TRUE(got.curve.empty());
    return;
  }
  const int from = adopting.begin()->first;
  const int to = std::max(want.corpus_last_year, adopting.rbegin()->first);
  ASSERT_EQ(got.curve.size(), static_cast<size_t>(to - from + 1));
  uint64_t cumulative = 0;
  for (int y = from; y <= to; ++y) {
    const searcher::AdoptionYear& point = got.curve[static_cast<size_t>(y - from)];
    cumulative += adopting[y];
    EXPECT_EQ(point.year, y);
    EXPECT_EQ(point.new_counties, adopting[y]) << y;
    EXPECT_EQ(point.cumulative_counties, cumulative) << y;
  }
}

// Runs the adoption of `query` (words ANDed; "" for the filters alone) with the library and
// compares it with the brute force over `paragraphs` (every paragraph a search sees).
void check(const std::string& db, const std::vector<StoredParagraph>& paragraphs,
           const std::string& query, const std::string& province_filter = "") {
  std::vector<StoredParagraph> corpus;
  for (const StoredParagraph& p : paragraphs) {
    if (province_filter.empty() || p.record.province == province_filter) corpus.push_back(p);
  }
  std::set<unsigned> hits;
  for (const StoredParagraph& p : corpus) hits.insert(p.docid);
  std::istringstream words(query);
  for (std::string w; words >> w;) {
    const std::set<unsigned> found = brute_force(corpus, w);
    std::set<unsigned> both;
    std::set_intersection(hits.begin(), hits.end(), found.begin(), found.end(),
                          std::inserter(both, both.end()));
    hits = std::move(both);
  }
  searcher::Searcher s(db);
  searcher::SearchRequest r;
  r.query = query.empty() ? searcher::ParsedQuery{textstore::Query::all(), {}, true, {}}
                          : searcher::parse_query(query);
  if (!province_filter.empty()) r.filters.push_back({"province", province_filter, false});
  const Expected want = brute_force_adoption(corpus, hits);
  expect_equal(searcher::run_adoption(s, r, query, false), want, query + " " + province_filter);
  std::cout << query << (province_filter.empty() ? "" : " in " + province_filter) << ": "
            << want.counties.size() << " of " << want.corpus_counties.size() << " counties adopt; "
            << want.matching << " speeches match, " << want.unknown_county << " of unknown county, "
            << want.unknown_year << " of unknown year\n";
  // By province: the same counties, each province's curve summing to the whole.
  const AdoptionResult by = searcher::run_adoption(s, r, query, true);
  std::map<int, uint64_t> cumulative;
  for (const searcher::AdoptionYear& y : by.curve) cumulative[y.year] += y.cumulative_counties;
  const AdoptionResult all = searcher::run_adoption(s, r, query, false);
  for (const searcher::AdoptionYear& y : all.curve) {
    EXPECT_EQ(cumulative[y.year], y.cumulative_counties) << query << " " << y.year;
  }
}

class Adoption : public FacetCorpusSuite {};

TEST_F(Adoption, EqualsBruteForceFirstYearsOnTheSampleCorpora) {
  size_t adopted = 0;
  for (const std::string q :
       {"发展", "依法行政", "乡村振兴", "工作 群众", "的", "脱贫攻坚", "巴东", "招商引资", ""}) {
    check(db_, *paragraphs_, q);
    searcher::Searcher s(db_);
    searcher::SearchRequest r;
    r.query = q.empty() ? searcher::ParsedQuery{textstore::Query::all(), {}, true, {}}
                        : searcher::parse_query(q);
    adopted += searcher::run_adoption(s, r, q, false).counties.size();
  }
  check(db_, *paragraphs_, "发展", "湖北省");
  EXPECT_GT(adopted, 40u) << "the corpora hold counties that adopt";
}

// make-corpus text not in the repository: 2 MB, its counties and years found by the indexer
// (no manifest), so some speeches are of unknown county or year.
TEST(AdoptionMakeCorpus, EqualsBruteForceFirstYears) {
  const std::string generator = std::string(SPEECHDEX_SHARED_DIR) + "/bench/make-corpus";
  if (!boost::filesystem::exists(generator)) GTEST_SKIP() << generator << " is not there";
  TempDir dir;
  const CommandResult gen =
      run_command(generator + " --size-mb 2 --seed 29 --out " + shell_quote(dir.path() + "/c"));
  ASSERT_EQ(gen.status, 0) << gen.out;
  const std::string db = dir.path() + "/db";
  index_paths(db, {dir.path() + "/c"});
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  std::vector<std::string> queries = {"依法行政", "脱贫攻坚", "疫情防控", "发展", "的 改革"};
  for (const OracleQuery& q : sample_queries(paragraphs, 8, 29)) {
    if (q.text.find('"') == std::string::npos && q.text.find(' ') == std::string::npos) {
      queries.push_back(q.text);
    }
  }
  for (const std::string& q : queries) check(db, paragraphs, q);
  check(db, paragraphs, "依法行政", "湖南省");
}

// The binary on the sample corpora: CSV and JSON Lines against golden files, the summary's
// counts against the library's.
class AdoptionCommand : public FacetCorpusSuite {
 protected:
  static CommandResult search(const std::string& args, bool stderr_too = false) {
    return run_command(std::string(SPEECHDEX_SEARCH_BIN) + " --db " + shell_quote(db_) + " " + args,
                       stderr_too);
  }
};

TEST_F(AdoptionCommand, CsvAndJsonMatchGolden) {
  for (const auto& [args, golden] : std::vector<std::pair<std::string, std::string>>{
           {"--adoption --format csv 发展", "adoption_fazhan.csv"},
           {"--adoption --format json 发展", "adoption_fazhan.jsonl"},
           {"--adoption --by year --format csv 发展", "adoption_fazhan_year.csv"},
           {"--adoption --by year,province --format json 发展",
            "adoption_fazhan_year_province.jsonl"}}) {
    const CommandResult r = search(args);
    ASSERT_EQ(r.status, 0) << args;
    EXPECT_EQ(r.out, read_bytes(source_path("tests/data/golden/" + golden))) << args;
  }
}

TEST_F(AdoptionCommand, OutputsAgreeWithTheLibrary) {
  searcher::Searcher s(db_);
  searcher::SearchRequest r;
  r.query = searcher::parse_query("发展");
  const AdoptionResult want = searcher::run_adoption(s, r, "发展", false);
  ASSERT_FALSE(want.counties.empty());
  ASSERT_GT(want.unknown_county_speeches + want.unknown_year_speeches, 0u);

  // CSV: a header and a row per county, in order.
  const CommandResult csv = search("--adoption --format csv 发展", true);
  ASSERT_EQ(csv.status, 0);
  std::istringstream lines(csv.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line,
            "\"county_code\",\"county\",\"province\",\"first_year\",\"speeches\",\"years\"\r");
  for (const searcher::CountyAdoption& c : want.counties) {
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line, "\"" + c.county_code + "\",\"" + c.county + "\",\"" + c.province + "\"," +
                        std::to_string(c.first_year) + "," + std::to_string(c.speeches) + "," +
                        std::to_string(c.years) + "\r");
  }
  // The speeches that cannot adopt are said on stderr, as CSV has no room for them.
  EXPECT_NE(csv.out.find("note: " + std::to_string(want.unknown_county_speeches) +
                         " matching speeches of unknown county"),
            std::string::npos)
      << csv.out;

  // JSON: the summary first, then the counties.
  const CommandResult json = search("--adoption --format json 发展");
  ASSERT_EQ(json.status, 0);
  std::istringstream jl(json.out);
  std::getline(jl, line);
  const nlohmann::json summary = nlohmann::json::parse(line);
  EXPECT_EQ(summary.at("adopted_counties"), want.counties.size());
  EXPECT_EQ(summary.at("matching_speeches"), want.matching_speeches);
  EXPECT_EQ(summary.at("unknown_county_speeches"), want.unknown_county_speeches);
  EXPECT_EQ(summary.at("unknown_year_speeches"), want.unknown_year_speeches);
  size_t rows = 0;
  for (; std::getline(jl, line); ++rows) {
    EXPECT_EQ(nlohmann::json::parse(line).at("county_code"), want.counties[rows].county_code);
  }
  EXPECT_EQ(rows, want.counties.size());

  // The table ends with them too.
  const CommandResult table = search("--adoption --color never 发展");
  EXPECT_NE(table.out.find(std::to_string(want.unknown_year_speeches) +
                           " of a known county but unknown year cannot adopt"),
            std::string::npos)
      << table.out;
}

TEST_F(AdoptionCommand, UsageErrors) {
  EXPECT_EQ(search("--adoption --by decade 发展").status, 2);
  EXPECT_EQ(search("--adoption --trend year 发展").status, 2);
  EXPECT_EQ(search("--adoption --collocates 发展").status, 2);
  EXPECT_EQ(search("--adoption -e 改革 发展").status, 2);
  EXPECT_EQ(search("--adoption").status, 2);  // no query, no filter
  const CommandResult by = search("--by year 发展", true);
  EXPECT_EQ(by.status, 0);
  EXPECT_NE(by.out.find("warning: --by is ignored with a ranked search"), std::string::npos);
}

TEST_F(AdoptionCommand, PlotRendersToAPng) {
  TempDir d;
  for (const std::string by : {"year", "year,province"}) {
    const std::string svg = d.path() + "/a.svg";
    ASSERT_EQ(search("--adoption --by " + by + " --format csv --plot " + shell_quote(svg) + " 发展")
                  .status,
              0);
    const std::string text = read_bytes(svg);
    EXPECT_NE(text.find("<polyline"), std::string::npos);
    EXPECT_NE(text.find("「发展」的采用：累计县数"), std::string::npos);
    EXPECT_NE(text.find("未计入：县未知的"), std::string::npos) << "the speeches not counted";
    expect_renders_to_png(svg);
  }
}

}  // namespace
}  // namespace speechdex::testing
