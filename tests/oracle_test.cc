// Oracle on the sample corpus: the engine's hit set equals a brute-force scan, for 200+
// sampled queries (precision and recall exactly 1).
#include "oracle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>

#include "query_parser.h"
#include "searcher.h"

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

// Chains of 20,000 terms (each one n-ary node) and nesting up to the parser's limit answer
// exactly as the brute-force sets they stand for.
TEST(Oracle, LongChainsAndDeepNestingAnswerExactly) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  index_paths(db, {source_path("data/sample")});
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  const std::vector<OracleQuery> sampled = sample_queries(paragraphs, 300, 11);
  ASSERT_GE(sampled.size(), 100u);
  std::vector<std::set<unsigned>> sets;
  for (const OracleQuery& q : sampled) sets.push_back(brute_force(paragraphs, q.text));
  std::set<unsigned> all;
  for (const StoredParagraph& p : paragraphs) all.insert(p.docid);
  searcher::Searcher engine(db);
  const auto hits = [&](const std::string& q) {
    const searcher::SearchResult r =
        engine.search(searcher::parse_query(q), searcher::Page{0, paragraphs.size()});
    std::set<unsigned> got;
    for (const searcher::Hit& h : r.hits) got.insert(h.docid);
    EXPECT_EQ(r.total, got.size());
    return got;
  };
  const size_t n = 20000;
  // OR: the union. AND: the intersection, over the sampled queries found in one paragraph.
  // Exclusions: the first query's paragraphs less the union of the others.
  std::string ors, ands, nots = sampled[0].text;
  std::set<unsigned> any, every = all, rest = sets[0];
  ASSERT_FALSE(sets[0].empty());
  const unsigned target = *sets[0].begin();
  std::vector<size_t> in_target;
  for (size_t i = 0; i < sampled.size(); ++i) {
    if (sets[i].count(target)) in_target.push_back(i);
  }
  for (size_t k = 0; k < n; ++k) {
    const size_t i = k % sampled.size();
    ors += (k > 0 ? " OR " : "") + sampled[i].text;
    any.insert(sets[i].begin(), sets[i].end());
    const size_t j = in_target[k % in_target.size()];
    ands += (k > 0 ? " " : "") + sampled[j].text;
    std::set<unsigned> both;
    std::set_intersection(every.begin(), every.end(), sets[j].begin(), sets[j].end(),
                          std::inserter(both, both.end()));
    every = std::move(both);
    const size_t e = 1 + k % (sampled.size() - 1);
    nots += " -" + sampled[e].text;
    for (unsigned d : sets[e]) rest.erase(d);
  }
  EXPECT_EQ(hits(ors), any);
  EXPECT_EQ(hits(ands), every);
  EXPECT_TRUE(every.count(target));
  EXPECT_EQ(hits(nots), rest);
  // Nesting: 100 parentheses change nothing; an even number of NOT gives the query's set
  // back, an odd one its complement.
  const size_t depth = searcher::kMaxQueryDepth;
  const std::string q = sampled[0].text;
  std::string open, close, negations;
  for (size_t k = 0; k < depth; ++k) {
    open += "(";
    close += ")";
    negations += "NOT ";
  }
  EXPECT_EQ(hits(open + q + close), sets[0]);
  EXPECT_EQ(hits(negations + q), sets[0]);
  std::set<unsigned> complement;
  std::set_difference(all.begin(), all.end(), sets[0].begin(), sets[0].end(),
                      std::inserter(complement, complement.end()));
  EXPECT_EQ(hits(negations.substr(4) + q), complement);
}

}  // namespace
}  // namespace speechdex::testing
