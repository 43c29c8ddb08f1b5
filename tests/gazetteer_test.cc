// Gazetteer: stems, regions, name resolution; and the year and role rules on small speeches.
#include "gazetteer.h"

#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <fstream>

#include "data_dir.h"
#include "errors.h"
#include "manifest.h"
#include "metadata_extractor.h"
#include "normalizer.h"
#include "test_support.h"

namespace speechdex {
namespace {

const schema::Gazetteer& gazetteer() {
  static const schema::Gazetteer g = schema::Gazetteer::load(testing::source_path("data"));
  return g;
}

TEST(Gazetteer, StemsAndRegions) {
  EXPECT_EQ(schema::Gazetteer::stem_of("巴东县"), "巴东");
  EXPECT_EQ(schema::Gazetteer::stem_of("长阳土家族自治县"), "长阳");
  EXPECT_EQ(schema::Gazetteer::stem_of("双江拉祜族佤族布朗族傣族自治县"), "双江");
  EXPECT_EQ(schema::Gazetteer::stem_of("和县"), "");
  EXPECT_EQ(schema::Gazetteer::short_region("恩施土家族苗族自治州"), "恩施");
  EXPECT_EQ(schema::Gazetteer::short_region("广西壮族自治区"), "广西");
  EXPECT_EQ(schema::Gazetteer::short_region("湖北省"), "湖北");
}

TEST(Gazetteer, ResolvesCodesNamesFormerNamesAndStems) {
  const schema::Gazetteer& g = gazetteer();
  EXPECT_EQ(g.divisions().size(), 2978u);
  for (const char* text : {"422823", "巴东县", "巴东"}) {
    const auto d = g.resolve(text);
    ASSERT_EQ(d.size(), 1u) << text;
    EXPECT_EQ(d[0]->code, "422823");
  }
  ASSERT_EQ(g.resolve("定陶县").size(), 1u);
  EXPECT_EQ(g.resolve("定陶县")[0]->code, "371703");
  EXPECT_EQ(g.resolve("长安区").size(), 2u);
  EXPECT_TRUE(g.resolve("火星县").empty());
  EXPECT_EQ(g.resolve_province("湖北"), std::vector<std::string>{"42"});
  EXPECT_EQ(g.province_name("42"), "湖北省");
  EXPECT_TRUE(g.find("会同")->word);
  EXPECT_TRUE(g.find("和县")->one_char);
  EXPECT_FALSE(g.find("巴东")->word);
}

// Scans skip a position when no name starts with its character (may_start_name, one bit
// test): a name the filter ruled out would never be found, so every name must pass it, and
// max_name_chars_from must cover it; most characters of running text must not pass.
TEST(Gazetteer, TheFirstCharacterFilterPassesEveryName) {
  const schema::Gazetteer& g = gazetteer();
  auto first_two = [](const std::string& s) {
    size_t cut = 0, seen = 0;
    while (cut < s.size()) {
      if ((static_cast<unsigned char>(s[cut]) & 0xC0) != 0x80 && ++seen == 3) break;
      ++cut;
    }
    return s.substr(0, cut);
  };
  size_t names = 0;
  for (const schema::Division& d : g.divisions()) {
    for (const std::string& name : {d.name, d.stem}) {
      if (name.empty()) continue;
      ++names;
      EXPECT_TRUE(g.may_start_name(name)) << name;
      EXPECT_GE(g.max_name_chars_from(first_two(name)), 2u) << name;
    }
  }
  EXPECT_GT(names, 5000u);
  EXPECT_TRUE(g.may_start_name("定陶"));  // a former name (定陶县)
  const std::u32string text = schema::to_utf32(
      testing::read_bytes(testing::source_path("data/sample/002_7b64626b53d5935b.txt")));
  size_t cjk = 0, passed = 0;
  for (char32_t c : text) {
    if (c < 0x4E00 || c > 0x9FFF) continue;
    std::string one;
    schema::append_utf8(c, one);
    ++cjk;
    passed += g.may_start_name(one);
  }
  EXPECT_GT(cjk, 1000u);
  EXPECT_LT(passed * 2, cjk) << passed << " of " << cjk;
}

TEST(Gazetteer, MalformedTablesNameTheLine) {
  try {
    schema::Gazetteer::parse("code\tcounty\tcity\tprovince\n12x\t县\t市\t省\n", "", "", "test");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.context(), "test admin-divisions.tsv:2");
  }
}

indexer::Speech speech(const std::string& title, std::vector<std::string> lines) {
  indexer::Speech s{title, {}};
  if (!title.empty()) s.paragraphs.push_back({title, "title", "", "", 0, 0});
  for (std::string& l : lines) s.paragraphs.push_back({std::move(l), "text", "", "", 0, 0});
  return s;
}

TEST(Manifest, JsonLinesRowsApplyPerSpeechOrPerFile) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/m.jsonl";
  std::ofstream(path) << "{\"path\": \"a.txt\", \"county\": \"巴东\", \"year\": 2019}\n"
                      << "{\"file\": \"a.txt\", \"speech\": 2, \"code\": \"421123\"}\n"
                      << "not json\n"
                      << "[1, 2]\n";
  std::vector<std::string> warnings;
  const auto m = indexer::Manifest::load(path, gazetteer(),
                                         [&](const std::string& w, const std::string& where) {
                                           warnings.push_back(w + " @ " + where);
                                         });
  const std::string a = boost::filesystem::weakly_canonical(dir.path() + "/a.txt").string();
  ASSERT_NE(m.find(a, 1), nullptr);
  EXPECT_EQ(m.find(a, 1)->county->code, "422823");
  EXPECT_EQ(*m.find(a, 1)->year, 2019);
  EXPECT_EQ(m.find(a, 2)->county->code, "421123");
  EXPECT_EQ(m.find(dir.path() + "/b.txt", 1), nullptr);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("m.jsonl:3"), std::string::npos);
}

