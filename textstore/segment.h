// Reading one segment of the text store: its dictionary, document table and posting lists,
// through a read-only memory mapping.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "segment_format.h"
#include "varint.h"

namespace speechdex::textstore {

/// A term's entry in a segment's dictionary.
struct TermInfo {
  uint32_t df = 0;          ///< documents of this segment holding the term
  bool positional = false;  ///< its postings carry positions
  bool runs = false;        ///< its postings are runs of documents (PostingListBuilder)
  uint64_t offset = 0;      ///< of its posting list in the postings section
  uint64_t size = 0;        ///< of its posting list (format 06; before, the list says)
};

/// A term's posting list as its segment stores it: per block, its last document and where
/// its documents and its positions end (from `docs` and `positions`), then the bytes.
struct PostingBlocks {
  struct Block {
    uint32_t last = 0;           // its last document
    uint32_t docs_end = 0;       // offset of its documents' end from docs
    uint32_t positions_end = 0;  // offset of its positions' end from positions
  };
  std::vector<Block> blocks;
  const uint8_t* docs = nullptr;       // the first block's documents
  const uint8_t* positions = nullptr;  // the first block's positions (after every document)
};

class Segment {
 public:
  /// Maps the segment file at `path`; throws std::runtime_error naming the path if it cannot
  /// be read or is not a whole segment of this format.
  static std::shared_ptr<const Segment> open(const std::string& path);
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  const std::string& path() const { return path_; }
  uint64_t documents() const { return docids_.size(); }
  uint64_t terms() const { return footer_.terms; }
  uint64_t total_length() const { return footer_.total_length; }
  /// Document ids in increasing order.
  const std::vector<uint32_t>& docids() const { return docids_; }
  /// The length of a document of this segment (0 if it is not one).
  uint32_t length(uint32_t docid) const {
    // Dense (consecutive ids, as every segment the indexer writes): an index, inline, as
    // BM25 asks for every match of every term.
    const uint32_t i = docid - dense_first_;
    return i < dense_count_ ? lengths_[i] : sparse_length(docid);
  }

  std::optional<TermInfo> find(std::string_view term) const;

  /// The bytes of a term's posting list (skip table and blocks), checked to lie inside the
  /// postings section; throws std::runtime_error if they do not.
  std::span<const uint8_t> posting_list(const TermInfo& t) const;
  /// The list's skip table read and checked against its bytes; throws std::runtime_error
  /// naming the segment if they disagree.
  PostingBlocks blocks(const TermInfo& t) const;

  /// Checks the checksums of the pages holding bytes [begin, end) of the file the first
  /// time any of them is read in this process; throws std::runtime_error naming the file
  /// and the damaged bytes. Every read of the segment goes through it: open() for the
  /// dictionary index and document table, find() and TermIterator for the dictionary,
  /// posting_list() for postings.
  void verify(uint64_t begin, uint64_t end) const;
  /// Verifies every page (speechdex-index --check).
  void verify_all() const;

  /// Tells the kernel the mapping up to `end` will not be read again soon: the pages from
  /// the one holding `begin` to the last that ends by `end` leave this process's resident
  /// set (they stay in the page cache). A merge, reading each segment's postings in order,
  /// calls it after each list, so merging many segments does not keep them all resident.
  void release(const uint8_t* begin, const uint8_t* end) const;

  /// Walks the dictionary in term order.
  class TermIterator {
   public:
    explicit TermIterator(const Segment& s);
    bool valid() const { return valid_; }
    const std::string& name() const { return name_; }
    const TermInfo& info() const { return info_; }
    void next();

   private:
    const Segment& segment_;
    size_t block_ = 0;
    const uint8_t* p_ = nullptr;
    const uint8_t* end_ = nullptr;
    std::string name_;
    TermInfo info_;
    uint64_t postings_ = 0;  // where the next entry's list starts (format 06)
    uint32_t in_block_ = 0;  // entries read from this block
    bool valid_ = false;
  };

