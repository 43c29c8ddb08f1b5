// Bench prototype, not product: text postings with positions inline, one posting list per
// term, as Groonga, FTS5 and Lucene store them. It measures what this layout would give
// speechdex in place of glass's position table (one B-tree item per term and document), so
// the design decision in bench/RESULTS.md rests on numbers. It uses speechdex's own tokenizer,
// so its terms and counts are speechdex's: one document per non-blank line, unigrams without
// positions, bigrams with.
//   speechdex-bench-inline build FILE [MANIFEST]
//                                         paths of text files on stdin; writes FILE. With
//                                         make-corpus's manifest (path, code, year columns), it
//                                         also stores every document's year and county as
//                                         columns, as a column store would hold facets
//   speechdex-bench-inline query FILE     queries on stdin (parts separated by spaces, ANDed);
//                                         per query prints count<TAB>milliseconds<TAB>top ids
//   speechdex-bench-inline query FILE DB  the same, but the matches (with their weights) go
//                                         through Xapian's matcher on DB as a PostingSource,
//                                         with a year+county ValueCountMatchSpy: what Xapian's
//                                         per-hit loop would cost a hybrid design
//   With SPEECHDEX_BENCH_FACETS set, `query FILE` also counts years and counties over every
//   match from the columns and prints them after the ids: year=count,...;code=count,...
//
// Layout of FILE: a header, the length of every document in units, the dictionary (terms in
// byte order, each with its document frequency, whether it is positional, and its blocks) and
// the postings. A term's postings are cut into blocks of kBlock documents; each block starts
// a fresh docid delta, so a query can jump to the block holding a document. Inside a block,
// per document: varint docid delta, varint frequency, and for bigrams the positions as
// varint deltas. The build holds everything in memory and writes once; a product would flush
// runs and merge them, which this prototype does not measure.
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tokenizer.h"

namespace {

using speechdex::schema::bigram_term;
using speechdex::schema::tokenize;
using speechdex::schema::unigram_term;
using speechdex::schema::Unit;

constexpr uint32_t kBlock = 128;
constexpr char kMagic[8] = {'S', 'D', 'X', 'I', 'N', 'L', '0', '1'};

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

uint64_t get_varint(const uint8_t*& p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const uint8_t b = *p++;
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (b < 0x80) return v;
  }
}

// ---- build -----------------------------------------------------------------------------

struct BuildTerm {
  std::string postings;
  std::vector<std::pair<uint32_t, uint32_t>> blocks;  // (last docid, end offset)
  uint32_t df = 0;
  uint32_t last_doc = 0;
  bool positional = false;
};

class Builder {
 public:
  void add_document(std::string_view text, uint16_t year, uint32_t county) {
    const uint32_t doc = static_cast<uint32_t>(lengths_.size()) + 1;
    years_.push_back(year);
    auto [it, fresh] = county_ids_.emplace(county, static_cast<uint16_t>(county_codes_.size()));
    if (fresh) county_codes_.push_back(county);
    counties_.push_back(it->second);
    const std::vector<Unit> units = tokenize(text);
    lengths_.push_back(static_cast<uint32_t>(units.size()));
    uni_.clear();
    bi_.clear();
    for (const Unit& u : units) uni_.push_back(unigram_term("", u));
    for (size_t i = 0; i + 1 < units.size(); ++i) {
      bi_.emplace_back(bigram_term("", units[i], units[i + 1]), static_cast<uint32_t>(i + 1));
    }
    std::sort(uni_.begin(), uni_.end());
    for (size_t i = 0; i < uni_.size();) {
      size_t j = i;
      while (j < uni_.size() && uni_[j] == uni_[i]) ++j;
      BuildTerm& t = start(uni_[i], doc, false);
      put_varint(t.postings, j - i);
      finish(t, doc);
      i = j;
    }
    std::sort(bi_.begin(), bi_.end());
    for (size_t i = 0; i < bi_.size();) {
      size_t j = i;
      while (j < bi_.size() && bi_[j].first == bi_[i].first) ++j;
      BuildTerm& t = start(bi_[i].first, doc, true);
      put_varint(t.postings, j - i);
      uint32_t prev = 0;
      for (size_t k = i; k < j; ++k) {
        put_varint(t.postings, bi_[k].second - prev);
        prev = bi_[k].second;
      }
      finish(t, doc);
      i = j;
    }
  }

