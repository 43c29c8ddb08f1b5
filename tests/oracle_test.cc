// Oracle on the sample corpus: the engine's hit set equals a brute-force scan, for 200+
// sampled queries (precision and recall exactly 1).
#include "oracle.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

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

// What the cleaner set aside is indexed, never lost: with --boilerplate include every query
// finds every paragraph holding it, furniture included; with only, the furniture alone.
TEST(Oracle, SampleCorpusExactWithTheFurnitureIncludedOrAlone) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  index_paths(db, {source_path("data/sample")});
  const std::vector<StoredParagraph> all = read_all(db, true);
  std::vector<StoredParagraph> furniture;
  for (const StoredParagraph& p : all) {
    if (p.record.kind == schema::kKindBoilerplate) furniture.push_back(p);
  }
  ASSERT_GE(furniture.size(), 10u) << "the sample's site headers and 来源 lines are set aside";
  ASSERT_GT(all.size(), read_all(db).size());
  std::vector<OracleQuery> queries = sample_queries(all, 240, 20261128);
  const std::vector<OracleQuery> from_furniture = sample_queries(furniture, 60, 7);
  queries.insert(queries.end(), from_furniture.begin(), from_furniture.end());
  EXPECT_EQ(check_oracle(db, all, queries, searcher::Boilerplate::kInclude), 0u);
  EXPECT_EQ(check_oracle(db, furniture, from_furniture, searcher::Boilerplate::kOnly), 0u);
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

// Strings over a four-character alphabet repeat themselves at every scale, so a query's
// bigrams often fit its window at offsets other than the intended ones: the case the
// phrase cover must detect (searcher/query_parser.cc).
TEST(Oracle, RepetitiveTextAndQueries) {
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus";
  const std::string db = dir.path() + "/db";
  std::mt19937 rng(4);
  const char* alphabet[] = {"研", "究", "的", "是"};
  auto random_string = [&](size_t min_len, size_t max_len) {
    std::string s;
    const size_t len = std::uniform_int_distribution<size_t>(min_len, max_len)(rng);
    for (size_t i = 0; i < len; ++i) s += alphabet[rng() % 4];
    return s;
  };
  ASSERT_EQ(std::system(("mkdir -p " + corpus).c_str()), 0);
  {
    std::ofstream out(corpus + "/repetitive.txt");
    for (int i = 0; i < 300; ++i) out << random_string(4, 40) << "。\n";
  }
  index_paths(db, {corpus});
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  ASSERT_GT(paragraphs.size(), 100u);
  std::vector<OracleQuery> queries;
  for (int i = 0; i < 400; ++i) queries.push_back({"repetitive", random_string(3, 10)});
  EXPECT_EQ(check_oracle(db, paragraphs, queries), 0u);
}

}  // namespace
}  // namespace speechdex::testing
