// Query parser: query text -> text store query (its description), and the errors it reports.
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
      {"法", "法"},
      {"法治", "法治"},
      {"法治政府", "PHRASE(法治@0 治政@1 政府@2)"},
      {"脫貧", "脱贫"},
      {"依法 行政", "(依法 AND 行政)"},
      {"县委、政府", "(县委 AND 政府)"},
      {"\"县委、政府\"", "PHRASE(县委@0 委、@1 、政@2 政府@3)"},
      {"依法 -政府", "(依法 AND_NOT 政府)"},
      {"依法 NOT 政府", "(依法 AND_NOT 政府)"},
      {"依法 OR 法治", "(依法 OR 法治)"},
      {"(依法 OR 法治) 政府", "((依法 OR 法治) AND 政府)"},
      {"title:讲话", "S讲话"},
      {"heading:依法行政", "PHRASE(XH:依法@0 XH:法行@1 XH:行政@2)"},
      // A repeated bigram keeps one entry per offset.
      {"的的的的", "PHRASE(的的@0 的的@1 的的@2)"},
      {"研究研究", "PHRASE(研究@0 究研@1 研究@2)"},
      {"全面推进依法行政", "PHRASE(全面@0 面推@1 推进@2 进依@3 依法@4 法行@5 行政@6)"},
      {"PM2.5", "pm2.5"},
      {"-政府", "(<all> AND_NOT 政府)"},
      {"依法 AND 行政", "(依法 AND 行政)"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse_query(c.query).query.describe(), c.description) << c.query;
  }
}

// A run of 30 characters is the phrase of its 29 bigrams, each standing for two characters,
// so the index may match by any subset that covers all 30 (textstore's phrase_plan).
TEST(QueryParser, LongRunsArePhrasesOfTheirBigrams) {
  const std::string run = "全面推进依法行政加快建设法治政府一二三四五六七八九十甲乙丙丁";
  const textstore::Query q = parse_query(run).query;
  ASSERT_EQ(q.phrase.size(), 29u) << q.describe();
  EXPECT_EQ(q.phrase.back().second, 28u);
  EXPECT_EQ(q.width, 2u);
}

// NEAR and BEFORE bind two text parts, tighter than AND, OR and exclusion.
TEST(QueryParser, NearAndBeforeTakeTwoTextParts) {
  const Case cases[] = {
      {"法治 NEAR/3 政府", "(法治 NEAR/3 政府)"},
      {"法治 BEFORE/0 政府", "(法治 BEFORE/0 政府)"},
      {"法治 NEAR/s 政府", "(法治 NEAR/s 政府)"},
      {"法治 BEFORE/s 政府", "(法治 BEFORE/s 政府)"},
      {"法 NEAR/5 政府", "(UNIT(法) NEAR/5 政府)"},
      {"依法行政 NEAR/20 \"县委、政府\"",
       "(PHRASE(依法@0 法行@1 行政@2) NEAR/20 PHRASE(县委@0 委、@1 、政@2 政府@3))"},
      {"GDP NEAR/2 PM2.5", "(UNIT(gdp) NEAR/2 UNIT(pm2.5))"},
      {"2020年 NEAR/1 增长", "(2020 年 NEAR/1 增长)"},
      {"政府。 NEAR/1 法治", "(政府 NEAR/1 法治)"},
      {"依法 法治 NEAR/3 政府", "(依法 AND (法治 NEAR/3 政府))"},
      {"依法 OR 法治 NEAR/3 政府", "(依法 OR (法治 NEAR/3 政府))"},
      {"-法治 NEAR/3 政府", "(<all> AND_NOT (法治 NEAR/3 政府))"},
      {"依法 NOT 法治 NEAR/3 政府", "(依法 AND_NOT (法治 NEAR/3 政府))"},
      {"(法治 NEAR/3 政府) OR (法治 BEFORE/s 依法)",
       "((法治 NEAR/3 政府) OR (法治 BEFORE/s 依法))"},
      {"法治 NEAR/3 政府 year:2020", "(法治 NEAR/3 政府)"},
      {"\"NEAR/3\"", "PHRASE(near /@0 / 3@1)"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse_query(c.query).query.describe(), c.description) << c.query;
  }
  EXPECT_EQ(parse_query("法治 NEAR/3 政府").highlights.size(), 2u);
  EXPECT_TRUE(parse_query("-法治 NEAR/3 政府").highlights.empty());
}

