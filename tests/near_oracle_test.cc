// Oracle for NEAR/n, BEFORE/n, NEAR/s and BEFORE/s on the sample corpus: the engine's hit
// set equals a brute-force scan of the squeezed paragraphs (tests/oracle.h).
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace speechdex::testing
