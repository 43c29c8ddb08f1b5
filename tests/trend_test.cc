// Trends (--trend): counts per bucket against plain searches with the bucket's filter and
// against brute force over the records; golden CSV and JSON; the SVG chart rendered to PNG.
#include "trend.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "kwic.h"
#include "normalizer.h"
#include "oracle.h"
#include "searcher.h"
#include "test_support.h"

namespace speechdex::testing {
namespace {

using searcher::TrendBucket;
using searcher::TrendCount;
using searcher::TrendResult;

class Trend : public FacetCorpusSuite {
 protected:
  static TrendResult trend(std::vector<std::string> fields, std::vector<std::string> queries,
                           std::vector<searcher::FilterSpec> filters = {}) {
    searcher::Searcher s(db_);
    searcher::TrendRequest r;
    r.fields = std::move(fields);
    r.queries = std::move(queries);
    r.filters = std::move(filters);
    return searcher::run_trend(s, r);
  }

  // Paragraphs (query "" = all) with the filters, counted by a plain search.
  static uint64_t count(const std::string& query, std::vector<searcher::FilterSpec> filters) {
    searcher::Searcher s(db_);
    searcher::SearchRequest r;
    r.query = query.empty() ? searcher::ParsedQuery{textstore::Query::all(), {}, true, {}}
                            : searcher::parse_query(query);
    r.filters = std::move(filters);
    r.page.limit = 0;
    return s.search(r).total;
  }
};

const std::vector<std::string> kFields = {"year", "county", "province", "topic", "role"};
const std::vector<std::string> kQueries = {"发展", "依法行政", "乡村振兴", "工作 群众"};

TEST_F(Trend, BucketsEqualPlainSearchesWithTheBucketsFilter) {
  for (const std::string& field : kFields) {
    const TrendResult t = trend({field}, kQueries);
    ASSERT_FALSE(t.buckets.empty()) << field;
    size_t known = 0;
    for (size_t i = 0; i < t.buckets.size(); ++i) {
      const TrendBucket& b = t.buckets[i];
      if (b.keys[0].empty()) continue;  // no filter selects "no value"
      ++known;
      const std::vector<searcher::FilterSpec> filter = {{field, b.keys[0], false}};
      EXPECT_EQ(b.paragraphs, count("", filter)) << field << " " << b.label;
      for (size_t q = 0; q < kQueries.size(); ++q) {
        ASSERT_TRUE(t.series[q].error.empty()) << t.series[q].error;
        EXPECT_EQ(t.series[q].counts[i].paragraphs, count(kQueries[q], filter))
            << field << " " << b.label << " " << kQueries[q];
      }
    }
    EXPECT_GT(known, 1u) << field;
  }
}

TEST_F(Trend, ParagraphsEqualFacetCounts) {
  searcher::Searcher s(db_);
  for (const std::string& field : kFields) {
    const TrendResult t = trend({field}, kQueries);
    for (size_t q = 0; q < kQueries.size(); ++q) {
      searcher::SearchRequest r;
      r.query = searcher::parse_query(kQueries[q]);
      r.page.limit = 0;
      r.facets = {field};
      const searcher::SearchResult got = s.search(r);
      std::map<std::string, uint64_t> facet, trended;
      for (const auto& b : got.facets.at(0).buckets) facet[b.key] = b.count;
      if (got.facets.at(0).unknown) facet[""] = got.facets.at(0).unknown;
      for (size_t i = 0; i < t.buckets.size(); ++i) {
        if (t.series[q].counts[i].paragraphs) {
          trended[t.buckets[i].keys[0]] = t.series[q].counts[i].paragraphs;
        }
      }
      EXPECT_EQ(trended, facet) << field << " " << kQueries[q];
    }
  }
}

TEST_F(Trend, SumsOverBucketsEqualTheWhole) {
  for (const std::string& field : kFields) {
    const TrendResult t = trend({field}, kQueries);
    TrendBucket sum;
    for (const TrendBucket& b : t.buckets) {
      sum.paragraphs += b.paragraphs;
      sum.speeches += b.speeches;
      sum.chars += b.chars;
    }
    // A paragraph has several topics, and a speech's paragraphs several topics: those
    // buckets overlap; every other field's partition the corpus.
    const bool partition = field != "topic";
    if (partition) {
      EXPECT_EQ(sum.paragraphs, t.whole.paragraphs) << field;
      EXPECT_EQ(sum.speeches, t.whole.speeches) << field;
      EXPECT_EQ(sum.chars, t.whole.chars) << field;
    } else {
      EXPECT_GE(sum.paragraphs, t.whole.paragraphs);
    }
    EXPECT_EQ(t.whole.paragraphs, paragraphs_->size());
    for (const auto& s : t.series) {
      TrendCount c;
      for (const TrendCount& x : s.counts) {
        c.paragraphs += x.paragraphs;
        c.speeches += x.speeches;
        c.occurrences += x.occurrences;
      }
      EXPECT_EQ(s.whole.paragraphs, count(s.query, {})) << s.query;
      if (partition) {
        EXPECT_EQ(c.paragraphs, s.whole.paragraphs) << field << " " << s.query;
        EXPECT_EQ(c.speeches, s.whole.speeches) << field << " " << s.query;
        EXPECT_EQ(c.occurrences, s.whole.occurrences) << field << " " << s.query;
      }
    }
  }
}

// Brute force over the records: speeches by speech_id, characters as code points, and
// non-overlapping occurrences of the squeezed query in the squeezed text.
TEST_F(Trend, CountsEqualBruteForceOverTheRecords) {
  const std::vector<std::string> queries = {"发展", "依法行政", "乡村振兴", "展发", "的"};
  const TrendResult t = trend({"year"}, queries);
  std::map<std::string, size_t> bucket;
  for (size_t i = 0; i < t.buckets.size(); ++i) bucket[t.buckets[i].keys[0]] = i;
  std::map<std::string, std::set<std::string>> speeches;
  std::map<std::string, uint64_t> chars;
  for (const StoredParagraph& p : *paragraphs_) {
    const std::string key = p.record.year ? std::to_string(p.record.year) : "";
    speeches[key].insert(p.record.speech_id);
    for (char c : p.record.text) chars[key] += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }
  ASSERT_EQ(bucket.size(), speeches.size());
  for (const auto& [key, i] : bucket) {
    EXPECT_EQ(t.buckets[i].speeches, speeches[key].size()) << key;
    EXPECT_EQ(t.buckets[i].chars, chars[key]) << key;
  }
  for (size_t q = 0; q < queries.size(); ++q) {
    const std::u32string needle = squeeze(queries[q]);
    std::map<std::string, TrendCount> expected;
    std::map<std::string, std::set<std::string>> matched;
    for (const StoredParagraph& p : *paragraphs_) {
      const std::u32string text = squeeze(p.record.text);
      uint64_t n = 0;
      for (size_t at = text.find(needle); at != std::u32string::npos;
           at = text.find(needle, at + needle.size())) {
        ++n;
      }
      if (n == 0) continue;
      const std::string key = p.record.year ? std::to_string(p.record.year) : "";
      expected[key].paragraphs++;
      expected[key].occurrences += n;
      matched[key].insert(p.record.speech_id);
    }
    for (const auto& [key, i] : bucket) {
      const TrendCount& got = t.series[q].counts[i];
      EXPECT_EQ(got.paragraphs, expected[key].paragraphs) << queries[q] << " " << key;
      EXPECT_EQ(got.occurrences, expected[key].occurrences) << queries[q] << " " << key;
      EXPECT_EQ(got.speeches, matched[key].size()) << queries[q] << " " << key;
    }
  }
}

TEST_F(Trend, FiltersNarrowTheTotalsToo) {
  const std::vector<searcher::FilterSpec> hubei = {{"province", "湖北", false}};
  const TrendResult t = trend({"year"}, {"发展"}, hubei);
  uint64_t paragraphs = 0;
  for (const StoredParagraph& p : *paragraphs_) paragraphs += p.record.province == "湖北省";
  ASSERT_GT(paragraphs, 0u);
  EXPECT_EQ(t.whole.paragraphs, paragraphs);
  EXPECT_LT(t.whole.paragraphs, paragraphs_->size());
  for (size_t i = 0; i < t.buckets.size(); ++i) {
    if (t.buckets[i].keys[0].empty()) continue;
    std::vector<searcher::FilterSpec> f = hubei;
    f.push_back({"year", t.buckets[i].keys[0], false});
    EXPECT_EQ(t.buckets[i].paragraphs, count("", f)) << t.buckets[i].label;
    EXPECT_EQ(t.series[0].counts[i].paragraphs, count("发展", f)) << t.buckets[i].label;
  }
}

TEST_F(Trend, TwoFieldsSplitTheOneFieldBuckets) {
  const TrendResult one = trend({"year"}, {"发展"});
  const TrendResult two = trend({"year", "province"}, {"发展"});
  std::map<std::string, std::pair<uint64_t, uint64_t>> by_year;  // paragraphs, matches
  for (size_t i = 0; i < two.buckets.size(); ++i) {
    ASSERT_EQ(two.buckets[i].keys.size(), 2u);
    by_year[two.buckets[i].keys[0]].first += two.buckets[i].paragraphs;
    by_year[two.buckets[i].keys[0]].second += two.series[0].counts[i].paragraphs;
  }
  ASSERT_EQ(by_year.size(), one.buckets.size());
  EXPECT_GT(two.buckets.size(), one.buckets.size());
  for (size_t i = 0; i < one.buckets.size(); ++i) {
    EXPECT_EQ(by_year[one.buckets[i].keys[0]].first, one.buckets[i].paragraphs);
    EXPECT_EQ(by_year[one.buckets[i].keys[0]].second, one.series[0].counts[i].paragraphs);
  }
}

// Occurrences do not overlap: 常常 occurs twice in 常常常常常, not four times.
TEST(TrendOccurrences, DoNotOverlap) {
  TempDir dir;
  write_bytes(dir.path() + "/speech.txt",
              "在巴东县工作会议上的讲话\n同志们：\n常常常常常，发展发展再发展。\n常常。\n");
  index_paths(dir.path() + "/db", {dir.path() + "/speech.txt"});
  searcher::Searcher s(dir.path() + "/db");
  searcher::TrendRequest r;
  r.fields = {"county"};
  r.queries = {"常常", "发展", "常常常", "展发"};
  const TrendResult t = searcher::run_trend(s, r);
  ASSERT_EQ(t.series.size(), 4u);
  EXPECT_EQ(t.series[0].whole.occurrences, 3u);  // 2 + 1
  EXPECT_EQ(t.series[0].whole.paragraphs, 2u);
  EXPECT_EQ(t.series[1].whole.occurrences, 3u);
  EXPECT_EQ(t.series[2].whole.occurrences, 1u);
  EXPECT_EQ(t.series[3].whole.occurrences, 1u);
  EXPECT_EQ(t.series[0].whole.speeches, 1u);
}

// Where parts of a query start at one place, the longest is the occurrence, as for
// --count=all (a trend counted 政府 and 工作 in 政府工作 twice for the third query: 147
// occurrences on the sample where --count=all says 125).
TEST_F(Trend, OccurrencesEqualCountAllWherePartsNest) {
  searcher::Searcher s(db_);
  const std::vector<std::string> queries = {"政府 工作 政府工作", "发展 发展改革", "依法 依法行政",
                                            "政府 OR 政府工作", "工作 政府工作"};
  const TrendResult t = trend({"year"}, queries);
  for (size_t q = 0; q < queries.size(); ++q) {
    searcher::SearchRequest r;
    r.query = searcher::parse_query(queries[q]);
    const searcher::Totals totals = searcher::count_totals(s, r);
    ASSERT_GT(totals.occurrences, 0u) << queries[q];
    EXPECT_EQ(t.series[q].whole.occurrences, totals.occurrences) << queries[q];
    EXPECT_EQ(t.series[q].whole.paragraphs, totals.paragraphs) << queries[q];
    EXPECT_EQ(t.series[q].whole.speeches, totals.speeches) << queries[q];
  }
}

TEST_F(Trend, ABadQueryIsAnErrorSeriesAndTheOthersGoOn) {
  const TrendResult t = trend({"year"}, {"\"发展", "发展"});
  ASSERT_EQ(t.series.size(), 2u);
  EXPECT_FALSE(t.series[0].error.empty());
  EXPECT_TRUE(t.series[1].error.empty());
  EXPECT_GT(t.series[1].whole.paragraphs, 0u);
}

// The binary on data/sample alone: CSV and JSON Lines against golden files, and the chart.
class TrendCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = dir_->path() + "/db";
    index_paths(db_, {source_path("data/sample")});
  }
  static void TearDownTestSuite() { delete dir_; }
  static CommandResult search(const std::string& args) {
    return run_command(std::string(SPEECHDEX_SEARCH_BIN) + " --db " + shell_quote(db_) + " " +
                       args);
  }
  static TempDir* dir_;
  static std::string db_;
};