TEST(QueryParser, NearErrorsAreOneLineNamingTheOperator) {
  const std::pair<const char*, const char*> cases[] = {
      {"法治 NEAR/x 政府",
       "bad 'NEAR/x': write NEAR/n with n a number of characters 0..100000, "
       "or NEAR/s"},
      {"法治 BEFORE/-1 政府",
       "bad 'BEFORE/-1': write BEFORE/n with n a number of characters "
       "0..100000, or BEFORE/s"},
      {"法治 NEAR/100001 政府",
       "bad 'NEAR/100001': write NEAR/n with n a number of characters "
       "0..100000, or NEAR/s"},
      {"法治 NEAR 政府",
       "bad 'NEAR': write NEAR/n with n a number of characters 0..100000, or "
       "NEAR/s"},
      {"法治 NEAR/ 政府",
       "bad 'NEAR/': write NEAR/n with n a number of characters 0..100000, or "
       "NEAR/s"},
      {"法治 NEAR/3", "'NEAR/3' needs a word or quoted text on its right"},
      {"法治 NEAR/3 (政府)", "'NEAR/3' needs a word or quoted text on its right"},
      {"法治 NEAR/3 OR", "'NEAR/3' needs a word or quoted text on its right"},
      {"法治 NEAR/3 -政府", "'NEAR/3' needs a word or quoted text on its right"},
      {"NEAR/3 政府",
       "'NEAR/3' needs a word or quoted text on its left (its parts are text, not "
       "groups, fields or other NEARs)"},
      {"(法治 OR 依法) NEAR/3 政府",
       "'NEAR/3' needs a word or quoted text on its left (its parts "
       "are text, not groups, fields or other NEARs)"},
      {"title:法治 NEAR/3 政府",
       "'NEAR/3' needs a word or quoted text on its left (its parts are "
       "text, not groups, fields or other NEARs)"},
      {"法治 NEAR/3 政府 NEAR/3 依法",
       "'NEAR/3' needs a word or quoted text on its left (its "
       "parts are text, not groups, fields or other NEARs)"},
      {"县委、政府 NEAR/3 依法",
       "'县委、政府' has punctuation inside: quote it to use it in NEAR/3"},
      {"法治 NEAR/3 ，", "'，' has no searchable text"},
  };
  for (const auto& [q, message] : cases) {
    try {
      parse_query(q);
      ADD_FAILURE() << "no error for " << q;
    } catch (const QueryError& e) {
      EXPECT_EQ(std::string(e.what()), message) << q;
      EXPECT_EQ(e.context(), q);
    }
  }
}

