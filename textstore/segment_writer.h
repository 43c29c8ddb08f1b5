// Writing one segment of the text store: the postings of a run of documents, every term's
// list with its positions. Layout in docs/index.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "segment_build.h"

namespace speechdex::textstore {

/// Documents per posting block: a block's first document is the target of a skip entry.
inline constexpr uint32_t kBlockDocuments = 128;
/// Terms per dictionary block: a look-up reads at most this many entries.
inline constexpr uint32_t kDictionaryBlockTerms = 64;

/// Collects documents in memory and writes them as one segment file. A document's terms
/// may come in any order and a term may come several times: the writer gathers each
/// term's occurrences until the next document starts.
class SegmentWriter {
 public:
  /// Starts a document (and ends the one before). Document ids must increase and be
  /// non-zero; `length` is the document's length for BM25. Throws std::invalid_argument if
  /// `docid` is not above the previous one.
  void add_document(uint32_t docid, uint32_t length);
  /// The same, with the length Xapian gives a document: the sum of its terms' wdfs.
  void add_document(uint32_t docid);
  /// `wdf` more occurrences of a term without positions (0: a boolean term, which adds
  /// nothing to a score).
  void add_term(std::string_view term, uint32_t wdf);
  /// Occurrences of a term at `positions`, increasing and after any it already has here.
  void add_positional_term(std::string_view term, std::span<const uint32_t> positions);
  /// One occurrence of a term at `position`.
  void add_occurrence(std::string_view term, uint32_t position);
  /// The same two, for a term that repeats alike on runs of consecutive documents (a
  /// speech's title on each of its paragraphs): its list holds each run of documents with
  /// the same wdf and positions once (PostingListBuilder), and reads as if each held it.
  void add_repeated_term(std::string_view term, uint32_t wdf);
  void add_repeated_occurrence(std::string_view term, uint32_t position);
  // A term is always added with positions or always without, and always repeated or never
  // (std::invalid_argument).

  /// One call of the four above.
  struct Addition {
    enum How : uint8_t { kTerm, kOccurrence, kRepeatedTerm, kRepeatedOccurrence };
    std::string_view term;
    uint32_t value;  // the wdf of a term, the position of an occurrence
    How how;
  };
  /// The same as those calls in this order, faster for many: each term's place in the
  /// table is asked of the memory a few terms ahead of its look-up.
  void add(std::span<const Addition> additions);

  size_t documents() const { return docids_.size(); }
  size_t terms() const { return entries_.size(); }

  /// Ends the last document and writes the segment to `path`: to a temporary file beside
  /// it, synced, then renamed over `path`, so a crash leaves either no file or a whole one.
  /// Returns its size in bytes. Throws std::runtime_error naming the path if it cannot be
  /// written.
  uint64_t write(const std::string& path);

 private:
  // The list first, on a cache line of its own: where its two byte strings end is what
  // finish_document() reads first, a term ahead of adding to it.
  struct alignas(64) Entry {
    PostingListBuilder list;
    std::string name;
    uint64_t key;  // the name packed (pack_term) if it is short, else 0
  };
  // Terms by hash, open addressing with linear probing. A term of up to 7 bytes (every
  // body unigram and bigram of two CJK characters, a title bigram) is its own 64-bit key
  // and is found by comparing keys alone; a longer one compares full terms only when
  // their 64-bit hashes agree (std::unordered_map spent most of a build in memcmp).
  // A slot also holds what the term has in the current document: an occurrence touches its
  // slot and the document's own small arrays, not the term's entry, which
  // finish_document() reaches once per term and document.
  struct Slot {
    uint64_t hash = 0;
    uint32_t entry = UINT32_MAX;  // index into entries_, UINT32_MAX if free
    uint32_t document = 0;        // docids_.size() when the term was last seen
    uint32_t local = 0;           // its index in locals_ in that document
    uint8_t kind = 0;             // kPositional | kRuns, or 0
  };
  static constexpr uint8_t kPositional = 1, kRuns = 2;
  // A term of the current document: its entry, wdf and (positional) occurrences.
  struct Local {
    uint32_t entry;
    uint32_t wdf;
  };
  // A term's slot, with its hash and key (hash_of) known.
  Slot& slot(std::string_view term, uint64_t h, uint64_t key, uint8_t kind);
  Slot& find_or_add(std::string_view term, uint64_t h, uint64_t key, uint8_t kind);
  // A term's hash, and its key if it is short enough to be packed (else 0).
  static uint64_t hash_of(std::string_view term, uint64_t& key);
  // Where the look-up of a term with this hash starts.
  const Slot* first_slot(std::string_view term, uint64_t h) const;
  // The term's index in locals_ from its slot, added on its first occurrence in the document.
  uint32_t local(Slot& s);
  // One call of the four public ones: add() of one addition.
  void add_one(const Addition& a) { add(std::span<const Addition>(&a, 1)); }
  void finish_document();

  static void grow(std::vector<Slot>& slots);
  std::vector<Slot> short_slots_ = std::vector<Slot>(1024);  // hash: mix(key), exact
  std::vector<Slot> slots_ = std::vector<Slot>(1024);
  std::vector<Entry> entries_;
  size_t long_terms_ = 0;  // entries in slots_
  std::vector<Local> locals_;
  // The current document's positional occurrences: (local << 32 | position), in the order
  // added; finish_document() groups them by term with a counting sort.
  std::vector<uint64_t> occurrences_;
  std::vector<uint32_t> starts_, grouped_;
  std::vector<uint32_t> docids_, lengths_;
  std::vector<uint64_t> batch_hashes_, batch_keys_;  // add()'s, reused
  bool length_from_terms_ = false;  // the current document's length is the sum of wdfs
};

}  // namespace speechdex::textstore