TempDir* TrendCommand::dir_ = nullptr;
std::string TrendCommand::db_;

TEST_F(TrendCommand, CsvMatchesGolden) {
  const CommandResult r = search("--trend year -e 发展 -e 依法行政 -e '乡村 振兴' --format csv");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, read_bytes(source_path("tests/data/golden/trend_year.csv")));
  EXPECT_EQ(r.out.substr(0, r.out.find('\r')),
            "\"query\",\"bucket\",\"paragraphs\",\"speeches\",\"occurrences\","
            "\"bucket_paragraphs\",\"bucket_speeches\",\"bucket_chars\",\"per_10k_chars\","
            "\"speech_share\"");
}

TEST_F(TrendCommand, JsonMatchesGolden) {
  TempDir d;
  write_bytes(d.path() + "/queries", "发展\n\n法治政府\n");
  const CommandResult r =
      search("--trend year,province --format json --batch " + shell_quote(d.path() + "/queries"));
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, read_bytes(source_path("tests/data/golden/trend_year_province.jsonl")));
  size_t lines = 0;
  for (size_t at = 0; (at = r.out.find('\n', at)) != std::string::npos; ++at) ++lines;
  EXPECT_GT(lines, 2u);
}

TEST_F(TrendCommand, TableHasABarPerBucket) {
  const CommandResult r = search("--trend year 发展 --color never");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("█"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("per 10k chars"), std::string::npos) << r.out;
}

