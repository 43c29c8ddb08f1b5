// Tokenizer: text -> units -> terms, as compact strings (unigrams | bigrams[position]).
#include "tokenizer.h"

#include <gtest/gtest.h>

namespace speechdex::schema {
namespace {

struct Case {
  const char* input;
  const char* terms;
};

TEST(Tokenizer, TermsOfTypicalText) {
  const Case cases[] = {
      {"法治政府", "法 治 政 府 | 法治[1] 治政[2] 政府[3]"},
      {"县委、政府", "县 委 、 政 府 | 县委[1] 委、[2] 、政[3] 政府[4]"},
      {"PM2.5浓度", "pm2.5 浓 度 | pm2.5 浓[1] 浓度[2]"},
      {"ＰＭ２．５", "pm2.5 |"},
      {"GDP增长7.5%", "gdp 增 长 7.5 % | gdp 增[1] 增长[2] 长 7.5[3] 7.5 %[4]"},
      {"第九 ，科学", "第 九 , 科 学 | 第九[1] 九,[2] ,科[3] 科学[4]"},
      {"New York", "new york | new york[1]"},
      {"3348", "3348 |"},
      {"長安長安", "长 安 | 长安[1] 安长[2] 长安[3]"},
      {"哈哈哈", "哈 | 哈哈[1] 哈哈[2]"},
      {"  \t ", " |"},
      {"www.zciku.com", "www . zciku com | www .[1] . zciku[2] zciku .[3] . com[4]"},
      {"（一）", "( 一 ) | (一[1] 一)[2]"},
  };
  for (const Case& c : cases) EXPECT_EQ(describe_terms(c.input), c.terms) << c.input;
}

TEST(Tokenizer, TextTermsComeInOrderWithPositionsFromTheBase) {
  // The full-width comma is normalized to ','.
  std::vector<std::string> unigrams;
  std::vector<std::pair<std::string, uint32_t>> bigrams;
  const uint32_t next = for_each_text_term(
      "S", tokenize("研究研究，研究"), 10, [&](const std::string& t) { unigrams.push_back(t); },
      [&](const std::string& t, uint32_t p) { bigrams.emplace_back(t, p); });
  EXPECT_EQ(next, 17u);
  EXPECT_EQ(unigrams, (std::vector<std::string>{"S研", "S究", "S研", "S究", "S,", "S研", "S究"}));
  EXPECT_EQ(
      bigrams,
      (std::vector<std::pair<std::string, uint32_t>>{
          {"S研究", 10}, {"S究研", 11}, {"S研究", 12}, {"S究,", 13}, {"S,研", 14}, {"S研究", 15}}));
}

TEST(Tokenizer, UnitsKeepTheirSourceRanges) {
  const std::string text = "在ＰＭ２．５中";
  const std::vector<Unit> units = tokenize(text);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[1].text, "pm2.5");
  EXPECT_EQ(units[1].kind, UnitKind::kWord);
  EXPECT_EQ(text.substr(units[1].begin, units[1].end - units[1].begin), "ＰＭ２．５");
  EXPECT_EQ(text.substr(units[2].begin, units[2].end - units[2].begin), "中");
}

TEST(Tokenizer, PunctuationIsMarked) {
  const std::vector<Unit> units = tokenize("县委、政府%");
  ASSERT_EQ(units.size(), 6u);
  EXPECT_TRUE(units[2].punctuation);
  EXPECT_FALSE(units[0].punctuation);
  EXPECT_FALSE(units[5].punctuation);  // % is a symbol, not punctuation
}

TEST(Tokenizer, LongWordsAreCutTheSameWayOnBothSides) {
  const std::string longword(100, 'a');
  const std::vector<Unit> units = tokenize(longword);
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0].text.size(), kMaxWordBytes);
}

TEST(Tokenizer, BigramsOfWordsAreSeparatedFromSingleWords) {
  const std::vector<Unit> two = tokenize("new york");
  const std::vector<Unit> one = tokenize("newyork");
  EXPECT_NE(bigram_term("", two[0], two[1]), unigram_term("", one[0]));
}

}  // namespace
}  // namespace speechdex::schema