TEST(MetadataRules, Years) {
  const schema::Taxonomy t = schema::Taxonomy::load(testing::source_path("data/topics.tsv"));
  const indexer::MetadataExtractor x(gazetteer(), t);
  struct Case {
    std::vector<std::string> lines;
    int year;
  };
  const Case cases[] = {
      {{"同志们：", "今年是2019年，全县上下要奋力拼搏。"}, 2019},
      {{"同志们：", "2014年以来，我们做了大量工作。", "到2035年基本实现现代化。"}, 0},
      {{"同志们：", "今年是“十四五”开局之年，意义重大。"}, 2021},
      {{"同志们：", "“十三五”规划即将收官，今年是收官之年。", "2015年以来成效明显。"}, 2020},
      {{"同志们：", "20**年全县完成了各项任务，202_年要再接再厉。"}, 0},
      {{"（2018年3月2日）", "同志们：", "2016年以来，工作取得进展。"}, 2018},
      {{"同志们：", "下面我就2022年工作安排讲几点意见。", "到2025年实现目标。"}, 2022},
      // Chinese numerals count like digits, under the same frame rules.
      {{"（二〇一九年三月五日）", "同志们：", "二〇一六年以来，工作取得进展。"}, 2019},
      {{"同志们：", "今年是二零二零年，全县上下要奋力拼搏。"}, 2020},
      {{"同志们：", "一九九八年以来，我们做了大量工作。", "到二〇三五年基本实现现代化。"}, 0},
      {{"同志们：", "下面我就二○二二年工作安排讲几点意见。"}, 2022},
      {{"同志们：", "十二年来，我们做了大量工作；五一二年不是年份。"}, 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(x.find_year(speech("在全县工作会议上的讲话", c.lines)).value, c.year) << c.lines[1];
  }
}

TEST(MetadataRules, RolesComeFromTheTitleAndOpeningOnly) {
  const schema::Taxonomy t = schema::Taxonomy::load(testing::source_path("data/topics.tsv"));
  const indexer::MetadataExtractor x(gazetteer(), t);
  EXPECT_EQ(x.find_role(speech("常务副县长在全县财政工作会议上的讲话", {"同志们："})).value,
            "常务副县长");
  EXPECT_EQ(x.find_role(speech("在全县工作会议上的讲话", {"副县长、县公安局局长 杨某", "同志们："}))
                .value,
            "副县长");
  EXPECT_EQ(
      x.find_role(speech("在全县工作会议上的讲话", {"同志们：", "刚才，王县长作了部署。"})).value,
      "");
}

TEST(MetadataRules, TopicsNeedEnoughKeywordWeight) {
  const schema::Taxonomy t = schema::Taxonomy::load(testing::source_path("data/topics.tsv"));
  const indexer::MetadataExtractor x(gazetteer(), t);
  auto ids = [&](const std::string& text) {
    std::vector<std::string> out;
    for (int i : x.find_topics(text, nullptr)) out.push_back(t.topics()[static_cast<size_t>(i)].id);
    return out;
  };
  EXPECT_EQ(ids("要深入推进依法行政，加快建设法治政府。"), std::vector<std::string>{"rule_of_law"});
  EXPECT_EQ(ids("今天天气很好。"), std::vector<std::string>{});
  EXPECT_EQ(ids("执法要规范。"), std::vector<std::string>{});  // one general keyword is not enough
}

// A program run from a build folder (this test too) reads the source tree's data/ by default;
// an installed one reads PREFIX/share/speechdex (tests/package_test.sh checks that).
TEST(DataDir, AProgramInABuildFolderReadsTheSourceTreesData) {
  EXPECT_EQ(boost::filesystem::path(indexer::default_data_dir()).lexically_normal(),
            boost::filesystem::path(testing::source_path("data")).lexically_normal());
}

}  // namespace
}  // namespace speechdex
