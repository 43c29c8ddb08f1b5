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

// zstd's dictionary types (zstd.h), which only record.cc needs whole.
struct ZSTD_CDict_s;
struct ZSTD_DDict_s;

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

/// A zstd dictionary for speeches' records (docs/index.md, Records): trained by each writer
/// on the first speeches it writes, stored in the index under record_dictionary_key(id()),
/// and named by every speech compressed with it. A speech is a few kilobytes: alone, a zstd
/// frame starts with nothing learned; with the dictionary it starts from the words and
/// phrases the corpus's speeches share.
class RecordDictionary {
 public:
  /// Trains a dictionary of at most `capacity` bytes on `samples` (speech bodies:
  /// SpeechRecords::serialize); nullptr if zstd cannot (too few or too small samples).
  static std::shared_ptr<const RecordDictionary> train(const std::vector<std::string>& samples,
                                                       size_t capacity);
  /// A dictionary as stored (bytes()); throws IndexError if zstd cannot load it.
  static std::shared_ptr<const RecordDictionary> load(std::string bytes);
  ~RecordDictionary();
  RecordDictionary(const RecordDictionary&) = delete;
  RecordDictionary& operator=(const RecordDictionary&) = delete;

  /// XXH3-64 of the bytes: what a speech's records compressed with it name.
  uint64_t id() const { return id_; }
  const std::string& bytes() const { return bytes_; }

 private:
  friend class SpeechRecords;
  explicit RecordDictionary(std::string bytes);
  std::string bytes_;
  uint64_t id_ = 0;
  ::ZSTD_CDict_s* cdict_ = nullptr;
  ::ZSTD_DDict_s* ddict_ = nullptr;
};

/// The metadata key of a record dictionary: kMetaRecordDictionaryPrefix + 16 hex digits.
std::string record_dictionary_key(uint64_t id);
/// The dictionary `db` stores under record_dictionary_key(id); nullptr if none. Throws
/// IndexError if it is damaged (not a zstd dictionary, or its bytes do not hash to `id`).
std::shared_ptr<const RecordDictionary> stored_record_dictionary(const Xapian::Database& db,
                                                                 uint64_t id);

/// The records of one speech, decoded: what the speech has once and what each paragraph
/// has apart from it.
class SpeechRecords {
 public:
  /// Encodes the records of one speech's paragraphs (all of the same source, speech and
  /// speech fields) as the metadata value stored under speech_meta_key(): a format byte and
  /// a zstd frame of the speech's fields once, then each paragraph's own (number, kind,
  /// headings, topics, how entries the speech does not share, text).
  static std::string encode(std::span<const ParagraphRecord> paragraphs);
  /// encode() in two steps: the speech's fields and paragraphs serialized (what a dictionary
  /// is trained on), then compressed, with `dictionary` if given (format 2: the value names
  /// the dictionary's id) or without (format 1).
  static std::string serialize(std::span<const ParagraphRecord> paragraphs);
  static std::string compress(std::string_view body, const RecordDictionary* dictionary);
  /// The id of the dictionary a value was compressed with, 0 if none; throws IndexError if
  /// it is not a speech's records.
  static uint64_t dictionary_of(std::string_view value);
  /// Decodes what encode() or compress() wrote, given the dictionary dictionary_of() names;
  /// throws IndexError if it is damaged or that dictionary is not given.
  static SpeechRecords decode(std::string_view value, const RecordDictionary* dictionary = nullptr);

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
  std::unordered_map<uint64_t, std::shared_ptr<const RecordDictionary>> dictionaries_;
  // The dictionary a speech's records name, loaded once; nullptr if they name none or the
  // index does not hold it (decode() then says so).
  const RecordDictionary* dictionary(std::string_view value);
};

/// A file path as records and messages show it: valid UTF-8 as it is, every byte of an
/// invalid sequence as \xNN (and a backslash as \\), so a name that is not UTF-8 is shown,
/// stored and printed without loss or error.
std::string printable_path(std::string_view path);

}  // namespace speechdex::schema
