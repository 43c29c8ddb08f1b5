// The index schema: fields and their term prefixes, value slots, ids, version metadata.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace speechdex::schema {

/// Bumped whenever terms, prefixes, slots, document data or the text store's format change
/// meaning. A searcher refuses an index written with another version.
inline constexpr int kSchemaVersion = 7;

/// The tokenizer settings an index was built with, recorded in its metadata.
inline constexpr std::string_view kTokenizerSettings =
    "normalize=nfkc_cf+t2s-per-char; units=char|word(max64); terms=unigram(wdf)+bigram(pos)";

/// Metadata keys written by the indexer.
inline constexpr std::string_view kMetaSchemaVersion = "speechdex.schema_version";
inline constexpr std::string_view kMetaTokenizer = "speechdex.tokenizer";
/// Prefix of the per-file keys: kMetaFilePrefix + canonical path -> "size mtime hash".
inline constexpr std::string_view kMetaFilePrefix = "speechdex.file:";
/// The gazetteer tables the index was built with (Gazetteer::serialize()).
inline constexpr std::string_view kMetaGazetteer = "speechdex.gazetteer";
/// The topic taxonomy the index was built with (the topics.tsv text); its row order
/// gives the topic slots.
inline constexpr std::string_view kMetaTopics = "speechdex.topics";
/// Size in bytes of the database files (the text store's included) right after its last
/// compaction.
inline constexpr std::string_view kMetaCompactedBytes = "speechdex.compacted_bytes";
/// The text store (docs/text-store.md): its live segment files in the folder kTextDir of the
/// database, one name a line, oldest first; and the ids of deleted documents that segments
/// still hold, as varint deltas. Both change only with a Xapian commit, so a crash leaves
/// them consistent with the documents.
inline constexpr std::string_view kMetaTextSegments = "speechdex.text_segments";
inline constexpr std::string_view kMetaTextDeleted = "speechdex.text_deleted";
inline constexpr std::string_view kTextDir = "text";
/// "fresh" while a build that began from an empty index has not finished: a re-run after a
/// crash goes on as that build (and compacts at its end), so it ends as a clean build would.
inline constexpr std::string_view kMetaBuild = "speechdex.build";
/// Prefix of the per-speech keys: kMetaSpeechPrefix + hex source key + ":" + speech number
/// -> the records of the speech's paragraphs (schema::SpeechRecords, docs/index.md).
inline constexpr std::string_view kMetaSpeechPrefix = "speechdex.speech:";
/// kMetaRecordDictionaryPrefix + 16 hex digits of its id -> a zstd dictionary some speeches'
/// records are compressed with (schema::RecordDictionary); kMetaRecordDictionary -> the id
/// (16 hex digits) of the one a writer compresses new speeches with.
inline constexpr std::string_view kMetaRecordDictionaryPrefix = "speechdex.records_dictionary:";
inline constexpr std::string_view kMetaRecordDictionary = "speechdex.records_dictionary";
/// "xapian" in a database of the Xapian layout (docs/scaling.md): text terms in Xapian and
/// each paragraph's whole record as its document data, for stock xapian-tcpsrv; absent in
/// the store layout (docs/index.md).
inline constexpr std::string_view kMetaLayout = "speechdex.layout";
inline constexpr std::string_view kLayoutXapian = "xapian";

/// How a field is searched.
enum class FieldKind : uint8_t {
  kText,     ///< tokenized: unigram and positional bigram terms under the prefix
  kBoolean,  ///< one exact term per value, used as a filter
};

/// One row of the field table. Index side and query side both read it; no prefix is
/// spelled anywhere else.
struct Field {
  std::string_view name;    ///< as typed in queries (title:...) and used in code
  std::string_view prefix;  ///< Xapian term prefix (Omega's convention)
  FieldKind kind;
  std::string_view doc;  ///< one line for --help and docs
};

