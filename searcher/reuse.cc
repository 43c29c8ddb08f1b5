// Text reuse over a corpus: speeches read once for their fingerprints, candidate pairs from
// shared fingerprints, each pair aligned around its seeds, spans clustered (docs/reuse.md).
#include "reuse.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <list>
#include <memory>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>

#include "errors.h"
#include "fields.h"
#include "snippets.h"
#include "tokenizer.h"
#include "union_find.h"

namespace speechdex::searcher {
namespace {

// Two spans of one speech are one passage when they overlap by at least this share of the
// longer of them (docs/reuse.md: any overlap chained unrelated passages into one).
constexpr double kSameSpan = 0.8;

// The text of the speech whose paragraphs are `docids` (TextUnits), and its metadata.
TextUnits read_text(Searcher& searcher, const std::vector<unsigned>& docids, ReuseSpeech* meta) {
  std::vector<schema::ParagraphRecord> records;
  records.reserve(docids.size());
  for (unsigned id : docids) {
    schema::ParagraphRecord r = searcher.record(id);
    if (r.kind != schema::kKindBoilerplate) records.push_back(std::move(r));
  }
  std::sort(records.begin(), records.end(),
            [](const auto& x, const auto& y) { return x.paragraph < y.paragraph; });
  std::string text;
  for (const schema::ParagraphRecord& r : records) {
    if (&r != &records.front()) text += '\n';
    text += r.text;
  }
  if (meta && !records.empty()) {
    const schema::ParagraphRecord& r = records.front();
    *meta = {r.speech_id, r.source, r.county_code, r.county, r.province, r.year};
  }
  return text_units(std::move(text));
}

// The byte offset in `t.text` where unit `u` starts (the text's end for u == units.size()),
// or 0 for the first unit, so that consecutive cuts cover the text, white space included.
size_t byte_cut(const TextUnits& t, uint32_t u) {
  return u == 0 ? 0 : u >= t.units.size() ? t.text.size() : t.units[u].begin;
}

// Unit ids: one per distinct normalized unit text, for the whole run, and which of them are
// separating punctuation.
class Vocabulary {
 public:
  // The ids of a text's units and its paragraph breaks (a line break between two units).
  UnitText text(const TextUnits& t) {
    UnitText out;
    out.ids.reserve(t.units.size());
    for (size_t i = 0; i < t.units.size(); ++i) {
      const schema::Unit& u = t.units[i];
      const auto [it, added] = ids_.try_emplace(u.text, static_cast<uint32_t>(ids_.size()));
      if (added) punctuation_.push_back(u.punctuation);
      out.ids.push_back(it->second);
      if (i > 0) {
        const size_t gap = t.units[i - 1].end;
        if (t.text.find('\n', gap) < u.begin) out.breaks.push_back(static_cast<uint32_t>(i));
      }
    }
    return out;
  }
  const std::vector<bool>& punctuation() const { return punctuation_; }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<bool> punctuation_;
};

using Ids = std::shared_ptr<const UnitText>;

// The unit ids of speeches, the most recently used kept up to a budget of bytes; a speech
// dropped is read again from the index.
class UnitCache {
 public:
  UnitCache(size_t budget, std::function<Ids(uint32_t)> load, size_t speeches)
      : budget_(budget), load_(std::move(load)), entries_(speeches) {}

  Ids get(uint32_t speech) {
    Entry& e = entries_[speech];
    if (e.ids) {
      order_.splice(order_.begin(), order_, e.at);
      return e.ids;
    }
    ++misses_;
    Ids ids = load_(speech);
    put(speech, ids);
    return ids;
  }

  void put(uint32_t speech, Ids ids) {
    Entry& e = entries_[speech];
    if (e.ids) return;
    const size_t bytes = size_of(*ids);
    e.ids = std::move(ids);
    order_.push_front(speech);
    e.at = order_.begin();
    used_ += bytes;
    while (used_ > budget_ && order_.size() > 1) {
      Entry& old = entries_[order_.back()];
      used_ -= size_of(*old.ids);
      old.ids.reset();
      order_.pop_back();
    }
  }

  uint64_t misses() const { return misses_; }

  // Drops every speech.
  void clear() {
    for (Entry& e : entries_) e.ids.reset();
    order_.clear();
    used_ = 0;
  }

