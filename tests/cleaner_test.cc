// Cleaner: which lines are website furniture, by rule, on small made-up files.
#include "cleaner.h"

#include <gtest/gtest.h>

namespace speechdex::indexer {
namespace {

std::vector<std::string> reasons(const std::string& text) {
  std::vector<std::string> out;
  for (const Line& l : clean(text)) {
    out.push_back(l.cls == LineClass::kBlank         ? "blank"
                  : l.cls == LineClass::kBoilerplate ? l.reason
                                                     : "content");
  }
  return out;
}

TEST(Cleaner, ClassifiesSiteFurnitureByKind) {
  const std::string text =
      "范文网 / www.example-wenku.net\n"
      "来源：网络  作者：某某  更新时间：2023-01-02\n"
      "在全县工作会议上的讲话同志们：今天我们召开全县工作会议，主要任务是总结去年工作...\n"
      "下面是小编为大家整理的讲话稿，仅供参考。\n"
      "\u3000\n"
      "在全县工作会议上的讲话\n"
      "同志们：\n"
      "今天我们召开全县工作会议，主要任务是总结去年工作，部署今年任务。\n"
      "我们要搭建服务平台，整理历史资料，做好档案工作。\n"
      "本文档由某某网生成，更多范文请访问 http://example.org\n";
  EXPECT_EQ(reasons(text),
            (std::vector<std::string>{"url", "metadata", "teaser", "advert", "blank", "content",
                                      "content", "content", "content", "url"}));
}

TEST(Cleaner, RemovesConversionArtifactsAndTrims) {
  const std::vector<Line> lines = clean("[bookmark: _Toc12]\u00a0县委全体会议上的讲话 \n");
  ASSERT_GE(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "县委全体会议上的讲话");
  EXPECT_EQ(lines[0].cls, LineClass::kContent);
}

TEST(Cleaner, AnEllipsisAloneDoesNotMakeATeaser) {
  // Nothing later in the file repeats the text before the ellipsis.
  const std::vector<Line> lines =
      clean("他说我们要加快发展步伐全面推进各项工作落实...\n另一段内容。\n");
  EXPECT_EQ(lines[0].cls, LineClass::kContent);
}

TEST(Cleaner, AdvertWordsInALongParagraphStayContent) {
  std::string para = "要整合信息平台，免费开放公共资料，";
  for (int i = 0; i < 20; ++i) para += "推进政务服务标准化规范化便利化，提高群众满意度，";
  para += "确保各项工作落到实处。";
  EXPECT_EQ(clean(para)[0].cls, LineClass::kContent);
}

TEST(Cleaner, AdvertWeightCountsEachWordOnceWhereverItStands) {
  // One pass over the line finds what a search for each word finds: a word counts once
  // however often it occurs, at the start, the end or inside another, and weak words
  // alone weigh nothing.
  EXPECT_EQ(advert_weight("小编"), 2);
  EXPECT_EQ(advert_weight("小编小编小编"), 2);
  EXPECT_EQ(advert_weight("xx小编整理的资料"), 4);  // 2 + 1 + 1
  EXPECT_EQ(advert_weight("整理资料平台"), 0);      // weak words only
  EXPECT_EQ(advert_weight("加qq群免费下载docx"), 2 + 1 + 1 + 1);
  EXPECT_EQ(advert_weight("word"), 0);
  EXPECT_EQ(advert_weight("版权所有本站"), 4);
  EXPECT_EQ(advert_weight("小"), 0);  // shorter than any word
  EXPECT_EQ(advert_weight(""), 0);
  // A word cut in half by the line's end does not count.
  EXPECT_EQ(advert_weight(std::string("公众号").substr(0, 7)), 0);
}

TEST(Cleaner, TrimDropsOuterSpacesAndMarksBytesThatAreNotUtf8) {
  EXPECT_EQ(trim("\u3000 \t县委\u00a0会议\u200b\ufeff "), "县委\u00a0会议");
  EXPECT_EQ(trim(" \u3000 "), "");
  EXPECT_EQ(trim(""), "");
  // A byte that is not UTF-8 becomes U+FFFD, inside or at either end.
  EXPECT_EQ(trim(" a\xff b "), "a\ufffd b");
  EXPECT_EQ(trim("\xe5\x8e b"), "\ufffd b");
  EXPECT_EQ(trim("b \xe5\x8e"), "b \ufffd");
}

}  // namespace
}  // namespace speechdex::indexer
