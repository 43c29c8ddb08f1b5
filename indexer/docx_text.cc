// Word documents: libzip reads the parts from the bytes in memory, counting what it
// inflates; libxml2's streaming reader walks each part's XML without building a tree.
#include "docx_text.h"

#include <libxml/xmlreader.h>
#include <zip.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "errors.h"
#include "libxml2_init.h"

namespace speechdex::indexer {
namespace {

// WordprocessingML's namespace as Word writes it (transitional), and in strict OOXML.
constexpr std::string_view kWordNs = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr std::string_view kWordStrictNs = "http://purl.oclc.org/ooxml/wordprocessingml/main";
constexpr std::string_view kCompatibilityNs =
    "http://schemas.openxmlformats.org/markup-compatibility/2006";

constexpr std::string_view kDocumentPart = "word/document.xml";
// The first bytes of an OLE2 compound file, which is what Word 97-2003's .doc is.
constexpr std::string_view kOle2Signature = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
constexpr size_t kReadChunk = size_t{64} << 10;

[[noreturn]] void fail(const std::string& reason) { throw InputError(reason, ""); }

std::string size_text(uint64_t n) {
  constexpr uint64_t kMb = uint64_t{1} << 20;
  return n > 0 && n % kMb == 0 ? std::to_string(n / kMb) + " MB" : std::to_string(n) + " bytes";
}

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
struct ReaderFree {
  void operator()(xmlTextReader* r) const { xmlFreeTextReader(r); }
};

// A zip archive over bytes in memory (which must outlive it); read() inflates one entry
// under the limits, which count every part read through this archive.
class Archive {
 public:
  Archive(const std::string& bytes, const ZipLimits& limits)
      : archive_size_(bytes.size()), limits_(limits) {
    // libzip opens no bytes as an archive without entries.
    if (bytes.empty()) fail("not a .docx: the file is empty");
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source != nullptr) {
      zip_.reset(zip_open_from_source(source, ZIP_RDONLY, &error));
      // The archive owns the source only once it is open.
      if (!zip_) zip_source_free(source);
    }
    if (!zip_) {
      const int code = zip_error_code_zip(&error);
      const std::string why = zip_error_strerror(&error);
      zip_error_fini(&error);
      if (std::string_view(bytes).starts_with(kOle2Signature)) {
        fail("not a .docx: a Word 97-2003 .doc file (OLE2), which is not read");
      }
      if (code == ZIP_ER_NOZIP) fail("not a .docx: not a zip archive");
      fail("not a .docx: cannot open it as a zip archive (" + why + ")");
    }
    zip_error_fini(&error);
  }

  // The names of the archive's entries, in the archive's order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    const zip_int64_t n = zip_get_num_entries(zip_.get(), 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      if (const char* name = zip_get_name(zip_.get(), static_cast<zip_uint64_t>(i), 0)) {
        out.emplace_back(name);
      }
    }
    return out;
  }

  // The inflated bytes of entry `name`, nullopt if there is none.
  std::optional<std::string> read(const std::string& name) {
    const zip_int64_t index = zip_name_locate(zip_.get(), name.c_str(), 0);
    if (index < 0) return std::nullopt;
    const auto entry = static_cast<zip_uint64_t>(index);
    // The compressed size bounds what libzip reads from our buffer, so it cannot exceed the
    // archive: the ratio is taken over the smaller of the two.
    uint64_t compressed = archive_size_;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_.get(), entry, 0, &st) == 0 && (st.valid & ZIP_STAT_COMP_SIZE) != 0) {
      compressed = std::min<uint64_t>(compressed, st.comp_size);
    }
    compressed = std::max<uint64_t>(compressed, 1);
    std::unique_ptr<zip_file_t, ZipFileClose> file(zip_fopen_index(zip_.get(), entry, 0));
    if (!file) fail("cannot read " + name + ": " + zip_strerror(zip_.get()));
    std::string out;
    std::string chunk(kReadChunk, '\0');
    for (;;) {
      const zip_int64_t n = zip_fread(file.get(), chunk.data(), chunk.size());
      if (n < 0) fail("cannot inflate " + name + ": " + zip_file_strerror(file.get()));
      if (n == 0) break;
      // Counted as inflated, whatever the archive declares.
      const auto got = static_cast<uint64_t>(n);
      inflated_ += got;
      if (out.size() + got > limits_.part_bytes) {
        fail("refused: " + name + " inflates past " + size_text(limits_.part_bytes) +
             " (zip bomb?)");
      }
      if (inflated_ > limits_.total_bytes) {
        fail("refused: the parts read from this file inflate past " +
             size_text(limits_.total_bytes) + " in all (zip bomb?)");
      }
      out.append(chunk.data(), static_cast<size_t>(n));
      if (out.size() > limits_.ratio_floor && out.size() / compressed > limits_.ratio) {
        fail("refused: " + name + " inflates to more than " + std::to_string(limits_.ratio) +
             " times its compressed size (zip bomb?)");
      }
    }
    return out;
  }

 private:
  std::unique_ptr<zip_t, ZipDiscard> zip_;
  uint64_t archive_size_;
  ZipLimits limits_;
  uint64_t inflated_ = 0;
};