TEST(QueryParser, RejectsMalformedQueries) {
  for (const char* q : {"", "   ", "\"法治", "(法治", "法治)", "，", "foo:法治", "OR 法治",
                        "法治 OR", "-", "NEAR/3", "a NEAR/3", "a\xff"}) {
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

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// 5,000 parentheses, 50,000 '-' or 20,000 NOT used to overflow the stack (SIGSEGV).
TEST(QueryParser, NestingDeeperThanTheLimitIsAnErrorNamingIt) {
  const std::string limit = std::to_string(kMaxQueryDepth);
  for (const std::string& q :
       {repeat("(", kMaxQueryDepth + 1) + "法治" + repeat(")", kMaxQueryDepth + 1),
        repeat("(", 5000) + "法治" + repeat(")", 5000), repeat("-", 50000) + "法治",
        repeat("NOT ", 20000) + "法治", repeat("-(", 60) + "法治" + repeat(")", 60),
        repeat("(", 100000)}) {
    try {
      parse_query(q);
      ADD_FAILURE() << q.size() << " bytes parsed";
    } catch (const QueryError& e) {
      EXPECT_EQ(std::string(e.what()), "query nested too deeply: more than " + limit +
                                           " levels of parentheses, - and NOT");
      // One line to read, not the whole query.
      EXPECT_EQ(e.context(), q.substr(0, 60) + "… (" + std::to_string(q.size()) + " bytes)");
    }
  }
}

TEST(QueryParser, NestingUpToTheLimitParses) {
  const size_t n = kMaxQueryDepth;
  EXPECT_EQ(parse_query(repeat("(", n) + "法治" + repeat(")", n)).query.describe(), "法治");
  EXPECT_EQ(parse_query(repeat("-", n) + "法治").query.describe(),
            repeat("(<all> AND_NOT ", n) + "法治" + repeat(")", n));
  EXPECT_EQ(parse_query("NOT NOT 法治").query.describe(), "(<all> AND_NOT (<all> AND_NOT 法治))");
  // Levels close again: depth is what is open at once, not a count of parentheses.
  std::string siblings;
  for (size_t i = 0; i < 3 * n; ++i) siblings += "(法治 OR -政府) ";
  EXPECT_NO_THROW(parse_query(siblings));
}

// A chain of 20,000 used to build a left-deep tree by copying it at every step: quadratic
// (198 s), and as deep as it was long for everything that walked it.
TEST(QueryParser, LongChainsAreOneNaryNode) {
  const size_t n = 20000;
  std::string ors, ands, nots = "依法";
  for (size_t i = 0; i < n; ++i) {
    const std::string word = "\"w" + std::to_string(i) + "\"";
    ors += (i > 0 ? " OR " : "") + word;
    ands += (i > 0 ? " AND " : "") + word;
    nots += " -" + word;
  }
  const ParsedQuery o = parse_query(ors);
  EXPECT_EQ(o.query.op, textstore::Query::Op::kOr);
  ASSERT_EQ(o.query.children.size(), n);
  EXPECT_EQ(o.query.children.back().term, "w19999");
  EXPECT_EQ(o.highlights.size(), n);
  const ParsedQuery a = parse_query(ands);
  EXPECT_EQ(a.query.op, textstore::Query::Op::kAnd);
  EXPECT_EQ(a.query.children.size(), n);
  const ParsedQuery x = parse_query(nots);
  ASSERT_EQ(x.query.op, textstore::Query::Op::kAndNot);
  EXPECT_EQ(x.query.children[0].describe(), "依法");
  EXPECT_EQ(x.query.children[1].op, textstore::Query::Op::kOr);
  EXPECT_EQ(x.query.children[1].children.size(), n);
}

TEST(QueryParser, ChainsAreFlattenedAndExclusionsORed) {
  const Case cases[] = {
      {"(依法 OR 法治) OR 行政 OR (县委 OR 政府)", "(依法 OR 法治 OR 行政 OR 县委 OR 政府)"},
      {"依法 (行政 法治) 县委、政府", "(依法 AND 行政 AND 法治 AND 县委 AND 政府)"},
      {"依法 -政府 -县委", "(依法 AND_NOT (政府 OR 县委))"},
      {"-政府 NOT 县委", "(<all> AND_NOT (政府 OR 县委))"},
      {"(依法 -政府) OR 行政", "((依法 AND_NOT 政府) OR 行政)"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse_query(c.query).query.describe(), c.description) << c.query;
  }
}

TEST(QueryParser, ErrorsNameTheStartOfALongQuery) {
  const std::string q = repeat("法治", 40) + "\"";  // 80 characters, 241 bytes
  try {
    parse_query(q);
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_EQ(std::string(e.what()), "unbalanced quotes");
    EXPECT_EQ(e.context(), repeat("法治", 10) + "… (241 bytes)");  // cut between characters
  }
  const std::string short_enough = repeat("a", 79) + "\"";  // 80 bytes: whole
  try {
    parse_query(short_enough);
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_EQ(e.context(), short_enough);
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
