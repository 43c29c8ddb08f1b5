// Word documents: their text lines, furniture and refusals.
#include <gtest/gtest.h>
#include <zip.h>

#include <string>
#include <utility>
#include <vector>

#include "cleaner.h"
#include "docx_text.h"
#include "errors.h"
#include "test_support.h"

namespace speechdex::indexer {
namespace {

using testing::read_bytes;
using testing::source_path;

std::string fixture(const std::string& name) {
  const std::string bytes = read_bytes(source_path("tests/data/formats/" + name));
  EXPECT_FALSE(bytes.empty()) << name;
  return bytes;
}

struct TextLine {
  std::string text;
  std::string rule;  // furniture rule, "" for text
};

std::vector<TextLine> lines_of(const ExtractedText& t) {
  std::vector<TextLine> out;
  size_t start = 0;
  for (;;) {
    const size_t nl = t.utf8.find('\n', start);
    const std::string line = t.utf8.substr(start, nl == std::string::npos ? nl : nl - start);
    const size_t i = out.size();
    out.push_back({line, i < t.furniture.size() ? t.furniture[i] : ""});
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

// The lines of the document's text (not furniture), trimmed, without blank ones.
std::vector<std::string> body_lines(const ExtractedText& t) {
  std::vector<std::string> out;
  for (const TextLine& line : lines_of(t)) {
    std::string text = trim(line.text);
    if (line.rule.empty() && !text.empty()) out.push_back(std::move(text));
  }
  return out;
}

std::vector<std::string> speech_txt_lines() {
  ExtractedText t;
  t.utf8 = read_bytes(source_path("tests/data/formats/speech.txt"));
  return body_lines(t);
}

// The furniture rule of the one line holding `part` (fails if not exactly one).
std::string rule_of(const ExtractedText& t, const std::string& part) {
  std::string rule = "(no line)";
  int found = 0;
  for (const TextLine& line : lines_of(t)) {
    if (line.text.find(part) != std::string::npos) {
      rule = line.rule;
      ++found;
    }
  }
  EXPECT_EQ(found, 1) << part;
  return rule;
}

// The InputError message `f` throws, "" if it throws none.
template <class F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    EXPECT_EQ(e.context(), "") << "the caller adds the path";
    return e.what();
  }
  return "";
}

// A zip archive of the given (name, content) entries, deflated, built in memory by libzip.
std::string zip_of(const std::vector<std::pair<std::string, std::string>>& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(buffer);  // to read the archive from it once closed
  zip_t* z = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  EXPECT_NE(z, nullptr);
  for (const auto& [name, content] : entries) {
    zip_source_t* s = zip_source_buffer(z, content.data(), content.size(), 0);
    EXPECT_GE(zip_file_add(z, name.c_str(), s, ZIP_FL_ENC_UTF_8), 0);
  }
  EXPECT_EQ(zip_close(z), 0);
  std::string out;
  EXPECT_EQ(zip_source_open(buffer), 0);
  char chunk[4096];
  for (zip_int64_t n; (n = zip_source_read(buffer, chunk, sizeof chunk)) > 0;) {
    out.append(chunk, static_cast<size_t>(n));
  }
  zip_source_close(buffer);
  zip_source_free(buffer);
  zip_error_fini(&error);
  return out;
}

constexpr const char* kWordNsDecl =
    R"(xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main")";

std::string document_xml(const std::string& body) {
  return std::string(R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)") +
         "\n<w:document " + kWordNsDecl +
         R"( xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">)" +
         "<w:body>" + body + "</w:body></w:document>";
}

std::string docx_of(const std::string& body) {
  return zip_of({{"word/document.xml", document_xml(body)}});
}

// ---- Word ----

TEST(DocxText, SpeechBodyLinesAreSpeechTxtLines) {
  const ExtractedText t = docx_text(fixture("speech.docx"));
  EXPECT_EQ(body_lines(t), speech_txt_lines());
  EXPECT_EQ(t.encoding, "");
}

TEST(DocxText, PageHeaderFirstAndFooterLastAsFurniture) {
  const ExtractedText t = docx_text(fixture("speech.docx"));
  const std::vector<TextLine> lines = lines_of(t);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines.front().text, "巴东县人民政府办公室");
  EXPECT_EQ(lines.front().rule, "page header");
  // The PAGE field's result is kept, its code (w:instrText) is not.
  EXPECT_EQ(lines.back().text, "第 1 页");
  EXPECT_EQ(lines.back().rule, "page footer");
  EXPECT_EQ(t.utf8.find("PAGE"), std::string::npos);
}

TEST(DocxText, TrackedInsertionKeptDeletionDropped) {
  const ExtractedText t = docx_text(fixture("speech.docx"));
  EXPECT_EQ(rule_of(t, "同志们："), "");
  EXPECT_EQ(t.utf8.find("各位"), std::string::npos);
  // The title's tab stop is a property, not a tab.
  EXPECT_EQ(t.utf8.find('\t'), std::string::npos);
}

TEST(DocxText, TableCellsComeOutAsLines) {
  const ExtractedText t = docx_text(fixture("table.docx"));
  const std::vector<std::string> expected{"2021年法治政府建设重点任务分解表",
                                          "序号",
                                          "工作任务",
                                          "责任单位",
                                          "1",
                                          "完成执法监督平台建设",
                                          "司法局",
                                          "2",
                                          "推行行政执法“三项制度”",
                                          "全面使用执法智能终端",
                                          "各行政执法单位",
                                          "以上任务年底前完成。"};
  EXPECT_EQ(body_lines(t), expected);
}

