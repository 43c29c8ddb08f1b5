// Oracle on the sample corpus: the engine's hit set equals a brute-force scan, for 200+
// sampled queries (precision and recall exactly 1).
#include "oracle.h"

#include <gtest/gtest.h>

namespace speechdex::testing {
namespace {

TEST(Oracle, SampleCorpusExactForSampledQueries) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  index_paths(db, {source_path("data/sample")});
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  ASSERT_GT(paragraphs.size(), 150u);
  const std::vector<OracleQuery> queries = sample_queries(paragraphs, 240, 20261123);
  ASSERT_GE(queries.size(), 200u);
  EXPECT_EQ(check_oracle(db, paragraphs, queries), 0u);
}

TEST(Oracle, HandPickedHardCases) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  index_paths(db, {source_path("data/sample")});
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  const std::vector<OracleQuery> queries = {
      {"cross-punctuation", "委政"},
      {"quoted-punctuation", "\"县委、政府\""},
      {"number", "3348"},
      {"number-in-word", "\"77.15%\""},
      {"latin", "IPO"},
      {"traditional", "脫貧攻堅"},
      {"repeat", "一一"},
      {"heading-text", "\"(一)方位鞭策\""},
      {"space-in-text", "高效。修订"},
      {"fullwidth-quoted", "\"第九，科学\""},
      {"title-line", "县委全体扩大会议上的讲话"},
  };
  EXPECT_EQ(check_oracle(db, paragraphs, queries), 0u);
}

}  // namespace
}  // namespace speechdex::testing