 private:
  static size_t size_of(const UnitText& t) {
    return (t.ids.size() + t.breaks.size()) * sizeof(uint32_t) + 64;
  }
  struct Entry {
    Ids ids;
    std::list<uint32_t>::iterator at;
  };
  size_t budget_, used_ = 0;
  std::function<Ids(uint32_t)> load_;
  std::vector<Entry> entries_;
  std::list<uint32_t> order_;  // most recently used first
  uint64_t misses_ = 0;
};

// An aligned span of a speech, in units.
struct Span {
  uint32_t speech, u0, u1;
};

// A fingerprint: a selected n-gram's hash (its high half), its speech and its unit position.
struct Fingerprint {
  uint32_t hash, speech, pos;
};

// Frees a vector's memory (assigning {} keeps its capacity).
template <typename T>
void release(std::vector<T>& v) {
  std::vector<T>().swap(v);
}

struct Posting {
  uint32_t speech, pos;
};

// The speeches a request selects: for each, its paragraphs that are not boilerplate, in index
// order; speeches ordered by their first paragraph.
std::vector<std::vector<unsigned>> speeches_of(Searcher& searcher, const SearchRequest& request) {
  const ValueColumn& speech = searcher.value_column(schema::kSlotSpeech);
  SearchRequest all;
  all.query = ParsedQuery{textstore::Query::all(), {}, true, {}};
  all.boilerplate = Boilerplate::kExclude;
  const bool everything = request.query.query.op == textstore::Query::Op::kAll &&
                          request.filters.empty() && request.query.filters.empty();
  std::vector<bool> wanted(speech.distinct(), everything);
  if (!everything) {
    searcher.for_each_match(request, [&](unsigned id) { wanted[speech.code(id)] = true; });
  }
  std::vector<int64_t> index(speech.distinct(), -1);
  std::vector<std::vector<unsigned>> out;
  searcher.for_each_match(all, [&](unsigned id) {
    const uint32_t code = speech.code(id);
    if (code == 0 || !wanted[code]) return;
    if (index[code] < 0) {
      index[code] = static_cast<int64_t>(out.size());
      out.emplace_back();
    }
    out[static_cast<size_t>(index[code])].push_back(id);
  });
  std::sort(out.begin(), out.end(),
            [](const auto& x, const auto& y) { return x.front() < y.front(); });
  return out;
}

// An n-gram in more than max_df speeches is aligned as a star from a few hubs: speeches that
// hold it, spread over the group in index order (the first, one a third along, one two
// thirds along), so that one hub holding only a piece of a passage that the others share
// whole does not cut them apart.
constexpr size_t kHubs = 3;

// The hubs of the group postings[first, last): the first posting of each hub speech,
// ascending (a speech taken twice comes twice in a row).
std::array<uint32_t, kHubs> hubs_of(const std::vector<Posting>& postings, uint32_t first,
                                    uint32_t last) {
  std::array<uint32_t, kHubs> out{};
  for (size_t k = 0; k < kHubs; ++k) {
    uint32_t h = first + static_cast<uint32_t>((last - first) * k / kHubs);
    while (h > first && postings[h - 1].speech == postings[h].speech) --h;
    out[k] = h;
  }
  return out;
}

// The winnowing window that makes every shared run of max(n, min_chars / 2) units hold a seed.
size_t window(const ReuseOptions& o) {
  const size_t guarantee = std::max(o.ngram, (o.min_chars + 1) / 2);
  return guarantee - o.ngram + 1;
}

void report(const std::function<void(const ReuseProgress&)>& progress, const char* phase,
            size_t done, size_t total, bool pairs = false) {
  if (!progress) return;
  const double left = total ? static_cast<double>(total - done) / static_cast<double>(total) : 0;
  progress({phase, done, total, pairs ? 1 - left * left : 1 - left});
}

// Merges spans of one speech that overlap by at least kSameSpan of the longer into one
// component. `order` holds span indices sorted by (speech, u0).
void join_overlaps(const std::vector<Span>& spans, const std::vector<uint32_t>& order,
                   schema::UnionFind& comps) {
  std::vector<uint32_t> open;  // spans of the current speech that may still overlap
  for (size_t k = 0; k < order.size(); ++k) {
    const Span& s = spans[order[k]];
    if (k > 0 && spans[order[k - 1]].speech != s.speech) open.clear();
    std::erase_if(open, [&](uint32_t o) { return spans[o].u1 <= s.u0; });
    for (uint32_t o : open) {
      const Span& t = spans[o];
      const uint32_t overlap = std::min(t.u1, s.u1) - s.u0;
      const uint32_t longer = std::max(t.u1 - t.u0, s.u1 - s.u0);
      if (overlap >= kSameSpan * longer) comps.unite(o, order[k]);
    }
    open.push_back(order[k]);
  }
}

// The member that overlapping spans of one speech in one passage make: the start and the
// end most of them have (ties: the later start, the earlier end), so that the few partners
// that share more text around the passage (the same heading after a quote) do not widen it
// for all; their union if those would cross.
Span member_of(std::vector<Span>& group) {
  auto mode = [&](auto get, bool later) {
    std::vector<uint32_t> v;
    v.reserve(group.size());
    for (const Span& s : group) v.push_back(get(s));
    std::sort(v.begin(), v.end());
    uint32_t best = v.front();
    size_t best_run = 0;
    for (size_t i = 0; i < v.size();) {
      size_t j = i;
      while (j < v.size() && v[j] == v[i]) ++j;
      if (j - i > best_run || (j - i == best_run && later)) {
        best = v[i];
        best_run = j - i;
      }
      i = j;
    }
    return best;
  };
  Span m{group.front().speech, mode([](const Span& s) { return s.u0; }, true),
         mode([](const Span& s) { return s.u1; }, false)};
  if (m.u0 >= m.u1) {
    m.u0 = group.front().u0;
    m.u1 = 0;
    for (const Span& s : group) m.u1 = std::max(m.u1, s.u1);
  }
  return m;
}

}  // namespace

TextUnits text_units(std::string text) {
  TextUnits t;
  t.text = std::move(text);
  t.units = schema::tokenize(t.text);
  std::vector<Range> bytes;
  bytes.reserve(t.units.size() + 1);
  for (const schema::Unit& u : t.units) bytes.emplace_back(u.begin, u.end);
  bytes.emplace_back(t.text.size(), t.text.size());
  t.chars = to_char_ranges(t.text, bytes);
  t.length = t.chars.back().first;
  t.chars.pop_back();
  return t;
}

namespace {

// A passage that is mostly a central quote is one too: a quote that some speeches follow
// with the same sentence is aligned with that sentence in those pairs only, a longer
// passage whose spans overlap the quote's by less than the 80% that joins spans; without
// this it would be listed as horizontal copying. Rule: at least half of its members have
// at least half of their characters inside central-quote members of the same speech.
void mark_contained_quotes(ReuseResult& result) {
  std::vector<std::vector<std::pair<size_t, size_t>>> central(result.speeches.size());
  for (const ReusePassage& p : result.passages)
    if (p.central_quote)
      for (const ReuseMember& m : p.members) central[m.speech].emplace_back(m.start, m.end);
  for (auto& spans : central) {  // sorted and merged
    std::sort(spans.begin(), spans.end());
    size_t out = 0;
    for (const auto& sp : spans) {
      if (out > 0 && sp.first <= spans[out - 1].second)
        spans[out - 1].second = std::max(spans[out - 1].second, sp.second);
      else
        spans[out++] = sp;
    }
    spans.resize(out);
  }
  for (ReusePassage& p : result.passages) {
    if (p.central_quote) continue;
    size_t mostly = 0;
    for (const ReuseMember& m : p.members) {
      size_t inside = 0;
      for (const auto& [a, b] : central[m.speech])
        if (a < m.end && m.start < b) inside += std::min(b, m.end) - std::max(a, m.start);
      if (2 * inside >= m.end - m.start) ++mostly;
    }
    if (2 * mostly >= p.members.size()) p.central_quote = p.contains_central = true;
  }
}

}  // namespace

CentralRule central_rule(size_t considered, size_t provinces_present, const ReuseOptions& o) {
  const auto by_share =
      static_cast<size_t>(std::ceil(o.central_share * static_cast<double>(considered)));
  return {std::max(o.central_min_speeches, by_share),
          std::min(o.central_provinces, provinces_present)};
}

ReuseResult find_reuse(Searcher& searcher, const SearchRequest& request,
                       const ReuseOptions& options,
                       const std::function<void(const ReuseProgress&)>& progress) {
  ReuseResult result;
  searcher.on_one_snapshot([&] {
    result = ReuseResult{};
    result.options = options;
    ReuseStats& stats = result.stats;
    const std::vector<std::vector<unsigned>> docs = speeches_of(searcher, request);
    const auto count = static_cast<uint32_t>(docs.size());
    stats.speeches = count;
    result.speeches.resize(count);
    Vocabulary vocabulary;
    UnitCache cache(
        options.cache_bytes,
        [&](uint32_t s) {
          return std::make_shared<const UnitText>(
              vocabulary.text(read_text(searcher, docs[s], nullptr)));
        },
        count);

    // Pass 1: every speech read once; its winnowed fingerprints kept, in chunks so that no
    // vector's doubling holds twice their memory.
    constexpr size_t kChunk = size_t{1} << 20;
    std::vector<std::vector<Fingerprint>> chunks;
    const size_t w = window(options);
    for (uint32_t s = 0; s < count; ++s) {
      report(progress, "reading", s, count);
      TextUnits t = read_text(searcher, docs[s], &result.speeches[s]);
      auto ids = std::make_shared<const UnitText>(vocabulary.text(t));
      stats.units += ids->ids.size();
      const std::vector<uint64_t> hashes = ngram_hashes(ids->ids, options.ngram);
      for (uint32_t pos : winnow(hashes, w)) {
        if (chunks.empty() || chunks.back().size() == kChunk) {
          chunks.emplace_back().reserve(kChunk);
        }
        // The high half of the hash: a collision only merges two groups, and a seed is
        // checked against the text before it is extended.
        chunks.back().push_back({static_cast<uint32_t>(hashes[pos] >> 32), s, pos});
      }
      cache.put(s, std::move(ids));
    }
    std::vector<Fingerprint> prints;
    for (const auto& c : chunks) stats.fingerprints += c.size();
    prints.reserve(stats.fingerprints);
    for (auto& c : chunks) {
      prints.insert(prints.end(), c.begin(), c.end());
      release(c);
    }
    std::set<std::string> provinces;
    for (const ReuseSpeech& sp : result.speeches) {
      if (!sp.province.empty()) provinces.insert(sp.province);
    }
    stats.provinces = provinces.size();

    // Groups of equal fingerprints in two or more speeches; the rest can seed nothing.
    std::sort(prints.begin(), prints.end(), [](const Fingerprint& x, const Fingerprint& y) {
      return std::tie(x.hash, x.speech, x.pos) < std::tie(y.hash, y.speech, y.pos);
    });
    // Calls kept(first, last, df) for each group in two or more speeches.
    auto for_each_group = [&](const auto& kept) {
      for (size_t i = 0; i < prints.size();) {
        size_t j = i, df = 0;
        for (; j < prints.size() && prints[j].hash == prints[i].hash; ++j) {
          if (j == i || prints[j].speech != prints[j - 1].speech) ++df;
        }
        if (df >= 2) kept(i, j, df);
        i = j;
      }
    };
    size_t kept_postings = 0, kept_groups = 0;
    for_each_group([&](size_t i, size_t j, size_t) {
      kept_postings += j - i;
      ++kept_groups;
    });
    std::vector<Posting> postings;
    std::vector<uint32_t> group_begin, group_of;
    std::vector<bool> common;
    postings.reserve(kept_postings);
    group_of.reserve(kept_postings);
    group_begin.reserve(kept_groups + 1);
    common.reserve(kept_groups);
    for_each_group([&](size_t i, size_t j, size_t df) {
      const auto g = static_cast<uint32_t>(group_begin.size());
      group_begin.push_back(static_cast<uint32_t>(postings.size()));
      common.push_back(df > options.max_df);
      if (df > options.max_df) stats.common += j - i;
      for (size_t k = i; k < j; ++k) {
        postings.push_back({prints[k].speech, prints[k].pos});
        group_of.push_back(g);
      }
    });
    group_begin.push_back(static_cast<uint32_t>(postings.size()));
    release(prints);
    // Each speech's postings (a counting sort by speech).
    std::vector<uint32_t> mine_begin(count + 1, 0), mine(postings.size());
    for (const Posting& p : postings) ++mine_begin[p.speech + 1];
    std::partial_sum(mine_begin.begin(), mine_begin.end(), mine_begin.begin());
    {
      std::vector<uint32_t> at(mine_begin.begin(), mine_begin.end() - 1);
      for (uint32_t q = 0; q < postings.size(); ++q) mine[at[postings[q].speech]++] = q;
    }

    // Pass 2: each speech against the speeches after it that share a fingerprint with it.
    std::vector<Span> spans;
    schema::UnionFind comps;
    struct Seed {
      uint32_t other, pa, pb;
    };
    std::vector<Seed> seeds;
    std::vector<LocalAlignment> locals;
    const auto n = static_cast<uint32_t>(options.ngram);
    for (uint32_t a = 0; a < count; ++a) {
      report(progress, "aligning", a, count, true);
      seeds.clear();
      for (uint32_t m = mine_begin[a]; m < mine_begin[a + 1]; ++m) {
        const uint32_t q = mine[m], g = group_of[q], pa = postings[q].pos;
        const uint32_t first = group_begin[g], last = group_begin[g + 1];
        if (!common[g]) {
          for (uint32_t r = first; r < last; ++r) {
            if (postings[r].speech > a) seeds.push_back({postings[r].speech, pa, postings[r].pos});
          }
        } else {
          // Too common for every pair: each of the group's hubs against every other speech
          // (each pair once, from its lower speech).
          const std::array<uint32_t, kHubs> hubs = hubs_of(postings, first, last);
          for (size_t k = 0; k < kHubs; ++k) {
            const uint32_t h = hubs[k];
            if (k > 0 && h == hubs[k - 1]) continue;
            if (h == q) {
              for (uint32_t r = first; r < last; ++r) {
                if (postings[r].speech > a) {
                  seeds.push_back({postings[r].speech, pa, postings[r].pos});
                }
              }
            } else if (postings[h].speech > a) {
              seeds.push_back({postings[h].speech, pa, postings[h].pos});
            }
          }
        }
      }
      if (seeds.empty()) continue;
      std::sort(seeds.begin(), seeds.end(), [](const Seed& x, const Seed& y) {
        const int64_t dx = int64_t{x.pb} - x.pa, dy = int64_t{y.pb} - y.pa;
        return x.other != y.other ? x.other < y.other : dx != dy ? dx < dy : x.pa < y.pa;
      });
      const Ids ua = cache.get(a);
      for (size_t i = 0; i < seeds.size();) {
        const uint32_t b = seeds[i].other;
        const Ids ub = cache.get(b);
        ++stats.pairs;
        locals.clear();
        for (; i < seeds.size() && seeds[i].other == b; ++i) {
          const uint32_t pa = seeds[i].pa, pb = seeds[i].pb;
          const bool covered = std::any_of(locals.begin(), locals.end(), [&](const auto& l) {
            return pa >= l.a0 && pa < l.a1 && pb >= l.b0 && pb < l.b1;
          });
          if (covered ||
              !std::equal(ua->ids.begin() + pa, ua->ids.begin() + pa + n, ub->ids.begin() + pb)) {
            continue;
          }
          ++stats.extensions;
          locals.push_back(extend_seed(ua->ids, ub->ids, pa, pb, n, options.align, false));
        }
        for (const LocalAlignment& c :
             pair_passages(std::move(locals), *ua, *ub, vocabulary.punctuation(), options.min_chars,
                           options.align)) {
          ++stats.links;
          const uint32_t x = comps.add(), y = comps.add();
          spans.push_back({a, c.a0, c.a1});
          spans.push_back({b, c.b0, c.b1});
          comps.unite(x, y);
        }
        locals.clear();
      }
    }
    stats.rereads = cache.misses();
    release(postings);
    release(group_of);
    release(mine);
    cache.clear();

    // Clusters: spans joined by alignments and by overlaps within a speech.
    std::vector<uint32_t> order(spans.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
      return std::tie(spans[x].speech, spans[x].u0, spans[x].u1) <
             std::tie(spans[y].speech, spans[y].u0, spans[y].u1);
    });
    join_overlaps(spans, order, comps);
    std::unordered_map<uint32_t, size_t> cluster_of;  // component root -> passage
    std::vector<std::vector<Span>> members;           // per passage, by (speech, u0)
    {
      std::vector<std::vector<Span>> in_cluster;  // per passage, its spans by (speech, u0)
      for (uint32_t k : order) {
        const auto [it, added] = cluster_of.try_emplace(comps.find(k), in_cluster.size());
        if (added) in_cluster.emplace_back();
        in_cluster[it->second].push_back(spans[k]);
      }
      release(spans);
      release(order);
      members.resize(in_cluster.size());
      std::vector<Span> group;
      for (size_t p = 0; p < in_cluster.size(); ++p) {
        // Spans of one speech in one passage that overlap are one member.
        uint32_t reach = 0;
        for (const Span& sp : in_cluster[p]) {
          if (!group.empty() && (group.back().speech != sp.speech || sp.u0 >= reach)) {
            members[p].push_back(member_of(group));
            group.clear();
          }
          reach = group.empty() ? sp.u1 : std::max(reach, sp.u1);
          group.push_back(sp);
        }
        members[p].push_back(member_of(group));
        group.clear();
        release(in_cluster[p]);
      }
    }

    // Members' offsets and text: each speech with members read once more.
    std::vector<std::vector<std::pair<size_t, size_t>>> by_speech(count);  // (passage, member)
    result.passages.resize(members.size());
    for (size_t p = 0; p < members.size(); ++p) {
      result.passages[p].members.resize(members[p].size());
      for (size_t k = 0; k < members[p].size(); ++k)
        by_speech[members[p][k].speech].emplace_back(p, k);
    }
    for (uint32_t s = 0; s < count; ++s) {
      report(progress, "writing", s, count);
      if (by_speech[s].empty()) continue;
      const TextUnits t = read_text(searcher, docs[s], nullptr);
      for (const auto& [p, k] : by_speech[s]) {
        const Span& sp = members[p][k];
        ReuseMember& m = result.passages[p].members[k];
        m.speech = s;
        m.start = t.chars[sp.u0].first;
        m.end = t.chars[sp.u1 - 1].second;
        const size_t from = t.units[sp.u0].begin;
        m.text = t.text.substr(from, t.units[sp.u1 - 1].end - from);
      }
    }
    report(progress, "writing", count, count);

    // Order, metadata and the central-quote rule.
    stats.central = central_rule(count, stats.provinces, options);
    for (ReusePassage& p : result.passages) {
      std::sort(p.members.begin(), p.members.end(),
                [&](const ReuseMember& x, const ReuseMember& y) {
                  const ReuseSpeech& sx = result.speeches[x.speech];
                  const ReuseSpeech& sy = result.speeches[y.speech];
                  return std::forward_as_tuple(sx.year == 0, sx.year, sx.source, x.start) <
                         std::forward_as_tuple(sy.year == 0, sy.year, sy.source, y.start);
                });
      std::set<uint32_t> speeches;
      std::set<std::string> counties, provs;
      for (const ReuseMember& m : p.members) {
        const ReuseSpeech& sp = result.speeches[m.speech];
        speeches.insert(m.speech);
        if (!sp.county_code.empty()) counties.insert(sp.county_code);
        if (!sp.province.empty()) provs.insert(sp.province);
        if (sp.year != 0) {
          p.year_min = p.year_min == 0 ? sp.year : std::min(p.year_min, sp.year);
          p.year_max = std::max(p.year_max, sp.year);
        }
        p.chars = std::max(p.chars, m.end - m.start);
      }
      p.speeches = speeches.size();
      p.counties = counties.size();
      p.provinces = provs.size();
      p.central_quote =
          p.speeches >= stats.central.speeches && p.provinces >= stats.central.provinces;
    }
    mark_contained_quotes(result);
    std::sort(result.passages.begin(), result.passages.end(),
              [&](const ReusePassage& x, const ReusePassage& y) {
                if (x.speeches != y.speeches) return x.speeches > y.speeches;
                if (x.chars != y.chars) return x.chars > y.chars;
                const ReuseSpeech& sx = result.speeches[x.members.front().speech];
                const ReuseSpeech& sy = result.speeches[y.members.front().speech];
                return std::tie(sx.source, sx.speech_id, x.members.front().start) <
                       std::tie(sy.source, sy.speech_id, y.members.front().start);
              });
    for (size_t p = 0; p < result.passages.size(); ++p) result.passages[p].id = p + 1;
  });
  return result;
}

