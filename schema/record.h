// The document data of one paragraph: everything needed to print a hit without the source.
#pragma once

#include <string>
#include <string_view>

namespace speechdex::schema {

/// What a paragraph is within its speech.
inline constexpr std::string_view kKindTitle = "title";
inline constexpr std::string_view kKindHeading = "heading";
inline constexpr std::string_view kKindText = "text";

/// One paragraph as stored in the Xapian document data (JSON, see docs/index.md).
struct ParagraphRecord {
  std::string source;      ///< source path as given to the indexer (lexically normal)
  int speech = 0;          ///< speech number within the source file, from 1
  std::string speech_id;   ///< human-readable speech id: "<source>#<speech>"
  int paragraph = 0;       ///< paragraph number within the speech, from 1
  std::string kind;        ///< kKindTitle, kKindHeading or kKindText
  std::string title;       ///< the speech's title ("" if none was found)
  std::string section;     ///< the level-1 heading over the paragraph ("" if none)
  std::string subsection;  ///< the level-2 heading over the paragraph ("" if none)
  std::string text;        ///< the paragraph text as read (white space at the ends trimmed)

  /// Serializes to the document data.
  std::string to_data() const;
  /// Parses document data; throws IndexError if it is not a paragraph record.
  static ParagraphRecord from_data(std::string_view data);
};

}  // namespace speechdex::schema
