// Writing one segment of the text store: the postings of a run of documents, every term's
// list with its positions inline. Layout in docs/text-store.md.
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

/// Collects documents in memory and writes them as one segment file.
class SegmentWriter {
 public:
  /// Starts a document. Document ids must increase and be non-zero; `length` is the
  /// document's length for BM25 (its number of units). Throws std::invalid_argument if
  /// `docid` is not above the previous one.
  void add_document(uint32_t docid, uint32_t length);
  /// A term of the current document without positions, occurring `wdf` times (0 for a
  /// boolean term, which then adds nothing to a score).
  void add_term(std::string_view term, uint32_t wdf);
  /// A term of the current document at `positions`, which must increase (wdf = their
  /// number, > 0).
  void add_positional_term(std::string_view term, std::span<const uint32_t> positions);
  // A term must be added once per document, and always with or always without positions.

  size_t documents() const { return docids_.size(); }
  size_t terms() const { return entries_.size(); }

  /// Writes the segment to `path`: to a temporary file beside it, synced, then renamed over
  /// `path`, so a crash leaves either no file or a whole one. Returns its size in bytes.
  /// Throws std::runtime_error naming the path if it cannot be written.
  uint64_t write(const std::string& path) const;

 private:
  PostingListBuilder& term(std::string_view term, bool positional);
  void grow();

  // Terms by hash, open addressing with linear probing: a look-up compares full terms only
  // when their 64-bit hashes agree (std::unordered_map spent most of a build in memcmp).
  struct Slot {
    uint64_t hash = 0;
    uint32_t entry = UINT32_MAX;  // index into entries_, UINT32_MAX if free
  };
  std::vector<Slot> slots_ = std::vector<Slot>(1024);
  std::vector<std::pair<std::string, PostingListBuilder>> entries_;
  std::vector<uint32_t> docids_, lengths_;
};

}  // namespace speechdex::textstore
