// Collocates (--collocates): f_x, f_xy and f_y of every listed n-gram against brute force
// over the records' units, the logDice order, and golden CSV from the binary.
#include "collocates.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "errors.h"
#include "searcher.h"
#include "test_support.h"
#include "tokenizer.h"

namespace speechdex::testing {
namespace {

std::vector<std::string> unit_texts(const std::string& text) {
  std::vector<std::string> out;
  for (const schema::Unit& u : schema::tokenize(text)) out.push_back(u.text);
  return out;
}

bool at(const std::vector<std::string>& t, size_t i, const std::vector<std::string>& seq) {
  if (i + seq.size() > t.size()) return false;
  for (size_t k = 0; k < seq.size(); ++k) {
    if (t[i + k] != seq[k]) return false;
  }
  return true;
}

class Collocates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = dir_->path() + "/db";
    index_paths(db_, {source_path("data/sample")});
    paragraphs_ = new std::vector<StoredParagraph>(read_all(db_));
  }
  static void TearDownTestSuite() {
    delete paragraphs_;
    delete dir_;
  }

  // Checks every row of `query`'s collocates (a single run of characters) by brute force.
  // With `year` (not 0), under the filter year:`year`, f_y counted in that year only.
  static void check(const std::string& query, size_t window, int year = 0) {
    SCOPED_TRACE(query + " ±" + std::to_string(window) + " year " + std::to_string(year));
    searcher::Searcher s(db_);
    searcher::SearchRequest r;
    r.query = searcher::parse_query(query);
    if (year) r.filters.push_back({"year", std::to_string(year), false});
    searcher::CollocateOptions o;
    o.window = window;
    o.limit = 30;
    const searcher::CollocateResult got = searcher::collocates(s, r, o);
    ASSERT_FALSE(got.rows.empty());
    const std::vector<std::string> q = unit_texts(query);
    uint64_t fx = 0, matching = 0;
    std::vector<uint64_t> fxy(got.rows.size(), 0), fy(got.rows.size(), 0);
    for (const StoredParagraph& p : *paragraphs_) {
      if (year && p.record.year != year) continue;
      const std::vector<std::string> t = unit_texts(p.record.text);
      // The query's occurrences, leftmost and not overlapping.
      std::vector<std::pair<size_t, size_t>> occ;
      for (size_t i = 0; i < t.size();) {
        if (at(t, i, q)) {
          occ.emplace_back(i, i + q.size());
          i += q.size();
        } else {
          ++i;
        }
      }
      fx += occ.size();
      matching += !occ.empty();
      auto near = [&](size_t i) {
        bool in_window = false;
        for (const auto& [a, b] : occ) {
          if (i >= a && i < b) return false;
          if ((i < a && a - i <= window) || (i >= b && i - b < window)) in_window = true;
        }
        return in_window;
      };
      for (size_t k = 0; k < got.rows.size(); ++k) {
        const std::vector<std::string>& g = got.rows[k].units;
        for (size_t i = 0; i < t.size(); ++i) {
          if (!at(t, i, g)) continue;
          ++fy[k];
          bool all = true;
          for (size_t j = i; j < i + g.size() && all; ++j) all = near(j);
          fxy[k] += all;
        }
      }
    }
    EXPECT_EQ(got.occurrences, fx);
    EXPECT_EQ(got.paragraphs, matching);
    for (size_t k = 0; k < got.rows.size(); ++k) {
      const searcher::Collocate& c = got.rows[k];
      SCOPED_TRACE(c.ngram);
      EXPECT_GE(c.units.size(), 2u);
      EXPECT_LE(c.units.size(), 6u);
      EXPECT_EQ(c.cooccurrences, fxy[k]);
      EXPECT_EQ(c.frequency, fy[k]);
      EXPECT_DOUBLE_EQ(c.logdice, 14 + std::log2(2.0 * static_cast<double>(fxy[k]) /
                                                 static_cast<double>(fx + fy[k])));
      if (k > 0) {
        EXPECT_GE(got.rows[k - 1].logdice, c.logdice);
      }
    }
  }

  static TempDir* dir_;
  static std::string db_;
  static std::vector<StoredParagraph>* paragraphs_;
};

TempDir* Collocates::dir_ = nullptr;
std::string Collocates::db_;
std::vector<StoredParagraph>* Collocates::paragraphs_ = nullptr;

TEST_F(Collocates, CountsMatchBruteForce) {
  for (const char* q : {"依法行政", "发展", "乡村振兴", "法治政府", "改革"}) {
    check(q, 5);
    check(q, 2);
  }
  check("发展", 5, 2020);
  check("改革", 3, 2020);
}

TEST_F(Collocates, NoTextPartIsAUsageError) {
  searcher::Searcher s(db_);
  searcher::SearchRequest r;
  r.query = searcher::ParsedQuery{textstore::Query::all(), {}, true, {}};
  EXPECT_THROW(searcher::collocates(s, r, {}), speechdex::UsageError);
}

// Without reduction a fragment with its extension's f_xy is listed; with it, never.
TEST_F(Collocates, ReductionDropsFragments) {
  searcher::Searcher s(db_);
  searcher::SearchRequest r;
  r.query = searcher::parse_query("发展");
  searcher::CollocateOptions o;
  o.limit = 1000;
  o.candidates = 100000;
  for (bool reduce : {false, true}) {
    o.reduce = reduce;
    const searcher::CollocateResult got = searcher::collocates(s, r, o);
    std::map<std::string, uint64_t> fxy;
    for (const auto& c : got.rows) fxy[c.ngram] = c.cooccurrences;
    size_t fragments = 0;
    for (const auto& c : got.rows) {
      const size_t n = c.units.size();
      if (n < 3) continue;
      std::string head, suffix;
      for (size_t i = 0; i + 1 < n; ++i) head += c.units[i];
      for (size_t i = 1; i < n; ++i) suffix += c.units[i];
      for (const std::string& part : {head, suffix}) {
        const auto f = fxy.find(part);
        fragments += f != fxy.end() && f->second == c.cooccurrences;
      }
    }
    if (reduce) {
      EXPECT_EQ(fragments, 0u);
    } else {
      EXPECT_GT(fragments, 0u);
    }
  }
}

TEST_F(Collocates, CsvMatchesGolden) {
  const CommandResult r =
      run_command(std::string(SPEECHDEX_SEARCH_BIN) + " --db " + shell_quote(db_) +
                  " 依法行政 --collocates --limit 15 --format csv");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, read_bytes(source_path("tests/data/golden/collocates_yifaxingzheng.csv")));
  EXPECT_EQ(r.out.substr(0, r.out.find('\r')),
            "\"ngram\",\"cooccurrences\",\"frequency\",\"logdice\"");
}

}  // namespace
}  // namespace speechdex::testing
