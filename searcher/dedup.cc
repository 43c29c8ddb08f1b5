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

DuplicateIndex::DuplicateIndex(const Xapian::Database& db, const std::string& path) {
  const std::string bytes = db.get_metadata(std::string(schema::kMetaDuplicates));
  if (bytes.empty()) {
    throw IndexError(
        "the index has no duplicate clusters; run speechdex-index on it again to find them", path);
  }
  table_ = schema::DuplicateTable::decode(bytes, path);
  if (!table_.current(db)) {
    throw IndexError(
        "the duplicate clusters are out of date (an indexing run did not finish); run "
        "speechdex-index on it again to update them",
        path);
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
  // Per cluster: its earliest match so far and how many it holds (paragraphs, or speeches).
  struct Cluster {
    size_t earliest;
    uint32_t members = 0;
  };
  std::unordered_map<uint32_t, Cluster> clusters;
  std::unordered_set<uint64_t> speech_seen;  // (cluster, speech code) under kSpeech
  for (size_t i = 0; i < matches.size(); ++i) {
    const Xapian::docid d = matches[i].docid;
    auto [it, added] = clusters.try_emplace(duplicates.cluster(mode, d), Cluster{i});
    Cluster& c = it->second;
    if (!added && duplicates.order(d) < duplicates.order(matches[c.earliest].docid)) {
      c.earliest = i;
    }
    if (mode == Dedup::kParagraph) {
      ++c.members;
    } else if (speech_seen.insert((static_cast<uint64_t>(it->first) << 32) | speeches.code(d))
                   .second) {
      ++c.members;
    }
  }
  size_t kept = 0;
  for (size_t i = 0; i < matches.size(); ++i) {
    const Xapian::docid d = matches[i].docid;
    const Cluster& c = clusters.at(duplicates.cluster(mode, d));
    const bool keep = mode == Dedup::kParagraph
                          ? c.earliest == i
                          : speeches.code(matches[c.earliest].docid) == speeches.code(d);
    if (!keep) continue;
    copies.push_back(c.members - 1);
    matches[kept++] = matches[i];
  }
  matches.resize(kept);
}

}  // namespace speechdex::searcher
