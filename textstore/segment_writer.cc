// Segment writer: postings accumulate per term in memory, then one sequential write.
#include "segment_writer.h"

#include <algorithm>
#include <stdexcept>

namespace speechdex::textstore {

namespace {

// FNV-1a, 64 bits: terms are short, and a look-up needs a good full-width hash.
uint64_t hash_term(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return h;
}

constexpr size_t kMaxPackedBytes = 7;

// A term of 1 to kMaxPackedBytes bytes as one integer: its bytes from the highest byte
// down, its length in the lowest. Distinct terms get distinct keys, never 0, and keys
// order as the terms do bytewise (a shorter term that is a prefix of a longer one has a 0
// where the longer one has its next byte, or, when that byte is 0 too, the smaller length).
uint64_t pack_term(std::string_view s) {
  // Byte by byte, highest first: a memcpy of a size not known at compile time is a call.
  uint64_t x = 0;
  for (size_t i = 0; i < s.size(); ++i) x |= uint64_t{static_cast<uint8_t>(s[i])} << (56 - 8 * i);
  return x | s.size();
}

// A packed term's hash: its bits mixed (splitmix64's finalizer), as packed terms differ
// mostly in their high bytes. The mix is a bijection, so equal hashes mean equal terms.
uint64_t mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

void SegmentWriter::grow(std::vector<Slot>& slots) {
  std::vector<Slot> old(slots.size() * 2);
  old.swap(slots);
  const size_t mask = slots.size() - 1;
  for (const Slot& s : old) {
    if (s.entry == UINT32_MAX) continue;
    size_t i = s.hash & mask;
    while (slots[i].entry != UINT32_MAX) i = (i + 1) & mask;
    slots[i] = s;
  }
}

void SegmentWriter::add_document(uint32_t docid, uint32_t length) {
  if (docid == 0 || (!docids_.empty() && docid <= docids_.back())) {
    throw std::invalid_argument("segment: document ids must increase (got " +
                                std::to_string(docid) + ")");
  }
  finish_document();
  docids_.push_back(docid);
  lengths_.push_back(length);
  length_from_terms_ = false;
}

void SegmentWriter::add_document(uint32_t docid) {
  add_document(docid, 0);
  length_from_terms_ = true;
}

uint64_t SegmentWriter::hash_of(std::string_view term, uint64_t& key) {
  const bool packed = !term.empty() && term.size() <= kMaxPackedBytes;
  key = packed ? pack_term(term) : 0;
  return packed ? mix(key) : hash_term(term);
}

const SegmentWriter::Slot* SegmentWriter::first_slot(std::string_view term, uint64_t h) const {
  const std::vector<Slot>& slots = term.size() <= kMaxPackedBytes ? short_slots_ : slots_;
  return &slots[h & (slots.size() - 1)];
}

inline SegmentWriter::Slot& SegmentWriter::slot(std::string_view term, uint64_t h, uint64_t key,
                                                uint8_t kind) {
  // The common case inline: a short term already in the table, of the same kind, in a
  // document. Anything else takes the whole look-up below.
  if (!term.empty() && term.size() <= kMaxPackedBytes && !docids_.empty()) {
    const size_t mask = short_slots_.size() - 1;
    size_t i = h & mask;
    while (short_slots_[i].entry != UINT32_MAX && short_slots_[i].hash != h) i = (i + 1) & mask;
    if (short_slots_[i].entry != UINT32_MAX && short_slots_[i].kind == kind) {
      return short_slots_[i];
    }
  }
  return find_or_add(term, h, key, kind);
}

SegmentWriter::Slot& SegmentWriter::find_or_add(std::string_view term, uint64_t h, uint64_t key,
                                                uint8_t kind) {
  if (docids_.empty()) throw std::invalid_argument("segment: a term before any document");
  if (term.empty()) throw std::invalid_argument("segment: an empty term");
  const bool packed = term.size() <= kMaxPackedBytes;
  std::vector<Slot>& slots = packed ? short_slots_ : slots_;
  const size_t mask = slots.size() - 1;
  size_t i = h & mask;
  if (packed) {
    while (slots[i].entry != UINT32_MAX && slots[i].hash != h) i = (i + 1) & mask;
  } else {
    while (slots[i].entry != UINT32_MAX &&
           (slots[i].hash != h || entries_[slots[i].entry].name != term)) {
      i = (i + 1) & mask;
    }
  }
  if (slots[i].entry == UINT32_MAX) {
    const auto index = static_cast<uint32_t>(entries_.size());
    slots[i] = {h, index, 0, 0, kind};
    entries_.push_back({PostingListBuilder((kind & kPositional) != 0, (kind & kRuns) != 0),
                        std::string(term), key});
    const size_t in_table = packed ? entries_.size() - long_terms_ : ++long_terms_;
    if (in_table * 2 > slots.size()) {
      grow(slots);
      return find_or_add(term, h, key, kind);  // found at its new place
    }
  }
  if (slots[i].kind != kind) {
    throw std::invalid_argument(std::string("segment: term added ") +
                                (((slots[i].kind ^ kind) & kPositional) != 0
                                     ? "with and without positions: "
                                     : "repeated and not: ") +
                                std::string(term));
  }
  return slots[i];
}

uint32_t SegmentWriter::local(Slot& s) {
  const auto document = static_cast<uint32_t>(docids_.size());
  if (s.document != document) {
    s.document = document;
    s.local = static_cast<uint32_t>(locals_.size());
    locals_.push_back({s.entry, 0});
  }
  return s.local;
}

void SegmentWriter::add(std::span<const Addition> additions) {
  static constexpr uint8_t kKinds[] = {0, kPositional, kRuns, kPositional | kRuns};
  const size_t n = additions.size();
  batch_hashes_.resize(n);
  batch_keys_.resize(n);
  for (size_t a = 0; a < n; ++a) batch_hashes_[a] = hash_of(additions[a].term, batch_keys_[a]);
  constexpr size_t kAhead = 8;
  for (size_t a = 0; a < std::min(n, kAhead); ++a) {
    __builtin_prefetch(first_slot(additions[a].term, batch_hashes_[a]));
  }
  for (size_t a = 0; a < n; ++a) {
    if (a + kAhead < n) {
      __builtin_prefetch(first_slot(additions[a + kAhead].term, batch_hashes_[a + kAhead]));
    }
    const Addition& x = additions[a];
    const uint8_t kind = kKinds[x.how];
    const uint64_t l = local(slot(x.term, batch_hashes_[a], batch_keys_[a], kind));
    if ((kind & kPositional) != 0) {
      occurrences_.push_back(l << 32 | x.value);
      ++locals_[l].wdf;
    } else {
      locals_[l].wdf += x.value;
    }
  }
}

void SegmentWriter::finish_document() {
  if (docids_.empty()) return;  // the first document is starting
  // Occurrences grouped by term, each term's in the order added (a counting sort).
  starts_.assign(locals_.size() + 1, 0);
  for (uint64_t o : occurrences_) ++starts_[(o >> 32) + 1];
  for (size_t l = 1; l < starts_.size(); ++l) starts_[l] += starts_[l - 1];
  grouped_.resize(occurrences_.size());
  for (uint64_t o : occurrences_) grouped_[starts_[o >> 32]++] = static_cast<uint32_t>(o);
  // starts_[l] is now where term l's occurrences end, and starts_[l - 1] where they begin.
  uint64_t length = 0;
  const uint32_t doc = docids_.back();
  // Each term's entry and the ends of its lists are far apart in memory, and each is
  // reached once here: their cache lines are asked for a few terms ahead.
  constexpr size_t kEntryAhead = 12, kListAhead = 4;
  const size_t n = locals_.size();
  const auto prefetch_entry = [this](uint32_t e) {
    const char* p = reinterpret_cast<const char*>(&entries_[e]);
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);  // the list's counts, which add() reads too
  };
  for (size_t l = 0; l < std::min(n, kEntryAhead); ++l) prefetch_entry(locals_[l].entry);
  for (size_t l = 0; l < n; ++l) {
    if (l + kEntryAhead < n) prefetch_entry(locals_[l + kEntryAhead].entry);
    if (l + kListAhead < n) entries_[locals_[l + kListAhead].entry].list.prefetch();
    const uint32_t begin = l == 0 ? 0 : starts_[l - 1];
    const std::span<const uint32_t> positions(grouped_.data() + begin, starts_[l] - begin);
    const Local& t = locals_[l];
    entries_[t.entry].list.add(doc, t.wdf, positions);
    length += t.wdf;
  }
  locals_.clear();
  occurrences_.clear();
  if (length_from_terms_ && !lengths_.empty()) lengths_.back() = static_cast<uint32_t>(length);
  length_from_terms_ = false;
}

void SegmentWriter::add_term(std::string_view name, uint32_t wdf) {
  add_one({name, wdf, Addition::kTerm});
}

void SegmentWriter::add_positional_term(std::string_view name,
                                        std::span<const uint32_t> positions) {
  if (positions.empty())
    throw std::invalid_argument("segment: no positions for " + std::string(name));
  for (uint32_t p : positions) add_occurrence(name, p);
}

void SegmentWriter::add_occurrence(std::string_view name, uint32_t position) {
  add_one({name, position, Addition::kOccurrence});
}

void SegmentWriter::add_repeated_occurrence(std::string_view name, uint32_t position) {
  add_one({name, position, Addition::kRepeatedOccurrence});
}

void SegmentWriter::add_repeated_term(std::string_view name, uint32_t wdf) {
  add_one({name, wdf, Addition::kRepeatedTerm});
}

uint64_t SegmentWriter::write(const std::string& path) {
  finish_document();
  std::vector<const Entry*> sorted;
  sorted.reserve(entries_.size());
  for (const Entry& e : entries_) sorted.push_back(&e);
  // Short terms compare by key, which orders as their bytes do.
  std::sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
    return a->key != 0 && b->key != 0 ? a->key < b->key : a->name < b->name;
  });
  for (Entry& e : entries_) e.list.finish();
  SegmentFile file(path);
  for (const Entry* e : sorted) file.add_term(e->name, e->list);
  return file.finish(docids_, lengths_);
}

}  // namespace speechdex::textstore
