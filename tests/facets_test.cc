// Filters, facets and grouping against brute force over the indexed paragraph records.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "errors.h"
#include "oracle.h"
#include "searcher.h"
#include "test_support.h"

namespace speechdex::testing {
namespace {

class Facets : public FacetCorpusSuite {
 protected:
  // Brute force: paragraphs matching `text` (all if empty) whose record passes `keep`.
  template <class Keep>
  static std::vector<const StoredParagraph*> brute(const std::string& text, Keep keep) {
    const std::set<unsigned> hits =
        text.empty() ? std::set<unsigned>{} : brute_force(*paragraphs_, text);
    std::vector<const StoredParagraph*> out;
    for (const StoredParagraph& p : *paragraphs_) {
      if ((text.empty() || hits.count(p.docid)) && keep(p.record)) out.push_back(&p);
    }
    return out;
  }

  static searcher::SearchResult run(const std::string& query,
                                    std::vector<searcher::FilterSpec> filters,
                                    std::vector<std::string> facets = {}, bool group = false) {
    searcher::Searcher s(db_);
    searcher::SearchRequest r;
    r.query = query.empty() ? searcher::ParsedQuery{textstore::Query::all(), {}, true, {}}
                            : searcher::parse_query(query);
    r.filters = std::move(filters);
    r.page = {0, paragraphs_->size()};
    r.facets = std::move(facets);
    r.group_by_speech = group;
    return s.search(r);
  }

  static std::set<unsigned> ids(const searcher::SearchResult& r) {
    std::set<unsigned> out;
    for (const auto& h : r.hits) out.insert(h.docid);
    return out;
  }
  static std::set<unsigned> ids(const std::vector<const StoredParagraph*>& v) {
    std::set<unsigned> out;
    for (const auto* p : v) out.insert(p->docid);
    return out;
  }
};

TEST_F(Facets, FiltersSelectExactlyTheRecordsThatHaveTheValue) {
  using R = schema::ParagraphRecord;
  struct Case {
    std::string query;
    std::vector<searcher::FilterSpec> filters;
    std::function<bool(const R&)> keep;
  };
  const std::vector<Case> cases = {
      {"", {{"county", "巴东", false}}, [](const R& r) { return r.county_code == "422823"; }},
      {"", {{"county", "巴东县", false}}, [](const R& r) { return r.county_code == "422823"; }},
      {"", {{"county", "371703", false}}, [](const R& r) { return r.county_code == "371703"; }},
      {"", {{"county", "定陶县", false}}, [](const R& r) { return r.county_code == "371703"; }},
      {"", {{"province", "湖北", false}}, [](const R& r) { return r.province == "湖北省"; }},
      {"", {{"year", "2020", false}}, [](const R& r) { return r.year == 2020; }},
      {"",
       {{"year", "2015..2019", false}},
       [](const R& r) { return r.year >= 2015 && r.year <= 2019; }},
      {"", {{"role", "县长", false}}, [](const R& r) { return r.role == "县长"; }},
      {"",
       {{"topic", "法治政府", false}},
       [](const R& r) { return std::count(r.topics.begin(), r.topics.end(), "rule_of_law") > 0; }},
      {"发展",
       {{"county", "巴东", false}, {"county", "罗田", false}},
       [](const R& r) { return r.county_code == "422823" || r.county_code == "421123"; }},
      {"发展",
       {{"province", "湖北", false}, {"year", "2016..2022", false}},
       [](const R& r) { return r.province == "湖北省" && r.year >= 2016 && r.year <= 2022; }},
      {"工作", {{"province", "湖北", true}}, [](const R& r) { return r.province != "湖北省"; }},
  };
  for (const Case& c : cases) {
    const auto expected = brute(c.query, c.keep);
    ASSERT_FALSE(expected.empty()) << c.filters.front().field << ":" << c.filters.front().value;
    const auto got = run(c.query, c.filters);
    EXPECT_EQ(ids(got), ids(expected))
        << c.query << " " << c.filters.front().field << ":" << c.filters.front().value;
    EXPECT_EQ(got.total, expected.size());
  }
}

TEST_F(Facets, InlineFiltersEqualFlags) {
  const auto inline_result = run("依法 county:巴东 year:2015..2025", {});
  const auto flags = run("依法", {{"county", "巴东", false}, {"year", "2015..2025", false}});
  EXPECT_EQ(ids(inline_result), ids(flags));
}

TEST_F(Facets, CountsEqualBruteForce) {
  for (const std::string q : {"", "发展", "依法行政", "乡村振兴"}) {
    const auto r = run(q, {}, {"county", "province", "year", "topic", "role"});
    const auto matches = brute(q, [](const schema::ParagraphRecord&) { return true; });
    ASSERT_EQ(r.total, matches.size()) << q;
    std::map<std::string, std::map<std::string, uint64_t>> expected;
    for (const auto* p : matches) {
      const auto& rec = p->record;
      expected["county"][rec.county_code.empty() ? "unknown" : rec.county_code]++;
      expected["province"][rec.county_code.empty() ? "unknown" : rec.county_code.substr(0, 2)]++;
      expected["year"][rec.year ? std::to_string(rec.year) : "unknown"]++;
      expected["role"][rec.role.empty() ? "unknown" : rec.role]++;
      for (const std::string& t : rec.topics) expected["topic"][t]++;
      if (rec.topics.empty()) expected["topic"]["unknown"]++;
    }
    for (const searcher::Facet& f : r.facets) {
      std::map<std::string, uint64_t> got;
      for (const auto& b : f.buckets) got[b.key] = b.count;
      if (f.unknown) got["unknown"] = f.unknown;
      EXPECT_EQ(got, expected[f.name]) << "facet " << f.name << " for '" << q << "'";
    }
  }
}

TEST_F(Facets, GroupingBySpeechCountsSpeechesAndTheirParagraphs) {
  for (const std::string q : {"发展", "依法行政"}) {
    const auto r = run(q, {}, {"year"}, true);
    const auto matches = brute(q, [](const schema::ParagraphRecord&) { return true; });
    std::map<std::string, uint64_t> per_speech;
    for (const auto* p : matches) per_speech[p->record.speech_id]++;
    EXPECT_EQ(r.total, per_speech.size()) << q;
    EXPECT_EQ(r.total_paragraphs, matches.size()) << q;
    ASSERT_EQ(r.hits.size(), per_speech.size());
    for (const auto& h : r.hits) EXPECT_EQ(h.speech_matches, per_speech[h.record.speech_id]);
  }
}

TEST_F(Facets, UnknownValuesAreErrorsWithSuggestions) {
  try {
    run("", {{"county", "巴冬", false}});
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_NE(std::string(e.what()).find("巴东县"), std::string::npos) << e.what();
  }
  try {
    run("", {{"topic", "rule_of_lw", false}});
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_NE(std::string(e.what()).find("rule_of_law"), std::string::npos) << e.what();
  }
  EXPECT_THROW(run("", {{"year", "20xx", false}}), QueryError);
  EXPECT_THROW(run("", {{"role", "村长", false}}), QueryError);
  EXPECT_THROW(run("", {{"province", "火星", false}}), QueryError);
}

}  // namespace
}  // namespace speechdex::testing
