// Reading Word documents (.docx): the paragraphs of word/document.xml, page headers, footers.
#pragma once

#include <cstdint>
#include <string>

#include "extracted_text.h"

namespace speechdex::indexer {

/// Zip bomb limits: how far the parts read from one .docx may inflate before the file is
/// refused. Counted in bytes actually inflated, never from the sizes the archive declares.
///
/// One part (word/document.xml, a header, a footer): 64 MB. The document.xml of a long
/// report is a few MB (markup is most of it); 64 MB leaves room for a whole volume of
/// speeches in one file and is still memory a worker can hold.
inline constexpr uint64_t kDocxPartLimit = uint64_t{64} << 20;
/// All the parts read from one file: 128 MB (the body at its limit and headers and footers
/// well past anything Word writes).
inline constexpr uint64_t kDocxTotalLimit = uint64_t{128} << 20;
/// Inflated over compressed size of one part: 200. Word's XML deflates about 5 to 20 times;
/// deflate cannot exceed about 1030, which is where a zip bomb sits. The ratio is checked
/// only once a part has inflated past kDocxRatioFloor, as a small part can be very
/// repetitive and costs nothing.
inline constexpr uint64_t kDocxRatioLimit = 200;
inline constexpr uint64_t kDocxRatioFloor = uint64_t{1} << 20;

/// The limits docx_text() applies; tests lower them.
struct ZipLimits {
  uint64_t part_bytes = kDocxPartLimit;
  uint64_t total_bytes = kDocxTotalLimit;
  uint64_t ratio = kDocxRatioLimit;
  uint64_t ratio_floor = kDocxRatioFloor;
};

/// The text of a Word document (.docx, Office Open XML) held in `bytes`: one line per
/// paragraph of word/document.xml in document order, table cells included (each cell's
/// paragraphs as lines), a tab as '\t', a line break (w:br, w:cr) as a new line. Tracked
/// insertions are kept and tracked deletions (w:del, w:moveFrom) left out, as Word shows the
/// document with its changes accepted. Field codes are left out, their results kept; a
/// text box's paragraphs come out where the box is anchored (the Fallback copy Word writes
/// for older readers is skipped). The paragraphs of the page headers (word/header*.xml) come
/// first as furniture "page header", those of the footers (word/footer*.xml) last as
/// furniture "page footer", each distinct line once. `encoding` is "" (XML fixes it).
/// Throws InputError (without context) when the bytes are not a zip archive, hold no
/// word/document.xml, a part is not well-formed XML or has a DOCTYPE (Word never writes
/// one), or a part inflates past `limits` ("refused: word/document.xml inflates past 64 MB
/// (zip bomb?)").
ExtractedText docx_text(const std::string& bytes, const ZipLimits& limits = ZipLimits{});

}  // namespace speechdex::indexer
