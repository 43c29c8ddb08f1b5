// The document data of one paragraph: everything needed to print a hit without the source.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
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

/// One paragraph, as the index stores it (docs/index.md, Records): what its speech has is
/// stored once per speech (SpeechRecords), the document data only says which paragraph of
/// which speech it is.
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

  /// The record as one JSON object (--explain, --format json): every field above.
  std::string to_json() const;
};

/// Where a paragraph's record is: the document data of its Xapian document.
struct ParagraphRef {
  uint64_t source_key = 0;  ///< source_key() of the file's canonical path
  int speech = 0;           ///< speech number within the file, from 1
  int paragraph = 0;        ///< paragraph number within the speech, from 1

  /// The document data: a format byte, the source key, varints of speech and paragraph.
  std::string to_data() const;
  /// Parses document data; throws IndexError if it is not a paragraph reference.
  static ParagraphRef from_data(std::string_view data);
};

/// The metadata key of a speech's records: kMetaSpeechPrefix + hex source key + ":" +
/// speech number.
std::string speech_meta_key(uint64_t source_key, int speech);
/// The prefix of every speech key of one file (to remove them all with the file).
std::string speech_meta_prefix(uint64_t source_key);

/// The records of one speech, decoded: what the speech has once and what each paragraph
/// has apart from it.
class SpeechRecords {
 public:
  /// Encodes the records of one speech's paragraphs (all of the same source, speech and
  /// speech fields) as the metadata value stored under speech_meta_key(): a format byte and
  /// a zstd frame of the speech's fields once, then each paragraph's own (number, kind,
  /// headings, topics, how entries the speech does not share, text).
  static std::string encode(std::span<const ParagraphRecord> paragraphs);
  /// Decodes what encode() wrote; throws IndexError if it is damaged.
  static SpeechRecords decode(std::string_view value);

  /// Paragraph `paragraph` (its number); throws IndexError if the speech has none such.
  ParagraphRecord paragraph(int paragraph) const;
  /// Every paragraph, in the order encoded.
  std::vector<ParagraphRecord> paragraphs() const;

 private:
  struct Own {  // what a paragraph has apart from its speech
    int paragraph = 0;
    std::string kind, section, subsection, text;
    std::vector<std::string> topics;
    std::map<std::string, std::string> how;
  };
  ParagraphRecord speech_;  // the speech's fields (paragraph fields empty)
  std::vector<Own> own_;
  ParagraphRecord with(const Own& own) const;
};

/// Reads paragraph records from a database: each document's reference, then its speech's
/// records, decoded once and kept for the next paragraphs of the same speech (a few
/// hundred speeches at most). Not thread-safe.
class RecordReader {
 public:
  explicit RecordReader(const Xapian::Database& db) : db_(db) {}
  /// The record of document `docid`. Throws Xapian::DocNotFoundError if there is no such
  /// document, IndexError if its record is damaged or missing, Xapian errors as Xapian does.
  ParagraphRecord read(Xapian::docid docid);
  /// The record a document's data refers to.
  ParagraphRecord read_data(std::string_view data);

 private:
  const Xapian::Database& db_;
  std::unordered_map<std::string, std::shared_ptr<const SpeechRecords>> cache_;
};

/// A file path as records and messages show it: valid UTF-8 as it is, every byte of an
/// invalid sequence as \xNN (and a backslash as \\), so a name that is not UTF-8 is shown,
/// stored and printed without loss or error.
std::string printable_path(std::string_view path);

}  // namespace speechdex::schema
