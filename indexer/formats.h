// Formats: a file's bytes -> the text of its documents, by what the bytes are.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "corpus_reader.h"
#include "extracted_text.h"

namespace speechdex::indexer {

/// The formats speechdex reads.
enum class Format { kText, kDocx, kHtml, kPdf, kJsonl };

/// The format's name as messages show it ("text", "docx", "html", "pdf", "jsonl").
const char* format_name(Format f);

/// The format of a file, by its content first (a PDF header, a zip holding
/// word/document.xml, an HTML document's start, JSON objects one per line in a .jsonl)
/// and by its name where the content does not tell (a .docx that is not a zip is refused
/// as a damaged Word document, not read as text).
Format detect_format(const std::string& path, const std::string& bytes);

/// One document of a file: a file holds one, a JSON Lines file one per line.
struct DocumentPart {
  ExtractedText text;
  /// JSON Lines: the metadata fields given (id, title, county, year, date, speaker, role),
  /// lower-case name -> value as text.
  std::map<std::string, std::string> metadata;
  /// JSON Lines: the other fields of the line as a JSON object ("" if none).
  std::string fields;
  /// JSON Lines: "PATH:LINE", for messages and `how`.
  std::string origin;
};

/// A file read: its documents, in order.
struct Document {
  Format format = Format::kText;
  std::vector<DocumentPart> parts;
  std::string encoding;  ///< of a text, web page or JSON Lines file
  std::string replaced;  ///< DecodedText::replaced (--lossy)
};

/// Reads a file's documents. A file that cannot be read throws InputError naming it; a JSON
/// Lines line that is not a usable object is reported through `warn` (as "PATH:LINE") and
/// counted in `bad_lines`, and the other lines are read.
Document read_document(const SourceFile& file, const DecodeOptions& decode, const Warn& warn,
                       size_t& bad_lines);

}  // namespace speechdex::indexer
