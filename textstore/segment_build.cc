// Posting list encoding and the segment file writer.
#include "segment_build.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "segment.h"
#include "segment_format.h"
#include "segment_writer.h"
#include "varint.h"

namespace speechdex::textstore {

void PostingListBuilder::add(uint32_t doc, uint32_t wdf, std::span<const uint32_t> positions) {
  if (doc == 0 || (df_ > 0 && doc <= last_doc_)) {
    throw std::invalid_argument("segment: document ids of a term must increase (got " +
                                std::to_string(doc) + ")");
  }
  if (positional_ && (wdf == 0 || positions.size() != wdf)) {
    throw std::invalid_argument("segment: a positional term needs one position per occurrence");
  }
  if (!positional_ && !positions.empty()) {
    throw std::invalid_argument("segment: positions for a term without positions");
  }
  for (size_t i = 1; i < positions.size(); ++i) {
    if (positions[i] <= positions[i - 1]) {
      throw std::invalid_argument("segment: positions must increase");
    }
  }
  if (runs_) {
    // The next document of the run, alike: only the run grows.
    if (run_length_ > 0 && doc == last_doc_ + 1 && wdf == run_wdf_ &&
        std::equal(positions.begin(), positions.end(), run_positions_.begin(),
                   run_positions_.end())) {
      ++run_length_;
    } else {
      finish();
      run_first_ = doc;
      run_length_ = 1;
      run_wdf_ = wdf;
      run_positions_.assign(positions.begin(), positions.end());
    }
  } else {
    put(doc, wdf, positions, doc, nullptr);
  }
  last_doc_ = doc;
  ++df_;
}

void PostingListBuilder::finish() {
  if (!runs_ || run_length_ == 0) return;
  const uint32_t extra = run_length_ - 1;
  put(run_first_, run_wdf_, run_positions_, run_first_ + extra, &extra);
  run_length_ = 0;
}

void PostingListBuilder::put(uint32_t doc, uint32_t wdf, std::span<const uint32_t> positions,
                             uint32_t last, const uint32_t* run_length) {
  // A block's first document is a delta from the last document of the block before. Its
  // low bit says the wdf is 1, the common case, which then takes no byte of its own (as
  // Lucene's postings do).
  put_varint(docs_, (static_cast<uint64_t>(doc - written_last_) << 1) | (wdf == 1 ? 1 : 0));
  if (wdf != 1) put_varint(docs_, wdf);
  if (run_length) put_varint(docs_, *run_length);
  uint32_t prev = 0;
  for (uint32_t position : positions) {
    put_varint(positions_, position - prev);
    prev = position;
  }
  written_last_ = last;
  if (++open_ == kBlockDocuments) close_block();
}

void PostingListBuilder::append(const PostingBlocks& list, uint32_t df, uint32_t offset,
                                const std::string& path) {
  if (list.blocks.empty() || df == 0) return;
  finish();
  if (open_ > 0) close_block();
  // The first document's delta was from 0; the others are from documents of the same list,
  // which the offset moves alike.
  const uint8_t* p = list.docs;
  const uint8_t* first_end = list.docs + list.blocks.front().docs_end;
  const uint64_t v = get_varint(p);
  if (p > first_end || (v >> 1) == 0 || (v >> 1) > UINT32_MAX - uint64_t{offset}) {
    throw std::runtime_error(path + ": corrupt text segment (block)");
  }
  const auto first = static_cast<uint32_t>((v >> 1) + offset);
  if (df_ > 0 && first <= last_doc_) {
    throw std::invalid_argument("segment: document ids of a term must increase (got " +
                                std::to_string(first) + ")");
  }
  const auto docs_base = static_cast<uint32_t>(docs_.size());
  const auto positions_base = static_cast<uint32_t>(positions_.size());
  put_varint(docs_, (static_cast<uint64_t>(first - written_last_) << 1) | (v & 1));
  // The rest of the documents, then the positions, as they are; block ends move by the
  // first delta's change of size.
  const auto old_first = static_cast<uint32_t>(p - list.docs);
  const auto new_first = static_cast<uint32_t>(docs_.size()) - docs_base;
  const uint8_t* docs_end = list.docs + list.blocks.back().docs_end;
  docs_.append(reinterpret_cast<const char*>(p), static_cast<size_t>(docs_end - p));
  positions_.append(reinterpret_cast<const char*>(list.positions),
                    list.blocks.back().positions_end);
  for (const PostingBlocks::Block& b : list.blocks) {
    full_.push_back({b.last + offset, docs_base + new_first + (b.docs_end - old_first),
                     positions_base + b.positions_end});
  }
  last_doc_ = written_last_ = list.blocks.back().last + offset;
  df_ += df;
}

std::string PostingListBuilder::head() const {
  if (run_length_ > 0) throw std::logic_error("segment: a list of runs read before finish()");
  // The skip table leaves out what the reader can work out (Segment::blocks): the last
  // block's end of positions (the list's size, from the dictionary, gives it), and for a
  // list of one block, the one block's entry: its df documents are read to find it. Most
  // terms of a large vocabulary have a few documents, so this is most of their list.
  std::string skip;
  const bool partial = open_ > 0;
  const size_t n = full_.size() + (partial ? 1 : 0);
  put_varint(skip, n);
  Block prev;
  for (size_t i = 0; n > 1 && i < n; ++i) {
    const Block& b = i < full_.size() ? full_[i] : open_block();
    const bool last = i + 1 == n;
    put_varint(skip, b.last - prev.last);
    if (!last || positional_) put_varint(skip, b.docs_end - prev.docs_end);
    if (!last && positional_) put_varint(skip, b.positions_end - prev.positions_end);
    prev = b;
  }
  return skip;
}

SegmentFile::SegmentFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp") {
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(tmp_ + ": cannot create: " + std::strerror(errno));
  emit(std::string(kHeaderBytes, '\0'));  // the real header once the footer's place is known
  paging_ = true;                         // every byte from here to the checksums
}

