// The document data of one paragraph: everything needed to print a hit without the source.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace speechdex::schema {

/// What a paragraph is within its speech.
inline constexpr std::string_view kKindTitle = "title";
inline constexpr std::string_view kKindHeading = "heading";
inline constexpr std::string_view kKindText = "text";
/// Website furniture the cleaner set aside (site headers, 来源 lines, adverts, what comes
/// before a file's first title): indexed, left out of searches unless asked for, and
/// recorded with the rule that set it aside (how["kind"]).
inline constexpr std::string_view kKindBoilerplate = "boilerplate";

/// One paragraph as stored in the Xapian document data (JSON, see docs/index.md).
struct ParagraphRecord {
  std::string source;      ///< source path as given to the indexer (lexically normal)
  int speech = 0;          ///< speech number within the source file, from 1
  std::string speech_id;   ///< human-readable speech id: "<source>#<speech>"
  int paragraph = 0;       ///< paragraph number within the speech, from 1
  std::string kind;        ///< kKindTitle, kKindHeading, kKindText or kKindBoilerplate
  std::string title;       ///< the speech's title ("" if none was found)
  std::string section;     ///< the level-1 heading over the paragraph ("" if none)
  std::string subsection;  ///< the level-2 heading over the paragraph ("" if none)
  std::string text;        ///< the paragraph text as read (white space at the ends trimmed)

  // Metadata of the speech (found in the text or given by a manifest).
  std::string county_code;                 ///< 6 digits, "" if unknown
  std::string county;                      ///< 巴东县
  std::string city;                        ///< 恩施土家族苗族自治州
  std::string province;                    ///< 湖北省
  int year = 0;                            ///< 0 if unknown
  std::string role;                        ///< speaker role, "" if unknown
  std::string speaker;                     ///< speaker name (manifest only)
  std::string date;                        ///< date of the speech (manifest only)
  std::vector<std::string> topics;         ///< topic ids of this paragraph
  std::vector<std::string> speech_topics;  ///< main topic ids of the speech
  /// Fields of the source the schema has no place for (a JSON Lines speech's other fields),
  /// as a JSON object; "" if none.
  std::string fields;
  /// How each field was found: field name -> rule and evidence ("manifest" when given).
  std::map<std::string, std::string> how;

  /// Serializes to the document data.
  std::string to_data() const;
  /// Parses document data; throws IndexError if it is not a paragraph record.
  static ParagraphRecord from_data(std::string_view data);
};

/// A file path as records and messages show it: valid UTF-8 as it is, every byte of an
/// invalid sequence as \xNN (and a backslash as \\), so a name that is not UTF-8 is shown,
/// stored and printed without loss or error.
std::string printable_path(std::string_view path);

}  // namespace speechdex::schema
