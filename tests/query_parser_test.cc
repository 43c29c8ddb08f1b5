// Query parser: query text -> Xapian query description, and the errors it reports.
#include "query_parser.h"

#include <gtest/gtest.h>

#include "errors.h"

namespace speechdex::searcher {
namespace {

struct Case {
  const char* query;
  const char* description;
};

TEST(QueryParser, BuildsExactQueries) {
  const Case cases[] = {
      {"法", "Query(法)"},
      {"法治", "Query(法治)"},
      {"法治政府", "Query((法治 PHRASE 3 政府))"},
      {"脫貧", "Query(脱贫)"},
      {"依法 行政", "Query((依法 AND 行政))"},
      {"县委、政府", "Query((县委 AND 政府))"},
      {"\"县委、政府\"", "Query((县委 PHRASE 4 、政 PHRASE 4 政府))"},
      {"依法 -政府", "Query((依法 AND_NOT 政府))"},
      {"依法 NOT 政府", "Query((依法 AND_NOT 政府))"},
      {"依法 OR 法治", "Query((依法 OR 法治))"},
      {"(依法 OR 法治) 政府", "Query(((依法 OR 法治) AND 政府))"},
      {"title:讲话", "Query(S讲话)"},
      {"heading:依法行政", "Query((XH:依法 PHRASE 3 XH:行政))"},
      // A cover that fits its window at other offsets falls back to every bigram.
      {"的的的的", "Query((的的 PHRASE 3 的的 PHRASE 3 的的))"},
      {"研究研究", "Query((研究 PHRASE 3 研究))"},
      {"全面推进依法行政", "Query((全面 PHRASE 7 推进 PHRASE 7 依法 PHRASE 7 行政))"},
      {"PM2.5", "Query(pm2.5)"},
      {"-政府", "Query((<alldocuments> AND_NOT 政府))"},
      {"依法 AND 行政", "Query((依法 AND 行政))"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse_query(c.query).query.get_description(), c.description) << c.query;
  }
}

// The cover check is linear in the run's length: a long run of distinct characters still
// gets its cover (every other bigram), not every bigram.
TEST(QueryParser, LongRunsGetACover) {
  const std::string run = "全面推进依法行政加快建设法治政府一二三四五六七八九十甲乙丙丁";
  const std::string d = parse_query(run).query.get_description();
  size_t terms = 1;
  for (size_t p = d.find("PHRASE 29"); p != std::string::npos; p = d.find("PHRASE 29", p + 1)) {
    ++terms;
  }
  EXPECT_EQ(terms, 15u) << d;
}

TEST(QueryParser, RejectsMalformedQueries) {
  for (const char* q : {"", "   ", "\"法治", "(法治", "法治)", "，", "foo:法治", "OR 法治",
                        "法治 OR", "-", "NEAR/3", "a\xff"}) {
    EXPECT_THROW(parse_query(q), QueryError) << q;
  }
}

TEST(QueryParser, ErrorsNameTheQuery) {
  try {
    parse_query("\"法治");
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_EQ(std::string(e.what()), "unbalanced quotes");
    EXPECT_EQ(e.context(), "\"法治");
  }
}

TEST(QueryParser, HighlightsOnlyPositiveTextParts) {
  const ParsedQuery q = parse_query("依法行政 -政府 title:讲话 \"县委、政府\"");
  ASSERT_EQ(q.highlights.size(), 2u);
  EXPECT_EQ(q.highlights[0], (std::vector<std::string>{"依", "法", "行", "政"}));
  EXPECT_EQ(q.highlights[1].size(), 5u);
}

}  // namespace
}  // namespace speechdex::searcher