  // Returns the number of bytes written.
  uint64_t write(const std::string& path) const {
    std::vector<const std::pair<const std::string, BuildTerm>*> sorted;
    sorted.reserve(terms_.size());
    for (const auto& kv : terms_) sorted.push_back(&kv);
    std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a->first < b->first; });
    std::string head(kMagic, sizeof kMagic);
    put_varint(head, lengths_.size());
    put_varint(head, sorted.size());
    for (uint32_t len : lengths_) put_varint(head, len);
    put_varint(head, county_codes_.size());
    for (uint32_t code : county_codes_) put_varint(head, code);
    for (size_t i = 0; i < years_.size(); ++i) {
      put_varint(head, years_[i]);
      put_varint(head, counties_[i]);
    }
    uint64_t offset = 0;
    for (const auto* kv : sorted) {
      const BuildTerm& t = kv->second;
      put_varint(head, kv->first.size());
      head += kv->first;
      put_varint(head, t.df);
      head.push_back(t.positional ? 1 : 0);
      put_varint(head, offset);
      put_varint(head, t.blocks.size() + (t.df % kBlock != 0));
      uint32_t prev_doc = 0, prev_end = 0;
      auto put_block = [&](uint32_t last, uint32_t end) {
        put_varint(head, last - prev_doc);
        put_varint(head, end - prev_end);
        prev_doc = last;
        prev_end = end;
      };
      for (const auto& [last, end] : t.blocks) put_block(last, end);
      if (t.df % kBlock != 0) put_block(t.last_doc, static_cast<uint32_t>(t.postings.size()));
      offset += t.postings.size();
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    uint64_t head_size = head.size();
    out.write(reinterpret_cast<const char*>(&head_size), sizeof head_size);
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    for (const auto* kv : sorted) {
      out.write(kv->second.postings.data(),
                static_cast<std::streamsize>(kv->second.postings.size()));
    }
    if (!out) throw std::runtime_error(path + ": cannot write");
    return sizeof head_size + head.size() + offset;
  }

  size_t documents() const { return lengths_.size(); }
  size_t terms() const { return terms_.size(); }

 private:
  BuildTerm& start(const std::string& term, uint32_t doc, bool positional) {
    BuildTerm& t = terms_[term];
    t.positional = positional;
    // The first document of a block is a delta from the block before.
    put_varint(t.postings, doc - t.last_doc);
    return t;
  }
  void finish(BuildTerm& t, uint32_t doc) {
    t.last_doc = doc;
    if (++t.df % kBlock == 0) t.blocks.emplace_back(doc, static_cast<uint32_t>(t.postings.size()));
  }

  std::unordered_map<std::string, BuildTerm> terms_;
  std::vector<uint32_t> lengths_;
  std::vector<uint16_t> years_, counties_;  // columns: year (0: unknown), dense county id
  std::vector<uint32_t> county_codes_;      // dense id -> code (0: unknown)
  std::unordered_map<uint32_t, uint16_t> county_ids_;
  std::vector<std::string> uni_;
  std::vector<std::pair<std::string, uint32_t>> bi_;
};

int build(const std::string& path, const char* manifest_path) {
  const auto started = std::chrono::steady_clock::now();
  std::unordered_map<std::string, std::pair<uint16_t, uint32_t>> manifest;  // path -> year, code
  if (manifest_path != nullptr) {
    std::ifstream in(manifest_path);
    std::string row;
    std::getline(in, row);  // header: path, code, year
    while (std::getline(in, row)) {
      const size_t a = row.find('\t'), b = row.find('\t', a + 1);
      if (b == std::string::npos) continue;
      manifest[row.substr(0, a)] = {
          static_cast<uint16_t>(std::stoul(row.substr(b + 1))),
          static_cast<uint32_t>(std::stoul(row.substr(a + 1, b - a - 1)))};
    }
  }
  Builder b;
  std::string file;
  uint64_t bytes = 0;
  while (std::getline(std::cin, file)) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << file << ": cannot read\n";
      return 1;
    }
    const auto meta = manifest.find(file);
    const uint16_t year = meta == manifest.end() ? 0 : meta->second.first;
    const uint32_t county = meta == manifest.end() ? 0 : meta->second.second;
    std::string line;
    while (std::getline(in, line)) {
      bytes += line.size() + 1;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      b.add_document(line, year, county);
    }
  }
  const uint64_t size = b.write(path);
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("documents %zu terms %zu text %.1f MB index %.1f MB build %.2f s\n", b.documents(),
              b.terms(), static_cast<double>(bytes) / 1e6, static_cast<double>(size) / 1e6, s);
  return 0;
}

// ---- query -----------------------------------------------------------------------------

struct Term {
  uint32_t df = 0;
  bool positional = false;
  const uint8_t* postings = nullptr;
  std::vector<std::pair<uint32_t, uint32_t>> blocks;  // (last docid, end offset)
};

