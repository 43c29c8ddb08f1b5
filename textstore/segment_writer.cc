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

PostingListBuilder& SegmentWriter::term(std::string_view term, bool positional) {
  if (docids_.empty()) throw std::invalid_argument("segment: a term before any document");
  if (term.empty()) throw std::invalid_argument("segment: an empty term");
  PostingListBuilder& t = terms_.try_emplace(std::string(term), positional).first->second;
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
  std::vector<const std::pair<const std::string, PostingListBuilder>*> sorted;
  sorted.reserve(terms_.size());
  for (const auto& kv : terms_) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a->first < b->first; });
  SegmentFile file(path);
  for (const auto* kv : sorted) file.add_term(kv->first, kv->second);
  return file.finish(docids_, lengths_);
}

}  // namespace speechdex::textstore
