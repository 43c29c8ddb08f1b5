// What a format reader (Word, web page, PDF) hands to the cleaner: text as lines.
#pragma once

#include <string>
#include <vector>

namespace speechdex::indexer {

/// The text of one document, as UTF-8 lines ('\n' between them) for clean(): one line per
/// paragraph where the format knows paragraphs (Word, HTML block elements), the rejoined
/// lines of a paragraph where it does not (PDF). Blank lines separate blocks.
struct ExtractedText {
  std::string utf8;
  /// furniture[i] is the rule that set line i (0-based) aside as furniture ("page header",
  /// "page number", ...), "" for a line of the document's text. May be shorter than the
  /// number of lines: lines past its end are text.
  std::vector<std::string> furniture;
  /// How the bytes were decoded ("utf-8", "gb18030", ...), "" if the format fixes it.
  std::string encoding;
  /// What --lossy replaced ("3 invalid sequences replaced, the first at byte 120"), "".
  std::string replaced;
};

}  // namespace speechdex::indexer
