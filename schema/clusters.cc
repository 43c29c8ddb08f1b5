// Duplicate clusters from the signatures in the value slots: union-find over exact text
// hashes and over MinHash candidates found by banding (locality-sensitive hashing).
#include "clusters.h"

#include <algorithm>
#include <climits>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "fields.h"
#include "union_find.h"

namespace speechdex::schema {

namespace {

// LSH: the signature cut into kBands bands of kRows minima; two texts whose signatures agree
// on a whole band are compared. The chance of that is 1 - (1 - s^kRows)^kBands at
// similarity s: 0.89 at 0.6, 0.998 at 0.75, for 64 minima of 8 bits.
constexpr size_t kRows = 4;
constexpr size_t kBands = schema::kMinHashes / kRows;
// Within one band's bucket each member is compared with the bucket's distinct clusters so
// far, at most this many: a bucket of unrelated texts (a common phrase's minimum) cannot
// make the work quadratic.
constexpr size_t kHeads = 16;
// Leader clustering keeps at most this many leaders per band bucket of a component.
constexpr size_t kLeadersPerBucket = 64;

// A band's key: its kRows minima.
uint32_t band_key(const schema::Signature& s, size_t band) {
  uint32_t key = 0;
  for (size_t r = 0; r < kRows; ++r) key = (key << 8) | s.bits[band * kRows + r];
  return key;
}

// What clustering reads of an item (a paragraph, or a speech by its first paragraph).
struct Items {
  std::vector<uint32_t> ids;                  // the items
  const std::vector<uint32_t>* order;         // by id: earliest-first place
  const std::vector<uint64_t>* hash;          // by id: exact text; or null
  const std::vector<schema::Signature>* sig;  // by id; 0 shingles for none
  uint32_t min_shingles;                      // at least 1
  double threshold;
};

static_assert(schema::kParagraphMinShingles > 0 && schema::kSpeechMinShingles > 0,
              "a signature of 0 shingles stands for none");
bool comparable(const Items& items, uint32_t id) {
  return (*items.sig)[id].shingles >= items.min_shingles;
}

// Clusters the items: returns by id the cluster's first member in earliest order, 0 for ids
// that are not items. Two steps:
// 1. Candidate components: identical texts, and pairs found by banding whose similarity is
//    at least the threshold, joined (single linkage, so a component may chain far).
// 2. Within each component, leader clustering in earliest order: an item joins the cluster
//    of the most similar earlier leader it reaches the threshold with (its identical twin's
//    cluster, if it has one), or leads a cluster of its own. So every member of a cluster is
//    at least `threshold` similar to the cluster's earliest member, which is what --copies
//    shows, and a chain of drifting templates does not become one cluster.
std::vector<uint32_t> cluster(const Items& items, size_t n, size_t& compared) {
  schema::UnionFind components(n);
  if (items.hash) {
    std::vector<std::pair<uint64_t, uint32_t>> hashed;
    for (uint32_t id : items.ids) hashed.emplace_back((*items.hash)[id], id);
    std::sort(hashed.begin(), hashed.end());
    for (size_t i = 1; i < hashed.size(); ++i) {
      if (hashed[i].first == hashed[i - 1].first)
        components.unite(hashed[i - 1].second, hashed[i].second);
    }
  }
  std::vector<std::pair<uint32_t, uint32_t>> keyed;  // (band key, item)
  std::vector<uint32_t> heads;
  for (size_t band = 0; band < kBands; ++band) {
    keyed.clear();
    for (uint32_t id : items.ids) {
      if (comparable(items, id)) keyed.emplace_back(band_key((*items.sig)[id], band), id);
    }
    std::sort(keyed.begin(), keyed.end());
    for (size_t begin = 0, end; begin < keyed.size(); begin = end) {
      end = begin + 1;
      while (end < keyed.size() && keyed[end].first == keyed[begin].first) ++end;
      heads.clear();
      for (size_t k = begin; k < end && end - begin > 1; ++k) {
        const uint32_t m = keyed[k].second;
        bool placed = false;
        for (uint32_t h : heads) {
          if (components.find(h) == components.find(m)) {
            placed = true;
            break;
          }
          ++compared;
          if (schema::similarity((*items.sig)[h], (*items.sig)[m]) >= items.threshold) {
            components.unite(h, m);
            placed = true;
            break;
          }
        }
        if (!placed && heads.size() < kHeads) heads.push_back(m);
      }
    }
  }

  // The components' members, earliest first.
  std::vector<std::pair<uint32_t, uint32_t>> by_component;  // (component, item)
  for (uint32_t id : items.ids) by_component.emplace_back(components.find(id), id);
  std::sort(by_component.begin(), by_component.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first
                              : (*items.order)[a.second] < (*items.order)[b.second];
  });
  std::vector<uint32_t> leader(n, 0);
  std::unordered_map<uint64_t, std::vector<uint32_t>> buckets;  // (band, key) -> leaders
  std::unordered_map<uint64_t, uint32_t> twin;                  // text hash -> cluster
  for (size_t begin = 0, end; begin < by_component.size(); begin = end) {
    end = begin + 1;
    while (end < by_component.size() && by_component[end].first == by_component[begin].first) ++end;
    if (end - begin == 1) {
      leader[by_component[begin].second] = by_component[begin].second;
      continue;
    }
    buckets.clear();
    twin.clear();
    for (size_t k = begin; k < end; ++k) {
      const uint32_t m = by_component[k].second;
      if (items.hash) {
        const auto t = twin.find((*items.hash)[m]);
        if (t != twin.end()) {
          leader[m] = t->second;
          continue;
        }
      }
      uint32_t best = 0;
      double best_similarity = 0;
      if (comparable(items, m)) {
        const schema::Signature& sm = (*items.sig)[m];
        for (size_t band = 0; band < kBands; ++band) {
          const auto b = buckets.find((uint64_t{band} << 32) | band_key(sm, band));
          if (b == buckets.end()) continue;
          for (uint32_t l : b->second) {
            ++compared;
            const double s = schema::similarity((*items.sig)[l], sm);
            if (s >= items.threshold &&
                (s > best_similarity ||
                 (s == best_similarity && (*items.order)[l] < (*items.order)[best]))) {
              best = l;
              best_similarity = s;
            }
          }
        }
      }
      if (best == 0) {
        best = m;
        if (comparable(items, m)) {
          for (size_t band = 0; band < kBands; ++band) {
            auto& list = buckets[(uint64_t{band} << 32) | band_key((*items.sig)[m], band)];
            if (list.size() < kLeadersPerBucket) list.push_back(m);
          }
        }
      }
      leader[m] = best;
      if (items.hash) twin.emplace((*items.hash)[m], best);
    }
  }
  return leader;
}

}  // namespace

