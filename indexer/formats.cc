// Format detection and the reading of each format into ExtractedText.
#include "formats.h"

#include <algorithm>
#include <boost/filesystem.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "docx_text.h"
#include "errors.h"
#include "html_text.h"
#include "pdf_text.h"

namespace speechdex::indexer {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The start of a document after a UTF-8 byte order mark and white space, lower-cased.
std::string head(const std::string& bytes) {
  std::string_view b(bytes);
  if (starts_with(b, "\xEF\xBB\xBF")) b.remove_prefix(3);
  while (!b.empty() &&
         (b.front() == ' ' || b.front() == '\t' || b.front() == '\r' || b.front() == '\n')) {
    b.remove_prefix(1);
  }
  return lower(std::string(b.substr(0, 64)));
}

// The fields of a JSON Lines speech that are its metadata, as in a manifest.
const std::set<std::string> kMetadataFields = {"id",   "title", "county",  "county_code", "code",
                                               "year", "date",  "speaker", "role"};

DocumentPart jsonl_part(const std::string& line, const std::string& origin) {
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    // nlohmann's messages start "[json.exception.parse_error.101] parse error at line 1, ...".
    std::string what = e.what();
    if (const size_t at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
    throw InputError("not JSON: " + what, origin);
  }
  if (!object.is_object()) throw InputError("not a JSON object", origin);
  // The text: a string, or an array of strings (paragraphs), one line each.
  const auto text = object.find("text");
  const bool paragraphs = text != object.end() && text->is_array() &&
                          std::all_of(text->begin(), text->end(),
                                      [](const nlohmann::json& p) { return p.is_string(); });
  if (text == object.end() || (!text->is_string() && !paragraphs)) {
    throw InputError("no \"text\" field (a string, or an array of strings) in this JSON object",
                     origin);
  }
  DocumentPart part;
  part.origin = origin;
  if (paragraphs) {
    for (const nlohmann::json& p : *text) part.text.utf8 += p.get<std::string>() + "\n";
  } else {
    part.text.utf8 = text->get<std::string>();
  }
  nlohmann::json others = nlohmann::json::object();
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string key = lower(it.key());
    if (key == "text") continue;
    if (kMetadataFields.count(key) > 0 && !it->is_null()) {
      part.metadata[key] = it->is_string() ? it->get<std::string>() : it->dump();
    } else {
      others[it.key()] = *it;
    }
  }
  if (!others.empty()) {
    part.fields = others.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  // Line endings inside the text as in a file.
  std::string& t = part.text.utf8;
  t.erase(std::remove(t.begin(), t.end(), '\r'), t.end());
  return part;
}

}  // namespace

const char* format_name(Format f) {
  switch (f) {
    case Format::kText:
      return "text";
    case Format::kDocx:
      return "docx";
    case Format::kHtml:
      return "html";
    case Format::kPdf:
      return "pdf";
    case Format::kJsonl:
      return "jsonl";
  }
  return "text";
}

Format detect_format(const std::string& path, const std::string& bytes) {
  const std::string ext = lower(boost::filesystem::path(path).extension().string());
  // A PDF's header may follow up to 1 KB of other bytes.
  if (std::string_view(bytes).substr(0, 1024).find("%PDF-") != std::string_view::npos) {
    return Format::kPdf;
  }
  if (starts_with(bytes, "PK\x03\x04")) return Format::kDocx;
  if (ext == ".docx") {
    throw InputError(starts_with(bytes, "\xD0\xCF\x11\xE0")
                         ? "a Word 97-2003 document (.doc) named .docx: save it as .docx"
                         : "named .docx but not a Word document (not a zip archive)",
                     "");
  }
  if (ext == ".pdf") throw InputError("named .pdf but not a PDF (no %PDF- header)", "");
  if (starts_with(bytes, "\xD0\xCF\x11\xE0")) {
    throw InputError("a Word 97-2003 document (.doc): save it as .docx", "");
  }
  if (ext == ".jsonl") return Format::kJsonl;
  const std::string start = head(bytes);
  if (ext == ".html" || ext == ".htm" || ext == ".xhtml" || starts_with(start, "<!doctype html") ||
      starts_with(start, "<html")) {
    return Format::kHtml;
  }
  return Format::kText;
}

Document read_document(const SourceFile& file, const DecodeOptions& decode, const Warn& warn,
                       size_t& bad_lines) {
  const std::string bytes = read_file(file);
  Document doc;
  try {
    doc.format = detect_format(file.path, bytes);
    switch (doc.format) {
      case Format::kPdf:
        doc.parts.push_back({pdf_text(bytes), {}, "", ""});
        break;
        break;
      case Format::kDocx:
        doc.parts.push_back({docx_text(bytes), {}, "", ""});
        break;
        break;
      case Format::kHtml: {
        ExtractedText text = html_text(bytes, decode.lossy);
        doc.encoding = text.encoding;
        doc.replaced = text.replaced;
        doc.parts.push_back({std::move(text), {}, "", ""});
        break;
      }
      case Format::kText: {
        DecodedText text = decode_text(bytes, decode);
        doc.encoding = text.encoding;
        doc.replaced = text.replaced;
        doc.parts.push_back({{std::move(text.utf8), {}, "", ""}, {}, "", ""});
        break;
      }
      case Format::kJsonl: {
        DecodedText text = decode_text(bytes, decode);
        doc.encoding = text.encoding;
        doc.replaced = text.replaced;
        size_t number = 0, start = 0;
        const std::string& all = text.utf8;
        while (start < all.size()) {
          size_t end = all.find('\n', start);
          if (end == std::string::npos) end = all.size();
          ++number;
          const std::string line = all.substr(start, end - start);
          start = end + 1;
          if (line.find_first_not_of(" \t") == std::string::npos) continue;
          try {
            doc.parts.push_back(jsonl_part(line, file.path + ":" + std::to_string(number)));
          } catch (const InputError& e) {
            warn(e.what(), e.context());
            ++bad_lines;
          }
        }
        break;
      }
    }
  } catch (const InputError& e) {
    throw InputError(e.what(), e.context().empty() ? file.path : e.context());
  }
  return doc;
}

}  // namespace speechdex::indexer