TEST(DocxText, ZipBombRefusedByInflateRatio) {
  EXPECT_EQ(refusal([] { docx_text(fixture("bomb.docx")); }),
            "refused: word/document.xml inflates to more than " + std::to_string(kDocxRatioLimit) +
                " times its compressed size (zip bomb?)");
}

TEST(DocxText, ZipBombRefusedBySize) {
  // The bomb without the ratio check stops at the part limit, counted as inflated.
  EXPECT_EQ(refusal([] {
              docx_text(fixture("bomb.docx"),
                        ZipLimits{.part_bytes = 8 << 20, .ratio_floor = uint64_t{1} << 40});
            }),
            "refused: word/document.xml inflates past 8 MB (zip bomb?)");
  EXPECT_EQ(refusal([] { docx_text(docx_of("<w:p/>"), ZipLimits{.part_bytes = 100}); }),
            "refused: word/document.xml inflates past 100 bytes (zip bomb?)");
}

TEST(DocxText, ZipBombRefusedByTotal) {
  const std::string header = std::string("<w:hdr ") + kWordNsDecl + "><w:p><w:r><w:t>" +
                             std::string(600, 'x') + "</w:t></w:r></w:p></w:hdr>";
  const std::string docx =
      zip_of({{"word/document.xml", document_xml("<w:p/>")}, {"word/header1.xml", header}});
  EXPECT_NO_THROW(docx_text(docx));
  EXPECT_EQ(refusal([&] { docx_text(docx, ZipLimits{.total_bytes = 700}); }),
            "refused: the parts read from this file inflate past 700 bytes in all (zip bomb?)");
}

TEST(DocxText, NotAZipRefused) {
  EXPECT_EQ(refusal([] { docx_text("这不是 Word 文档，只是改了扩展名的文本。\n"); }),
            "not a .docx: not a zip archive");
  EXPECT_EQ(refusal([] { docx_text(""); }), "not a .docx: the file is empty");
  EXPECT_EQ(
      refusal([] {
        docx_text(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(600, '\0'));
      }),
      "not a .docx: a Word 97-2003 .doc file (OLE2), which is not read");
  // A damaged archive: the first half of a real one.
  const std::string docx = fixture("speech.docx");
  EXPECT_EQ(refusal([&] { docx_text(docx.substr(0, docx.size() / 2)); }).substr(0, 12),
            "not a .docx:");
}

TEST(DocxText, ZipWithoutDocumentXmlRefused) {
  EXPECT_EQ(refusal([] {
              docx_text(zip_of({{"word/other.xml", "<a/>"}}));
            }),
            "not a Word document: the zip archive has no word/document.xml");
}

TEST(DocxText, MalformedXmlRefused) {
  const std::string docx = zip_of(
      {{"word/document.xml", document_xml("<w:p><w:r><w:t>没有结束</w:r></w:p>").substr(0, 200)}});
  const std::string why = refusal([&] { docx_text(docx); });
  EXPECT_EQ(why.substr(0, 40), "malformed XML in word/document.xml: line") << why;
  EXPECT_EQ(refusal([] {
              docx_text(zip_of({{"word/document.xml", "<html><p>x</p></html>"}}));
            }),
            "word/document.xml is not WordprocessingML (its root element is <html>)");
}

TEST(DocxText, DoctypeRefusedSoNoEntityIsRead) {
  const std::string xml = std::string("<?xml version=\"1.0\"?>\n") +
                          "<!DOCTYPE w:document [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" +
                          "<w:document " + kWordNsDecl +
                          "><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>";
  EXPECT_EQ(refusal([&] {
              docx_text(zip_of({{"word/document.xml", xml}}));
            }),
            "refused: word/document.xml has a DOCTYPE, which Word never writes");
}

TEST(DocxText, TabsBreaksTextBoxesAndWhatIsLeftOut) {
  const std::string body =
      "<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r></w:p>"
      // A text box: Word writes it in mc:Choice and again in mc:Fallback.
      "<w:p><w:r><w:t>框外</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\">"
      "<w:txbxContent><w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></mc:Choice>"
      "<mc:Fallback><w:txbxContent><w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent>"
      "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
      // Moved-away text and a field code are left out; the moved-to text is kept.
      "<w:p><w:moveFrom w:id=\"1\"><w:r><w:t>移走</w:t></w:r></w:moveFrom>"
      "<w:r><w:instrText> HYPERLINK \"x\" </w:instrText></w:r>"
      "<w:moveTo w:id=\"2\"><w:r><w:t>移来</w:t></w:r></w:moveTo></w:p>"
      "<w:p/>"
      "<w:tbl><w:tr><w:tc><w:p><w:r><w:t xml:space=\"preserve\"> 格 </w:t></w:r></w:p></w:tc>"
      "</w:tr></w:tbl>";
  const ExtractedText t = docx_text(docx_of(body));
  EXPECT_EQ(t.utf8, "甲\t乙\n丙\n框内\n框外\n移来\n\n 格 ");
  EXPECT_TRUE(t.furniture.empty());
}

}  // namespace
}  // namespace speechdex::indexer
