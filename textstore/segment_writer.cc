// Segment writer: postings accumulate per term in memory, then one sequential write.
#include "segment_writer.h"

#include <algorithm>
#include <stdexcept>

namespace speechdex::textstore {

void SegmentWriter::add_document(uint32_t docid, uint32_t length) {
  if (docid == 0 || (!docids_.empty() && docid <= docids_.back())) {
    throw std::invalid_argument("segment: document ids must increase (got " +
                                std::to_string(docid) + ")");
  }
  docids_.push_back(docid);
  lengths_.push_back(length);
}

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

PostingListBuilder& SegmentWriter::term(std::string_view term, bool positional) {
  if (docids_.empty()) throw std::invalid_argument("segment: a term before any document");
  if (term.empty()) throw std::invalid_argument("segment: an empty term");
  const uint64_t h = hash_term(term);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].entry != UINT32_MAX &&
         (slots_[i].hash != h || entries_[slots_[i].entry].first != term)) {
    i = (i + 1) & mask;
  }
  if (slots_[i].entry == UINT32_MAX) {
    slots_[i] = {h, static_cast<uint32_t>(entries_.size())};
    entries_.emplace_back(std::string(term), PostingListBuilder(positional));
    if (entries_.size() * 2 > slots_.size()) grow();
    return entries_.back().second;
  }
  PostingListBuilder& t = entries_[slots_[i].entry].second;
  if (t.positional() != positional) {
    throw std::invalid_argument("segment: term added with and without positions: " +
                                std::string(term));
  }
  if (t.df() > 0 && t.last_doc() == docids_.back()) {
    throw std::invalid_argument("segment: term added twice to a document: " + std::string(term));
  }
  return t;
}

void SegmentWriter::add_term(std::string_view name, uint32_t wdf) {
  term(name, false).add(docids_.back(), wdf, {});
}

void SegmentWriter::add_positional_term(std::string_view name,
                                        std::span<const uint32_t> positions) {
  if (positions.empty())
    throw std::invalid_argument("segment: no positions for " + std::string(name));
  term(name, true).add(docids_.back(), static_cast<uint32_t>(positions.size()), positions);
}

uint64_t SegmentWriter::write(const std::string& path) const {
  std::vector<const std::pair<std::string, PostingListBuilder>*> sorted;
  sorted.reserve(entries_.size());
  for (const auto& kv : entries_) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a->first < b->first; });
  SegmentFile file(path);
  for (const auto* kv : sorted) file.add_term(kv->first, kv->second);
  return file.finish(docids_, lengths_);
}

}  // namespace speechdex::textstore
