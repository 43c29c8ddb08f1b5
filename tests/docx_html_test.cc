// Word documents and saved web pages: their text lines, furniture, charsets and refusals.
#include <gtest/gtest.h>
#include <zip.h>

#include <string>
#include <utility>
#include <vector>

#include "cleaner.h"
#include "docx_text.h"
#include "errors.h"
#include "html_text.h"
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
      // A deleted run's tab and break go with it.
      "<w:p><w:r><w:t>留</w:t></w:r><w:del w:id=\"3\"><w:r><w:tab/><w:delText>删</w:delText>"
      "<w:br/></w:r></w:del></w:p>"
      "<w:p/>"
      "<w:tbl><w:tr><w:tc><w:p><w:r><w:t xml:space=\"preserve\"> 格 </w:t></w:r></w:p></w:tc>"
      "</w:tr></w:tbl>";
  const ExtractedText t = docx_text(docx_of(body));
  EXPECT_EQ(t.utf8, "甲\t乙\n丙\n框内\n框外\n移来\n留\n\n 格 ");
  EXPECT_TRUE(t.furniture.empty());
}

// ---- Web pages ----

TEST(HtmlText, SpeechBodyLinesAreSpeechTxtLines) {
  const ExtractedText t = html_text(fixture("speech.html"));
  EXPECT_EQ(body_lines(t), speech_txt_lines());
  EXPECT_EQ(t.encoding, "gb18030");
}

TEST(HtmlText, TitleNavigationAndFooterAreFurniture) {
  const ExtractedText t = html_text(fixture("speech.html"));
  const std::vector<TextLine> lines = lines_of(t);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front().text, "在巴东县2021年法治政府建设推进会上的讲话_巴东县人民政府");
  EXPECT_EQ(lines.front().rule, "html title");
  EXPECT_EQ(rule_of(t, "政务公开"), "navigation");
  EXPECT_EQ(rule_of(t, "当前位置：首页 > 领导讲话"), "navigation");
  EXPECT_EQ(rule_of(t, "分享到：微信 微博"), "navigation");
  EXPECT_EQ(rule_of(t, "版权所有\u00a0©\u00a0巴东县人民政府办公室"), "navigation");
  EXPECT_EQ(rule_of(t, "地址：巴东县信陵镇"), "navigation");
}

TEST(HtmlText, ScriptStyleNoscriptAndCommentsAreLeftOut) {
  const ExtractedText t = html_text(fixture("speech.html"));
  for (const char* absent :
       {"统计代码", "font-family", "脚本写入", "请启用浏览器脚本", "模板", "页脚", "_hmt"}) {
    EXPECT_EQ(t.utf8.find(absent), std::string::npos) << absent;
  }
}

TEST(HtmlText, EntitiesDecodedAndWhiteSpaceCollapsed) {
  const ExtractedText t = html_text(
      "<p>\n  甲&nbsp;乙 &amp;\t &lt;丙&gt;  &ldquo;丁&rdquo;&#x4E2D;&#25991;&copy;\n</p>"
      "<div>一<br>二<span> 三 </span>四</div><pre>  行一\n  行二</pre>");
  EXPECT_EQ(t.utf8, "甲\u00a0乙 & <丙> “丁”中文©\n一\n二 三 四\n行一\n行二");
  EXPECT_EQ(t.encoding, "utf-8");
}

TEST(HtmlText, CharsetFromMetaHttpEquiv) {
  // 政府工作報告 in Big5, which detection alone would not read as Big5.
  const std::string big5 = "\xAC\x46\xA9\xB2\xA4\x75\xA7\x40\xB3\xF8\xA7\x69";
  const ExtractedText t = html_text(
      "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=big5\">"
      "</head><body><p>" +
      big5 + "</p></body></html>");
  EXPECT_EQ(t.utf8, "政府工作報告");
  EXPECT_EQ(t.encoding, "big5");
}

TEST(HtmlText, CharsetFromBom) {
  // The byte order mark wins over a meta tag.
  const ExtractedText utf8 =
      html_text("\xEF\xBB\xBF<meta charset=\"gbk\"><p>\xE6\xAD\xA3\xE6\x96\x87</p>");
  EXPECT_EQ(utf8.utf8, "正文");
  EXPECT_EQ(utf8.encoding, "utf-8");
  const std::string utf16le("\xFF\xFE<\0p\0>\0\x63\x6B\x87\x65<\0/\0p\0>\0", 20);
  const ExtractedText u16 = html_text(utf16le);
  EXPECT_EQ(u16.utf8, "正文");
  EXPECT_EQ(u16.encoding, "utf-16le");
}

