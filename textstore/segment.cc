// Segment reader: mmap, dictionary look-up by block, posting cursors with block skips.
#include "segment.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <tuple>

#include "segment_writer.h"
#include "varint.h"

namespace speechdex::textstore {

namespace {

// The error for damage found in `part` of the segment at `path`.
std::runtime_error corrupt(const std::string& path, const char* part) {
  return std::runtime_error(path + ": corrupt text segment (" + part + ")");
}

}  // namespace

std::shared_ptr<const Segment> Segment::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw std::runtime_error(path + ": cannot stat: " + std::strerror(errno));
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  void* map = size == 0 ? MAP_FAILED : ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) {
    if (size == 0) throw std::runtime_error(path + ": not a speechdex text segment (empty)");
    throw std::runtime_error(path + ": cannot map: " + std::strerror(errno));
  }
  try {
    return std::shared_ptr<const Segment>(
        new Segment(path, static_cast<const uint8_t*>(map), size));
  } catch (...) {
    ::munmap(map, size);
    throw;
  }
}

std::vector<std::shared_ptr<const Segment>> open_segments(const std::string& dir,
                                                          const std::vector<std::string>& names) {
  std::vector<std::shared_ptr<const Segment>> out;
  for (const std::string& name : names) out.push_back(Segment::open(dir + "/" + name));
  return out;
}

Segment::Segment(std::string path, const uint8_t* data, uint64_t size)
    : path_(std::move(path)), data_(data), size_(size), footer_(decode_frame(data, size, path_)) {
  pages_ = (footer_.checksums.offset - kHeaderBytes + kPageBytes - 1) / kPageBytes;
  verified_ = std::make_unique<std::atomic<uint8_t>[]>(pages_);
  verify(footer_.dictionary_index.offset,
         footer_.document_table.offset + footer_.document_table.size);
  // Dictionary index: (offset, term) per block of terms.
  const uint8_t* p = data_ + footer_.dictionary_index.offset;
  const uint8_t* end = p + footer_.dictionary_index.size;
  while (p < end) {
    DictionaryBlock b;
    b.offset = get_varint(p);
    if (footer_.format >= 6) b.postings = get_varint(p);
    const uint64_t n = get_varint(p);
    if (n > static_cast<uint64_t>(end - p) || b.offset >= footer_.dictionary.size ||
        b.postings > footer_.postings.size) {
      throw corrupt(path_, "dictionary index");
    }
    b.first = std::string_view(reinterpret_cast<const char*>(p), n);
    dict_index_.push_back(b);
    p += n;
  }
  // Document table: docid deltas and lengths.
  p = data_ + footer_.document_table.offset;
  end = p + footer_.document_table.size;
  // A document takes two bytes at least: a damaged count must not size the reservation
  // (2^40 threw std::bad_alloc, not the error about a damaged segment).
  if (footer_.documents > footer_.document_table.size / 2) throw corrupt(path_, "document table");
  docids_.reserve(footer_.documents);
  lengths_.reserve(footer_.documents);
  uint64_t doc = 0;
  while (p < end) {
    doc += get_varint(p);
    if (doc > UINT32_MAX - 1 || (!docids_.empty() && doc <= docids_.back()))
      throw corrupt(path_, "document table");
    docids_.push_back(static_cast<uint32_t>(doc));
    lengths_.push_back(static_cast<uint32_t>(get_varint(p)));
  }
  if (p != end || docids_.size() != footer_.documents) throw corrupt(path_, "document table");
  if (!docids_.empty() && docids_.back() - docids_.front() + 1 == docids_.size()) {
    dense_first_ = docids_.front();
    dense_count_ = static_cast<uint32_t>(docids_.size());
  }
}

Segment::~Segment() { ::munmap(const_cast<uint8_t*>(data_), size_); }