// What an element of WordprocessingML means for the text.
enum class Tag : unsigned char {
  kOther,          // walked into: runs, hyperlinks, tables, insertions, content controls
  kParagraph,      // w:p: one line (more with line breaks)
  kText,           // w:t: its text is the document's
  kTab,            // a tab character
  kBreak,          // a line break
  kNoBreakHyphen,  // a hyphen
  kSkip,           // its subtree is left out
};

Tag tag_of(std::string_view ns, std::string_view name) {
  // Word writes a text box twice: as DrawingML in mc:Choice and as VML in mc:Fallback.
  if (ns == kCompatibilityNs) return name == "Fallback" ? Tag::kSkip : Tag::kOther;
  if (ns != kWordNs && ns != kWordStrictNs) return Tag::kOther;
  static constexpr std::array<std::pair<std::string_view, Tag>, 16> kTags{{
      {"p", Tag::kParagraph},
      {"t", Tag::kText},
      {"tab", Tag::kTab},
      {"ptab", Tag::kTab},
      {"br", Tag::kBreak},
      {"cr", Tag::kBreak},
      {"noBreakHyphen", Tag::kNoBreakHyphen},
      // Tracked deletions and text moved away: accepting the changes drops them.
      {"del", Tag::kSkip},
      {"moveFrom", Tag::kSkip},
      // Properties: their w:tab are tab stops and their w:del/w:ins mark a changed
      // paragraph mark, not text.
      {"pPr", Tag::kSkip},
      {"rPr", Tag::kSkip},
      {"sectPr", Tag::kSkip},
      {"tblPr", Tag::kSkip},
      {"trPr", Tag::kSkip},
      {"tcPr", Tag::kSkip},
      {"tblGrid", Tag::kSkip},
  }};
  for (const auto& [n, tag] : kTags) {
    if (n == name) return tag;
  }
  return Tag::kOther;
}

std::string_view view(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

// Keeps the first error libxml2 reports (warnings aside) as "line N: message".
void keep_first_error(void* arg, xmlErrorPtr error) {
  auto* first = static_cast<std::string*>(arg);
  if (error == nullptr || error->level < XML_ERR_ERROR || !first->empty()) return;
  std::string message = error->message != nullptr ? error->message : "error";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  *first = "line " + std::to_string(error->line) + ": " + message;
}

// Appends a paragraph's text as lines: a line break in it starts another line.
void add_paragraph(const std::string& text, std::vector<std::string>& lines) {
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  lines.push_back(text.substr(start));
}

// The lines of one part (word/document.xml, a header, a footer), in document order.
std::vector<std::string> part_lines(const std::string& xml, const std::string& part) {
  if (xml.size() > static_cast<size_t>(INT_MAX)) fail("refused: " + part + " is too large");
  // No network, no DTD loading, no entity substitution (the defaults without XML_PARSE_NOENT
  // and XML_PARSE_DTDLOAD): nothing outside the part is read, and a DOCTYPE is refused below.
  std::unique_ptr<xmlTextReader, ReaderFree> reader(xmlReaderForMemory(
      xml.data(), static_cast<int>(xml.size()), part.c_str(), nullptr, XML_PARSE_NONET));
  if (!reader) fail("cannot parse " + part);
  std::string error;
  xmlTextReaderSetStructuredErrorHandler(reader.get(), keep_first_error, &error);
  xmlTextReader* r = reader.get();

  std::vector<std::string> lines;
  // Paragraphs being read, innermost last: a text box's paragraphs sit inside a run.
  std::vector<std::string> open;
  bool in_text = false;
  bool seen_root = false;
  int status = xmlTextReaderRead(r);
  while (status == 1 && error.empty()) {
    const int type = xmlTextReaderNodeType(r);
    if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
      fail("refused: " + part + " has a DOCTYPE, which Word never writes");
    }
    if (type == XML_READER_TYPE_ELEMENT || type == XML_READER_TYPE_END_ELEMENT) {
      const std::string_view ns = view(xmlTextReaderConstNamespaceUri(r));
      const Tag tag = tag_of(ns, view(xmlTextReaderConstLocalName(r)));
      if (!seen_root) {
        seen_root = true;
        if (ns != kWordNs && ns != kWordStrictNs) {
          fail(part + " is not WordprocessingML (its root element is <" +
               std::string(view(xmlTextReaderConstName(r))) + ">)");
        }
      }
      if (type == XML_READER_TYPE_END_ELEMENT) {
        if (tag == Tag::kParagraph && !open.empty()) {
          add_paragraph(open.back(), lines);
          open.pop_back();
        } else if (tag == Tag::kText) {
          in_text = false;
        }
      } else {
        const bool empty = xmlTextReaderIsEmptyElement(r) == 1;
        switch (tag) {
          case Tag::kSkip:
            status = xmlTextReaderNext(r);
            continue;
          case Tag::kParagraph:
            if (empty) {
              lines.emplace_back();
            } else {
              open.emplace_back();
            }
            break;
          case Tag::kText:
            in_text = !empty;
            break;
          case Tag::kTab:
            if (!open.empty()) open.back() += '\t';
            break;
          case Tag::kBreak:
            if (!open.empty()) open.back() += '\n';
            break;
          case Tag::kNoBreakHyphen:
            if (!open.empty()) open.back() += '-';
            break;
          case Tag::kOther:
            break;
        }
      }
    } else if (in_text && !open.empty() &&
               (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                type == XML_READER_TYPE_WHITESPACE ||
                type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)) {
      // A newline inside w:t is white space to Word, not a break.
      for (const char c : view(xmlTextReaderConstValue(r))) {
        open.back() += c == '\n' || c == '\r' ? ' ' : c;
      }
    }
    status = xmlTextReaderRead(r);
  }
  if (status < 0 || !error.empty()) {
    fail("malformed XML in " + part + (error.empty() ? "" : ": " + error));
  }
  if (!seen_root) fail("malformed XML in " + part + ": no root element");
  return lines;
}

