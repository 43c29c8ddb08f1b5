// PDF layout rules: positioned words of pages -> lines -> paragraphs and page furniture.
// Pure (no PDF library), so the rules are tested on word lists written by hand.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "extracted_text.h"

namespace speechdex::indexer {

/// One word of a page's text layer as a PDF reader sees it (a run of characters without a
/// break; a CJK run may be a whole line). Coordinates are points from the top-left corner of
/// the page, y growing downwards, in the orientation the text is read in.
struct PdfWord {
  std::string text;  ///< UTF-8; leading white space is typed indentation
  double left = 0;
  double top = 0;
  double right = 0;
  double bottom = 0;
  /// Points; 0 if unknown: then the box's height is taken for it (1.0 to 1.3 times the font
  /// size, by the font's ascent and descent), which the rules' thresholds allow for.
  double font_size = 0;
  bool space_after = false;  ///< the reader saw a space between this word and the next
};

/// One page: its size and its words in reading order.
struct PdfPage {
  double width = 0;
  double height = 0;
  std::vector<PdfWord> words;
};

/// Assembles pages of positioned words into text, by general rules that name no document.
///
/// Lines: consecutive words whose boxes overlap vertically by half the smaller height, each
/// starting no further left than half an em before the previous one ends, are one line. A
/// space stands between two words when the reader saw one or when they are an em or more
/// apart, and only between two characters that are not CJK (the gap a word processor puts
/// between 2021 and 年 is not a space).
///
/// Page furniture (kept as lines, with their rule in `furniture`) stands in a page's head or
/// foot: the lines from the top (the bottom) of the page to the first gap wider than the
/// document's usual gap between lines by a quarter of an em, if they all lie within the top
/// (the bottom) 15% of the page's height. The usual gap is the lower quartile of the gaps
/// between consecutive lines of about the same size; a document without two such lines has
/// none, and then any gap sets a head or foot apart and none counts as paragraph spacing.
/// There:
/// - "page number": the line is only a page number (see is_page_number);
/// - "page header" / "page footer": the line's text, with digits masked and white space
///   removed, stands in the head (the foot) at the same height (within 4 to 8 points) on at
///   least two pages.
///
/// Paragraphs (furniture aside). Each page's text block has a left edge (its leftmost line
/// start; on pages of fewer than 5 lines no further right than the document's usual one) and
/// a width: the median width of the document's longest lines (those within 3 ems of the
/// longest, which sets aside punctuation hanging into the margin), but at least 80% of the
/// page's width less twice the left edge, so that short lines alone are not taken for a block
/// of full ones. A line continues on the next one when
/// - it is full: the next line's first unit (a CJK character, a Latin word) and a third of
///   an em would not have fitted into the room left at its end;
/// - the next line's font size is within 15% of its own;
/// - the next line is not set apart by vertical space (a gap larger than the document's usual
///   gap between lines by a quarter of an em), unless it starts a new page or column;
/// - the next line is not indented (by 3/4 of an em or more from the left edge, or by typed
///   white space), or both lines are centred (within an em of the block's centre) and the
///   first starts a tenth of an em or more from the left edge (a long title wrapped over two
///   centred lines; a full line of a justified paragraph starts at the edge).
/// Joined lines meet without a space when either side is CJK or at least half the line before
/// the break is CJK (Chinese layout breaks lines anywhere, even inside 2015 or a word),
/// after a hyphen, and else with one space. A paragraph set apart by vertical space is
/// preceded by a blank line. Furniture met while a paragraph continues across a page break
/// follows that paragraph.
///
/// The result has one line per paragraph (and per furniture line) in reading order, separated
/// by '\n', trimmed, white space inside collapsed to one space; `furniture` has an entry for
/// every line. `encoding` is left empty (PDF text is Unicode). Words with coordinates that are
/// not finite are ignored, coordinates beyond a million points are clamped, invalid UTF-8
/// becomes U+FFFD and control characters white space.
ExtractedText assemble_pdf_text(const std::vector<PdfPage>& pages);

/// True if `text` is only a page number: 3, - 3 -, — 3 —, [3], ·3·, 第3页, 第三页,
/// 第 3 页 共 10 页, 第3页/共10页, 共10页 第3页, 3/10, Page 3, Page 3 of 10, 3 of 10, iv;
/// full-width digits and any white space allowed.
bool is_page_number(std::string_view text);

}  // namespace speechdex::indexer