void Segment::verify(uint64_t begin, uint64_t end) const {
  if (!kVerifyChecksums || begin >= end) return;
  const uint64_t limit = footer_.checksums.offset;
  if (begin < kHeaderBytes || end > limit) throw corrupt(path_, "read out of bounds");
  const uint64_t first = (begin - kHeaderBytes) / kPageBytes;
  const uint64_t last = (end - 1 - kHeaderBytes) / kPageBytes;
  for (uint64_t page = first; page <= last; ++page) {
    if (verified_[page].load(std::memory_order_relaxed) != 0) continue;
    const uint64_t from = kHeaderBytes + page * kPageBytes;
    const uint64_t to = std::min(from + kPageBytes, limit);
    if (page_hash(data_ + from, to - from) !=
        get_fixed64(data_ + footer_.checksums.offset + 8 * page)) {
      throw std::runtime_error(path_ + ": corrupt text segment (checksum of bytes " +
                               std::to_string(from) + "-" + std::to_string(to) +
                               " does not match)");
    }
    verified_[page].store(1, std::memory_order_relaxed);
  }
}

void Segment::verify_all() const {
  if (pages_ > 0) verify(kHeaderBytes, footer_.checksums.offset);
}

uint32_t Segment::sparse_length(uint32_t docid) const {
  const auto it = std::lower_bound(docids_.begin(), docids_.end(), docid);
  return it != docids_.end() && *it == docid ? lengths_[static_cast<size_t>(it - docids_.begin())]
                                             : 0;
}

std::pair<const uint8_t*, const uint8_t*> Segment::dictionary_block(size_t i) const {
  const uint8_t* base = data_ + footer_.dictionary.offset;
  const uint64_t end =
      i + 1 == dict_index_.size() ? footer_.dictionary.size : dict_index_[i + 1].offset;
  if (end < dict_index_[i].offset || end > footer_.dictionary.size) {
    throw corrupt(path_, "dictionary index");
  }
  verify(footer_.dictionary.offset + dict_index_[i].offset, footer_.dictionary.offset + end);
  return {base + dict_index_[i].offset, base + end};
}

TermInfo Segment::read_entry(const uint8_t*& p, const uint8_t* end, std::string& name,
                             uint64_t& postings) const {
  uint64_t shared = 0, n = 0;
  if (footer_.format >= 6 && p < end && *p != 0xFF) {
    shared = *p >> 4;
    n = *p++ & 0x0F;
  } else {
    if (footer_.format >= 6) ++p;
    shared = get_varint(p);
    n = get_varint(p);
  }
  if (shared > name.size() || p > end || n > static_cast<uint64_t>(end - p)) {
    throw corrupt(path_, "dictionary");
  }
  name.resize(shared);
  name.append(reinterpret_cast<const char*>(p), n);
  p += n;
  TermInfo t;
  if (footer_.format >= 6) {
    const uint64_t v = get_varint(p);
    t.size = get_varint(p);
    // A term is in at most every document of the segment.
    if ((v >> 2) == 0 || (v >> 2) > footer_.documents || t.size == 0 ||
        t.size > footer_.postings.size - postings) {
      throw corrupt(path_, "dictionary");
    }
    t.df = static_cast<uint32_t>(v >> 2);
    t.positional = (v & 1) != 0;
    t.runs = (v & 2) != 0;
    t.offset = postings;
    postings += t.size;
    return t;
  }
  const uint64_t df = get_varint(p);
  if (df > footer_.documents || *p > 3) throw corrupt(path_, "dictionary");
  t.df = static_cast<uint32_t>(df);
  t.positional = (*p & 1) != 0;
  t.runs = (*p++ & 2) != 0;
  t.offset = get_varint(p);
  return t;
}