// A page header or footer part: word/header<digits>.xml, word/footer<digits>.xml. Returns
// the digits ("" for none) or nullopt.
std::optional<std::string> page_part_number(std::string_view name, std::string_view kind) {
  constexpr std::string_view kFolder = "word/";
  constexpr std::string_view kExtension = ".xml";
  if (!name.starts_with(kFolder)) return std::nullopt;
  name.remove_prefix(kFolder.size());
  if (!name.starts_with(kind) || !name.ends_with(kExtension)) return std::nullopt;
  name.remove_prefix(kind.size());
  name.remove_suffix(kExtension.size());
  if (!std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::string(name);
}

// The distinct lines with text of the page headers or footers, header1 before header2.
std::vector<std::string> page_lines(Archive& archive, const std::vector<std::string>& names,
                                    std::string_view kind) {
  std::vector<std::pair<std::string, std::string>> parts;  // (number, name)
  for (const std::string& name : names) {
    if (auto number = page_part_number(name, kind)) parts.emplace_back(*number, name);
  }
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
    return std::pair(a.first.size(), a.first) < std::pair(b.first.size(), b.first);
  });
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& [number, name] : parts) {
    const std::optional<std::string> xml = archive.read(name);
    if (!xml) continue;
    for (std::string& line : part_lines(*xml, name)) {
      const bool blank = line.find_first_not_of(" \t") == std::string::npos;
      if (!blank && seen.insert(line).second) out.push_back(std::move(line));
    }
  }
  return out;
}

}  // namespace

ExtractedText docx_text(const std::string& bytes, const ZipLimits& limits) {
  init_libxml2();
  Archive archive(bytes, limits);
  const std::string document_part(kDocumentPart);
  std::vector<std::string> body;
  {
    const std::optional<std::string> xml = archive.read(document_part);
    if (!xml) fail("not a Word document: the zip archive has no " + document_part);
    body = part_lines(*xml, document_part);
  }
  const std::vector<std::string> names = archive.names();
  const std::vector<std::string> headers = page_lines(archive, names, "header");
  const std::vector<std::string> footers = page_lines(archive, names, "footer");

  ExtractedText out;
  bool first = true;
  auto add = [&](const std::vector<std::string>& lines, const std::string& rule) {
    for (const std::string& line : lines) {
      if (!first) out.utf8 += '\n';
      first = false;
      out.utf8 += line;
      out.furniture.push_back(rule);
    }
  };
  add(headers, "page header");
  add(body, "");
  add(footers, "page footer");
  while (!out.furniture.empty() && out.furniture.back().empty()) out.furniture.pop_back();
  return out;
}

}  // namespace speechdex::indexer
