// Splitting: cleaned lines -> paragraphs (hard wraps rejoined) -> speeches with titles
// and section headings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cleaner.h"

namespace speechdex::indexer {

/// One paragraph of a speech.
struct Paragraph {
  std::string text;        ///< as read, hard-wrapped lines rejoined
  std::string kind;        ///< schema::kKindTitle, kKindHeading or kKindText
  std::string section;     ///< level-1 heading over it (一、…)
  std::string subsection;  ///< level-2 heading over it ((一)…)
  int first_line = 0;      ///< line numbers in the source file
  int last_line = 0;
  std::string rule =
      {};  ///< boilerplate: the rule that set it aside (url, metadata, front matter…)
};

/// One speech: a title (possibly empty) and its paragraphs, the title paragraph first
/// where the title is written in the speech.
struct Speech {
  std::string title;
  std::vector<Paragraph> paragraphs;
  /// Lines of the file set aside as website furniture (kind boilerplate), each with its
  /// rule, in line order: indexed after the paragraphs, never read for metadata. A line
  /// belongs to the speech in which it stands (the first speech for lines before it).
  std::vector<Paragraph> set_aside = {};
};

/// The speeches of one file and what was set aside.
struct SplitResult {
  std::vector<Speech> speeches;
  int boilerplate_lines = 0;   ///< lines the cleaner classed as boilerplate
  int front_matter_lines = 0;  ///< content lines before the first title (site furniture)
  /// True if the file has set-aside lines but no speech text: its one speech holds only
  /// set_aside paragraphs.
  bool only_set_aside = false;
};

/// Splits cleaned lines into speeches:
/// - paragraphs: a line that does not end a sentence and is not a heading, followed by a
///   line that does not start a heading, an enumerated item, a salutation or a speech
///   marker, continues on that line (hard wraps such as 推进 / 会议上的讲话);
/// - headings: 一、… (level 1) and (一)… (level 2), recognised only in sequence (each is
///   the first or the next number at its level), so 三改 / 二、西川隧道 stays one paragraph;
/// - speeches: marker lines (> 篇一, 篇二, 第三篇) or a title followed by a salutation
///   (同志们：) start a speech; a file's title before its first marker is the title of
///   every speech in it;
/// - front matter: content before the first title, marker or salutation near the top of a
///   file is website furniture and is set aside (rule "front matter"), as are the lines the
///   cleaner classed as boilerplate (their rule: url, metadata, teaser, advert).
/// Without `front_matter` (--no-clean), nothing before the first title is set aside.
SplitResult split_speeches(const std::vector<Line>& lines, bool front_matter = true);

/// One speech with every non-blank line a paragraph (trimmed), for corpora with one
/// document per line.
SplitResult split_lines(std::string_view text);

/// An enumerator at the start of normalized text.
enum class EnumKind : unsigned char {
  kNone,
  kCnComma,   ///< 一、
  kCnParen,   ///< (一)
  kNumComma,  ///< 1、 or 1.
  kNumParen,  ///< (1)
  kDi,        ///< 第一，
  kShi,       ///< 一是
};

/// The enumerator at the start of `norm` (normalized, without spaces) and its value.
struct Enumerator {
  EnumKind kind = EnumKind::kNone;
  int value = 0;
};
Enumerator parse_enumerator(std::string_view norm);
Enumerator parse_enumerator(std::u32string_view norm);

/// True if normalized text ends a sentence (。!?;: or an ellipsis, possibly inside
/// closing quotes or brackets).
bool ends_sentence(std::string_view norm);
bool ends_sentence(std::u32string_view norm);

/// True if normalized text looks like a speech title: short, not a sentence, ending in
/// 讲话 / 致辞 / 发言 / 讲稿 / 报告 / 主持词 (an addition such as (摘要) may follow).
bool is_title_like(std::string_view norm);
bool is_title_like(std::u32string_view norm);

/// True if normalized text is a salutation line (同志们：, 各位代表、同志们：).
bool is_salutation(std::string_view norm);
bool is_salutation(std::u32string_view norm);

/// True if normalized text is a speech marker line (> 篇一, 篇二, 第三篇, 【篇四】).
bool is_speech_marker(std::string_view norm);
bool is_speech_marker(std::u32string_view norm);

}  // namespace speechdex::indexer
