// Speech splitter: paragraphs rebuilt from hard wraps, headings in sequence, speeches.
#include "speech_splitter.h"

#include <gtest/gtest.h>

#include "record.h"

namespace speechdex::indexer {
namespace {

SplitResult split(const std::string& text) { return split_speeches(clean(text)); }

std::vector<std::string> texts(const Speech& s) {
  std::vector<std::string> out;
  for (const Paragraph& p : s.paragraphs) out.push_back(p.text);
  return out;
}

TEST(SpeechSplitter, RejoinsHardWrappedTitleAndCounts) {
  const SplitResult r = split(
      "副县长在全县安全生产暨防汛工作\n"
      "会议上的讲话\n"
      "同志们：\n"
      "一、总结成绩\n"
      "今年以来，全县共排查隐患X\n"
      "处，整改到位X处。\n"
      "按照省政府《关于加强安全生产工作的意见\n"
      "》要求，我们要抓好落实。\n");
  ASSERT_EQ(r.speeches.size(), 1u);
  const Speech& s = r.speeches[0];
  EXPECT_EQ(s.title, "副县长在全县安全生产暨防汛工作会议上的讲话");
  EXPECT_EQ(texts(s), (std::vector<std::string>{
                          "副县长在全县安全生产暨防汛工作会议上的讲话", "同志们：", "一、总结成绩",
                          "今年以来，全县共排查隐患X处，整改到位X处。",
                          "按照省政府《关于加强安全生产工作的意见》要求，我们要抓好落实。"}));
  EXPECT_EQ(s.paragraphs[0].kind, schema::kKindTitle);
  EXPECT_EQ(s.paragraphs[2].kind, schema::kKindHeading);
  EXPECT_EQ(s.paragraphs[3].section, "一、总结成绩");
}

TEST(SpeechSplitter, HeadingsCountOnlyInSequence) {
  const SplitResult r = split(
      "同志们：\n"
      "一、关于交通工作。\n"
      "二、关于项目工作。\n"
      "要加快推进国道改建，大力推进省道三改\n"
      "二、县城过境公路建设等前期工作，力争早日开工。\n"
      "三、关于安全工作。\n"
      "要抓好第\n"
      "七、八两个月的汛期值守。\n");
  ASSERT_EQ(r.speeches.size(), 1u);
  const std::vector<std::string> t = texts(r.speeches[0]);
  EXPECT_EQ(
      t, (std::vector<std::string>{
             "同志们：", "一、关于交通工作。", "二、关于项目工作。",
             "要加快推进国道改建，大力推进省道三改二、县城过境公路建设等前期工作，力争早日开工。",
             "三、关于安全工作。", "要抓好第七、八两个月的汛期值守。"}));
  EXPECT_EQ(r.speeches[0].paragraphs[3].section, "二、关于项目工作。");
  EXPECT_EQ(r.speeches[0].paragraphs[5].section, "三、关于安全工作。");
}

TEST(SpeechSplitter, HeadingWithBodyOnTheSameLineContinues) {
  const SplitResult r = split(
      "同志们：\n"
      "（一）文件清理。对规范性文件进行了清理，继续施行的X\n"
      "件，停止执行的X件。\n"
      "(二)学法为先。 俗话说，学法者智。\n");
  const Speech& s = r.speeches.at(0);
  ASSERT_EQ(s.paragraphs.size(), 3u);
  EXPECT_EQ(s.paragraphs[1].text,
            "（一）文件清理。对规范性文件进行了清理，继续施行的X件，停止执行的X件。");
  EXPECT_EQ(s.paragraphs[1].subsection, "（一）文件清理。");
  EXPECT_EQ(s.paragraphs[1].kind, schema::kKindText);
  EXPECT_EQ(s.paragraphs[2].subsection, "(二)学法为先。");
}

TEST(SpeechSplitter, MarkersSplitSpeechesUnderTheFileTitle) {
  const SplitResult r = split(
      "某网站 www.example.com\n"
      "[bookmark: _Toc1]全县工作会议讲话稿汇编\n"
      "全县经济工作会议上的讲话\n"
      "下面是小编整理的讲话，仅供参考。\n"
      "> 篇一\n"
      "同志们：\n"
      "第一篇的内容。\n"
      "> 篇二\n"
      "同志们：\n"
      "第二篇的内容。\n"
      "篇三\n");
  ASSERT_EQ(r.speeches.size(), 2u);
  EXPECT_EQ(r.speeches[0].title, "全县经济工作会议上的讲话");
  EXPECT_EQ(r.speeches[1].title, "全县经济工作会议上的讲话");
  EXPECT_EQ(texts(r.speeches[0]),
            (std::vector<std::string>{"全县经济工作会议上的讲话", "同志们：", "第一篇的内容。"}));
  EXPECT_EQ(texts(r.speeches[1]), (std::vector<std::string>{"同志们：", "第二篇的内容。"}));
  EXPECT_EQ(r.front_matter_lines, 1);  // 讲话稿汇编 line before the title
  EXPECT_EQ(r.boilerplate_lines, 2);
}

TEST(SpeechSplitter, TitleAndSalutationStartANewSpeech) {
  const SplitResult r = split(
      "在全县农村工作会议上的讲话\n"
      "同志们：\n"
      "农村工作很重要。\n"
      "在全县教育工作会议上的讲话\n"
      "（2019年3月5日）\n"
      "同志们：\n"
      "教育工作很重要。\n");
  ASSERT_EQ(r.speeches.size(), 2u);
  EXPECT_EQ(r.speeches[1].title, "在全县教育工作会议上的讲话");
  EXPECT_EQ(texts(r.speeches[1]).size(), 4u);
}

TEST(SpeechSplitter, FrontMatterBeforeTheTitleIsLeftOut) {
  const SplitResult r = split(
      "仅供学习 禁止外传\n"
      "某某文库\n"
      "自建平台、实时分享\n"
      "\n"
      "在县落实年动员大会上的讲话\n"
      "同志们：\n"
      "今天召开动员大会。\n");
  ASSERT_EQ(r.speeches.size(), 1u);
  EXPECT_EQ(r.speeches[0].paragraphs.front().text, "在县落实年动员大会上的讲话");
  EXPECT_EQ(r.front_matter_lines, 2);
}

TEST(SpeechSplitter, TextWithoutTitleIsOneSpeech) {
  const SplitResult r = split("今年全县经济平稳增长。\n我们要再接再厉。\n");
  ASSERT_EQ(r.speeches.size(), 1u);
  EXPECT_EQ(r.speeches[0].title, "");
  EXPECT_EQ(r.speeches[0].paragraphs.size(), 2u);
}

TEST(SpeechSplitter, LinesModeKeepsEveryLineAsItIs) {
  const SplitResult r =
      split_lines("床前明月光，疑是地上霜\n\n  在全县工作会议上的讲话\n同志们：\n");
  ASSERT_EQ(r.speeches.size(), 1u);
  EXPECT_EQ(texts(r.speeches[0]), (std::vector<std::string>{"床前明月光，疑是地上霜",
                                                            "在全县工作会议上的讲话", "同志们："}));
  EXPECT_EQ(r.speeches[0].paragraphs[1].first_line, 3);
  EXPECT_TRUE(split_lines("\n \n").speeches.empty());
}

TEST(SpeechSplitter, RecognisesStructureLines) {
  EXPECT_TRUE(is_speech_marker("> 篇一"));
  EXPECT_TRUE(is_speech_marker(">篇十二"));
  EXPECT_TRUE(is_speech_marker("第三篇"));
  EXPECT_FALSE(is_speech_marker("篇幅"));
  EXPECT_TRUE(is_salutation("同志们:"));
  EXPECT_TRUE(is_salutation("各位代表、同志们:"));
  EXPECT_FALSE(is_salutation("同志们,今年是新一届政府的开局之年,开局好一届好,我们要加油干。"));
  EXPECT_TRUE(is_title_like("在全县依法行政工作会议上的讲话(摘要)"));
  EXPECT_FALSE(is_title_like("我就讲这么多。"));
  EXPECT_EQ(parse_enumerator("(三)普法为基。").kind, EnumKind::kCnParen);
  EXPECT_EQ(parse_enumerator("(三)普法为基。").value, 3);
  EXPECT_EQ(parse_enumerator("十二、关于").value, 12);
  EXPECT_EQ(parse_enumerator("第九,科学").kind, EnumKind::kDi);
  EXPECT_EQ(parse_enumerator("第一次全会").kind, EnumKind::kNone);
  EXPECT_EQ(parse_enumerator("1.9个百分点").kind, EnumKind::kNone);
  EXPECT_EQ(parse_enumerator("二是抓项目").kind, EnumKind::kShi);
  EXPECT_TRUE(ends_sentence("他说:“好。”"));
  EXPECT_FALSE(ends_sentence("其中继续施行的x"));
}

}  // namespace
}  // namespace speechdex::indexer
