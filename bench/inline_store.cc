// Bench tool: the text store (textstore/) on a bench corpus, ahead of the product using it
// (docs/text-store.md). One document per non-blank line, terms from speechdex's tokenizer:
// unigrams without positions, bigrams with.
//   speechdex-bench-inline build FILE [MANIFEST]
//                                         paths of text files on stdin; writes the segment
//                                         FILE. With make-corpus's manifest (path, code, year
//                                         columns) it also writes FILE.columns: every
//                                         document's year and county, as facet columns
//   speechdex-bench-inline query FILE     queries on stdin, read by speechdex's query parser;
//                                         per query prints count<TAB>milliseconds<TAB>top ids
//   speechdex-bench-inline query FILE DB  the same, but the matches (with their weights) go
//                                         through Xapian's matcher on DB as a PostingSource,
//                                         with a year+county ValueCountMatchSpy: what Xapian's
//                                         per-hit loop would cost a hybrid design
//   With SPEECHDEX_BENCH_FACETS set, `query FILE` also counts years and counties over every
//   match from FILE.columns and prints them after the ids: year=count,...;code=count,...
//   SPEECHDEX_BENCH_NO_SPIES leaves the spies out of the hybrid.
// The build runs on one core as the product's indexer would: a segment is written every
// kFlushDocuments documents (the indexer commits every 20,000 paragraphs), and the runs are
// merged into FILE at the end.
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "match.h"
#include "query_parser.h"
#include "segment.h"
#include "segment_merge.h"
#include "segment_writer.h"
#include "tokenizer.h"
#include "varint.h"

namespace {

using speechdex::schema::tokenize;
using speechdex::schema::Unit;
namespace ts = speechdex::textstore;

constexpr uint32_t kFlushDocuments = 20000;

// Facet columns: per document a year (0: unknown) and a dense county id into `codes`
// (code 0: unknown).
struct Columns {
  std::vector<uint32_t> codes;
  std::vector<uint16_t> years, counties;

  void write(const std::string& path) const {
    std::string out;
    ts::put_varint(out, codes.size());
    for (uint32_t c : codes) ts::put_varint(out, c);
    ts::put_varint(out, years.size());
    for (size_t i = 0; i < years.size(); ++i) {
      ts::put_varint(out, years[i]);
      ts::put_varint(out, counties[i]);
    }
    std::ofstream(path, std::ios::binary | std::ios::trunc) << out;
  }
  static Columns read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read (built without a manifest?)");
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    s.append(16, '\0');
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    Columns c;
    c.codes.resize(ts::get_varint(p));
    for (uint32_t& code : c.codes) code = static_cast<uint32_t>(ts::get_varint(p));
    c.years.resize(ts::get_varint(p));
    c.counties.resize(c.years.size());
    for (size_t i = 0; i < c.years.size(); ++i) {
      c.years[i] = static_cast<uint16_t>(ts::get_varint(p));
      c.counties[i] = static_cast<uint16_t>(ts::get_varint(p));
    }
    return c;
  }
};

