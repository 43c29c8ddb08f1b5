// Oracle for NEAR/n, BEFORE/n, NEAR/s and BEFORE/s on the sample corpus: the engine's hit
// set equals a brute-force scan of the squeezed paragraphs (tests/oracle.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "oracle.h"
#include "query_parser.h"

namespace speechdex::testing {
namespace {

TEST(NearOracle, SampleCorpusExactForSampledPairs) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  index_paths(db, {source_path("data/sample")});
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  const std::vector<NearQuery> queries = sample_near_queries(paragraphs, 300, 20261128);
  ASSERT_GE(queries.size(), 900u);
  size_t positive = 0;
  for (const NearQuery& q : queries) positive += !brute_force_near(paragraphs, q).empty();
  EXPECT_GE(positive, queries.size() / 4) << "pairs are drawn to be found";
  EXPECT_EQ(check_near_oracle(db, paragraphs, queries), 0u);
}

TEST(NearOracle, HandPickedCases) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  index_paths(db, {source_path("data/sample")});
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  std::vector<NearQuery> queries;
  for (uint32_t d : {0u, 1u, 3u, 5u, 20u, 100u}) {
    for (bool ordered : {false, true}) {
      queries.push_back({"same-term", "政府", "政府", ordered, false, d});
      queries.push_back({"same-unit", "的", "的", ordered, false, d});
      queries.push_back({"overlap", "县委", "委政", ordered, false, d});
      queries.push_back({"unit-phrase", "县", "人民政府", ordered, false, d});
      queries.push_back({"latin", "IPO", "上市", ordered, false, d});
      queries.push_back({"number", "3348", "人", ordered, false, d});
      queries.push_back({"quoted", "县委、政府", "工作", ordered, false, d});
    }
  }
  for (bool ordered : {false, true}) {
    queries.push_back({"sentence", "发展", "经济", ordered, true, 0});
    queries.push_back({"sentence-unit", "我", "们", ordered, true, 0});
    queries.push_back({"sentence-ender-inside", "发展。", "经济", ordered, true, 0});
    queries.push_back({"sentence-same", "政府", "政府", ordered, true, 0});
  }
  EXPECT_EQ(check_near_oracle(db, paragraphs, queries), 0u);
}

