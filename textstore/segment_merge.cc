// Segment merge: a k-way walk of the sources' dictionaries in term order; each term's
// postings are read source by source, renumbered, and written before the next term.
#include "segment_merge.h"

#include <algorithm>
#include <stdexcept>

#include "segment_build.h"

namespace speechdex::textstore {

uint64_t merge_segments(const std::vector<std::shared_ptr<const Segment>>& sources,
                        const Renumber& renumber, const std::string& path,
                        const std::vector<uint32_t>* offsets) {
  if (offsets && offsets->size() != sources.size()) {
    throw std::invalid_argument("merge: one offset per source");
  }
  std::vector<Segment::TermIterator> terms;
  terms.reserve(sources.size());
  for (const auto& s : sources) terms.emplace_back(*s);
  SegmentFile file(path);
  std::vector<const uint8_t*> released(sources.size(), nullptr);  // per source: read up to
  for (;;) {
    const std::string* least = nullptr;
    for (const auto& t : terms) {
      if (t.valid() && (least == nullptr || t.name() < *least)) least = &t.name();
    }
    if (least == nullptr) break;
    const std::string name = *least;
    std::optional<PostingListBuilder> list;
    for (size_t k = 0; k < sources.size(); ++k) {
      Segment::TermIterator& t = terms[k];
      if (!t.valid() || t.name() != name) continue;
      if (!list) list.emplace(t.info().positional, t.info().runs);
      if (list->positional() != t.info().positional) {
        throw std::invalid_argument("merge: term positional in one segment only: " + name);
      }
      // Copied as stored when stored alike (a list of runs and one without differ).
      if (offsets && list->runs() == t.info().runs) {
        list->append(sources[k]->blocks(t.info()), t.info().df, (*offsets)[k], sources[k]->path());
      } else {
        for (PostingCursor c(*sources[k], t.info()); c.doc() != PostingCursor::kEnd; c.next()) {
          const uint32_t doc = renumber(k, c.doc());
          if (doc != 0) list->add(doc, c.wdf(), c.positions());
        }
      }
      // Lists are read in file order: what lies before this one's end is done with.
      const std::span<const uint8_t> bytes = sources[k]->posting_list(t.info());
      const uint8_t* end = bytes.data() + bytes.size();
      sources[k]->release(released[k] ? released[k] : bytes.data(), end);
      released[k] = end;
      t.next();
    }
    list->finish();
    if (list->df() > 0) file.add_term(name, *list);
  }
  std::vector<uint32_t> docids, lengths;
  for (size_t k = 0; k < sources.size(); ++k) {
    for (uint32_t d : sources[k]->docids()) {
      const uint32_t doc = renumber(k, d);
      if (offsets && doc != d + (*offsets)[k]) {
        throw std::invalid_argument("merge: the renumbering is not the offsets given");
      }
      if (doc == 0) continue;
      docids.push_back(doc);
      lengths.push_back(sources[k]->length(d));
    }
  }
  return file.finish(docids, lengths);
}

std::vector<uint32_t> compactor_offsets(const std::vector<std::pair<uint32_t, uint32_t>>& ranges) {
  // offset[k] is added to a document of source k; unsigned wrap-around as in Xapian.
  std::vector<uint32_t> offset;
  uint32_t total = 0;
  for (const auto& [first, last] : ranges) {
    if (first != 0) total -= first - 1;
    offset.push_back(total);
    total += last;
  }
  return offset;
}

Renumber compactor_renumbering(const std::vector<std::pair<uint32_t, uint32_t>>& ranges) {
  std::vector<uint32_t> offset = compactor_offsets(ranges);
  return
      [offset = std::move(offset)](size_t k, uint32_t d) -> uint32_t { return d + offset.at(k); };
}

}  // namespace speechdex::textstore