ReusePair reuse_pair(Searcher& searcher, const std::string& a, const std::string& b,
                     const ReuseOptions& options) {
  ReusePair pair;
  searcher.on_one_snapshot([&] {
    pair = ReusePair{};
    // Each speech's paragraphs, found by reading one record of every speech.
    const ValueColumn& speech = searcher.value_column(schema::kSlotSpeech);
    std::vector<int> seen(speech.distinct(), 0);  // 0 unread, 1 A, 2 B, 3 neither
    std::vector<unsigned> docs_a, docs_b;
    SearchRequest all;
    all.query = ParsedQuery{textstore::Query::all(), {}, true, {}};
    all.boilerplate = Boilerplate::kExclude;
    searcher.for_each_match(all, [&](unsigned id) {
      const uint32_t code = speech.code(id);
      if (code == 0) return;
      if (seen[code] == 0) {
        const std::string sid = searcher.record(id).speech_id;
        seen[code] = sid == a ? 1 : sid == b ? 2 : 3;
      }
      if (seen[code] == 1) docs_a.push_back(id);
      if (seen[code] == 2) docs_b.push_back(id);
    });
    if (docs_a.empty()) throw UsageError("no speech with this id in the index", a);
    if (docs_b.empty()) throw UsageError("no speech with this id in the index", b);
    const TextUnits ta = read_text(searcher, docs_a, &pair.a);
    const TextUnits tb = read_text(searcher, docs_b, &pair.b);
    pair.a_chars = ta.length;
    pair.b_chars = tb.length;
    Vocabulary vocabulary;
    const UnitText ua = vocabulary.text(ta), ub = vocabulary.text(tb);
    std::vector<LocalAlignment> found = align_texts(ua, ub, vocabulary.punctuation(), options.ngram,
                                                    options.min_chars, options.align, true);
    // One co-linear series of passages, the longest first, so that segments cover both texts
    // in order.
    std::sort(found.begin(), found.end(), [](const LocalAlignment& x, const LocalAlignment& y) {
      return x.matches > y.matches;
    });
    std::vector<LocalAlignment> kept;
    for (LocalAlignment& f : found) {
      const bool fits = std::all_of(kept.begin(), kept.end(), [&](const LocalAlignment& k) {
        return (f.a1 <= k.a0 && f.b1 <= k.b0) || (f.a0 >= k.a1 && f.b0 >= k.b1);
      });
      if (fits) kept.push_back(std::move(f));
    }
    std::sort(kept.begin(), kept.end(),
              [](const LocalAlignment& x, const LocalAlignment& y) { return x.a0 < y.a0; });

    // Segment boundaries fall on unit starts, so white space goes with the unit before it.
    auto chars = [](const TextUnits& t, uint32_t u) {
      return u == 0 ? size_t{0} : u >= t.chars.size() ? t.length : t.chars[u].first;
    };
    auto add = [&](EditOp op, uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1, size_t passage) {
      if (a0 == a1 && b0 == b1) return;
      if (a0 == a1) op = EditOp::kInsert;
      if (b0 == b1) op = EditOp::kDelete;
      const size_t ba = byte_cut(ta, a0), bb = byte_cut(tb, b0);
      pair.segments.push_back({op, chars(ta, a0), chars(ta, a1), chars(tb, b0), chars(tb, b1),
                               ta.text.substr(ba, byte_cut(ta, a1) - ba),
                               tb.text.substr(bb, byte_cut(tb, b1) - bb), passage});
    };
    uint32_t at_a = 0, at_b = 0;
    for (const LocalAlignment& k : kept) {
      add(EditOp::kReplace, at_a, k.a0, at_b, k.b0, 0);
      pair.passages.push_back({ta.chars[k.a0].first, ta.chars[k.a1 - 1].second,
                               tb.chars[k.b0].first, tb.chars[k.b1 - 1].second, identity(k)});
      for (const Edit& e : k.edits) add(e.op, e.a0, e.a1, e.b0, e.b1, pair.passages.size());
      at_a = k.a1;
      at_b = k.b1;
    }
    add(EditOp::kReplace, at_a, static_cast<uint32_t>(ta.units.size()), at_b,
        static_cast<uint32_t>(tb.units.size()), 0);
  });
  return pair;
}

}  // namespace speechdex::searcher