std::optional<TermInfo> Segment::find(std::string_view term) const {
  // The last block whose first term is <= term.
  auto it = std::upper_bound(dict_index_.begin(), dict_index_.end(), term,
                             [](std::string_view t, const auto& e) { return t < e.first; });
  if (it == dict_index_.begin()) return std::nullopt;
  const size_t block = static_cast<size_t>(it - dict_index_.begin()) - 1;
  auto [p, end] = dictionary_block(block);
  std::string name;
  uint64_t postings = dict_index_[block].postings;
  for (uint32_t i = 0; p < end; ++i) {
    // A block holds at most kDictionaryBlockTerms: a damaged index must not make every
    // look-up read the whole dictionary (a walk of it, quadratic).
    if (i == kDictionaryBlockTerms) throw corrupt(path_, "dictionary index");
    const TermInfo t = read_entry(p, end, name, postings);
    if (name == term) return t;
    if (std::string_view(name) > term) return std::nullopt;
  }
  return std::nullopt;
}

void Segment::release(const uint8_t* begin, const uint8_t* end) const {
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t from = std::max(reinterpret_cast<uintptr_t>(begin) / page * page,
                                  reinterpret_cast<uintptr_t>(data_));  // data_ is aligned
  const uintptr_t to = reinterpret_cast<uintptr_t>(end) / page * page;
  if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
}

Segment::TermIterator::TermIterator(const Segment& s) : segment_(s) {
  if (s.dict_index_.empty()) return;
  std::tie(p_, end_) = s.dictionary_block(0);
  postings_ = s.dict_index_[0].postings;
  next();
}

void Segment::TermIterator::next() {
  while (p_ >= end_) {
    if (++block_ >= segment_.dict_index_.size()) {
      valid_ = false;
      return;
    }
    std::tie(p_, end_) = segment_.dictionary_block(block_);
    postings_ = segment_.dict_index_[block_].postings;
    name_.clear();
    in_block_ = 0;
  }
  // As in find(): a block of more entries than a writer puts there is damage.
  if (in_block_++ == kDictionaryBlockTerms) throw corrupt(segment_.path_, "dictionary index");
  info_ = segment_.read_entry(p_, end_, name_, postings_);
  valid_ = true;
}

std::span<const uint8_t> Segment::posting_list(const TermInfo& t) const {
  const uint64_t section = footer_.postings.size;
  if (t.offset >= section) throw corrupt(path_, "postings");
  if (footer_.format >= 6) {
    if (t.size > section - t.offset) throw corrupt(path_, "postings");
    const uint64_t start = footer_.postings.offset + t.offset;
    verify(start, start + t.size);
    return {data_ + start, static_cast<size_t>(t.size)};
  }
  const uint64_t start = footer_.postings.offset + t.offset;
  // The length's varint (at most 10 bytes) first, then the list it gives.
  verify(start, std::min(start + 10, footer_.postings.offset + section));
  const uint8_t* p = data_ + start;
  const uint64_t n = get_varint(p);
  const uint64_t used = static_cast<uint64_t>(p - (data_ + footer_.postings.offset));
  if (n > section - used) throw corrupt(path_, "postings");
  verify(start, footer_.postings.offset + used + n);
  return {p, static_cast<size_t>(n)};
}

