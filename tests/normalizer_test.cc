// Normalizer: NFKC + case folding + Traditional->Simplified, table-driven.
#include "normalizer.h"

#include <gtest/gtest.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "test_support.h"

namespace speechdex::schema {
namespace {

struct Case {
  const char* input;
  const char* expected;
};

TEST(Normalizer, MapsTheFormsResearchersMeet) {
  const Case cases[] = {
      {"長安", "长安"},
      {"脫貧攻堅", "脱贫攻坚"},
      {"ＰＭ２．５", "pm2.5"},
      {"（一）", "(一)"},
      {"ＧＤＰ增長", "gdp增长"},
      {"依法行政", "依法行政"},
      {"後來", "后来"},
      {"XX县", "xx县"},
      {"同志們：", "同志们:"},
      {"e\u0301", "\u00e9"},    // composition across characters
      {"a\u00adb", "ab"},       // soft hyphen is ignorable
      {"\u3000空格", " 空格"},  // ideographic space
      {"①", "1"},
      {"", ""},
  };
  Normalizer& n = Normalizer::thread_instance();
  for (const Case& c : cases) EXPECT_EQ(n.normalize(c.input), c.expected) << c.input;
}

TEST(Normalizer, IsIdempotentOnTheSampleCorpus) {
  Normalizer& n = Normalizer::thread_instance();
  for (const char* f :
       {"data/sample/000_2073c58453f419a3.txt", "data/sample/002_7b64626b53d5935b.txt"}) {
    std::ifstream in(testing::source_path(f));
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string once = n.normalize(ss.str());
    ASSERT_FALSE(once.empty());
    EXPECT_EQ(n.normalize(once), once) << f;
  }
}

TEST(Normalizer, SourceOffsetsPointBackIntoTheInput) {
  Normalizer& n = Normalizer::thread_instance();
  const std::string input = "ＰＭ２．５長安e\u0301";
  std::u32string out;
  std::vector<uint32_t> offsets;
  n.normalize(input, out, &offsets);
  ASSERT_EQ(offsets.size(), out.size() + 1);
  EXPECT_EQ(to_utf8(out), "pm2.5长安\u00e9");
  EXPECT_EQ(offsets[0], 0u);
  EXPECT_EQ(offsets[1], 3u);   // Ｍ starts at byte 3
  EXPECT_EQ(offsets[5], 15u);  // 長 starts after five 3-byte full-width characters
  EXPECT_EQ(offsets[7], 21u);  // é comes from the segment e + U+0301 at byte 21
  EXPECT_EQ(offsets.back(), input.size());
}

TEST(Normalizer, BuildTimeTableEqualsIcuForEveryHanCharacter) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Transliterator> t2s(
      icu::Transliterator::createInstance("Traditional-Simplified", UTRANS_FORWARD, status));
  ASSERT_TRUE(U_SUCCESS(status));
  size_t han = 0, changed = 0;
  for (UChar32 c = 0; c <= 0x10FFFF; ++c) {
    UErrorCode st = U_ZERO_ERROR;
    if (!u_isdefined(c) || uscript_getScript(c, &st) != USCRIPT_HAN) continue;
    ++han;
    icu::UnicodeString s(c);
    t2s->transliterate(s);
    const char32_t icu_result =
        s.countChar32() == 1 ? static_cast<char32_t>(s.char32At(0)) : static_cast<char32_t>(c);
    ASSERT_EQ(simplified(static_cast<char32_t>(c)), icu_result) << "U+" << std::hex << c;
    changed += icu_result != static_cast<char32_t>(c);
  }
  EXPECT_GT(han, 90000u);
  EXPECT_GT(changed, 2000u);
}

TEST(Normalizer, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_FALSE(is_valid_utf8("\xff\xfe"));
  EXPECT_TRUE(is_valid_utf8("依法"));
  EXPECT_EQ(Normalizer::thread_instance().normalize("a\xff"
                                                    "b"),
            "a\uFFFDb");
}

}  // namespace
}  // namespace speechdex::schema
