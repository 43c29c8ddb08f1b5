// PDF reading: the layout rules on word lists written by hand, and pdf_text on the PDFs of
// tests/data/formats/ (made by make-pdf-fixtures from speech.txt).
#include "pdf_text.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <sstream>
#include <thread>

#include "cleaner.h"
#include "errors.h"
#include "pdf_layout.h"
#include "speech_splitter.h"
#include "test_support.h"

namespace speechdex::indexer {
namespace {

using testing::read_bytes;
using testing::source_path;

// Lines of an ExtractedText, each prefixed with its furniture rule in brackets if it has one.
std::vector<std::string> rendered(const ExtractedText& text) {
  std::vector<std::string> out;
  std::istringstream in(text.utf8);
  std::string line;
  size_t i = 0;
  while (std::getline(in, line)) {
    const std::string rule = i < text.furniture.size() ? text.furniture[i] : "";
    out.push_back(rule.empty() ? line : "[" + rule + "] " + line);
    ++i;
  }
  return out;
}

// A4 in points; body text at 16 pt from x = 80 to 520, 28 points apart.
constexpr double kWidth = 595;
constexpr double kHeight = 842;
constexpr double kLeft = 80;
constexpr double kRight = 520;
constexpr double kSize = 16;
constexpr double kPitch = 28;

PdfWord word(const std::string& text, double left, double top, double right, double size = kSize,
             bool space_after = false) {
  return PdfWord{text, left, top, right, top + 1.3 * size, size, space_after};
}

size_t chars(const std::string& utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// A page whose lines are given as (text, left, right, font size) on consecutive rows from
// `first_top`, each line one word; without `right`, a line is as wide as its characters at
// an em each. An empty text skips a row (vertical space).
struct Row {
  std::string text;
  double left = kLeft;
  double right = 0;
  double size = kSize;
};
PdfPage page_of(const std::vector<Row>& rows, double first_top = 100) {
  PdfPage page{kWidth, kHeight, {}};
  double top = first_top;
  for (const Row& r : rows) {
    const double right =
        r.right > 0 ? r.right : r.left + r.size * static_cast<double>(chars(r.text));
    if (!r.text.empty()) page.words.push_back(word(r.text, r.left, top, right, r.size));
    top += r.size > kSize ? 1.6 * r.size : kPitch;
  }
  return page;
}

using Lines = std::vector<std::string>;

TEST(PdfLayout, RejoinsWrappedLinesAndBreaksAtIndentation) {
  const PdfPage page = page_of({
      {"刚才，局长传达了上级有关会议精神，通报了全县法治", kLeft + 32, kRight},
      {"政府建设工作情况，总结了取得的成绩和经验，客观分析了当", kLeft, kRight},
      {"前存在的困难和问题。"},
      {"下面，我就做好今年重点工作讲三点意见。", kLeft + 32},
  });
  EXPECT_EQ(
      rendered(assemble_pdf_text({page})),
      (Lines{"刚才，局长传达了上级有关会议精神，通报了全县法治政府建设工作情况，总结了取得的成"
             "绩和经验，客观分析了当前存在的困难和问题。",
             "下面，我就做好今年重点工作讲三点意见。"}));
}

TEST(PdfLayout, AShortLineEndsItsParagraphEvenWithoutIndentation) {
  // Block paragraphs: no indentation, no extra space; the short line ends the paragraph.
  const PdfPage page = page_of({
      {"同志们："},
      {"今天我们召开全县工作会议，主要任务是总结去年工作，部署今年任务。这是第", kLeft, kRight},
      {"一次会议。"},
      {"我们要搭建服务平台。"},
  });
  EXPECT_EQ(
      rendered(assemble_pdf_text({page})),
      (Lines{"同志们：",
             "今天我们召开全县工作会议，主要任务是总结去年工作，部署今年任务。这是第一次会议。",
             "我们要搭建服务平台。"}));
}

TEST(PdfLayout, LineEndingsShortByLessThanACharacterStillContinue) {
  // Left-aligned text ends short of the edge by less than the next line's first character
  // (plus a third of an em); a line short by two characters is a paragraph's end.
  const PdfPage page = page_of({
      {"这一行写满了整行", kLeft + 32, kRight},
      {"这一行写满了整行", kLeft, kRight},
      {"这一行比整行少半个字这一行比整行少半个字这一行", kLeft, kRight - 8},
      {"这一行比整行少一个半字这一行比整行少一个半字这一行比", kLeft, kRight - 24},
      {"第三行"},
  });
  EXPECT_EQ(rendered(assemble_pdf_text({page})),
            (Lines{"这一行写满了整行这一行写满了整行这一行比整行少半个字这一行比整行少半个字这一行"
                   "这一行比整行少一个半字这一行比整行"
                   "少一个半字这一行比",
                   "第三行"}));
}

TEST(PdfLayout, VerticalSpaceSeparatesParagraphsWithABlankLine) {
  const PdfPage page = page_of({
      {"第一段写满了整行文字", kLeft, kRight},
      {"第一段写满了整行文字", kLeft, kRight},
      {"第一段写满了整行文字", kLeft, kRight},
      {""},
      {"第二段不缩进，与上一段之间有空行。"},
  });
  EXPECT_EQ(rendered(assemble_pdf_text({page})),
            (Lines{"第一段写满了整行文字第一段写满了整行文字第一段写满了整行文字", "",
                   "第二段不缩进，与上一段之间有空行。"}));
}

TEST(PdfLayout, SpaceAfterParagraphsSeparatesBlockParagraphs) {
  // Ragged right, no indentation: a paragraph's last line may be as long as a full one; 8
  // points of space after each paragraph (half a line of 16 points) tell them apart.
  PdfPage page{kWidth, kHeight, {}};
  double top = 100;
  for (int paragraph = 0; paragraph < 2; ++paragraph) {
    page.words.push_back(word("每段三行文字", kLeft, top, kRight - 10));
    page.words.push_back(word("每段三行文字", kLeft, top += kPitch, kRight - 6));
    page.words.push_back(word("最后一行也接近写满", kLeft, top += kPitch, kRight - 16));
    top += kPitch + 8;
  }
  EXPECT_EQ(rendered(assemble_pdf_text({page})),
            (Lines{"每段三行文字每段三行文字最后一行也接近写满", "",
                   "每段三行文字每段三行文字最后一行也接近写满"}));
}

TEST(PdfLayout, TypedFullWidthSpacesIndentLikeFormatting) {
  const PdfPage page = page_of({
      {"第一段的第一行写满了整行文字第一段的第一行写满了整行", kLeft, kRight},
      {"\u3000\u3000第二段用全角空格缩进。"},
  });
  EXPECT_EQ(
      rendered(assemble_pdf_text({page})),
      (Lines{"第一段的第一行写满了整行文字第一段的第一行写满了整行", "第二段用全角空格缩进。"}));
}

TEST(PdfLayout, JoinsCjkWithoutSpaceAndLatinWordsWithOne) {
  PdfPage cjk = page_of({
      {"年全面建成小康社会的重要目标。201", kLeft, kRight},
      {"5年，党中央印发纲要 2015-", kLeft, kRight},
      {"2021年。"},
  });
  EXPECT_EQ(rendered(assemble_pdf_text({cjk})), (Lines{"年全面建成小康社会的重要目标。2015年，"
                                                       "党中央印发纲要2015-2021年。"}));

  PdfPage latin = page_of({
      {"The county government held a meeting on the rule of law", kLeft, kRight},
      {"and the work of the coming year was discussed at length", kLeft, 400},
  });
  EXPECT_EQ(rendered(assemble_pdf_text({latin})),
            (Lines{"The county government held a meeting on the rule of law and the work of the "
                   "coming year was discussed at length"}));
}

TEST(PdfLayout, SpacesInsideALineOnlyBetweenLatinWords) {
  PdfPage page{kWidth, kHeight, {}};
  // 刚才，X局长 as a word processor sets it: a quarter-em gap the reader calls a space.
  page.words.push_back(word("刚才，X", 112, 100, 172, kSize, true));
  page.words.push_back(word("局长传达了", 176, 100, 256, kSize, false));
  page.words.push_back(word("Microsoft", 260, 100, 330, kSize, true));
  page.words.push_back(word("Word", 334, 100, 370, kSize, false));
  // Two words far apart without a space seen: a wide gap is a space between Latin words.
  page.words.push_back(word("PM2.5", 390, 100, 430, kSize, false));
  page.words.push_back(word("index", 460, 100, 500, kSize, false));
  EXPECT_EQ(rendered(assemble_pdf_text({page})),
            (Lines{"刚才，X局长传达了Microsoft Word PM2.5 index"}));
}

TEST(PdfLayout, AWrappedCentredTitleIsOneLine) {
  const PdfPage page = page_of({
      {"在巴东县2021年法治政府建设推进会上的讲", 85, 516, 22},
      {"话", 289, 311, 22},
      {""},
      {"同志们：", kLeft, 144},
  });
  EXPECT_EQ(rendered(assemble_pdf_text({page})),
            (Lines{"在巴东县2021年法治政府建设推进会上的讲话", "", "同志们："}));
}

TEST(PdfLayout, ACentredHeadingAfterAFullLineStartsAParagraph) {
  // A justified full line is centred too, but it starts at the left edge: not a wrapped title.
  const PdfPage page = page_of({
      {"最后一行正好写满了整行的文字最后一行正好写满了整行文字", kLeft, kRight},
      {"二、工作要求", 252, 348},
  });
  EXPECT_EQ(rendered(assemble_pdf_text({page})),
            (Lines{"最后一行正好写满了整行的文字最后一行正好写满了整行文字", "二、工作要求"}));
}

TEST(PdfLayout, AChangeOfFontSizeStartsAParagraph) {
  const PdfPage page = page_of({
      {"在全县工作会议上的讲话在全县工作会议上的讲话", kLeft, kRight, 22},
      {"同志们：今天我们召开全县工作会议。"},
  });
  EXPECT_EQ(rendered(assemble_pdf_text({page})),
            (Lines{"在全县工作会议上的讲话在全县工作会议上的讲话",
                   "同志们：今天我们召开全县工作会议。"}));
}

// Pages with a running header at the top and a page number at the bottom.
PdfPage furnished(const std::vector<Row>& rows, const std::string& header,
                  const std::string& number) {
  PdfPage page = page_of(rows);
  page.words.insert(page.words.begin(), word(header, 248, 58, 353, 10.5));
  page.words.push_back(word(number, 281, 774, 320, 14));
  return page;
}

TEST(PdfLayout, HeadersFootersAndPageNumbersAreFurniture) {
  const std::vector<PdfPage> pages = {
      furnished({{"第一页的段落写满了整行文字第一页的段落写满了整行文字", kLeft + 32, kRight}},
                "巴东县人民政府办公室", "— 1 —"),
      furnished({{"续写一行。"}, {"新的一段。", kLeft + 32}}, "巴东县人民政府办公室", "— 2 —"),
  };
  // The paragraph goes on across the page break; the furniture met inside follows it.
  EXPECT_EQ(
      rendered(assemble_pdf_text(pages)),
      (Lines{"[page header] 巴东县人民政府办公室",
             "第一页的段落写满了整行文字第一页的段落写满了整行文字续写一行。", "[page number] —1—",
             "[page header] 巴东县人民政府办公室", "新的一段。", "[page number] —2—"}));
}

TEST(PdfLayout, RepeatedBandTextWithOtherDigitsIsAFooter) {
  std::vector<PdfPage> pages;
  for (int p = 1; p <= 3; ++p) {
    PdfPage page = page_of({{"正文第" + std::to_string(p) + "页。", kLeft + 32}}, 300);
    page.words.push_back(word("巴东县2021年第" + std::to_string(p) + "期", 80, 780, 250, 10.5));
    pages.push_back(page);
  }
  const Lines lines = rendered(assemble_pdf_text(pages));
  EXPECT_EQ(lines, (Lines{"正文第1页。", "[page footer] 巴东县2021年第1期", "正文第2页。",
                          "[page footer] 巴东县2021年第2期", "正文第3页。",
                          "[page footer] 巴东县2021年第3期"}));
}

TEST(PdfLayout, BandTextOnOnePageOnlyOrInTheBodyIsText) {
  // The title in the top band of page 1 is not repeated; the same sentence at the same
  // height of two pages outside the bands is not furniture; a lone number outside the bands
  // is not a page number.
  const std::vector<PdfPage> pages = {
      page_of({{"关于做好工作的讲话", 228}}, 60),
      page_of({{"这是写满一整行的正文这是写满一整行的正文", kLeft, kRight},
               {"请大家认真落实。", kLeft + 32},
               {"2021", kLeft + 32}},
              400),
      page_of({{"写满一整行的正文", kLeft, kRight}, {"请大家认真落实。", kLeft + 32}}, 400),
  };
  EXPECT_EQ(rendered(assemble_pdf_text(pages)),
            (Lines{"关于做好工作的讲话", "这是写满一整行的正文这是写满一整行的正文",
                   "请大家认真落实。", "2021", "写满一整行的正文", "请大家认真落实。"}));
}

TEST(PdfLayout, TextRepeatedAtTheTopOfTheBodyIsNotAHeader) {
  // The same line opens the body of two pages at the same height, within the top 15% but
  // not set apart from the lines below it: it is text, the header above it is furniture.
  std::vector<PdfPage> pages;
  for (const char* second : {"第一页的下一段。", "第二页的下一段。"}) {
    pages.push_back(
        furnished({{"谢谢大家！", kLeft + 32}, {second, kLeft + 32}}, "巴东县人民政府办公室", "3"));
  }
  EXPECT_EQ(rendered(assemble_pdf_text(pages)),
            (Lines{"[page header] 巴东县人民政府办公室", "谢谢大家！", "第一页的下一段。",
                   "[page number] 3", "[page header] 巴东县人民政府办公室", "谢谢大家！",
                   "第二页的下一段。", "[page number] 3"}));
}

TEST(PdfLayout, PageNumberForms) {
  for (const char* yes : {"3",
                          "- 3 -",
                          "— 3 —",
                          "－3－",
                          "[3]",
                          "·3·",
                          "第3页",
                          "第 3 页",
                          "第三页",
                          "第 3 页 共 10 页",
                          "第3页/共10页",
                          "第3页，共10页",
                          "共10页 第3页",
                          "3/10",
                          "３ / １０",
                          "Page 3",
                          "page 3 of 10",
                          "3 of 10",
                          "iv",
                          "- 12 -"}) {
    EXPECT_TRUE(is_page_number(yes)) << yes;
  }
  for (const char* no : {"", "—", "2015-2021", "2021.4.1", "第3章", "共10页", "3页", "1234567",
                         "巴东县人民政府办公室", "page", "civic", "3 of", "第3页共"}) {
    EXPECT_FALSE(is_page_number(no)) << no;
  }
}

TEST(PdfLayout, HostileNumbersAreIgnoredOrClamped) {
  PdfPage page{kWidth, kHeight, {}};
  const double inf = std::numeric_limits<double>::infinity();
  page.words.push_back(PdfWord{"无穷", inf, 100, 200, 120, kSize, false});
  page.words.push_back(PdfWord{"巨大", -1e300, 1e300, 1e300, -1e300, 1e300, false});
  page.words.push_back(PdfWord{"零", 80, 200, 80, 200, 0, false});
  page.words.push_back(PdfWord{"\xff\xfe\n", 80, 300, 100, 320, kSize, false});
  EXPECT_EQ(rendered(assemble_pdf_text({page, PdfPage{}})),
            (Lines{"巨大", "零", "\xef\xbf\xbd\xef\xbf\xbd"}));
}

// --- pdf_text on real PDFs -------------------------------------------------------------

std::string format_file(const std::string& name) {
  return read_bytes(source_path("tests/data/formats/" + name));
}

// Trimmed of Unicode white space, ASCII white space runs inside collapsed to one space.
std::string collapsed(const std::string& s) {
  std::istringstream in(trim(s));
  std::string out;
  std::string piece;
  while (in >> piece) out += (out.empty() ? "" : " ") + piece;
  return out;
}

// speech.txt laid out in two ways: indented and justified, and in block paragraphs.
constexpr std::array<const char*, 2> kSpeechPdfs = {"speech.pdf", "speech-block.pdf"};

TEST(PdfText, SpeechPdfsHaveTheParagraphsOfSpeechTxt) {
  for (const char* pdf : kSpeechPdfs) {
    SCOPED_TRACE(pdf);
    const ExtractedText text = pdf_text(format_file(pdf));
    Lines body;
    std::istringstream in(text.utf8);
    std::string line;
    for (size_t i = 0; std::getline(in, line); ++i) {
      if ((i >= text.furniture.size() || text.furniture[i].empty()) && !collapsed(line).empty()) {
        body.push_back(collapsed(line));
      }
    }
    Lines expected;
    std::istringstream txt(format_file("speech.txt"));
    while (std::getline(txt, line)) {
      if (!collapsed(line).empty()) expected.push_back(collapsed(line));
    }
    EXPECT_EQ(body, expected);
    EXPECT_EQ(text.encoding, "");
  }
}

// Paragraphs of a speech as the cleaner and the splitter see them: kind and text.
Lines split_paragraphs(const std::string& text) {
  Lines out;
  for (const Speech& speech : split_speeches(clean(text)).speeches) {
    for (const Paragraph& p : speech.paragraphs) out.push_back(p.kind + " " + p.text);
  }
  return out;
}

TEST(PdfText, SpeechPdfsSplitIntoTheParagraphsOfSpeechTxt) {
  const Lines expected = split_paragraphs(format_file("speech.txt"));
  EXPECT_GT(expected.size(), 10u);
  for (const char* pdf : kSpeechPdfs) {
    SCOPED_TRACE(pdf);
    // The furniture left out, as the indexer sets it aside.
    const ExtractedText text = pdf_text(format_file(pdf));
    std::string body;
    std::istringstream in(text.utf8);
    std::string line;
    for (size_t i = 0; std::getline(in, line); ++i) {
      if (i >= text.furniture.size() || text.furniture[i].empty()) body += line + "\n";
    }
    EXPECT_EQ(split_paragraphs(body), expected);
  }
}

Lines furniture_of(const ExtractedText& text) {
  Lines furniture;
  for (const std::string& line : rendered(text)) {
    if (line.starts_with("[")) furniture.push_back(line);
  }
  return furniture;
}

TEST(PdfText, SpeechPdfFurnitureHasItsRules) {
  Lines expected;
  Lines expected_block;
  for (int page = 1; page <= 4; ++page) {
    expected.push_back("[page header] 巴东县人民政府办公室");
    expected.push_back("[page number] —" + std::to_string(page) + "—");
    expected_block.push_back("[page header] 巴东县人民政府办公室2021年4月");
    expected_block.push_back("[page number] 第" + std::to_string(page) + "页共4页");
  }
  EXPECT_EQ(furniture_of(pdf_text(format_file("speech.pdf"))), expected);
  EXPECT_EQ(furniture_of(pdf_text(format_file("speech-block.pdf"))), expected_block);
}

TEST(PdfText, PagesTurnedByRotateReadAsUpright) {
  // speech.pdf with /Rotate set on its pages (poppler rebuilds the cross-reference table the
  // insertion breaks): the text runs down or up the displayed page and reads the same.
  const std::string speech = format_file("speech.pdf");
  const ExtractedText upright = pdf_text(speech);
  for (const std::string turn : {"90", "180", "270"}) {
    std::string turned = speech;
    const std::string page = "<</Type/Page/";
    for (size_t at = turned.find(page); at != std::string::npos;
         at = turned.find(page, at + page.size())) {
      turned.insert(at + 2, "/Rotate " + turn);
    }
    ASSERT_NE(turned, speech);
    const ExtractedText text = pdf_text(turned);
    EXPECT_EQ(text.utf8, upright.utf8) << turn;
    EXPECT_EQ(text.furniture, upright.furniture) << turn;
  }
}

TEST(PdfText, AScannedPdfHasNoTextLayer) {
  try {
    pdf_text(format_file("scanned.pdf"));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "no text layer (scanned?)");
    EXPECT_EQ(e.context(), "");
  }
}

TEST(PdfText, ADamagedPdfIsAnInputErrorAndPopplerSaysNothing) {
  ::testing::internal::CaptureStderr();
  try {
    pdf_text(format_file("damaged.pdf"));
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("not a PDF, or damaged beyond repair"))
        << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(PdfText, AnEncryptedPdfIsAnInputError) {
  EXPECT_THROW(
      {
        try {
          pdf_text(format_file("encrypted.pdf"));
        } catch (const InputError& e) {
          EXPECT_STREQ(e.what(), "encrypted: a password is needed to open it");
          throw;
        }
      },
      InputError);
}

TEST(PdfText, ThreadsReadAtOnce) {
  // As speechdex-index --jobs does: each thread gets the same text and its own reasons.
  const std::string speech = format_file("speech.pdf");
  const std::string damaged = format_file("damaged.pdf");
  const ExtractedText expected = pdf_text(speech);
  std::string reason;
  try {
    pdf_text(damaged);
  } catch (const InputError& e) {
    reason = e.what();
  }
  ASSERT_TRUE(reason.starts_with("not a PDF, or damaged beyond repair (poppler: ")) << reason;
  std::vector<std::thread> threads;
  std::vector<int> same(4, 0);
  std::vector<std::string> reasons(4);
  for (size_t t = 0; t < same.size(); ++t) {
    threads.emplace_back([&, t]() {
      for (int i = 0; i < 3; ++i) same[t] += pdf_text(speech).utf8 == expected.utf8 ? 1 : 0;
      try {
        pdf_text(damaged);
      } catch (const InputError& e) {
        reasons[t] = e.what();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t t = 0; t < same.size(); ++t) {
    EXPECT_EQ(same[t], 3);
    EXPECT_EQ(reasons[t], reason);
  }
}

// A PDF of `pages` empty pages (the cross-reference table is left for poppler to rebuild).
std::string empty_pages(int pages) {
  std::string kids;
  std::string objects;
  for (int i = 0; i < pages; ++i) {
    const std::string n = std::to_string(3 + i);
    kids += n + " 0 R ";
    objects += n + " 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n";
  }
  return "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
         "2 0 obj << /Type /Pages /Kids [" +
         kids + "] /Count " + std::to_string(pages) + " >> endobj\n" + objects +
         "trailer << /Root 1 0 R >>\n%%EOF\n";
}

TEST(PdfText, TooManyPagesAreRefused) {
  EXPECT_THROW(
      {
        try {
          pdf_text(empty_pages(10001));
        } catch (const InputError& e) {
          EXPECT_STREQ(e.what(), "too large: 10001 pages (at most 10000 are read)");
          throw;
        }
      },
      InputError);
  try {
    pdf_text(empty_pages(3));
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "no text layer (scanned?)");
  }
}

// Arbitrary bytes after %PDF-, and speech.pdf cut short or with bytes changed: each is read
// or refused with an InputError, and nothing is printed.
TEST(PdfText, HostileBytesAreReadOrRefusedWithoutACrash) {
  const std::string speech = format_file("speech.pdf");
  std::vector<std::string> inputs = {"", "%PDF-", "%PDF-1.7\n%%EOF\n",
                                     "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                                     "2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\n"
                                     "trailer << /Root 1 0 R >>\n%%EOF\n"};
  uint32_t state = 12345;
  auto next = [&state]() {
    state = state * 1664525u + 1013904223u;  // a fixed LCG: the same inputs every run
    return state >> 8;
  };
  std::string noise = "%PDF-1.5\n";
  for (int i = 0; i < 4096; ++i) noise += static_cast<char>(next() & 0xFF);
  inputs.push_back(noise);
  for (size_t cut : {speech.size() / 2, speech.size() - 200, speech.size() - 1}) {
    inputs.push_back(speech.substr(0, cut));
  }
  for (int round = 0; round < 8; ++round) {
    std::string changed = speech;
    for (int i = 0; i < 32; ++i) changed[next() % changed.size()] = static_cast<char>(next());
    inputs.push_back(changed);
  }
  ::testing::internal::CaptureStderr();
  for (const std::string& input : inputs) {
    try {
      const ExtractedText text = pdf_text(input);
      EXPECT_LE(text.furniture.size(), text.utf8.size() + 1);
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()), "");
    }
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace speechdex::indexer