PostingBlocks Segment::blocks(const TermInfo& term) const {
  const std::span<const uint8_t> list = posting_list(term);
  const uint8_t* p = list.data();
  const uint8_t* const list_end = list.data() + list.size();
  const uint64_t nblocks = get_varint(p);
  if (nblocks > list.size() || (footer_.format >= 6 && nblocks == 0)) {
    throw corrupt(path_, "skips");
  }
  PostingBlocks out;
  out.blocks.resize(nblocks);
  uint64_t doc = 0, docs_end = 0, positions_end = 0;
  // Format 06 leaves out the last block's end of positions, and for one block its whole
  // entry (PostingListBuilder::head): both are worked out below.
  const bool whole = footer_.format < 6;
  for (size_t i = 0; (whole || nblocks > 1) && i < nblocks; ++i) {
    const bool last = !whole && i + 1 == nblocks;
    doc += get_varint(p);
    if (!last || term.positional) docs_end += get_varint(p);
    if (!last && term.positional) positions_end += get_varint(p);
    out.blocks[i] = {static_cast<uint32_t>(doc), static_cast<uint32_t>(docs_end),
                     static_cast<uint32_t>(positions_end)};
  }
  if (p > list_end) throw corrupt(path_, "skips");
  const auto room = static_cast<uint64_t>(list_end - p);
  if (!whole) {
    PostingBlocks::Block& b = out.blocks.back();
    if (nblocks == 1) {
      // The one block holds the list's df documents (a list of runs: runs whose lengths
      // add up to the df): read them for its last document and where they end.
      const uint8_t* q = p;
      uint64_t seen = 0;
      while (seen < term.df) {
        const uint64_t v = get_varint(q);
        if ((v >> 1) == 0) throw corrupt(path_, "postings");
        doc += v >> 1;
        if ((v & 1) == 0) get_varint(q);
        if (term.runs) {
          const uint64_t extra = get_varint(q);
          doc += extra;
          seen += extra;
        }
        ++seen;
        if (q > list_end || doc > UINT32_MAX - 1) throw corrupt(path_, "postings");
      }
      if (seen != term.df) throw corrupt(path_, "postings");
      b.last = static_cast<uint32_t>(doc);
      docs_end = static_cast<uint64_t>(q - p);
      b.docs_end = static_cast<uint32_t>(docs_end);
    } else if (!term.positional) {
      if (docs_end > room) throw corrupt(path_, "skips");  // the blocks before end no later
      docs_end = room;
      b.docs_end = static_cast<uint32_t>(room);
    }
    if (docs_end > room || (!term.positional && docs_end != room) || room > UINT32_MAX) {
      throw corrupt(path_, "skips");
    }
    if (term.positional) {
      // The blocks before end no later.
      if (room - docs_end < positions_end) throw corrupt(path_, "skips");
      positions_end = room - docs_end;
      b.positions_end = static_cast<uint32_t>(positions_end);
    }
  }
  // The ends only grow, so the last ones bound them all.
  if (docs_end + positions_end != room || doc > UINT32_MAX - 1) throw corrupt(path_, "skips");
  out.docs = p;
  out.positions = p + docs_end;
  return out;
}

PostingCursor::PostingCursor(const Segment& segment, const TermInfo& term)
    : path_(&segment.path()), positional_(term.positional), runs_(term.runs), df_(term.df) {
  PostingBlocks list = segment.blocks(term);
  blocks_ = std::move(list.blocks);
  data_ = list.docs;
  positions_data_ = list.positions;
  enter(0);
}

void PostingCursor::skip_pending() {
  // Each position takes at least a byte, so a count beyond the bytes left can only come
  // from a damaged file.
  const uint8_t* q = skip_varints(pos_, pending_, pos_end_);
  if (q == nullptr || left_ > static_cast<uint64_t>(pos_end_ - q)) overrun();
  pos_ = q;
  pending_ = 0;
}

void PostingCursor::overrun() const { throw corrupt(*path_, "positions"); }

std::span<const uint32_t> PostingCursor::positions() {
  if (!positional_) return {};
  if (decoded_doc_ != doc_) {
    if (left_ != wdf_) throw std::logic_error("positions() after next_position()");
    // Checks the wdf against the bytes left before allocating for it: a damaged wdf of 2^31
    // made a merge or a fuzzer allocate 8 GB.
    skip_pending();
    if (decoded_positions_.size() < wdf_) decoded_positions_.resize(wdf_);
    uint32_t* out = decoded_positions_.data();
    while (next_position()) *out++ = position_;
    decoded_doc_ = doc_;
  }
  return {decoded_positions_.data(), wdf_};
}

void PostingCursor::restart_run() {
  pos_ = run_pos_;
  pending_ = 0;
  left_ = wdf_;
}

