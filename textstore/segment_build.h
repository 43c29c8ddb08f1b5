// Building blocks of segment files, shared by SegmentWriter and merge_segments; programs
// use those two.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace speechdex::textstore {

struct PostingBlocks;

/// One term's posting list, documents added in increasing order, in blocks of
/// kBlockDocuments. The list is its skip table (per block: last document, end of its
/// documents and, for a positional term, end of its positions; less what the reader works
/// out, head()), then every block's
/// documents, then every block's positions (as Lucene keeps .doc and .pos apart, so seeking
/// reads no positions). Per document: a varint of (docid delta << 1 | wdf == 1), the wdf if
/// it is not 1; per occurrence of a positional term, a varint position delta.
///
/// A list of runs (a title's or a heading's terms, the same on consecutive documents) holds
/// a run of consecutive documents with the same wdf and positions once: per run, the varint
/// of its first document's delta and wdf as above, then a varint of the run's length − 1;
/// its positions once. Its blocks close after kBlockDocuments runs; a block's last document
/// is its last run's last.
class PostingListBuilder {
 public:
  explicit PostingListBuilder(bool positional, bool runs = false)
      : positional_(positional), runs_(runs) {}
  /// Throws std::invalid_argument if `doc` does not increase, `wdf` is 0 for a
  /// positional term, or positions do not match the term's kind and wdf or do not increase.
  void add(uint32_t doc, uint32_t wdf, std::span<const uint32_t> positions);
  /// Appends a whole list of another segment as it is stored, every document id raised by
  /// `offset`: its blocks' bytes are copied, but for its first document's delta, and its
  /// blocks stay blocks (the last may hold fewer than kBlockDocuments documents, as the open
  /// one here is closed first). `df` is the list's document count. Throws
  /// std::invalid_argument if its first document does not come after this list's last, and
  /// std::runtime_error naming `path` if its first block is damaged.
  void append(const PostingBlocks& list, uint32_t df, uint32_t offset, const std::string& path);
  /// Writes the run being collected (a list of runs): call before reading the list.
  void finish();
  /// Asks for the cache lines the next add() writes to (a hint; no effect on the list).
  void prefetch() const {
    __builtin_prefetch(docs_.data() + docs_.size(), 1);
    __builtin_prefetch(positions_.data() + positions_.size(), 1);
  }
  uint32_t df() const { return df_; }
  uint32_t last_doc() const { return last_doc_; }
  bool positional() const { return positional_; }
  bool runs() const { return runs_; }
  /// The list as the postings section holds it: its skip table (head()), then docs(), then
  /// positions(); the dictionary holds its size. The skip table leaves out the last block's
  /// end of positions (and of documents, without positions), and for a list of one block
  /// the block's entry: Segment::blocks works them out.
  std::string head() const;
  const std::string& docs() const { return docs_; }
  const std::string& positions() const { return positions_; }

 private:
  struct Block {
    uint32_t last = 0, docs_end = 0, positions_end = 0;
  };
  std::string docs_, positions_;
  std::vector<Block> full_;  // closed blocks
  uint32_t df_ = 0, last_doc_ = 0;
  uint32_t open_ = 0;  // documents (runs) in the open block (after the closed ones)
  bool positional_;
  bool runs_;
  // The run being collected: its first document, length, wdf and positions (not yet in
  // docs_), and the last document written before it.
  uint32_t run_first_ = 0, run_length_ = 0, run_wdf_ = 0, written_last_ = 0;
  std::vector<uint32_t> run_positions_;
  // The open block as it stands: it ends at the last document written.
  Block open_block() const {
    return {written_last_, static_cast<uint32_t>(docs_.size()),
            static_cast<uint32_t>(positions_.size())};
  }
  void close_block() {
    full_.push_back(open_block());
    open_ = 0;
  }
  // Appends one document's or run's entry whose first document is `doc`.
  void put(uint32_t doc, uint32_t wdf, std::span<const uint32_t> positions, uint32_t last,
           const uint32_t* run_length);
};

/// A segment file being written: posting lists in term order go straight to a temporary
/// file; finish() adds the dictionary, document table and footer, syncs and renames it over
/// `path`. Destroyed unfinished, it removes the temporary file.
class SegmentFile {
 public:
  explicit SegmentFile(std::string path);
  ~SegmentFile();
  SegmentFile(const SegmentFile&) = delete;
  SegmentFile& operator=(const SegmentFile&) = delete;

  /// Appends a term's list; terms must come in increasing byte order, each with df > 0.
  void add_term(std::string_view name, const PostingListBuilder& list);
  /// Writes the rest; returns the file's size. Throws std::runtime_error naming the path.
  uint64_t finish(const std::vector<uint32_t>& docids, const std::vector<uint32_t>& lengths);

 private:
  void emit(std::string_view s);
  void flush();
  // Appends the checksum of the page being collected.
  void end_page();

  std::string path_, tmp_;
  int fd_ = -1;
  std::string buffer_;
  uint64_t postings_size_ = 0;
  uint64_t terms_ = 0;
  std::string dictionary_, dict_index_, prev_term_;
  bool finished_ = false;
  bool paging_ = false;  // emitted bytes are checksummed page by page
  std::string page_;     // the bytes of the current page
  std::string checksums_;
};

/// Syncs the folder holding `path`, so that a rename into it survives a crash. Throws
/// std::runtime_error naming the folder.
void sync_directory_of(const std::string& path);

}  // namespace speechdex::textstore