/// The field table.
inline constexpr Field kFields[] = {
    {"text", "", FieldKind::kText, "the paragraph's own text (the default field)"},
    {"title", "S", FieldKind::kText, "the title of the paragraph's speech"},
    {"heading", "XH:", FieldKind::kText, "the section and subsection headings over the paragraph"},
    {"source", "XSOURCE:", FieldKind::kBoolean, "source file key: 16 hex digits"},
    {"county", "XCOUNTY:", FieldKind::kBoolean, "county code of the speech: 6 digits"},
    {"province", "XPROVINCE:", FieldKind::kBoolean, "province of the speech: 2-digit code"},
    {"year", "XYEAR:", FieldKind::kBoolean, "year of the speech: 4 digits"},
    {"topic", "XTOPIC:", FieldKind::kBoolean, "a topic of the paragraph: taxonomy id"},
    {"role", "XROLE:", FieldKind::kBoolean, "speaker role of the speech: 县长, 县委书记, ..."},
    {"kind", "XKIND:", FieldKind::kBoolean,
     "boilerplate, on website furniture the cleaner set aside (no term on other paragraphs)"},
};

/// Looks a field up by name; nullptr if there is none.
const Field* find_field(std::string_view name);

/// The field of that name; throws std::logic_error if there is none (a programming error).
const Field& field(std::string_view name);

/// Value slots. Each comment gives the encoding; the encoder and decoder follow.
enum Slot : unsigned {
  kSlotSpeech = 0,    ///< speech key, 8 bytes big-endian (collapse key: one hit per speech)
  kSlotTextHash = 1,  ///< hash of the normalized paragraph text, 8 bytes big-endian
                      ///< (collapse key for duplicate paragraphs)
  kSlotYear = 2,      ///< Xapian::sortable_serialise(year); absent if unknown
  kSlotCounty = 3,    ///< county code, 6 ASCII digits; absent if unknown
  kSlotProvince = 4,  ///< province code, 2 ASCII digits; absent if unknown
  kSlotRole = 5,      ///< speaker role, UTF-8; absent if unknown
  kSlotTopics = 6,    ///< the paragraph's topic ids, sorted, joined by ','; absent if none
  /// MinHash signature of the paragraph's text (schema::encode_signature in duplicates.h);
  /// absent on boilerplate and on text with no shingle.
  kSlotSignature = 7,
  /// MinHash signature of the whole speech (its paragraphs but boilerplate), on the speech's
  /// first paragraph only.
  kSlotSpeechSignature = 8,
  /// Xapian layout only (docs/scaling.md): the paragraph's duplicate cluster, found per
  /// database at the end of each indexing run, as the cluster's earliest member's speech key
  /// and text hash (16 bytes, unique across shards); absent on a paragraph alone in its
  /// cluster, so that a collapse key on it (--dedup paragraph) keeps it.
  kSlotCluster = 9,
};

/// Encodes a 64-bit key for a value slot (8 bytes, big-endian, so it sorts numerically).
std::string encode_key(uint64_t key);
/// Decodes what encode_key wrote; 0 for a value of the wrong size.
uint64_t decode_key(std::string_view value);

/// A stable 64-bit hash (FNV-1a with a final mix). Used for file, speech and text keys;
/// must never change without a schema version bump.
uint64_t stable_hash(std::string_view bytes);

/// splitmix64's finalizer: spreads the bits of `x` over all 64 (used by stable_hash; must
/// never change either).
uint64_t mix64(uint64_t x);

/// 16 lowercase hex digits.
std::string hex_key(uint64_t key);

/// The key of a source file: hash of its canonical absolute path.
uint64_t source_key(std::string_view canonical_path);
/// The key of speech number `speech` (1-based) of a source file.
uint64_t speech_key(uint64_t source, int speech);

/// Boolean filter term of a field: prefix + value.
std::string boolean_term(const Field& f, std::string_view value);
/// The boolean term that finds a source file's paragraphs: field "source", its source_key
/// in hex.
std::string source_term(uint64_t source);
std::string source_term(std::string_view canonical_path);

}  // namespace speechdex::schema