void PostingCursor::next() {
  if (doc_ == kEnd) return;
  if (run_left_ > 0) {
    // A run's documents cost no bytes: only the df bounds how many a damaged run length
    // can make next() walk (4 billion, else).
    if (++run_steps_ >= df_) throw corrupt(*path_, "block");
    --run_left_;
    ++doc_;
    restart_run();
    return;
  }
  pending_ += left_;
  if (p_ >= block_end_) {
    enter(block_ + 1);
  } else {
    read(p_);
  }
}

bool PostingCursor::to_block_of(uint32_t target) {
  if (blocks_[block_].last >= target) return true;
  const auto it =
      std::lower_bound(blocks_.begin() + static_cast<std::ptrdiff_t>(block_) + 1, blocks_.end(),
                       target, [](const Block& b, uint32_t d) { return b.last < d; });
  if (it == blocks_.end()) {
    doc_ = kEnd;
    return false;
  }
  enter(static_cast<size_t>(it - blocks_.begin()));
  return true;
}

void PostingCursor::seek_runs(uint32_t target) {
  if (!to_block_of(target)) return;
  // The target is in this block: run by run to the one that holds it or comes after it.
  while (doc_ < target) {
    if (target - doc_ <= run_left_) {
      run_left_ -= target - doc_;
      doc_ = target;
      restart_run();
      return;
    }
    // The next run's first document is a delta from this run's last.
    pending_ += left_;
    doc_ += run_left_;
    run_left_ = 0;
    if (p_ >= block_end_) throw corrupt(*path_, "block");
    read(p_);
  }
}

void PostingCursor::seek(uint32_t target) {
  if (doc_ >= target) return;
  if (runs_) {
    seek_runs(target);
    return;
  }
  if (!to_block_of(target) || doc_ >= target) return;
  // The target is in this block (its last document is >= target): walk it with the state in
  // locals, which the compiler keeps in registers (stores through the members would have to be
  // redone after every byte read, as a byte may alias them).
  const uint8_t* p = p_;
  uint32_t doc = doc_, wdf = wdf_;
  uint64_t pending = pending_ + left_;
  for (;;) {
    if (p >= block_end_) throw corrupt(*path_, "block");
    const uint64_t v = get_varint(p);
    doc += static_cast<uint32_t>(v >> 1);
    wdf = (v & 1) != 0 ? 1 : static_cast<uint32_t>(get_varint(p));
    if (doc >= target) break;
    pending += wdf;
  }
  pending_ = pending;
  set(p, doc, wdf);
}

void PostingCursor::enter(size_t block) {
  block_ = block;
  if (block >= blocks_.size()) {
    doc_ = kEnd;
    return;
  }
  const Block before = block == 0 ? Block{} : blocks_[block - 1];
  block_end_ = data_ + blocks_[block].docs_end;
  pos_ = positions_data_ + before.positions_end;
  pos_end_ = positions_data_ + blocks_[block].positions_end;
  pending_ = 0;
  run_left_ = 0;
  doc_ = before.last;
  read(data_ + before.docs_end);
}

void PostingCursor::read(const uint8_t* p) {
  const uint64_t v = get_varint(p);
  const uint32_t wdf = (v & 1) != 0 ? 1 : static_cast<uint32_t>(get_varint(p));
  if (!runs_) {
    set(p, doc_ + static_cast<uint32_t>(v >> 1), wdf);
    return;
  }
  const uint64_t extra = get_varint(p);
  const uint64_t first = uint64_t{doc_} + (v >> 1);
  if (first + extra >= kEnd) throw corrupt(*path_, "block");
  set(p, static_cast<uint32_t>(first), wdf);
  run_left_ = static_cast<uint32_t>(extra);
  // Documents after this one read the run's positions again: find where they start.
  if (run_left_ > 0 && positional_) skip_pending();
  run_pos_ = pos_;
}

void PostingCursor::set(const uint8_t* next, uint32_t doc, uint32_t wdf) {
  p_ = next;
  doc_ = doc;
  wdf_ = wdf;
  left_ = wdf;
}

}  // namespace speechdex::textstore