// NEAR combines with AND, OR, exclusion, parentheses and filters as any part does: the
// engine's sets equal the brute-force sets combined.
TEST(NearOracle, CombinesWithBooleanOperatorsAndFilters) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  index_paths(db, {source_path("data/sample")});
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  std::vector<NearQuery> near;
  for (const NearQuery& q : sample_near_queries(paragraphs, 60, 5)) {
    if (!brute_force_near(paragraphs, q).empty()) near.push_back(q);
  }
  ASSERT_GE(near.size(), 20u);
  const std::vector<OracleQuery> plain = sample_queries(paragraphs, 40, 3);
  std::set<unsigned> all;
  for (const StoredParagraph& p : paragraphs) all.insert(p.docid);
  searcher::Searcher engine(db);
  const auto hits = [&](const std::string& q) {
    const searcher::SearchResult r =
        engine.search(searcher::parse_query(q), searcher::Page{0, paragraphs.size()});
    std::set<unsigned> got;
    for (const searcher::Hit& h : r.hits) got.insert(h.docid);
    EXPECT_EQ(r.total, got.size()) << q;
    return got;
  };
  const auto op = [](const std::set<unsigned>& a, const std::set<unsigned>& b, char how) {
    std::set<unsigned> out;
    for (unsigned d : a) {
      if ((how == '&') == (b.count(d) > 0)) out.insert(d);
    }
    if (how == '|') out.insert(b.begin(), b.end()), out.insert(a.begin(), a.end());
    return out;
  };
  size_t checked = 0, narrowed = 0;
  for (size_t i = 0; i + 1 < near.size(); ++i) {
    const NearQuery& x = near[i];
    const NearQuery& y = near[i + 1];
    const OracleQuery& p = plain[i % plain.size()];
    const std::set<unsigned> sx = brute_force_near(paragraphs, x);
    const std::set<unsigned> sy = brute_force_near(paragraphs, y);
    const std::set<unsigned> sp = brute_force(paragraphs, p.text);
    EXPECT_EQ(hits(x.text() + " OR " + y.text()), op(sx, sy, '|'))
        << x.text() << " OR " << y.text();
    EXPECT_EQ(hits(x.text() + " " + y.text()), op(sx, sy, '&')) << x.text() << " " << y.text();
    EXPECT_EQ(hits(p.text + " AND " + x.text()), op(sp, sx, '&')) << p.text << " " << x.text();
    EXPECT_EQ(hits("(" + p.text + " OR " + x.text() + ")"), op(sp, sx, '|')) << x.text();
    EXPECT_EQ(hits(p.text + " -" + x.text()), op(sp, sx, '-')) << p.text << " -" << x.text();
    EXPECT_EQ(hits("NOT " + x.text()), op(all, sx, '-')) << x.text();
    // A filter: each year of the paragraphs found.
    std::set<int> years;
    for (const StoredParagraph& s : paragraphs) {
      if (sx.count(s.docid) && s.record.year != 0) years.insert(s.record.year);
    }
    for (int year : years) {
      std::set<unsigned> in_year;
      for (const StoredParagraph& s : paragraphs) {
        if (s.record.year == year && sx.count(s.docid)) in_year.insert(s.docid);
      }
      EXPECT_EQ(hits(x.text() + " year:" + std::to_string(year)), in_year) << x.text();
      ++checked;
      narrowed += in_year.size() < sx.size();
    }
  }
  EXPECT_GT(checked, 0u);
  EXPECT_GT(narrowed, 0u) << "some filter leaves out some of the NEAR's paragraphs";
}

// The examples of docs/query.md: units, not letters, and the sentence a part's own end closes.
TEST(NearOracle, DocumentedExamples) {
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus";
  const std::string db = dir.path() + "/db";
  ASSERT_EQ(std::system(("mkdir -p " + corpus).c_str()), 0);
  {
    std::ofstream out(corpus + "/examples.txt");
    out << "今年GDP 增长较快。\n\n去年GDP，增长放缓。\n\n前年GDP同比增长。\n\n"
           "2020年底完成。\n\n推动发展。经济向好。\n\n法治政府建设。\n\n政府法治建设。\n";
  }
  index_paths(db, {corpus});
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  ASSERT_EQ(paragraphs.size(), 7u);
  searcher::Searcher engine(db);
  const auto count = [&](const std::string& q) {
    return engine.search(searcher::parse_query(q), searcher::Page{0, 10}).total;
  };
  EXPECT_EQ(count("GDP NEAR/1 增长"), 2u);
  EXPECT_EQ(count("GDP NEAR/2 增长"), 3u);
  EXPECT_EQ(count("GDP NEAR/0 增长"), 1u);
  EXPECT_EQ(count("2020 BEFORE/0 年"), 1u);
  EXPECT_EQ(count("年 BEFORE/0 2020"), 0u);
  EXPECT_EQ(count("法治 NEAR/0 政府"), 2u);
  EXPECT_EQ(count("法治 BEFORE/0 政府"), 1u);
  EXPECT_EQ(count("发展 NEAR/s 经济"), 0u);
  EXPECT_EQ(count("发展 NEAR/1 经济"), 1u);
  EXPECT_EQ(count("\"发展。\" BEFORE/s 经济"), 0u);
  EXPECT_EQ(count("\"发展。\" BEFORE/0 经济"), 1u);
  EXPECT_EQ(count("推动 BEFORE/s \"发展。\""), 1u);
  EXPECT_EQ(count("政府 NEAR/3 政府"), 0u);
  EXPECT_EQ(count("法 NEAR/s 建设"), 2u);
}

}  // namespace
}  // namespace speechdex::testing