TEST_F(TrendCommand, UsageErrors) {
  EXPECT_EQ(search("--trend decade 发展").status, 2);
  EXPECT_EQ(search("--trend year,year 发展").status, 2);
  EXPECT_EQ(search("--trend year").status, 2);
  EXPECT_EQ(search("-e 发展").status, 2);
  EXPECT_EQ(search("--trend year,province --plot x.svg 发展").status, 2);
}

TEST_F(TrendCommand, PlotRendersToAPng) {
  TempDir d;
  const std::string svg = d.path() + "/trend.svg";
  ASSERT_EQ(
      search("--trend year -e 发展 -e 改革 --plot " + shell_quote(svg) + " --format csv").status,
      0);
  const std::string text = read_bytes(svg);
  EXPECT_NE(text.find("每万字出现次数"), std::string::npos);
  EXPECT_NE(text.find("<polyline"), std::string::npos);
  EXPECT_NE(text.find("发展"), std::string::npos);
  expect_renders_to_png(svg);

  const std::string bars = d.path() + "/county.svg";
  ASSERT_EQ(search("--trend county 发展 --plot " + shell_quote(bars) + " --format csv").status, 0);
  EXPECT_NE(read_bytes(bars).find("<rect x="), std::string::npos);
}

}  // namespace
}  // namespace speechdex::testing