SegmentFile::~SegmentFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!finished_) std::remove(tmp_.c_str());
}

void SegmentFile::flush() {
  std::string_view data = buffer_;
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(tmp_ + ": cannot write: " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  buffer_.clear();
}

void SegmentFile::emit(std::string_view s) {
  buffer_ += s;
  for (std::string_view rest = s; paging_ && !rest.empty();) {
    const size_t take = std::min<size_t>(kPageBytes - page_.size(), rest.size());
    page_.append(rest.substr(0, take));
    rest.remove_prefix(take);
    if (page_.size() == kPageBytes) end_page();
  }
  if (buffer_.size() >= (1u << 20)) flush();
}

void SegmentFile::end_page() {
  put_fixed64(checksums_, page_hash(page_.data(), page_.size()));
  page_.clear();
}

void SegmentFile::add_term(std::string_view name, const PostingListBuilder& list) {
  if (list.df() == 0) throw std::invalid_argument("segment: a term with no documents");
  if (terms_ > 0 && name <= std::string_view(prev_term_)) {
    throw std::invalid_argument("segment: terms out of order: " + std::string(name));
  }
  // The dictionary: blocks of kDictionaryBlockTerms entries, each term prefix-compressed
  // against the one before; the index holds each block's first term.
  if (terms_ % kDictionaryBlockTerms == 0) {
    put_varint(dict_index_, dictionary_.size());
    put_varint(dict_index_, postings_size_);
    put_varint(dict_index_, name.size());
    dict_index_ += name;
    prev_term_.clear();
  }
  size_t shared = 0;
  while (shared < prev_term_.size() && shared < name.size() && prev_term_[shared] == name[shared]) {
    ++shared;
  }
  // The bytes shared with the term before and the length of the rest, in a byte as two
  // nibbles when both are under 15 (a bigram after a bigram of the same first character:
  // 3 and 3); else the byte 0xFF, then both as varints.
  const size_t rest = name.size() - shared;
  if (shared < 15 && rest < 15) {
    dictionary_.push_back(static_cast<char>(shared << 4 | rest));
  } else {
    dictionary_.push_back('\xFF');
    put_varint(dictionary_, shared);
    put_varint(dictionary_, rest);
  }
  dictionary_.append(name.substr(shared));
  // The df shifted left twice; bit 0: positions; bit 1: runs. Then the list's size: a list
  // starts where the one before it ends (the first of a block where the index says).
  put_varint(dictionary_,
             (uint64_t{list.df()} << 2) | (list.positional() ? 1 : 0) | (list.runs() ? 2 : 0));
  const std::string head = list.head();
  const uint64_t size = head.size() + list.docs().size() + list.positions().size();
  put_varint(dictionary_, size);
  prev_term_ = name;
  ++terms_;
  emit(head);
  emit(list.docs());
  emit(list.positions());
  postings_size_ += size;
}

uint64_t SegmentFile::finish(const std::vector<uint32_t>& docids,
                             const std::vector<uint32_t>& lengths) {
  std::string documents;
  uint32_t prev_doc = 0;
  uint64_t total_length = 0;
  for (size_t i = 0; i < docids.size(); ++i) {
    if (docids[i] <= prev_doc) throw std::invalid_argument("segment: document ids must increase");
    put_varint(documents, docids[i] - prev_doc);
    put_varint(documents, lengths[i]);
    prev_doc = docids[i];
    total_length += lengths[i];
  }
  SegmentFooter f;
  f.documents = docids.size();
  f.terms = terms_;
  f.total_length = total_length;
  uint64_t at = kHeaderBytes;
  f.postings = {at, postings_size_};
  at += postings_size_;
  f.dictionary = {at, dictionary_.size()};
  at += dictionary_.size();
  f.dictionary_index = {at, dict_index_.size()};
  at += dict_index_.size();
  f.document_table = {at, documents.size()};
  at += documents.size();
  emit(dictionary_);
  emit(dict_index_);
  emit(documents);
  if (!page_.empty()) end_page();
  paging_ = false;
  f.checksums = {at, checksums_.size()};
  at += checksums_.size();
  const std::string footer = encode_footer(f);
  const std::string header = encode_header(at);
  emit(checksums_);
  emit(footer);
  std::string hash;
  put_fixed64(hash, footer_hash(header, checksums_, footer));
  emit(hash);
  emit(std::string(kPaddingBytes, '\0'));
  flush();
  if (::pwrite(fd_, header.data(), header.size(), 0) != static_cast<ssize_t>(header.size())) {
    throw std::runtime_error(tmp_ + ": cannot write: " + std::strerror(errno));
  }
  if (::fsync(fd_) != 0) throw std::runtime_error(tmp_ + ": cannot sync: " + std::strerror(errno));
  ::close(fd_);
  fd_ = -1;
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    throw std::runtime_error(path_ + ": cannot rename into place: " + std::strerror(errno));
  }
  sync_directory_of(path_);
  finished_ = true;
  return at + footer.size() + kFooterHashBytes + kPaddingBytes;
}

void sync_directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(dir + ": cannot open: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error(dir + ": cannot sync: " + std::strerror(err));
}

}  // namespace speechdex::textstore
