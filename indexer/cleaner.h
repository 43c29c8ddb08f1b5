// Cleaning: classifies each line of a file as content, blank or website boilerplate.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace speechdex::indexer {

/// What a line is, as far as can be told from the line and the file around it.
enum class LineClass : unsigned char { kBlank, kBoilerplate, kContent };

/// One line of a source file after cleaning.
struct Line {
  int number = 0;    ///< 1-based line number in the file
  std::string text;  ///< trimmed, with document-conversion artifacts removed
  std::string norm;  ///< normalized text without white space (for rules)
  LineClass cls = LineClass::kContent;
  std::string reason;  ///< why a line is boilerplate: "url", "metadata", "teaser", "advert"
};

/// Splits text into lines (a line longer than kMaxParagraphBytes into several with its
/// number, cut by cut_long) and classifies them by general rules, none of which names a
/// particular website:
/// - url: a web address (http://, www., a .com/.cn/.net/.org domain);
/// - metadata: a publication field line (来源：… 作者：… 更新时间：…);
/// - teaser: a line ending in an ellipsis whose text is repeated later in the file
///   (a site's preview of the document);
/// - advert: enough website/advert vocabulary (小编, 仅供参考, 会员, 订阅, ...) in a line
///   that is not a long paragraph.
/// Conversion artifacts such as `[bookmark: _Toc1]` are removed from the text. Without
/// `classify` (speechdex-index --no-clean), every line that is not blank is content.
std::vector<Line> clean(std::string_view utf8_text, bool classify = true);

/// The longest paragraph speechdex keeps whole, in bytes of UTF-8 (about 10,000 Chinese
/// characters, a long paragraph is under 2,000): a longer line or paragraph is cut into
/// pieces at sentence ends (or, with none in reach, at a character boundary), so a file of
/// one 200 MB line costs memory in proportion to its size, not more.
inline constexpr size_t kMaxParagraphBytes = 32 * 1024;

/// Cuts text into pieces of at most `limit` bytes: after the last sentence end (。！？；!?;)
/// in the second half of each piece, else at the last character boundary. Text within the
/// limit is one piece.
std::vector<std::string_view> cut_long(std::string_view text, size_t limit = kMaxParagraphBytes);

/// Trims Unicode white space (including U+00A0, U+3000 and U+FEFF) at both ends.
std::string trim(std::string_view s);

/// Weight of website/advert vocabulary in normalized text (see clean()); 0 unless the
/// text holds at least one strong word.
int advert_weight(std::string_view norm);

}  // namespace speechdex::indexer