class Store {
 public:
  explicit Store(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read");
    data_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    uint64_t head_size = 0;
    std::memcpy(&head_size, data_.data(), sizeof head_size);
    const auto* p = reinterpret_cast<const uint8_t*>(data_.data()) + sizeof head_size;
    const uint8_t* postings = p + head_size;
    if (std::memcmp(p, kMagic, sizeof kMagic) != 0)
      throw std::runtime_error(path + ": not a store");
    p += sizeof kMagic;
    lengths_.resize(get_varint(p));
    const uint64_t nterms = get_varint(p);
    double total = 0;
    for (uint32_t& len : lengths_)
      total += static_cast<double>(len = static_cast<uint32_t>(get_varint(p)));
    avg_length_ = lengths_.empty() ? 1 : total / static_cast<double>(lengths_.size());
    county_codes_.resize(get_varint(p));
    for (uint32_t& code : county_codes_) code = static_cast<uint32_t>(get_varint(p));
    years_.resize(lengths_.size());
    counties_.resize(lengths_.size());
    for (size_t i = 0; i < lengths_.size(); ++i) {
      years_[i] = static_cast<uint16_t>(get_varint(p));
      counties_[i] = static_cast<uint16_t>(get_varint(p));
    }
    terms_.reserve(nterms);
    for (uint64_t i = 0; i < nterms; ++i) {
      const uint64_t n = get_varint(p);
      std::string name(reinterpret_cast<const char*>(p), n);
      p += n;
      Term t;
      t.df = static_cast<uint32_t>(get_varint(p));
      t.positional = *p++ != 0;
      t.postings = postings + get_varint(p);
      t.blocks.resize(get_varint(p));
      uint32_t doc = 0, end = 0;
      for (auto& [last, e] : t.blocks) {
        last = doc += static_cast<uint32_t>(get_varint(p));
        e = end += static_cast<uint32_t>(get_varint(p));
      }
      terms_.emplace(std::move(name), std::move(t));
    }
  }
  const Term* find(const std::string& term) const {
    auto it = terms_.find(term);
    return it == terms_.end() ? nullptr : &it->second;
  }
  uint32_t length(uint32_t doc) const { return lengths_[doc - 1]; }
  double avg_length() const { return avg_length_; }
  size_t documents() const { return lengths_.size(); }
  uint16_t year(uint32_t doc) const { return years_[doc - 1]; }
  uint16_t county(uint32_t doc) const { return counties_[doc - 1]; }
  const std::vector<uint32_t>& county_codes() const { return county_codes_; }

 private:
  std::string data_;
  std::vector<uint32_t> lengths_;
  std::vector<uint16_t> years_, counties_;
  std::vector<uint32_t> county_codes_;
  double avg_length_ = 1;
  std::unordered_map<std::string, Term> terms_;
};

// Walks one term's postings in docid order; seek() jumps whole blocks.
class Cursor {
 public:
  explicit Cursor(const Term& t) : t_(t) { enter(0); }
  uint32_t doc() const { return doc_; }  // 0 once past the end
  uint32_t freq() const { return freq_; }
  // Positions of the current document, decoded on demand.
  const std::vector<uint32_t>& positions() {
    if (!decoded_) {
      pos_.clear();
      const uint8_t* q = pos_begin_;
      uint32_t v = 0;
      for (uint32_t i = 0; i < freq_; ++i)
        pos_.push_back(v += static_cast<uint32_t>(get_varint(q)));
      decoded_ = true;
    }
    return pos_;
  }
  void next() {
    if (t_.positional) {
      // Skip the positions: one byte with the top bit clear ends each varint.
      for (uint32_t i = 0; i < freq_; ++i) {
        while (*p_++ & 0x80) {
        }
      }
    }
    if (p_ == block_end_) {
      enter(block_ + 1);
      return;
    }
    read();
  }
  void seek(uint32_t target) {
    if (doc_ == 0 || doc_ >= target) return;
    if (t_.blocks[block_].first < target) {
      auto it = std::lower_bound(t_.blocks.begin() + static_cast<long>(block_), t_.blocks.end(),
                                 target, [](const auto& b, uint32_t d) { return b.first < d; });
      if (it == t_.blocks.end()) {
        doc_ = 0;
        return;
      }
      enter(static_cast<size_t>(it - t_.blocks.begin()));
    }
    while (doc_ != 0 && doc_ < target) next();
  }

