// Oracle for NEAR/n, BEFORE/n, NEAR/s and BEFORE/s on the sample corpus: the engine's hit
// set equals a brute-force scan of the squeezed paragraphs (tests/oracle.h).
#include <gtest/gtest.h>

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
