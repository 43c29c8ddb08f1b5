// Reading the text layer of a PDF (with poppler-cpp) into lines for the cleaner.
#pragma once

#include <string>

#include "extracted_text.h"

namespace speechdex::indexer {

/// The text of a PDF's text layer, as lines for clean(): one line per paragraph in reading
/// order with hard-wrapped lines rejoined, and page headers, footers and page numbers kept
/// as lines of their own but marked in `furniture` ("page header", "page footer",
/// "page number"). The rules are assemble_pdf_text's (pdf_layout.h).
///
/// Each page is read with poppler as it is displayed (its /Rotate applied), word by word in
/// poppler's reading order. Only text running in the page's main direction is read: a line
/// of text turned sideways beside the body (a stamp, a margin note) is left out.
///
/// Throws InputError without context (the caller adds the path) with a one-line reason:
/// - "no text layer (scanned?)" if no page has text other than page furniture;
/// - "encrypted: a password is needed to open it";
/// - "not a PDF, or damaged beyond repair (poppler: <its last message>)";
/// - "too large ..." for more than 2 GiB, 10,000 pages, 8 million characters or 1 million
///   words of text, which bounds the memory hostile input can take (poppler's own memory
///   for one page is not bounded).
/// poppler's own messages never reach stderr. Safe to call from several threads at once
/// (each call has its own document; poppler's messages are collected per thread).
ExtractedText pdf_text(const std::string& bytes);

}  // namespace speechdex::indexer