 private:
  void enter(size_t block) {
    block_ = block;
    if (block >= t_.blocks.size()) {
      doc_ = 0;
      return;
    }
    const uint32_t begin = block == 0 ? 0 : t_.blocks[block - 1].second;
    p_ = t_.postings + begin;
    block_end_ = t_.postings + t_.blocks[block].second;
    doc_ = block == 0 ? 0 : t_.blocks[block - 1].first;
    read();
  }
  void read() {
    doc_ += static_cast<uint32_t>(get_varint(p_));
    freq_ = static_cast<uint32_t>(get_varint(p_));
    pos_begin_ = p_;
    if (!t_.positional) return;
    decoded_ = false;
  }

  const Term& t_;
  size_t block_ = 0;
  const uint8_t* p_ = nullptr;
  const uint8_t* block_end_ = nullptr;
  const uint8_t* pos_begin_ = nullptr;
  uint32_t doc_ = 0, freq_ = 0;
  bool decoded_ = false;
  std::vector<uint32_t> pos_;
};

// One space-separated part of a query: its terms and their offsets in the run.
struct Part {
  std::vector<std::pair<size_t, uint32_t>> terms;  // (cursor index, offset)
};

// True if the part's bigrams sit at consecutive offsets somewhere in the current document.
bool phrase_matches(const Part& part, std::vector<Cursor>& cursors) {
  if (part.terms.size() < 2) return true;
  const auto& first = cursors[part.terms[0].first].positions();
  std::vector<size_t> at(part.terms.size(), 0);
  for (uint32_t p : first) {
    bool all = true;
    for (size_t k = 1; k < part.terms.size() && all; ++k) {
      const auto& ps = cursors[part.terms[k].first].positions();
      const uint32_t want = p + part.terms[k].second;
      while (at[k] < ps.size() && ps[at[k]] < want) ++at[k];
      all = at[k] < ps.size() && ps[at[k]] == want;
    }
    if (all) return true;
  }
  return false;
}

// Evaluates one query line: calls hit(doc, BM25 weight) for every match, in docid order.
template <typename Hit>
void evaluate(const Store& store, const std::string& line, Hit&& hit) {
  const double n = static_cast<double>(store.documents());
  std::vector<const Term*> terms;
  std::vector<Part> parts;
  size_t from = 0;
  while (from <= line.size()) {
    size_t to = line.find(' ', from);
    if (to == std::string::npos) to = line.size();
    const std::vector<Unit> units = tokenize(std::string_view(line).substr(from, to - from));
    from = to + 1;
    if (units.empty()) continue;
    Part part;
    auto add = [&](const std::string& term, uint32_t offset) {
      part.terms.emplace_back(terms.size(), offset);
      terms.push_back(store.find(term));
    };
    if (units.size() == 1) add(unigram_term("", units[0]), 0);
    for (size_t i = 0; i + 1 < units.size(); ++i) {
      add(bigram_term("", units[i], units[i + 1]), static_cast<uint32_t>(i));
    }
    parts.push_back(std::move(part));
  }
  if (terms.empty() || std::find(terms.begin(), terms.end(), nullptr) != terms.end()) return;
  std::vector<Cursor> cursors;
  std::vector<double> idf;
  cursors.reserve(terms.size());
  for (const Term* t : terms) {
    cursors.emplace_back(*t);
    idf.push_back(std::max(1e-6, std::log((n - t->df + 0.5) / (t->df + 0.5))));
  }
  // Leapfrog over the cursors, rarest first.
  std::vector<size_t> order(cursors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return terms[a]->df < terms[b]->df; });
  uint32_t doc = cursors[order[0]].doc();
  while (doc != 0) {
    bool aligned = true;
    for (size_t i : order) {
      cursors[i].seek(doc);
      if (cursors[i].doc() != doc) {
        doc = cursors[i].doc();
        aligned = false;
        break;
      }
    }
    if (doc == 0) break;
    if (!aligned) continue;
    bool match = true;
    for (const Part& part : parts) match = match && phrase_matches(part, cursors);
    if (match) {
      // BM25 as Xapian's defaults (k1 = 1, b = 0.5) over the terms' frequencies.
      const double norm = 0.5 + 0.5 * store.length(doc) / store.avg_length();
      double score = 0;
      for (size_t i = 0; i < cursors.size(); ++i) {
        const double f = cursors[i].freq();
        score += idf[i] * 2 * f / (norm + f);
      }
      hit(doc, score);
    }
    cursors[order[0]].next();
    doc = cursors[order[0]].doc();
  }
}