// Manifest rows and the file list name files either way (the harness writes absolute paths).
std::string absolute(const std::string& file) {
  return std::filesystem::absolute(file).lexically_normal().string();
}

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
      manifest[absolute(row.substr(0, a))] = {
          static_cast<uint16_t>(std::stoul(row.substr(b + 1))),
          static_cast<uint32_t>(std::stoul(row.substr(a + 1, b - a - 1)))};
    }
  }
  auto w = std::make_unique<ts::SegmentWriter>();
  std::vector<std::shared_ptr<const ts::Segment>> runs;
  auto flush = [&] {
    const std::string run = path + ".run" + std::to_string(runs.size());
    w->write(run);
    runs.push_back(ts::Segment::open(run));
    w = std::make_unique<ts::SegmentWriter>();
  };
  size_t terms = 0;
  Columns columns;
  std::unordered_map<uint32_t, uint16_t> county_ids;
  uint32_t docid = 0;
  uint64_t bytes = 0;
  std::string file;
  while (std::getline(std::cin, file)) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << file << ": cannot read\n";
      return 1;
    }
    const auto meta = manifest.find(absolute(file));
    const uint16_t year = meta == manifest.end() ? 0 : meta->second.first;
    const uint32_t county = meta == manifest.end() ? 0 : meta->second.second;
    auto [id, fresh] = county_ids.emplace(county, static_cast<uint16_t>(columns.codes.size()));
    if (fresh) columns.codes.push_back(county);
    std::string line;
    while (std::getline(in, line)) {
      bytes += line.size() + 1;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::vector<Unit> units = tokenize(line);
      w->add_document(++docid, static_cast<uint32_t>(units.size()));
      speechdex::schema::for_each_text_term(
          "", units, speechdex::schema::kFirstPosition,
          [&](const std::string& t) { w->add_term(t, 1); },
          [&](const std::string& t, uint32_t position) { w->add_occurrence(t, position); });
      columns.years.push_back(year);
      columns.counties.push_back(id->second);
      if (w->documents() == kFlushDocuments) flush();
    }
  }
  if (w->documents() > 0) flush();
  const uint64_t size = ts::merge_segments(
      runs, [](size_t, uint32_t d) { return d; }, path);
  for (size_t k = 0; k < runs.size(); ++k) std::remove((path + ".run" + std::to_string(k)).c_str());
  terms = ts::Segment::open(path)->terms();
  if (manifest_path != nullptr) columns.write(path + ".columns");
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("documents %u terms %zu runs %zu text %.1f MB index %.1f MB build %.2f s\n", docid,
              terms, runs.size(), static_cast<double>(bytes) / 1e6, static_cast<double>(size) / 1e6,
              s);
  return 0;
}

// The matches of a query, handed to Xapian's matcher.
class Matches : public Xapian::PostingSource {
 public:
  Matches(const std::vector<ts::Scored>& hits, double max_weight) : hits_(hits) {
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
    while (at_ < hits_.size() && hits_[at_].docid < did) ++at_;
  }
  bool at_end() const override { return at_ >= hits_.size(); }
  Xapian::docid get_docid() const override { return hits_[at_].docid; }
  double get_weight() const override { return hits_[at_].score; }

 private:
  const std::vector<ts::Scored>& hits_;
  size_t at_ = 0;
};

int query(const std::string& path, const char* db_path) {
  const ts::TextIndex index({ts::Segment::open(path)});
  std::unique_ptr<Xapian::Database> db;
  if (db_path != nullptr) db = std::make_unique<Xapian::Database>(db_path);
  const bool spies = std::getenv("SPEECHDEX_BENCH_NO_SPIES") == nullptr;
  const bool facets = std::getenv("SPEECHDEX_BENCH_FACETS") != nullptr && !db;
  Columns columns;
  if (facets) columns = Columns::read(path + ".columns");
  std::vector<uint32_t> by_year(1u << 16), by_county(columns.codes.size());
  std::vector<ts::Scored> hits;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    const auto started = std::chrono::steady_clock::now();
    uint64_t count = 0;
    std::vector<uint32_t> ids;
    const ts::Query q = speechdex::searcher::parse_query(line).query;
    if (db) {
      hits.clear();
      double max_weight = 0;
      index.for_each(q, [&](const ts::Scored& s) {
        hits.push_back(s);
        max_weight = std::max(max_weight, s.score);
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
    } else if (facets) {
      std::fill(by_year.begin(), by_year.end(), 0);
      std::fill(by_county.begin(), by_county.end(), 0);
      index.for_each(q, [&](const ts::Scored& s) {
        ++count;
        ++by_year[columns.years[s.docid - 1]];
        ++by_county[columns.counties[s.docid - 1]];
      });
    } else {
      const ts::MatchResult r = index.search(q, 10);
      count = r.count;
      for (const ts::Scored& s : r.top) ids.push_back(s.docid);
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    std::string out = std::to_string(count) + "\t" + std::to_string(ms) + "\t";
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += std::to_string(ids[i]);
    }
    if (facets) {
      out.push_back('\t');
      for (size_t y = 1; y < by_year.size(); ++y) {
        if (by_year[y] != 0) out += std::to_string(y) + '=' + std::to_string(by_year[y]) + ',';
      }
      out.push_back(';');
      for (size_t c = 0; c < by_county.size(); ++c) {
        if (by_county[c] != 0 && columns.codes[c] != 0) {
          out += std::to_string(columns.codes[c]) + '=' + std::to_string(by_county[c]) + ',';
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
