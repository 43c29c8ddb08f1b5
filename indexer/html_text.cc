// Saved web pages: charset from the BOM, the meta tag or detection; text from libxml2's HTML
// parser, walked without recursion, with navigation chrome kept as furniture.
#include "html_text.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <unicode/ucnv.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "corpus_reader.h"
#include "errors.h"
#include "libxml2_init.h"
#include "normalizer.h"

namespace speechdex::indexer {
namespace {

[[noreturn]] void fail(const std::string& reason) { throw InputError(reason, ""); }

bool is_html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return ascii_lower(c); });
  return out;
}

std::string_view trim_html_space(std::string_view s) {
  while (!s.empty() && is_html_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_html_space(s.back())) s.remove_suffix(1);
  return s;
}

template <size_t N>
bool one_of(std::string_view s, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

// ---- The charset ----

struct Attribute {
  std::string name;  // lower case
  std::string value;
};

// Reads the next attribute of a tag from s[i]; false at the tag's end. After the HTML
// standard's "get an attribute" (its prescan), without its character references.
bool next_attribute(std::string_view s, size_t& i, Attribute& a) {
  while (i < s.size() && (is_html_space(s[i]) || s[i] == '/')) ++i;
  if (i >= s.size() || s[i] == '>') return false;
  size_t start = i;
  while (i < s.size() && !is_html_space(s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/') ++i;
  a.name = ascii_lower(s.substr(start, i - start));
  a.value.clear();
  while (i < s.size() && is_html_space(s[i])) ++i;
  if (i >= s.size() || s[i] != '=') return true;
  ++i;
  while (i < s.size() && is_html_space(s[i])) ++i;
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
    const char quote = s[i++];
    const size_t end = std::min(s.find(quote, i), s.size());
    a.value = s.substr(i, end - i);
    i = std::min(end + 1, s.size());
  } else {
    start = i;
    while (i < s.size() && !is_html_space(s[i]) && s[i] != '>') ++i;
    a.value = s.substr(start, i - start);
  }
  return true;
}

// The charset named in a Content-Type value ("text/html; charset=gbk"), "" if none.
std::string charset_from_content(std::string_view content) {
  const std::string lower = ascii_lower(content);
  for (size_t i = lower.find("charset"); i != std::string::npos; i = lower.find("charset", i + 1)) {
    size_t j = i + 7;
    while (j < lower.size() && is_html_space(lower[j])) ++j;
    if (j >= lower.size() || lower[j] != '=') continue;
    ++j;
    while (j < lower.size() && is_html_space(lower[j])) ++j;
    if (j < lower.size() && (lower[j] == '"' || lower[j] == '\'')) {
      const size_t end = lower.find(lower[j], j + 1);
      return end == std::string::npos ? "" : std::string(content.substr(j + 1, end - j - 1));
    }
    size_t end = j;
    while (end < lower.size() && !is_html_space(lower[end]) && lower[end] != ';') ++end;
    return std::string(content.substr(j, end - j));
  }
  return "";
}

// The charset a <meta> tag names in `head` (comments skipped), "" if none.
std::string meta_charset(std::string_view head) {
  for (size_t i = head.find('<'); i != std::string_view::npos; i = head.find('<', i)) {
    if (head.substr(i).starts_with("<!--")) {
      const size_t end = head.find("-->", i + 4);
      if (end == std::string_view::npos) return "";
      i = end + 3;
      continue;
    }
    if (i + 5 < head.size() && ascii_lower(head.substr(i, 5)) == "<meta" &&
        (is_html_space(head[i + 5]) || head[i + 5] == '/')) {
      size_t j = i + 5;
      Attribute a;
      std::string charset, http_equiv, content;
      while (next_attribute(head, j, a)) {
        if (a.name == "charset" && charset.empty()) {
          charset = a.value;
        } else if (a.name == "http-equiv") {
          http_equiv = ascii_lower(trim_html_space(a.value));
        } else if (a.name == "content") {
          content = a.value;
        }
      }
      if (!trim_html_space(charset).empty()) return std::string(trim_html_space(charset));
      if (http_equiv == "content-type") {
        const std::string named = charset_from_content(content);
        if (!trim_html_space(named).empty()) return std::string(trim_html_space(named));
      }
      i = j;
      continue;
    }
    ++i;
  }
  return "";
}

// A converter to try: ICU's name for it and the name `encoding` reports.
struct Converter {
  std::string icu;
  std::string name;
};

// The converters to try, in order, for a charset a page names; none if ICU does not know it.
std::vector<Converter> converters_for(std::string_view label) {
  static constexpr std::array<std::string_view, 15> kGb{
      "gb2312", "gbk",       "gb18030",  "x-gbk",           "cp936",
      "ms936",  "euc-cn",    "csgb2312", "gb_2312-80",      "gb_2312",
      "csgbk",  "iso-ir-58", "chinese",  "csiso58gb231280", "windows-936"};
  static constexpr std::array<std::string_view, 5> kBig5{"big5", "big5-hkscs", "cn-big5", "csbig5",
                                                         "x-x-big5"};
  static constexpr std::array<std::string_view, 4> kUtf8{"utf-8", "utf8", "unicode-1-1-utf-8",
                                                         "unicode"};
  static constexpr std::array<std::string_view, 10> kLatin1{
      "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1",   "l1",
      "us-ascii",   "ascii",     "cp1252",     "x-cp1252", "windows-1252"};
  const std::string name = ascii_lower(trim_html_space(label));
  // GB2312 and GBK pages hold GB18030 characters often enough; GB18030 reads both.
  if (one_of(name, kGb)) return {{"GB18030", "gb18030"}};
  if (one_of(name, kBig5)) return {{"Big5", "big5"}, {"Big5-HKSCS", "big5-hkscs"}};
  // A meta tag readable as ASCII is not UTF-16: browsers read such pages as UTF-8.
  if (one_of(name, kUtf8) || name.starts_with("utf-16")) return {{"UTF-8", "utf-8"}};
  // Browsers read Latin-1 and ASCII labels as windows-1252, its superset.
  if (one_of(name, kLatin1)) return {{"windows-1252", "windows-1252"}};
  UErrorCode status = U_ZERO_ERROR;
  UConverter* probe = ucnv_open(name.c_str(), &status);
  if (probe != nullptr) ucnv_close(probe);
  if (U_FAILURE(status) || probe == nullptr) return {};
  return {{name, name}};
}

// Converts `bytes` to UTF-8 with ICU's converter `icu` (corpus_reader's convert_bytes).
// Returns the offset of the first bad sequence, nullopt when all of `bytes` converted (with
// `lossy`, what did not convert is U+FFFD and counted in `replaced`).
std::optional<size_t> convert_page(const std::string& icu, std::string_view bytes, bool lossy,
                                   std::string& out, std::string& replaced) {
  Converted c = convert_bytes(icu, bytes, lossy);
  if (c.bad > 0 && !lossy) return c.first_bad;
  out = std::move(c.utf8);
  if (c.bad > 0) {
    replaced = std::to_string(c.bad) + (c.bad == 1 ? " invalid sequence" : " invalid sequences") +
               " replaced, the first at byte " + std::to_string(c.first_bad);
  }
  return std::nullopt;
}

std::string byte_at(std::string_view bytes, size_t offset) {
  if (offset >= bytes.size()) return "the end";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(bytes[offset]));
  return std::string("byte ") + hex + " at offset " + std::to_string(offset);
}

struct Page {
  std::string utf8;
  std::string encoding;
  std::string replaced;
};

Page decode_page(const std::string& bytes, bool lossy) {
  const std::string_view b(bytes);
  struct Bom {
    std::string_view mark;
    const char* icu;
    const char* name;
  };
  static constexpr std::array<Bom, 3> kBoms{{{"\xEF\xBB\xBF", "UTF-8", "utf-8"},
                                             {"\xFF\xFE", "UTF-16LE", "utf-16le"},
                                             {"\xFE\xFF", "UTF-16BE", "utf-16be"}}};
  Page page;
  for (const Bom& bom : kBoms) {
    if (!b.starts_with(bom.mark)) continue;
    page.encoding = bom.name;
    if (const auto bad =
            convert_page(bom.icu, b.substr(bom.mark.size()), lossy, page.utf8, page.replaced)) {
      fail(std::string("the page starts with a ") + bom.name + " byte order mark but is not " +
           bom.name + ": the first bad one is " + byte_at(b, *bad + bom.mark.size()));
    }
    return page;
  }
  const std::string label = meta_charset(b.substr(0, std::min(b.size(), kHtmlMetaScanBytes)));
  const std::vector<Converter> converters = converters_for(label);
  std::optional<size_t> bad;
  for (const Converter& converter : converters) {
    page.encoding = converter.name;
    bad = convert_page(converter.icu, b, lossy, page.utf8, page.replaced);
    if (!bad) return page;
  }
  if (!converters.empty()) {
    fail("the page's meta tag says charset \"" + label + "\", but read as " +
         converters.back().name + " its first bad byte is " + byte_at(b, *bad));
  }
  // No charset named, or one ICU does not know: detect.
  DecodeOptions options;
  options.lossy = lossy;
  DecodedText detected = decode_text(bytes, options);
  page.utf8 = std::move(detected.utf8);
  page.encoding = std::move(detected.encoding);
  page.replaced = std::move(detected.replaced);
  return page;
}

// ---- The text ----

// Elements whose contents are not the page's text.
constexpr std::array<std::string_view, 7> kSkipped{"script", "style", "noscript", "template",
                                                   "iframe", "svg",   "math"};
// Elements that start and end lines.
constexpr std::array<std::string_view, 47> kBlocks{
    "address",    "article", "aside",  "blockquote", "body",     "br",     "caption", "center",
    "dd",         "details", "dialog", "dir",        "div",      "dl",     "dt",      "fieldset",
    "figcaption", "figure",  "footer", "form",       "frameset", "h1",     "h2",      "h3",
    "h4",         "h5",      "h6",     "header",     "hgroup",   "hr",     "html",    "legend",
    "li",         "main",    "menu",   "nav",        "ol",       "option", "p",       "pre",
    "section",    "summary", "table",  "tr",         "td",       "th",     "ul"};
// Chrome by what the element is.
constexpr std::array<std::string_view, 5> kChromeElements{"nav", "aside", "menu", "select",
                                                          "button"};
// Chrome by their ARIA role.
constexpr std::array<std::string_view, 7> kChromeRoles{
    "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"};
// header and footer belong to the nearest of these when inside one (the ARIA mapping).
constexpr std::array<std::string_view, 5> kSectioning{"article", "aside", "main", "nav", "section"};
// Elements that are the page's content, never chrome by the loose rules.
constexpr std::array<std::string_view, 4> kContentElements{"html", "body", "main", "article"};
// Words of class and id names that mark chrome: contained in a word ("topnav", "submenu")...
constexpr std::array<std::string_view, 11> kChromeStems{
    "nav",     "menu",    "crumb",   "footer",  "copyright", "share",
    "sidebar", "toolbar", "daohang", "banquan", "friendlink"};
// ... or the whole word: "foot", and the pinyin initials of 当前位置, 友情链接 and 位置.
constexpr std::array<std::string_view, 4> kChromeWords{"foot", "dqwz", "yqlj", "weizhi"};

std::string_view name_of(const xmlNode* n) {
  return n->name == nullptr ? std::string_view()
                            : std::string_view(reinterpret_cast<const char*>(n->name));
}

std::string attribute(const xmlNode* n, const char* name) {
  xmlChar* value = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

bool has_token(std::string_view list, std::string_view token) {
  const std::string lower = ascii_lower(list);
  const std::string_view l(lower);
  for (size_t i = 0; i < l.size();) {
    while (i < l.size() && is_html_space(l[i])) ++i;
    size_t end = i;
    while (end < l.size() && !is_html_space(l[end])) ++end;
    if (l.substr(i, end - i) == token) return true;
    i = end;
  }
  return false;
}

bool chrome_word(std::string_view word) {
  if (one_of(word, kChromeWords)) return true;
  return std::any_of(kChromeStems.begin(), kChromeStems.end(),
                     [&](std::string_view stem) { return word.find(stem) != word.npos; });
}

// Whether a class or id value names chrome: split into words at anything but ASCII letters
// and where a lower-case letter meets a capital ("mainNav").
bool names_chrome(std::string_view value) {
  std::string word;
  for (size_t i = 0; i <= value.size(); ++i) {
    const char c = i < value.size() ? value[i] : ' ';
    const bool upper = c >= 'A' && c <= 'Z';
    const bool letter = upper || (c >= 'a' && c <= 'z');
    const bool camel = upper && i > 0 && value[i - 1] >= 'a' && value[i - 1] <= 'z';
    if (!letter || camel) {
      if (!word.empty() && chrome_word(word)) return true;
      word.clear();
    }
    if (letter) word += ascii_lower(c);
  }
  return false;
}

// Chrome by the loose rules (forms, class and id names), which a wrapper of the whole page
// can also meet.
bool loosely_chrome(const xmlNode* n) {
  const std::string_view name = name_of(n);
  if (one_of(name, kContentElements) || has_token(attribute(n, "role"), "main")) return false;
  if (name == "form") return true;
  return one_of(name, kBlocks) &&
         (names_chrome(attribute(n, "class")) || names_chrome(attribute(n, "id")));
}

// Walks a tree in document order without recursion (hostile pages nest deeper than a stack
// allows): enter(node) says whether to walk into it; leave(node) follows each node entered.
template <class Enter, class Leave>
void walk(xmlDoc* doc, Enter&& enter, Leave&& leave) {
  const xmlNode* const top = reinterpret_cast<xmlNode*>(doc);
  xmlNode* n = doc->children;
  while (n != nullptr) {
    if (enter(n)) {
      if (n->children != nullptr) {
        n = n->children;
        continue;
      }
      leave(n);
    }
    while (n->next == nullptr) {
      n = n->parent;
      if (n == nullptr || n == top) return;
      leave(n);
    }
    n = n->next;
  }
}

bool is_text(const xmlNode* n) {
  return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

bool walked_into(const xmlNode* n) {
  return n->type == XML_ELEMENT_NODE && !one_of(name_of(n), kSkipped);
}

// Characters of text (not white space) in the page and under each loosely chrome element.
struct TextCounts {
  size_t total = 0;
  std::unordered_map<const xmlNode*, size_t> under;
};

TextCounts count_text(xmlDoc* doc) {
  TextCounts counts;
  std::unordered_map<const xmlNode*, size_t> start;
  walk(
      doc,
      [&](const xmlNode* n) {
        if (is_text(n)) {
          for (const char c : std::string_view(reinterpret_cast<const char*>(n->content))) {
            if (!is_html_space(c) && (static_cast<unsigned char>(c) & 0xC0) != 0x80) {
              ++counts.total;
            }
          }
          return false;
        }
        if (!walked_into(n)) return false;
        if (loosely_chrome(n)) start[n] = counts.total;
        return true;
      },
      [&](const xmlNode* n) {
        if (const auto it = start.find(n); it != start.end()) {
          counts.under[n] = counts.total - it->second;
        }
      });
  return counts;
}

// Builds the lines of a page as the walk meets its text.
class LineBuilder {
 public:
  explicit LineBuilder(TextCounts counts) : counts_(std::move(counts)) {}

  bool enter(const xmlNode* n) {
    if (is_text(n)) {
      if (n->content != nullptr) add(reinterpret_cast<const char*>(n->content));
      return false;
    }
    if (!walked_into(n)) return false;
    const std::string_view name = name_of(n);
    if (name == "title" && title_ == nullptr) {
      end_line();
      title_ = n;
    } else if (chrome_ == nullptr && title_ == nullptr && is_chrome(n)) {
      end_line();
      chrome_ = n;
    }
    if (one_of(name, kBlocks)) end_line();
    if (name == "pre") ++pre_;
    if (one_of(name, kSectioning)) ++sectioning_;
    return true;
  }

  void leave(const xmlNode* n) {
    const std::string_view name = name_of(n);
    if (one_of(name, kBlocks) || n == chrome_ || n == title_) end_line();
    if (n == chrome_) chrome_ = nullptr;
    if (n == title_) title_ = nullptr;
    if (name == "pre") --pre_;
    if (one_of(name, kSectioning)) --sectioning_;
  }

  ExtractedText finish() {
    end_line();
    while (!out_.furniture.empty() && out_.furniture.back().empty()) out_.furniture.pop_back();
    return std::move(out_);
  }

 private:
  bool is_chrome(const xmlNode* n) const {
    const std::string_view name = name_of(n);
    if (one_of(name, kChromeElements)) return true;
    if ((name == "header" || name == "footer") && sectioning_ == 0) return true;
    const std::string role = attribute(n, "role");
    if (std::any_of(kChromeRoles.begin(), kChromeRoles.end(),
                    [&](std::string_view r) { return has_token(role, r); })) {
      return true;
    }
    const auto it = counts_.under.find(n);
    return it != counts_.under.end() && 2 * it->second <= counts_.total;
  }

  const char* rule() const {
    if (title_ != nullptr) return "html title";
    return chrome_ != nullptr ? "navigation" : "";
  }

  void add(std::string_view text) {
    for (const char c : text) {
      if (pre_ > 0) {
        if (c == '\n') {
          end_line();
        } else if (c != '\r') {
          put(c);
        }
      } else if (is_html_space(c)) {
        space_ = true;
      } else {
        if (space_ && !line_.empty()) line_ += ' ';
        space_ = false;
        put(c);
      }
    }
  }

  void put(char c) {
    if (line_.empty()) line_rule_ = rule();
    line_ += c;
  }

  void end_line() {
    const std::string_view line = trim_html_space(line_);
    if (!line.empty()) {
      if (!out_.utf8.empty() || !out_.furniture.empty()) out_.utf8 += '\n';
      out_.utf8 += line;
      out_.furniture.push_back(line_rule_);
    }
    line_.clear();
    space_ = false;
  }

  TextCounts counts_;
  ExtractedText out_;
  std::string line_;
  std::string line_rule_;
  bool space_ = false;
  const xmlNode* chrome_ = nullptr;  // the element whose chrome the walk is in
  const xmlNode* title_ = nullptr;
  int pre_ = 0;
  int sectioning_ = 0;
};

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

}  // namespace

ExtractedText html_text(const std::string& bytes, bool lossy) {
  init_libxml2();
  Page page = decode_page(bytes, lossy);
  if (std::string_view(page.utf8).starts_with("\xEF\xBB\xBF")) page.utf8.erase(0, 3);
  // The parser would end the page at a NUL.
  std::replace(page.utf8.begin(), page.utf8.end(), '\0', ' ');
  if (trim_html_space(page.utf8).empty()) {
    ExtractedText empty;
    empty.encoding = page.encoding;
    return empty;
  }
  if (page.utf8.size() > static_cast<size_t>(INT_MAX)) fail("refused: the page is over 2 GB");
  // The page is UTF-8 now: IGNORE_ENC keeps the parser from switching to the meta charset.
  // Without XML_PARSE_HUGE the parser stops at 256 open elements and drops the rest of the
  // page, which unclosed <font> and <div> tags of old pages reach; the walk below needs no
  // stack, and the page's size bounds the tree.
  constexpr int kOptions = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                           HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC | XML_PARSE_HUGE;
  std::unique_ptr<xmlDoc, DocFree> doc(htmlReadMemory(
      page.utf8.data(), static_cast<int>(page.utf8.size()), nullptr, "UTF-8", kOptions));
  if (!doc) fail("libxml2 cannot parse the page as HTML");
  LineBuilder lines(count_text(doc.get()));
  walk(
      doc.get(), [&](const xmlNode* n) { return lines.enter(n); },
      [&](const xmlNode* n) { lines.leave(n); });
  ExtractedText out = lines.finish();
  out.encoding = page.encoding;
  return out;
}

}  // namespace speechdex::indexer