// The matches of a query, handed to Xapian's matcher.
class Matches : public Xapian::PostingSource {
 public:
  explicit Matches(const std::vector<std::pair<uint32_t, double>>& hits, double max_weight)
      : hits_(hits) {
    set_maxweight(max_weight);
  }
  Xapian::doccount get_termfreq_min() const override {
    return static_cast<Xapian::doccount>(hits_.size());
  }
  Xapian::doccount get_termfreq_est() const override { return get_termfreq_min(); }
  Xapian::doccount get_termfreq_max() const override { return get_termfreq_min(); }
  void init(const Xapian::Database&) override { at_ = static_cast<size_t>(-1); }
  void next(double) override { ++at_; }
  void skip_to(Xapian::docid did, double) override {
    if (at_ == static_cast<size_t>(-1)) at_ = 0;
    while (at_ < hits_.size() && hits_[at_].first < did) ++at_;
  }
  bool at_end() const override { return at_ >= hits_.size(); }
  Xapian::docid get_docid() const override { return hits_[at_].first; }
  double get_weight() const override { return hits_[at_].second; }

 private:
  const std::vector<std::pair<uint32_t, double>>& hits_;
  size_t at_ = 0;
};

int query(const std::string& path, const char* db_path) {
  const Store store(path);
  std::unique_ptr<Xapian::Database> db;
  if (db_path != nullptr) db = std::make_unique<Xapian::Database>(db_path);
  const bool spies = std::getenv("SPEECHDEX_BENCH_NO_SPIES") == nullptr;
  const bool facets = std::getenv("SPEECHDEX_BENCH_FACETS") != nullptr;
  std::vector<uint32_t> by_year(1u << 16), by_county(store.county_codes().size());
  std::string line;
  std::vector<std::pair<uint32_t, double>> hits;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    const auto started = std::chrono::steady_clock::now();
    uint64_t count = 0;
    std::vector<uint32_t> ids;
    if (db) {
      hits.clear();
      double max_weight = 0;
      evaluate(store, line, [&](uint32_t doc, double score) {
        hits.emplace_back(doc, score);
        max_weight = std::max(max_weight, score);
      });
      Matches source(hits, max_weight);
      Xapian::Enquire enquire(*db);
      enquire.set_query(Xapian::Query(&source));
      Xapian::ValueCountMatchSpy years(2), counties(3);
      if (spies) {
        enquire.add_matchspy(&years);
        enquire.add_matchspy(&counties);
      }
      const Xapian::MSet mset = enquire.get_mset(0, 10, db->get_doccount());
      count = mset.get_matches_estimated();
      for (auto it = mset.begin(); it != mset.end(); ++it) ids.push_back(*it);
    } else {
      std::priority_queue<std::pair<double, uint32_t>, std::vector<std::pair<double, uint32_t>>,
                          std::greater<>>
          top;
      if (facets) {
        std::fill(by_year.begin(), by_year.end(), 0);
        std::fill(by_county.begin(), by_county.end(), 0);
      }
      evaluate(store, line, [&](uint32_t doc, double score) {
        ++count;
        if (facets) {
          ++by_year[store.year(doc)];
          ++by_county[store.county(doc)];
        }
        if (top.size() < 10) {
          top.emplace(score, doc);
        } else if (score > top.top().first) {
          top.pop();
          top.emplace(score, doc);
        }
      });
      for (; !top.empty(); top.pop()) ids.push_back(top.top().second);
      std::reverse(ids.begin(), ids.end());
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    std::string out = std::to_string(count) + "\t" + std::to_string(ms) + "\t";
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += std::to_string(ids[i]);
    }
    if (facets && !db) {
      out.push_back('\t');
      for (size_t y = 1; y < by_year.size(); ++y) {
        if (by_year[y] != 0) out += std::to_string(y) + '=' + std::to_string(by_year[y]) + ',';
      }
      out.push_back(';');
      for (size_t c = 0; c < by_county.size(); ++c) {
        if (by_county[c] != 0 && store.county_codes()[c] != 0) {
          out += std::to_string(store.county_codes()[c]) + '=' + std::to_string(by_county[c]) + ',';
        }
      }
    }
    std::cout << out << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string verb = argc > 1 ? argv[1] : "";
  if (!((verb == "build" || verb == "query") && (argc == 3 || argc == 4))) {
    std::cerr << "usage: speechdex-bench-inline build FILE [MANIFEST] | query FILE [DB]\n";
    return 2;
  }
  try {
    const char* extra = argc == 4 ? argv[3] : nullptr;
    return verb == "build" ? build(argv[2], extra) : query(argv[2], extra);
  } catch (const std::exception& e) {
    std::cerr << "speechdex-bench-inline: " << e.what() << "\n";
    return 1;
  }
}