 private:
  Segment(std::string path, const uint8_t* data, uint64_t size);
  // Decodes the dictionary entry at p (within [p, end)) after `name`, whose list starts at
  // `postings` (format 06: moved on to the next list's start); throws if damaged.
  TermInfo read_entry(const uint8_t*& p, const uint8_t* end, std::string& name,
                      uint64_t& postings) const;
  // The bytes of dictionary block i.
  std::pair<const uint8_t*, const uint8_t*> dictionary_block(size_t i) const;
  std::string path_;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  SegmentFooter footer_;
  // Per page of checksummed bytes: 1 once verified.
  mutable std::unique_ptr<std::atomic<uint8_t>[]> verified_;
  uint64_t pages_ = 0;
  struct DictionaryBlock {
    std::string_view first;  // its first term
    uint64_t offset = 0;     // in the dictionary
    uint64_t postings = 0;   // its first term's list, in the postings (format 06)
  };
  std::vector<DictionaryBlock> dict_index_;
  std::vector<uint32_t> docids_, lengths_;
  // If docids_ are consecutive, the first and how many (a docid's index is docid - first);
  // else 0 and 0.
  uint32_t dense_first_ = 0, dense_count_ = 0;
  uint32_t sparse_length(uint32_t docid) const;
};

/// Opens the segments `names` of the folder `dir`, in order; throws std::runtime_error naming
/// the first that cannot be opened.
std::vector<std::shared_ptr<const Segment>> open_segments(const std::string& dir,
                                                          const std::vector<std::string>& names);

/// Walks one term's posting list in a segment in document order. Document ids are
/// PostingCursor::kEnd once past the last.
class PostingCursor {
 public:
  static constexpr uint32_t kEnd = UINT32_MAX;

  PostingCursor(const Segment& segment, const TermInfo& term);

  uint32_t doc() const { return doc_; }
  uint32_t wdf() const { return wdf_; }
  bool positional() const { return positional_; }
  /// The current document's positions, increasing (empty for a term without positions).
  /// Not for a document whose positions were read with next_position().
  std::span<const uint32_t> positions();

  /// Reads the current document's next position into position(); false once past its last
  /// (at once for a term without positions). Positions are decoded only as far as they are
  /// read: a phrase that fails early leaves the rest undecoded.
  bool next_position() {
    if (left_ == 0 || !positional_) return false;
    if (pending_ != 0) skip_pending();
    // Gaps from 0 within each document: the first read starts over.
    position_ = (left_ == wdf_ ? 0 : position_) + static_cast<uint32_t>(get_varint(pos_));
    if (pos_ > pos_end_) overrun();
    --left_;
    return true;
  }
  /// Reads on to the current document's first position >= want, if there is one.
  bool next_position_from(uint32_t want) {
    if (left_ == wdf_ && !next_position()) return false;  // none read yet
    while (position_ < want) {
      if (!next_position()) return false;
    }
    return true;
  }
  /// The position last read by next_position().
  uint32_t position() const { return position_; }

  void next();
  /// Moves to the first document >= target (no move if already there).
  void seek(uint32_t target);

 private:
  // The current document's positions read again from its run's first (a list of runs).
  void restart_run();
  void seek_runs(uint32_t target);
  // Enters the first block whose last document is >= target, unless this one is; false (and
  // doc() kEnd) if there is none.
  bool to_block_of(uint32_t target);
  using Block = PostingBlocks::Block;
  void enter(size_t block);
  // Moves pos_ over the pending_ positions before the current document's unread ones.
  void skip_pending();
  [[noreturn]] void overrun() const;
  // Reads the posting at p, whose document id is a delta from doc_.
  void read(const uint8_t* p);
  // Makes (doc, wdf) the current posting, the next one's bytes at `next`.
  void set(const uint8_t* next, uint32_t doc, uint32_t wdf);

  const std::string* path_;                  // the segment's, for errors
  const uint8_t* data_ = nullptr;            // the first block's documents
  const uint8_t* positions_data_ = nullptr;  // the first block's positions
  std::vector<Block> blocks_;
  size_t block_ = 0;
  const uint8_t* p_ = nullptr;  // the next posting in this block
  const uint8_t* block_end_ = nullptr;
  // Positions are read only when asked for: the current document's unread ones, left_ of
  // them, start pending_ positions after pos_, in a block whose positions end at pos_end_.
  // Moving to another document adds left_ to pending_: so a document read through leaves
  // nothing to skip. (A term without positions counts them all the same, unread.)
  const uint8_t* pos_ = nullptr;
  const uint8_t* pos_end_ = nullptr;
  uint64_t pending_ = 0;
  uint32_t left_ = 0;
  uint32_t position_ = 0;  // the last read (of this document once one is: left_ < wdf_)
  uint32_t doc_ = kEnd, wdf_ = 0;
  bool positional_ = false;
  // A list of runs: the current document is one of a run of documents with the same wdf and
  // positions, run_left_ more after it, whose positions start at run_pos_ (found once the
  // run is entered).
  bool runs_ = false;
  uint32_t df_ = 0;
  uint32_t run_steps_ = 0;  // documents next() reached inside runs (fewer than the df)
  uint32_t run_left_ = 0;
  const uint8_t* run_pos_ = nullptr;
  uint32_t decoded_doc_ = kEnd;              // the document decoded_positions_ holds
  std::vector<uint32_t> decoded_positions_;  // its positions: the first wdf_
};

}  // namespace speechdex::textstore