DuplicateTable find_duplicates(const Xapian::Database& db, DuplicateStats* stats) {
  return find_duplicates(std::vector<DatabasePart>{{&db, 0}}, stats);
}

DuplicateTable find_duplicates(const std::vector<DatabasePart>& parts, DuplicateStats* stats) {
  schema::DuplicateTable table;
  for (const DatabasePart& part : parts) {
    table.last_docid = part.base + part.db->get_lastdocid();
    table.doccount += part.db->get_doccount();
  }
  const size_t n = static_cast<size_t>(table.last_docid) + 1;

  // What each document is: its speech, year, source, text hash and signatures, read slot by
  // slot from the value streams (no document data).
  std::vector<uint64_t> speech_key(n, 0), text_hash(n, 0);
  std::vector<int> year(n, 0);
  std::vector<schema::Signature> signature(n);  // 0 shingles: none
  // Only a speech's first paragraph carries its speech's signature: (id, signature) by id.
  std::vector<std::pair<Xapian::docid, schema::Signature>> speech_signature;
  std::vector<Xapian::docid> docs;
  // Calls read(id of the whole, value) for every value of `slot`, part by part.
  auto each_value = [&](Xapian::valueno slot, auto&& read) {
    for (const DatabasePart& part : parts) {
      const Xapian::Database& db = *part.db;
      for (auto it = db.valuestream_begin(slot); it != db.valuestream_end(slot); ++it) {
        read(part.base + it.get_docid(), *it);
      }
    }
  };
  each_value(schema::kSlotSpeech, [&](Xapian::docid d, const std::string& v) {
    speech_key[d] = schema::decode_key(v);
    docs.push_back(d);
  });
  each_value(schema::kSlotTextHash,
             [&](Xapian::docid d, const std::string& v) { text_hash[d] = schema::decode_key(v); });
  each_value(schema::kSlotYear, [&](Xapian::docid d, const std::string& v) {
    year[d] = static_cast<int>(Xapian::sortable_unserialise(v));
  });
  each_value(schema::kSlotSignature, [&](Xapian::docid d, const std::string& v) {
    if (const auto sig = schema::decode_signature(v)) signature[d] = *sig;
  });
  each_value(schema::kSlotSpeechSignature, [&](Xapian::docid d, const std::string& v) {
    if (const auto sig = schema::decode_signature(v)) speech_signature.emplace_back(d, *sig);
  });

  // Sources in path order: the file states name each file by its canonical path, and the
  // source term of its paragraphs is the hash of that path.
  std::map<std::string, std::string> path_of;  // source term -> canonical path
  const std::string file_prefix(schema::kMetaFilePrefix);
  for (const DatabasePart& part : parts) {
    const Xapian::Database& db = *part.db;
    for (auto it = db.metadata_keys_begin(file_prefix); it != db.metadata_keys_end(file_prefix);
         ++it) {
      const std::string path = (*it).substr(file_prefix.size());
      path_of[schema::source_term(path)] = path;
    }
  }
  std::vector<uint32_t> source(n, 0);
  {
    const std::string prefix(schema::field("source").prefix);
    // (path or term, term, part): a file held by two parts has one rank, as in one index.
    std::vector<std::tuple<std::string, std::string, size_t>> terms;
    for (size_t k = 0; k < parts.size(); ++k) {
      const Xapian::Database& db = *parts[k].db;
      for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
        const auto p = path_of.find(*t);
        terms.emplace_back(p == path_of.end() ? *t : p->second, *t, k);
      }
    }
    std::sort(terms.begin(), terms.end());
    // A file's source term is on its first paragraph (on every one in an index written
    // before 2026-11-29), and its paragraphs are consecutive ids: each document has the
    // rank of the last source term at or before it.
    std::vector<std::pair<Xapian::docid, uint32_t>> starts;  // (id of the whole, rank)
    uint32_t rank = 0;
    for (size_t i = 0; i < terms.size(); ++i) {
      if (i > 0 && std::get<0>(terms[i]) != std::get<0>(terms[i - 1])) ++rank;
      const std::string& term = std::get<1>(terms[i]);
      const DatabasePart& part = parts[std::get<2>(terms[i])];
      for (auto p = part.db->postlist_begin(term); p != part.db->postlist_end(term); ++p)
        starts.emplace_back(part.base + *p, rank);
    }
    std::sort(starts.begin(), starts.end());
    size_t k = 0;
    for (Xapian::docid d : docs) {  // increasing
      while (k + 1 < starts.size() && starts[k + 1].first <= d) ++k;
      if (k < starts.size() && starts[k].first <= d) source[d] = starts[k].second;
    }
  }

  // Earliest first: known years ascending, unknown last; then source path; then document
  // order (a file's paragraphs are numbered in reading order).
  std::vector<Xapian::docid> by_order = docs;
  auto key = [&](Xapian::docid d) {
    return std::make_tuple(year[d] > 0 ? year[d] : INT32_MAX, source[d], d);
  };
  std::sort(by_order.begin(), by_order.end(),
            [&](Xapian::docid a, Xapian::docid b) { return key(a) < key(b); });
  table.order.assign(n, 0);
  for (uint32_t rank = 0; rank < by_order.size(); ++rank) table.order[by_order[rank]] = rank + 1;

  DuplicateStats s;
  s.paragraphs = docs.size();

  // Paragraphs: identical normalized text, and near copies.
  const std::vector<uint32_t> paragraph_leader =
      cluster(Items{docs, &table.order, &text_hash, &signature, schema::kParagraphMinShingles,
                    schema::kParagraphThreshold},
              n, s.compared);

  // Speeches: one item each, its first paragraph (which carries the speech's signature).
  std::unordered_map<uint64_t, Xapian::docid> first_of;  // speech key -> first paragraph
  for (Xapian::docid d : docs) {
    auto [it, added] = first_of.emplace(speech_key[d], d);
    if (!added && d < it->second) it->second = d;
  }
  std::vector<uint32_t> firsts;
  for (const auto& [k, first] : first_of) firsts.push_back(first);
  std::sort(firsts.begin(), firsts.end());
  // The speeches are clustered as items 1 to m (the i-th first paragraph in id order), so
  // that nothing of theirs is held per paragraph. A speech without a signature of its own
  // (nothing but furniture) stays alone.
  std::vector<uint32_t> speech_leader(n, 0);
  {
    const size_t m = firsts.size();
    std::vector<uint32_t> items(m), order(m + 1, 0);
    std::vector<schema::Signature> sig(m + 1);
    std::sort(speech_signature.begin(), speech_signature.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    auto carried = speech_signature.begin();
    for (size_t i = 0; i < m; ++i) {
      items[i] = static_cast<uint32_t>(i + 1);
      order[i + 1] = table.order[firsts[i]];
      while (carried != speech_signature.end() && carried->first < firsts[i]) ++carried;
      if (carried != speech_signature.end() && carried->first == firsts[i]) {
        sig[i + 1] = carried->second;
      }
    }
    speech_signature = {};
    const std::vector<uint32_t> leader = cluster(
        Items{items, &order, nullptr, &sig, schema::kSpeechMinShingles, schema::kSpeechThreshold},
        m + 1, s.compared);
    for (size_t i = 0; i < m; ++i) speech_leader[firsts[i]] = firsts[leader[i + 1] - 1];
  }
  s.speeches = first_of.size();

  table.paragraph.assign(n, 0);
  table.speech.assign(n, 0);
  for (Xapian::docid d : docs) {
    table.paragraph[d] = paragraph_leader[d];
    table.speech[d] = speech_leader[first_of.at(speech_key[d])];
    if (table.paragraph[d] != d) ++s.paragraph_copies;
  }
  std::vector<char> seen(n, 0);
  for (Xapian::docid d : docs) {
    if (table.paragraph[d] != d && !seen[table.paragraph[d]]) {
      seen[table.paragraph[d]] = 1;
      ++s.paragraph_clusters;
    }
  }
  std::fill(seen.begin(), seen.end(), 0);
  for (const auto& [k, first] : first_of) {
    const uint32_t root = table.speech[first];
    if (root != first) {
      ++s.speech_copies;
      if (!seen[root]) {
        seen[root] = 1;
        ++s.speech_clusters;
      }
    }
  }
  if (stats) *stats = s;
  return table;
}

DuplicateStats write_duplicates(Xapian::WritableDatabase& db) {
  DuplicateStats stats;
  const DuplicateTable table = find_duplicates(db, &stats);
  store_duplicates(db, table);
  return stats;
}

}  // namespace speechdex::schema
