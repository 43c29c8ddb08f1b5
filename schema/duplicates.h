// Duplicate detection's contract: MinHash signatures of paragraphs and speeches (value
// slots), and the table of duplicate clusters the indexer writes and the searcher reads.
#pragma once

#include <xapian.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer.h"

namespace speechdex::schema {

/// Shingles are runs of this many units (characters, or words of letters and digits) of
/// the normalized text, punctuation left out: 5 Chinese characters say more than a word
/// and far less than a sentence, so an edit of one character changes at most 5 shingles.
inline constexpr size_t kShingleUnits = 5;
/// MinHash functions per signature.
inline constexpr size_t kMinHashes = 64;
/// Bits of each minimum kept in a stored signature (b-bit MinHash, Li & König 2010): a
/// chance agreement of 1/256 is corrected for in similarity().
inline constexpr unsigned kSignatureBits = 8;

/// The full minimum hashes of a text's shingles. The MinHash of a union of texts is the
/// elementwise minimum of theirs (merge), which is how a speech gets its signature.
struct MinHash {
  std::array<uint32_t, kMinHashes> mins;
  uint32_t shingles = 0;  ///< shingles hashed (with repeats)
  MinHash() { mins.fill(UINT32_MAX); }
  void merge(const MinHash& other);
};

class Gazetteer;

/// The MinHash of normalized units (tokenize()); punctuation units are skipped. What a
/// template leaves to fill in reads as a placeholder: a number (a run of digits, and the
/// numeral of a leading list marker: 一、 （二）), and with `places` a county's name (full,
/// former, or a short name that is not an everyday word). So copies that differ only
/// there have the same signature. A text of fewer than kShingleUnits units has one
/// shingle of all of them (none if it is empty).
MinHash minhash(const std::vector<Unit>& units, const Gazetteer* places = nullptr);

/// A stored signature: the low kSignatureBits bits of each minimum, and the shingle count.
struct Signature {
  std::array<uint8_t, kMinHashes> bits{};
  uint32_t shingles = 0;
};
/// Value slot encoding: 4 bytes of shingle count (big-endian), then the kMinHashes bytes.
std::string encode_signature(const MinHash& m);
/// Decodes encode_signature's value; nullopt for a value of the wrong size (or none).
std::optional<Signature> decode_signature(std::string_view value);
/// Estimated Jaccard similarity of the two texts' shingle sets, in [0, 1].
double similarity(const Signature& a, const Signature& b);

/// The thresholds, the same for every index of this schema version (docs/duplicates.md):
/// a paragraph or speech with fewer shingles than these is a duplicate only of identical
/// text; with more, it is a near duplicate of another whose estimated similarity is at
/// least the threshold.
inline constexpr uint32_t kParagraphMinShingles = 4;
inline constexpr double kParagraphThreshold = 0.65;
inline constexpr uint32_t kSpeechMinShingles = 40;
inline constexpr double kSpeechThreshold = 0.4;

/// The duplicate clusters of every document, by document id (docs/duplicates.md). Written
/// by the indexer at the end of each run, in metadata kMetaDuplicates; valid only for the
/// database state it was computed from (the same document count and last id).
struct DuplicateTable {
  Xapian::docid last_docid = 0;
  Xapian::doccount doccount = 0;
  /// By document id: the earliest member of the paragraph's cluster (itself if alone); 0
  /// for an id with no document.
  std::vector<uint32_t> paragraph;
  /// By document id: the first paragraph of the earliest speech of its speech's cluster.
  std::vector<uint32_t> speech;
  /// By document id: its place in "earliest" order (year, unknown last; then source path;
  /// then document order): the smaller, the earlier.
  std::vector<uint32_t> order;

  std::string encode() const;
  /// Decodes encode()'s bytes; throws IndexError naming `where` if they are damaged.
  static DuplicateTable decode(std::string_view bytes, const std::string& where);
  /// True if the table was computed from this state of `db`.
  bool current(const Xapian::Database& db) const {
    return db.get_lastdocid() == last_docid && db.get_doccount() == doccount;
  }
};

/// Metadata key of the stored DuplicateTable: a header naming how many chunks hold it.
inline constexpr std::string_view kMetaDuplicates = "speechdex.duplicates";
/// The chunks' keys are this prefix and their number (0, 1, ...).
inline constexpr std::string_view kMetaDuplicatesChunk = "speechdex.duplicates.";
/// The most bytes of encode()'s output one metadata value holds. A glass tag holds at most
/// about 128 MB (65,535 items of a block's part); the table, compressed, is about a byte
/// per document id, and version 1's 12 would have stopped a commit above about 10 million
/// paragraphs.
inline constexpr size_t kDuplicateChunkBytes = size_t{16} << 20;

/// Stores `table` in `db`'s metadata (not committed): encode()'s bytes in chunks of at most
/// `chunk_bytes`, and the header last; chunks a larger table left are removed.
void store_duplicates(Xapian::WritableDatabase& db, const DuplicateTable& table,
                      size_t chunk_bytes = kDuplicateChunkBytes);
/// The table store_duplicates stored in `db`, or nullopt if it has none; throws IndexError
/// naming `where` if it is damaged (a chunk missing, of the wrong size, or another version).
std::optional<DuplicateTable> load_duplicates(const Xapian::Database& db, const std::string& where);

}  // namespace speechdex::schema