TEST(HtmlText, CharsetDetectedWithoutMeta) {
  const ExtractedText gbk = html_text("<html><body><p>\xD5\xFD\xCE\xC4</p></body></html>");
  EXPECT_EQ(gbk.utf8, "正文");
  EXPECT_EQ(gbk.encoding, "gb18030");
  const ExtractedText utf8 = html_text("<p>\xE6\xAD\xA3\xE6\x96\x87</p>");
  EXPECT_EQ(utf8.utf8, "正文");
  EXPECT_EQ(utf8.encoding, "utf-8");
  // A charset ICU does not know is no better than none.
  const ExtractedText unknown =
      html_text("<meta charset=\"x-no-such-charset\"><p>\xD5\xFD\xCE\xC4</p>");
  EXPECT_EQ(unknown.utf8, "正文");
  EXPECT_EQ(unknown.encoding, "gb18030");
}

TEST(HtmlText, MetaCharsetThatLiesNamesCharsetAndOffset) {
  const std::string head = "<meta charset=\"gbk\"><p>\xD5\xFD\xCE\xC4";
  EXPECT_EQ(refusal([&] { html_text(head + "\xFF</p>"); }),
            "the page's meta tag says charset \"gbk\", but read as gb18030 its first bad byte "
            "is byte 0xFF at offset " +
                std::to_string(head.size()));
  // A sequence cut short by the end of the page.
  EXPECT_EQ(refusal([&] { html_text(head + "\x81"); }),
            "the page's meta tag says charset \"gbk\", but read as gb18030 its first bad byte "
            "is byte 0x81 at offset " +
                std::to_string(head.size()));
  const std::string bom = "\xEF\xBB\xBF<p>ab";
  EXPECT_EQ(refusal([&] { html_text(bom + "\xC3\x28</p>"); }),
            "the page starts with a utf-8 byte order mark but is not utf-8: the first bad one "
            "is byte 0xC3 at offset " +
                std::to_string(bom.size()));
}

TEST(HtmlText, NavigationRules) {
  const ExtractedText t = html_text(
      "<body><header><p>站点标志</p></header>"
      "<div role=\"navigation\">角色导航</div><div class=\"mainNav\">驼峰导航</div>"
      "<div id=\"dqwz\">当前位置：首页</div><aside>相关链接</aside>"
      "<article><header><h1>文章标题</h1></header><p>文章正文。</p>"
      "<footer>文章脚注</footer></article>"
      "<footer>网站页脚</footer></body>");
  EXPECT_EQ(rule_of(t, "站点标志"), "navigation");
  EXPECT_EQ(rule_of(t, "角色导航"), "navigation");
  EXPECT_EQ(rule_of(t, "驼峰导航"), "navigation");
  EXPECT_EQ(rule_of(t, "当前位置"), "navigation");
  EXPECT_EQ(rule_of(t, "相关链接"), "navigation");
  // An article's own header and footer are the article's.
  EXPECT_EQ(rule_of(t, "文章标题"), "");
  EXPECT_EQ(rule_of(t, "文章正文"), "");
  EXPECT_EQ(rule_of(t, "文章脚注"), "");
  EXPECT_EQ(rule_of(t, "网站页脚"), "navigation");
}

TEST(HtmlText, FormWrappingThePageIsNotNavigation) {
  // ASP.NET pages wrap everything in one form; a search form is chrome.
  const ExtractedText t = html_text(
      "<body><form id=\"form1\"><div>政府工作报告全文很长很长很长很长很长很长。</div>"
      "<form class=\"search\">搜索</form></form></body>");
  EXPECT_EQ(rule_of(t, "政府工作报告"), "");
  const ExtractedText search = html_text(
      "<body><form action=\"/search\">站内搜索</form><p>政府工作报告全文很长很长很长。</p></body>");
  EXPECT_EQ(rule_of(search, "站内搜索"), "navigation");
  EXPECT_EQ(rule_of(search, "政府工作报告"), "");
}

TEST(HtmlText, TextPastUnclosedTagsIsKept) {
  // Old pages leave <font> open by the hundred: libxml2 stopped at 256 and dropped the rest.
  std::string unclosed;
  for (int i = 0; i < 300; ++i) unclosed += "<font size=\"3\">";
  EXPECT_EQ(html_text("<p>" + unclosed + "正文</p><p>结尾</p>").utf8, "正文\n结尾");
}

TEST(HtmlText, DeepNestingNulsAndEmptyPages) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<div>";
  const ExtractedText t =
      html_text("<meta charset=\"utf-8\">" + deep + "深处" + std::string(1, '\0') + "后");
  EXPECT_EQ(t.utf8, "深处 后");
  EXPECT_TRUE(html_text("").utf8.empty());
  EXPECT_TRUE(html_text(" \n ").utf8.empty());
  EXPECT_TRUE(html_text("<html><script>x</script></html>").utf8.empty());
}

}  // namespace
}  // namespace speechdex::indexer
