// Duplicate-aware counting: collapsing matches to one per cluster, and listing clusters.
#include "dedup.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "errors.h"
#include "facets.h"

namespace speechdex::searcher {

const char* dedup_name(Dedup mode) {
  switch (mode) {
    case Dedup::kParagraph:
      return "paragraph";
    case Dedup::kSpeech:
      return "speech";
    case Dedup::kNone:
      break;
  }
  return "none";
}

DuplicateIndex::DuplicateIndex(const Xapian::Database& db, const std::string& path,
                               const ValueColumn& speeches) {
  std::optional<schema::DuplicateTable> table = schema::load_duplicates(db, path);
  if (!table) {
    throw IndexError(
        "the index has no duplicate clusters; run speechdex-index on it again to find them", path);
  }
  table_ = std::move(*table);
  if (!table_.current(db)) {
    throw IndexError(
        "the duplicate clusters are out of date (an indexing run did not finish); run "
        "speechdex-index on it again to update them",
        path);
  }
  find_alone(speeches);
}

DuplicateIndex::DuplicateIndex(schema::DuplicateTable table, const ValueColumn& speeches)
    : table_(std::move(table)) {
  find_alone(speeches);
}

void DuplicateIndex::find_alone(const ValueColumn& speeches) {
  // A paragraph is alone if no other paragraph is in its cluster; a speech if no other
  // speech is in its cluster.
  const size_t n = table_.paragraph.size();
  std::vector<uint32_t> size(n, 0);
  alone_.assign(n, 0);
  for (size_t d = 1; d < n; ++d) {
    if (table_.paragraph[d] != 0) ++size[table_.paragraph[d]];
  }
  for (size_t d = 1; d < n; ++d) {
    if (table_.paragraph[d] != 0 && size[table_.paragraph[d]] == 1) alone_[d] |= 1;
  }
  // Speeches: a cluster is alone if all its paragraphs are of one speech.
  std::vector<uint32_t> speech_of(n, 0);  // by cluster: the speech code of its paragraphs
  std::vector<char> split(n, 0);
  for (size_t d = 1; d < n; ++d) {
    const uint32_t c = table_.speech[d];
    if (c == 0) continue;
    const uint32_t code = speeches.code(static_cast<Xapian::docid>(d)) + 1;
    if (speech_of[c] == 0) speech_of[c] = code;
    if (speech_of[c] != code) split[c] = 1;
  }
  for (size_t d = 1; d < n; ++d) {
    if (table_.speech[d] != 0 && !split[table_.speech[d]]) alone_[d] |= 2;
  }
}

std::vector<std::vector<Xapian::docid>> DuplicateIndex::group(Dedup mode, uint32_t only,
                                                              const ValueColumn& speeches) const {
  const auto& c = mode == Dedup::kSpeech ? table_.speech : table_.paragraph;
  // Members by cluster; under kSpeech a speech is its first paragraph (ids increase
  // within a speech).
  std::unordered_map<uint32_t, std::vector<Xapian::docid>> by_cluster;
  std::unordered_set<uint32_t> speech_seen;
  for (Xapian::docid d = 1; d < c.size(); ++d) {
    if (c[d] == 0 || (only != 0 && c[d] != only)) continue;
    if (mode == Dedup::kSpeech && !speech_seen.insert(speeches.code(d)).second) continue;
    by_cluster[c[d]].push_back(d);
  }
  std::vector<std::vector<Xapian::docid>> out;
  for (auto& [cluster, members] : by_cluster) {
    if (only == 0 && members.size() < 2) continue;
    std::sort(members.begin(), members.end(),
              [this](Xapian::docid a, Xapian::docid b) { return order(a) < order(b); });
    out.push_back(std::move(members));
  }
  std::sort(out.begin(), out.end(), [this](const auto& a, const auto& b) {
    return a.size() != b.size() ? a.size() > b.size() : order(a.front()) < order(b.front());
  });
  return out;
}

std::vector<Xapian::docid> DuplicateIndex::members(Dedup mode, uint32_t cluster,
                                                   const ValueColumn& speeches) const {
  std::vector<std::vector<Xapian::docid>> one = group(mode, cluster, speeches);
  return one.empty() ? std::vector<Xapian::docid>{} : std::move(one.front());
}

std::vector<std::vector<Xapian::docid>> DuplicateIndex::clusters(
    Dedup mode, const ValueColumn& speeches) const {
  return group(mode, 0, speeches);
}

void collapse(std::vector<textstore::Scored>& matches, std::vector<uint32_t>& copies, Dedup mode,
              const DuplicateIndex& duplicates, const ValueColumn& speeches) {
  copies.clear();
  if (mode == Dedup::kNone) {
    copies.assign(matches.size(), 0);
    return;
  }
  // Per cluster (by its id, a document id): the index of its earliest match and how many
  // members it has among the matches; per speech (by its code), whether it was counted.
  // Dense arrays stamped with this call's number, so nothing is cleared or hashed per match.
  DuplicateIndex::Scratch& w = duplicates.scratch(speeches.distinct());
  const uint32_t epoch = w.next_epoch();
  for (size_t i = 0; i < matches.size(); ++i) {
    const Xapian::docid d = matches[i].docid;
    if (duplicates.alone(mode, d)) continue;  // most texts have no copy
    const uint32_t c = duplicates.cluster(mode, d);
    if (w.cluster_stamp[c] != epoch) {
      w.cluster_stamp[c] = epoch;
      w.earliest[c] = static_cast<uint32_t>(i);
      w.members[c] = 0;
    } else if (duplicates.order(d) < duplicates.order(matches[w.earliest[c]].docid)) {
      w.earliest[c] = static_cast<uint32_t>(i);
    }
    if (mode == Dedup::kParagraph) {
      ++w.members[c];
    } else if (const uint32_t code = speeches.code(d); w.speech_stamp[code] != epoch) {
      // A speech belongs to one speech cluster: count it once.
      w.speech_stamp[code] = epoch;
      ++w.members[c];
    }
  }
  size_t kept = 0;
  for (size_t i = 0; i < matches.size(); ++i) {
    const Xapian::docid d = matches[i].docid;
    if (duplicates.alone(mode, d)) {
      copies.push_back(0);
      matches[kept++] = matches[i];
      continue;
    }
    const uint32_t c = duplicates.cluster(mode, d);
    const bool keep = mode == Dedup::kParagraph
                          ? w.earliest[c] == i
                          : speeches.code(matches[w.earliest[c]].docid) == speeches.code(d);
    if (!keep) continue;
    copies.push_back(w.members[c] - 1);
    matches[kept++] = matches[i];
  }
  matches.resize(kept);
}

DuplicateIndex::Scratch& DuplicateIndex::scratch(size_t speeches) const {
  const size_t n = table_.paragraph.size();
  if (scratch_.cluster_stamp.size() != n) {
    scratch_.cluster_stamp.assign(n, 0);
    scratch_.earliest.assign(n, 0);
    scratch_.members.assign(n, 0);
  }
  if (scratch_.speech_stamp.size() < speeches) scratch_.speech_stamp.resize(speeches, 0);
  return scratch_;
}

}  // namespace speechdex::searcher
