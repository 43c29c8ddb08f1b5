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

}  // namespace

void SegmentWriter::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.entry == UINT32_MAX) continue;
    size_t i = s.hash & mask;
    while (slots_[i].entry != UINT32_MAX) i = (i + 1) & mask;
    slots_[i] = s;
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

SegmentWriter::Entry& SegmentWriter::entry(std::string_view term, bool positional) {
  if (docids_.empty()) throw std::invalid_argument("segment: a term before any document");
  if (term.empty()) throw std::invalid_argument("segment: an empty term");
  const uint64_t h = hash_term(term);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].entry != UINT32_MAX &&
         (slots_[i].hash != h || entries_[slots_[i].entry].name != term)) {
    i = (i + 1) & mask;
  }
  uint32_t index = slots_[i].entry;
  if (index == UINT32_MAX) {
    index = static_cast<uint32_t>(entries_.size());
    slots_[i] = {h, index};
    entries_.push_back({std::string(term), PostingListBuilder(positional), 0, 0, {}});
    if (entries_.size() * 2 > slots_.size()) grow();
  }
  Entry& e = entries_[index];
  if (e.list.positional() != positional) {
    throw std::invalid_argument("segment: term added with and without positions: " +
                                std::string(term));
  }
  if (e.doc != docids_.back()) {
    e.doc = docids_.back();
    e.wdf = 0;
    e.positions.clear();
    touched_.push_back(index);
  }
  return e;
}

void SegmentWriter::finish_document() {
  uint64_t length = 0;
  for (uint32_t index : touched_) {
    Entry& e = entries_[index];
    e.list.add(e.doc, e.wdf, e.positions);
    length += e.wdf;
  }
  touched_.clear();
  if (length_from_terms_ && !lengths_.empty()) lengths_.back() = static_cast<uint32_t>(length);
  length_from_terms_ = false;
}

void SegmentWriter::add_term(std::string_view name, uint32_t wdf) { entry(name, false).wdf += wdf; }

void SegmentWriter::add_positional_term(std::string_view name,
                                        std::span<const uint32_t> positions) {
  if (positions.empty())
    throw std::invalid_argument("segment: no positions for " + std::string(name));
  Entry& e = entry(name, true);
  e.positions.insert(e.positions.end(), positions.begin(), positions.end());
  e.wdf += static_cast<uint32_t>(positions.size());
}

void SegmentWriter::add_occurrence(std::string_view name, uint32_t position) {
  Entry& e = entry(name, true);
  e.positions.push_back(position);
  ++e.wdf;
}

uint64_t SegmentWriter::write(const std::string& path) {
  finish_document();
  std::vector<const Entry*> sorted;
  sorted.reserve(entries_.size());
  for (const Entry& e : entries_) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a->name < b->name; });
  SegmentFile file(path);
  for (const Entry* e : sorted) file.add_term(e->name, e->list);
  return file.finish(docids_, lengths_);
}

}  // namespace speechdex::textstore
