// The text store (textstore/): segments round-trip what was written; matching equals brute
// force over random data and over the sample corpus with the real tokenizer; bad files are
// refused with their path.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <xapian.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "match.h"
#include "oracle.h"
#include "segment.h"
#include "segment_merge.h"
#include "segment_writer.h"
#include "tokenizer.h"
#include "varint.h"

namespace speechdex::testing {
namespace {

using textstore::MatchResult;
using textstore::phrase_plan;
using textstore::PostingCursor;
using textstore::Query;
using textstore::Segment;
using textstore::SegmentWriter;
using textstore::TextIndex;

// A document of a random corpus: units are small integers, its terms are unigrams "u<c>"
// (no positions) and bigrams "b<c>.<d>" at positions 1, 2, ...
struct Doc {
  uint32_t docid;
  std::vector<int> units;
};

std::string uni(int c) { return "u" + std::to_string(c); }
std::string bi(int c, int d) { return "b" + std::to_string(c) + "." + std::to_string(d); }

void add(SegmentWriter& w, const Doc& d) {
  w.add_document(d.docid, static_cast<uint32_t>(d.units.size()));
  std::map<std::string, uint32_t> wdf;
  std::map<std::string, std::vector<uint32_t>> pos;
  for (size_t i = 0; i < d.units.size(); ++i) {
    ++wdf[uni(d.units[i])];
    if (i + 1 < d.units.size()) {
      pos[bi(d.units[i], d.units[i + 1])].push_back(static_cast<uint32_t>(i + 1));
    }
  }
  for (const auto& [t, n] : wdf) w.add_term(t, n);
  for (const auto& [t, ps] : pos) w.add_positional_term(t, ps);
}

std::vector<Doc> random_docs(std::mt19937& rng, size_t n, int alphabet, uint32_t first_docid) {
  std::vector<Doc> docs;
  uint32_t docid = first_docid;
  for (size_t i = 0; i < n; ++i) {
    Doc d{docid, {}};
    docid += 1 + (rng() % 4 == 0 ? static_cast<uint32_t>(rng() % 5) : 0);  // some gaps
    const size_t len = 1 + rng() % 30;
    for (size_t j = 0; j < len; ++j) {
      // Skewed: low units are frequent, so some lists span many blocks.
      const int c = static_cast<int>(std::min(rng() % alphabet, rng() % alphabet));
      d.units.push_back(c);
    }
    docs.push_back(std::move(d));
  }
  return docs;
}

// The units of a query run as a phrase of its bigrams, or the unigram of a single unit. With
// width 2 the index may match by a subset of the bigrams; with width 1, by all of them.
Query run_query(const std::vector<int>& run, uint32_t width = 2) {
  if (run.size() == 1) return Query::make_term(uni(run[0]));
  std::vector<std::pair<std::string, uint32_t>> terms;
  for (size_t i = 0; i + 1 < run.size(); ++i) {
    terms.emplace_back(bi(run[i], run[i + 1]), static_cast<uint32_t>(i));
  }
  return Query::make_phrase(std::move(terms), width);
}

bool contains(const std::vector<int>& units, const std::vector<int>& run) {
  return std::search(units.begin(), units.end(), run.begin(), run.end()) != units.end();
}

std::set<uint32_t> matched(const TextIndex& index, const Query& q) {
  std::set<uint32_t> out;
  index.for_each(q, [&](const textstore::Scored& s) {
    EXPECT_TRUE(out.insert(s.docid).second) << "document matched twice: " << s.docid;
  });
  return out;
}

// Writes `docs` as the segment at `path`; returns its size.
uint64_t write_segment(const std::vector<Doc>& docs, const std::string& path) {
  SegmentWriter w;
  for (const Doc& d : docs) add(w, d);
  return w.write(path);
}

// Varints of every width read back, and skipping n of them from any start lands where
// reading them would, or reports an overrun: a word at a time and byte by byte alike.
TEST(TextStore, VarintsReadAndSkipAsWritten) {
  std::mt19937_64 rng(11);
  std::vector<uint64_t> values;
  for (int i = 0; i < 400; ++i) {
    const int bits = static_cast<int>(rng() % 65);  // 0 .. 64 bits: 1 to 10 bytes
    values.push_back(bits == 0 ? 0 : rng() >> (64 - bits));
  }
  std::string bytes;
  std::vector<size_t> starts;  // of each varint, then the end
  for (uint64_t v : values) {
    starts.push_back(bytes.size());
    textstore::put_varint(bytes, v);
  }
  starts.push_back(bytes.size());
  bytes.append(8, '\0');  // as a segment's padding: reads may look ahead, not past
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = data + starts.back();
  const uint8_t* p = data;
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(textstore::get_varint(p), values[i]) << i;
    ASSERT_EQ(p, data + starts[i + 1]) << i;
  }
  for (size_t from = 0; from < values.size(); from += 7) {
    for (size_t n = 0; from + n <= values.size(); ++n) {
      ASSERT_EQ(textstore::skip_varints(data + starts[from], n, end), data + starts[from + n])
          << from << " + " << n;
    }
    EXPECT_EQ(textstore::skip_varints(data + starts[from], values.size() - from + 1, end), nullptr);
  }
}

TEST(TextStore, SegmentRoundTripsPostingsAndPositions) {
  TempDir dir;
  std::mt19937 rng(7);
  const std::vector<Doc> docs = random_docs(rng, 1500, 60, 5);
  const std::string path = dir.path() + "/seg";
  const uint64_t size = write_segment(docs, path);
  EXPECT_EQ(std::ifstream(path, std::ios::ate | std::ios::binary).tellg(), static_cast<long>(size));
  EXPECT_FALSE(std::ifstream(path + ".tmp").good()) << "temporary file left behind";

  const auto seg = Segment::open(path);
  ASSERT_EQ(seg->documents(), docs.size());
  // Expected postings, rebuilt independently of the writer.
  std::map<std::string, std::map<uint32_t, std::vector<uint32_t>>> want;  // term -> doc -> pos
  std::map<std::string, std::map<uint32_t, uint32_t>> want_wdf;
  for (const Doc& d : docs) {
    EXPECT_EQ(seg->length(d.docid), d.units.size());
    for (size_t i = 0; i < d.units.size(); ++i) {
      ++want_wdf[uni(d.units[i])][d.docid];
      if (i + 1 < d.units.size()) {
        want[bi(d.units[i], d.units[i + 1])][d.docid].push_back(static_cast<uint32_t>(i + 1));
      }
    }
  }
  EXPECT_EQ(seg->terms(), want.size() + want_wdf.size());
  size_t long_lists = 0;
  for (const auto& [term, postings] : want_wdf) {
    const auto info = seg->find(term);
    ASSERT_TRUE(info) << term;
    EXPECT_FALSE(info->positional);
    EXPECT_EQ(info->df, postings.size());
    PostingCursor c(*seg, *info);
    for (const auto& [doc, n] : postings) {
      ASSERT_EQ(c.doc(), doc) << term;
      EXPECT_EQ(c.wdf(), n) << term;
      c.next();
    }
    EXPECT_EQ(c.doc(), PostingCursor::kEnd);
    long_lists += postings.size() > 2 * textstore::kBlockDocuments;
  }
  EXPECT_GT(long_lists, 0u) << "no list crosses a block boundary: the test data is too small";
  for (const auto& [term, postings] : want) {
    const auto info = seg->find(term);
    ASSERT_TRUE(info) << term;
    EXPECT_TRUE(info->positional);
    PostingCursor c(*seg, *info);
    for (const auto& [doc, ps] : postings) {
      ASSERT_EQ(c.doc(), doc) << term;
      const auto got = c.positions();
      EXPECT_EQ(std::vector<uint32_t>(got.begin(), got.end()), ps) << term << " in " << doc;
      c.next();
    }
    EXPECT_EQ(c.doc(), PostingCursor::kEnd);
  }
  // Absent terms: before the first, between two, after the last, a prefix of a term.
  for (const char* t : {"a", "b0.0x", "u", "zzz", "b1"}) EXPECT_FALSE(seg->find(t)) << t;
  EXPECT_EQ(seg->length(1), 0u);
}

TEST(TextStore, SeekLandsOnTheFirstDocumentAtOrAfterTheTarget) {
  TempDir dir;
  std::mt19937 rng(11);
  const std::vector<Doc> docs = random_docs(rng, 2000, 40, 1);
  write_segment(docs, dir.path() + "/seg");
  const auto seg = Segment::open(dir.path() + "/seg");
  std::vector<uint32_t> with;  // documents holding unit 0
  for (const Doc& d : docs) {
    if (std::count(d.units.begin(), d.units.end(), 0) > 0) with.push_back(d.docid);
  }
  ASSERT_GT(with.size(), 3 * textstore::kBlockDocuments);
  const auto info = seg->find(uni(0));
  ASSERT_TRUE(info);
  for (int trial = 0; trial < 50; ++trial) {
    PostingCursor c(*seg, *info);
    uint32_t target = 0;
    while (true) {
      target += 1 + static_cast<uint32_t>(rng() % 300);
      c.seek(target);
      const auto it = std::lower_bound(with.begin(), with.end(), target);
      ASSERT_EQ(c.doc(), it == with.end() ? PostingCursor::kEnd : *it) << "target " << target;
      if (it == with.end()) break;
    }
  }
}

TEST(TextStore, MatchingEqualsBruteForceAcrossSegmentsWithDeletions) {
  TempDir dir;
  std::mt19937 rng(3);
  const int alphabet = 6;  // small: phrases recur and overlap themselves
  std::vector<Doc> all;
  std::vector<std::shared_ptr<const Segment>> segments;
  uint32_t next = 1;
  for (int s = 0; s < 3; ++s) {
    std::vector<Doc> docs = random_docs(rng, 400, alphabet, next);
    next = docs.back().docid + 1;
    const std::string path = dir.path() + "/seg" + std::to_string(s);
    write_segment(docs, path);
    segments.push_back(Segment::open(path));
    all.insert(all.end(), docs.begin(), docs.end());
  }
  std::vector<uint32_t> deleted;
  for (const Doc& d : all) {
    if (rng() % 10 == 0) deleted.push_back(d.docid);
  }
  deleted.push_back(next + 100);  // not in any segment: ignored
  const TextIndex index(segments, deleted);
  EXPECT_EQ(index.documents(), all.size() - (deleted.size() - 1));
  const std::set<uint32_t> gone(deleted.begin(), deleted.end());

  auto random_run = [&] {
    std::vector<int> run(1 + rng() % 6);
    for (int& c : run) c = static_cast<int>(rng() % alphabet);
    return run;
  };
  for (int trial = 0; trial < 300; ++trial) {
    // A random tree: run, run AND run, run OR run, run AND NOT run.
    const std::vector<int> a = random_run(), b = random_run();
    const int shape = trial % 4;
    const uint32_t w = trial % 8 < 4 ? 2 : 1;
    Query q = run_query(a, w);
    if (shape == 1) q = Query::make(Query::Op::kAnd, {run_query(a, w), run_query(b, w)});
    if (shape == 2) q = Query::make(Query::Op::kOr, {run_query(a, w), run_query(b, w)});
    if (shape == 3) q = Query::make(Query::Op::kAndNot, {run_query(a, w), run_query(b, w)});
    std::set<uint32_t> want;
    for (const Doc& d : all) {
      const bool x = contains(d.units, a), y = contains(d.units, b);
      const bool hit = shape == 0 ? x : shape == 1 ? x && y : shape == 2 ? x || y : x && !y;
      if (hit && !gone.count(d.docid)) want.insert(d.docid);
    }
    EXPECT_EQ(matched(index, q), want) << "trial " << trial << " shape " << shape;
    const MatchResult r = index.search(q, 10);
    EXPECT_EQ(r.count, want.size());
    // The top 10 are the best by score, then by document id, of all matches.
    std::vector<textstore::Scored> everything;
    index.for_each(q, [&](const textstore::Scored& s) { everything.push_back(s); });
    std::sort(everything.begin(), everything.end(), [](const auto& x, const auto& y) {
      return x.score > y.score || (x.score == y.score && x.docid < y.docid);
    });
    everything.resize(std::min<size_t>(10, everything.size()));
    ASSERT_EQ(r.top.size(), everything.size());
    for (size_t i = 0; i < r.top.size(); ++i) EXPECT_EQ(r.top[i].docid, everything[i].docid);
  }
  EXPECT_EQ(matched(index, Query::make(Query::Op::kAll, {})).size(), all.size() - gone.size() + 1);
  // A term no segment holds matches nothing, alone or inside operators.
  const Query absent = Query::make_term("absent");
  const Query some = run_query({0});
  EXPECT_TRUE(matched(index, absent).empty());
  EXPECT_TRUE(matched(index, Query::make(Query::Op::kAnd, {some, absent})).empty());
  EXPECT_EQ(matched(index, Query::make(Query::Op::kOr, {some, absent})), matched(index, some));
  EXPECT_EQ(matched(index, Query::make(Query::Op::kAndNot, {some, absent})), matched(index, some));
  EXPECT_TRUE(matched(index, Query::make(Query::Op::kAndNot, {absent, some})).empty());
}

// ORs of hundreds of children over sparse terms are matched with their children in a heap
// (textstore/match.cc, HeapOrIter): the same matches as brute force, each scoring the sum of
// its matching children's scores, and the same as an exclusion.
TEST(TextStore, LargeOrsMatchAndScoreAsTheirChildrenSummed) {
  TempDir dir;
  std::mt19937 rng(17);
  const int alphabet = 300;  // sparse: a unigram is in a few documents of each segment
  std::vector<Doc> all;
  std::vector<std::shared_ptr<const Segment>> segments;
  uint32_t next = 1;
  for (int s = 0; s < 3; ++s) {
    std::vector<Doc> docs = random_docs(rng, 400, alphabet, next);
    next = docs.back().docid + 1;
    const std::string path = dir.path() + "/seg" + std::to_string(s);
    write_segment(docs, path);
    segments.push_back(Segment::open(path));
    all.insert(all.end(), docs.begin(), docs.end());
  }
  std::vector<uint32_t> deleted;
  for (const Doc& d : all) {
    if (rng() % 10 == 0) deleted.push_back(d.docid);
  }
  const std::set<uint32_t> gone(deleted.begin(), deleted.end());
  const TextIndex index(segments, deleted);
  const auto scores = [&](const Query& q) {
    std::map<uint32_t, double> out;
    index.for_each(q, [&](const textstore::Scored& s) { out[s.docid] = s.score; });
    return out;
  };
  std::vector<std::vector<int>> runs;
  for (int c = 0; c < alphabet; ++c) runs.push_back({c, c});  // every unigram twice
  for (int i = 0; i < 400; ++i) {
    std::vector<int> run(2 + rng() % 2);
    for (int& c : run) c = static_cast<int>(std::min(rng() % alphabet, rng() % alphabet));
    runs.push_back(run);
  }
  for (auto& r : runs) {
    if (r.size() == 2 && r[0] == r[1] && r[0] < alphabet) r.resize(1);
  }
  std::vector<Query> children;
  for (const auto& r : runs) children.push_back(run_query(r));
  const Query any = Query::make(Query::Op::kOr, children);
  std::map<uint32_t, double> want;
  for (const Doc& d : all) {
    if (gone.count(d.docid)) continue;
    for (const auto& r : runs) {
      if (contains(d.units, r)) want[d.docid] = 0;
    }
  }
  for (const Query& c : children) {
    for (const auto& [doc, score] : scores(c)) want.at(doc) += score;
  }
  const std::map<uint32_t, double> got = scores(any);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [doc, score] : want) EXPECT_NEAR(got.at(doc), score, 1e-9 * score) << doc;
  EXPECT_EQ(index.search(any, 5).count, want.size());
  // As the excluded part: documents holding unit 0 but none of the phrases.
  std::vector<Query> phrases(children.begin() + alphabet, children.end());
  const Query excluded = Query::make(
      Query::Op::kAndNot, {run_query({0}), Query::make(Query::Op::kOr, std::move(phrases))});
  std::set<uint32_t> rest;
  for (const Doc& d : all) {
    if (gone.count(d.docid) || !contains(d.units, {0})) continue;
    bool hit = false;
    for (size_t i = alphabet; i < runs.size(); ++i) hit = hit || contains(d.units, runs[i]);
    if (!hit) rest.insert(d.docid);
  }
  EXPECT_FALSE(rest.empty());
  EXPECT_EQ(matched(index, excluded), rest);
}

// A phrase of more than 1,000 terms, matched by all of them rather than a planned cover,
// still finds exactly the documents holding the run.
TEST(TextStore, PhrasesPastThePlannedLengthMatchExactly) {
  TempDir dir;
  std::mt19937 rng(23);
  std::vector<Doc> docs = random_docs(rng, 200, 3, 1);
  std::vector<int> run(1500);
  for (int& c : run) c = static_cast<int>(rng() % 3);
  docs[10].units = run;
  docs[20].units = run;
  docs[20].units.insert(docs[20].units.begin(), 2);
  docs[30].units = std::vector<int>(run.begin(), run.end() - 1);  // one unit short
  write_segment(docs, dir.path() + "/seg");
  const TextIndex index({Segment::open(dir.path() + "/seg")});
  for (const uint32_t width : {1u, 2u}) {
    std::set<uint32_t> want;
    for (const Doc& d : docs) {
      if (contains(d.units, run)) want.insert(d.docid);
    }
    EXPECT_EQ(want.size(), 2u);
    EXPECT_EQ(matched(index, run_query(run, width)), want) << width;
  }
}

// A damaged count is checked against the bytes that would hold it before it sizes an
// allocation: a footer claiming 2^40 documents threw std::bad_alloc from Segment::open, and a
// posting's wdf of 2^31 made positions() (which a merge calls) allocate 8 GB. The files were
// made from a real segment (tests/data/fuzz/segment/; the fuzz target replays them too).
// Rewrites the checksum table and footer hash of a (format 04) segment after an edit that
// keeps every offset, so that the edit reaches the reader's structural checks behind them.
std::string reseal(std::string bytes) {
  namespace ts = textstore;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint64_t footer = ts::get_fixed64(data + 8);
  const uint64_t end = bytes.size() - ts::kPaddingBytes - ts::kFooterHashBytes;
  const uint8_t* p = data + footer;
  for (int i = 0; i < 3; ++i) ts::get_varint(p);
  uint64_t table = 0;
  for (int i = 0; i < 5; ++i) {
    table = ts::get_varint(p);  // the last section read is the checksum table
    ts::get_varint(p);
  }
  std::string sums;
  for (uint64_t at = ts::kHeaderBytes; at < table; at += ts::kPageBytes) {
    ts::put_fixed64(sums, ts::page_hash(data + at, std::min(ts::kPageBytes, table - at)));
  }
  bytes.replace(table, sums.size(), sums);
  std::string hash;
  ts::put_fixed64(hash, ts::footer_hash(bytes.substr(0, ts::kHeaderBytes), sums,
                                        bytes.substr(footer, end - footer)));
  bytes.replace(end, hash.size(), hash);
  return bytes;
}

// A damaged count is checked against the bytes that would hold it before it sizes an
// allocation: a footer claiming 2^40 documents threw std::bad_alloc from Segment::open, and a
// posting's wdf of 2^31 made positions() (which a merge calls) allocate 8 GB. The damage is
// made behind valid checksums (reseal), as only a writer's bug or a fuzzer would make it.
TEST(TextStore, DamagedCountsAreRefusedBeforeAllocatingForThem) {
  const auto peak_rss_kb = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
  };
  TempDir dir;
  // One posting of a positional term at position 2^31 - 1, whose "wdf is 1" bit is then
  // cleared: the reader takes the position's five bytes for a wdf of 2^31 - 1.
  SegmentWriter w;
  w.add_document(1);
  w.add_occurrence("b", 0x7FFFFFFF);
  w.write(dir.path() + "/wdf");
  std::string wdf = read_bytes(dir.path() + "/wdf");
  const size_t doc = wdf.find(std::string("\x03\xff\xff\xff\xff\x07", 6));
  ASSERT_NE(doc, std::string::npos);
  wdf[doc] = 0x02;
  write_bytes(dir.path() + "/wdf", reseal(wdf));
  // A footer claiming 2^40 documents: the footer re-encoded (the table and offsets stay).
  w = SegmentWriter();
  w.add_document(1);
  w.add_occurrence("b", 1);
  w.write(dir.path() + "/docs");
  std::string docs = read_bytes(dir.path() + "/docs");
  {
    const auto* q = reinterpret_cast<const uint8_t*>(docs.data());
    const uint64_t at = textstore::get_fixed64(q + 8);
    std::string patched;
    textstore::put_varint(patched, uint64_t{1} << 40);
    const uint8_t* r = q + at;
    textstore::get_varint(r);  // the old count, one byte
    patched.append(reinterpret_cast<const char*>(r),
                   docs.size() - textstore::kPaddingBytes - textstore::kFooterHashBytes - (at + 1));
    docs = docs.substr(0, at) + patched + std::string(textstore::kFooterHashBytes, '\0') +
           std::string(textstore::kPaddingBytes, '\0');
    write_bytes(dir.path() + "/docs", reseal(docs));
  }
  const long before = peak_rss_kb();
  for (const char* name : {"docs", "wdf"}) {
    const std::string path = dir.path() + "/" + name;
    try {
      const auto seg = Segment::open(path);
      for (Segment::TermIterator t(*seg); t.valid(); t.next()) {
        for (PostingCursor c(*seg, t.info()); c.doc() != PostingCursor::kEnd; c.next()) {
          (void)c.positions();
        }
      }
      ADD_FAILURE() << name << ": the damage was not noticed";
    } catch (const std::runtime_error& e) {
      // Refused by the structure, not by a checksum or the frame: reseal() worked.
      EXPECT_EQ(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    }
  }
  EXPECT_LT(peak_rss_kb() - before, 256 * 1024) << "KB more at the peak";
}

TEST(TextStore, PhrasePlanCoversEveryUnitAtTheLeastCost) {
  using V = std::vector<size_t>;
  // The bigrams of six units: every other one and the last, when those are cheap...
  EXPECT_EQ(phrase_plan({0, 1, 2, 3, 4}, 2, {100, 5000, 100, 5000, 100}), (V{0, 2, 4}));
  // ...else the cover of least total frequency (the first and last are always needed).
  EXPECT_EQ(phrase_plan({0, 1, 2, 3, 4}, 2, {31550, 7977, 87203, 9892, 41429}), (V{0, 1, 3, 4}));
  // The rarest term joins a cover that does not need it: it leads, so it bounds the work.
  EXPECT_EQ(phrase_plan({0, 1, 2}, 2, {10000, 10, 10000}), (V{0, 1, 2}));
  EXPECT_EQ(phrase_plan({0, 1, 2}, 2, {10, 10000, 10}), (V{0, 2}));
  // Each leader document costs every term a seek and a confirmation: a rare middle term that
  // halves the candidates is worth a third list (工作会议's bigrams on a synth corpus).
  EXPECT_EQ(phrase_plan({0, 1, 2}, 2, {126910, 14826, 28436}), (V{0, 1, 2}));
  // Width 1: each term is the only one for its unit.
  EXPECT_EQ(phrase_plan({0, 1, 2}, 1, {1, 100, 1}), (V{0, 1, 2}));
  // Units no term covers (3, 4, 5 here) need none; the input order does not matter.
  EXPECT_EQ(phrase_plan({6, 0, 1, 2}, 2, {7, 5, 100, 5}), (V{1, 3, 0}));
  EXPECT_EQ(phrase_plan({4}, 2, {3}), (V{0}));
  // A long quoted passage: 1,000 bigrams of equal frequency need 500 of them plus the last.
  std::vector<uint32_t> offsets(1000);
  for (uint32_t i = 0; i < offsets.size(); ++i) offsets[i] = i;
  const V plan = phrase_plan(offsets, 2, std::vector<double>(offsets.size(), 50));
  EXPECT_EQ(plan.size(), 501u);
  EXPECT_EQ(plan.front(), 0u);
  EXPECT_EQ(plan.back(), 999u);
  for (size_t i = 1; i < plan.size(); ++i) EXPECT_LE(plan[i] - plan[i - 1], 2u);
  // A longer one is matched by all its terms, in offset order, without a search quadratic in
  // them (一 typed 16,000 times took 2.2 s to plan).
  std::vector<uint32_t> longer(20000);
  for (uint32_t i = 0; i < longer.size(); ++i) longer[i] = static_cast<uint32_t>(longer.size()) - i;
  const V all = phrase_plan(longer, 2, std::vector<double>(longer.size(), 50));
  ASSERT_EQ(all.size(), longer.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], longer.size() - 1 - i);
}

// A posting list damaged anywhere is refused with an error naming the file when read, never
// read past.
TEST(TextStore, DamagedPostingsAreRefusedNotOverread) {
  TempDir dir;
  std::mt19937 rng(5);
  const std::vector<Doc> docs = random_docs(rng, 600, 4, 1);
  const std::string path = dir.path() + "/seg";
  write_segment(docs, path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  size_t refused = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string bad = bytes;
    // The postings come first, after the 16-byte header.
    const size_t at = 16 + rng() % (bad.size() / 2);
    bad[at] = static_cast<char>(bad[at] ^ (1 + rng() % 255));
    const std::string bad_path = dir.path() + "/bad";
    std::ofstream(bad_path, std::ios::binary | std::ios::trunc) << bad;
    try {
      const auto seg = Segment::open(bad_path);
      for (Segment::TermIterator t(*seg); t.valid(); t.next()) {
        for (PostingCursor c(*seg, t.info()); c.doc() != PostingCursor::kEnd; c.next()) {
          (void)c.positions();
        }
        PostingCursor c(*seg, t.info());
        c.seek(static_cast<uint32_t>(rng() % 700));
      }
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(bad_path), std::string::npos) << e.what();
      ++refused;
    }
  }
  // Every page is checksummed: no flip goes unnoticed. (The fuzzer, which builds without
  // checksums, checks that damage behind them is still refused, not overread: fuzz/.)
  EXPECT_EQ(refused, 300u) << "damage went unnoticed";
}

// A flipped byte anywhere in a segment, header, checksum table, footer and padding included,
// is an error naming the file the first time the damaged part is read: never a different
// answer.
TEST(TextStore, AFlippedByteAnywhereIsAnErrorNamingTheFile) {
  TempDir dir;
  std::mt19937 rng(11);
  const std::vector<Doc> docs = random_docs(rng, 8000, 6, 1);
  const std::string path = dir.path() + "/seg";
  write_segment(docs, path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 2 * speechdex::textstore::kPageBytes) << "several pages";
  const std::string bad_path = dir.path() + "/bad";
  for (size_t at = 0; at < bytes.size(); at += 1 + rng() % 997) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ (1 + rng() % 255));
    std::ofstream(bad_path, std::ios::binary | std::ios::trunc) << bad;
    bool refused = false;
    try {
      const auto seg = Segment::open(bad_path);
      for (Segment::TermIterator t(*seg); t.valid(); t.next()) {
        for (PostingCursor c(*seg, t.info()); c.doc() != PostingCursor::kEnd; c.next()) {
          (void)c.positions();
        }
      }
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(bad_path), std::string::npos) << e.what();
      refused = true;
    }
    EXPECT_TRUE(refused) << "a flip at byte " << at << " of " << bytes.size() << " was not noticed";
  }
  // And the undamaged file reads, and verifies whole.
  EXPECT_NO_THROW(Segment::open(path)->verify_all());
}

// Terms may come in any order and several times; without a length, a document's length is
// the sum of its wdfs, as Xapian's.
TEST(TextStore, OccurrencesAccumulateWithinADocument) {
  TempDir dir;
  SegmentWriter w;
  w.add_document(1);
  w.add_occurrence("b", 1);
  w.add_term("u", 2);
  w.add_term("f", 0);
  w.add_occurrence("b", 4);
  w.add_term("u", 1);
  w.add_document(2, 7);
  w.add_occurrence("b", 2);
  w.write(dir.path() + "/seg");
  const auto seg = Segment::open(dir.path() + "/seg");
  EXPECT_EQ(seg->length(1), 5u);  // b twice, u three times, f 0
  EXPECT_EQ(seg->length(2), 7u);
  PostingCursor b(*seg, *seg->find("b"));
  const auto ps = b.positions();
  EXPECT_EQ(std::vector<uint32_t>(ps.begin(), ps.end()), (std::vector<uint32_t>{1, 4}));
  b.next();
  EXPECT_EQ(b.doc(), 2u);
  PostingCursor u(*seg, *seg->find("u"));
  EXPECT_EQ(u.wdf(), 3u);
  PostingCursor f(*seg, *seg->find("f"));
  EXPECT_EQ(f.wdf(), 0u);
}

TEST(TextStore, ShortAndLongTermsSortAndLookUpTogether) {
  // The writer keys terms of up to 7 bytes by their packed bytes and longer ones by hash;
  // both kinds, prefixes of each other, NULs and high bytes included, must come out in byte
  // order (the segment refuses terms out of order) and each with its own postings.
  using namespace std::string_literals;
  const std::vector<std::string> terms = {"a",
                                          "a\0"s,
                                          "a\0\0"s,
                                          "ab",
                                          "abcdef",
                                          "abcdefg",
                                          "abcdefg\0"s,
                                          "abcdefgh",
                                          "abcdefg\xff",
                                          "abcdefgxyz",
                                          "\xff",
                                          "\xff\xff\xff\xff\xff\xff\xff",
                                          "\xff\xff\xff\xff\xff\xff\xff\xff",
                                          "b",
                                          "法治",
                                          "法治政",
                                          "法治政府",
                                          "S法治"};
  TempDir dir;
  SegmentWriter w;
  for (uint32_t doc = 1; doc <= 3; ++doc) {
    w.add_document(doc);
    // In reverse on odd documents: the order of arrival must not matter.
    for (size_t i = 0; i < terms.size(); ++i) {
      const size_t k = doc % 2 ? terms.size() - 1 - i : i;
      if ((k + doc) % 3 != 0) w.add_term(terms[k], static_cast<uint32_t>(k + 1));
    }
  }
  w.write(dir.path() + "/seg");
  const auto seg = Segment::open(dir.path() + "/seg");
  EXPECT_EQ(seg->terms(), terms.size());
  for (size_t k = 0; k < terms.size(); ++k) {
    const auto info = seg->find(terms[k]);
    ASSERT_TRUE(info) << k;
    PostingCursor c(*seg, *info);
    for (uint32_t doc = 1; doc <= 3; ++doc) {
      if ((k + doc) % 3 == 0) continue;
      ASSERT_EQ(c.doc(), doc) << k;
      EXPECT_EQ(c.wdf(), k + 1) << k;
      c.next();
    }
    EXPECT_EQ(c.doc(), PostingCursor::kEnd) << k;
  }
  for (const std::string& absent : {"a\0\0\0"s, "abcdefg\x01"s, "abcdefgh\0"s, "法"s}) {
    EXPECT_FALSE(seg->find(absent));
  }
}

TEST(TextStore, AddingManyAtOnceWritesWhatOneByOneWrites) {
  // SegmentWriter::add (a batch, its look-ups fetched ahead) against the four calls one by
  // one: the same segment, byte for byte, over a random mix of short and long terms of
  // every kind, across enough terms that the table grows under a batch.
  using Addition = SegmentWriter::Addition;
  std::mt19937 rng(7);
  std::vector<std::string> names;
  for (int k = 0; k < 3000; ++k) {
    std::string t = std::to_string(k);
    if (k % 5 == 0) t += "-a-longer-term";  // past the 7 bytes a key holds
    names.push_back(t);
  }
  // Each term keeps one kind; positions increase within a document.
  const auto how_of = [](size_t k) { return static_cast<Addition::How>(k % 4); };
  TempDir dir;
  SegmentWriter one, many;
  for (uint32_t doc = 1; doc <= 40; ++doc) {
    one.add_document(doc);
    many.add_document(doc);
    std::vector<Addition> batch;
    std::vector<std::string> kept;
    kept.reserve(400);
    uint32_t position = 1;
    for (int i = 0; i < 400; ++i) {
      const size_t k = rng() % (doc < 20 ? 300 : names.size());
      const Addition::How how = how_of(k);
      const bool positional = how == Addition::kOccurrence || how == Addition::kRepeatedOccurrence;
      const uint32_t value = positional ? position++ : static_cast<uint32_t>(rng() % 3);
      kept.push_back(names[k]);
      batch.push_back({kept.back(), value, how});
      switch (how) {
        case Addition::kTerm:
          one.add_term(names[k], value);
          break;
        case Addition::kOccurrence:
          one.add_occurrence(names[k], value);
          break;
        case Addition::kRepeatedTerm:
          one.add_repeated_term(names[k], value);
          break;
        case Addition::kRepeatedOccurrence:
          one.add_repeated_occurrence(names[k], value);
          break;
      }
    }
    // In a few pieces, as a paragraph's fields come.
    const std::span<const Addition> all(batch);
    many.add(all.subspan(0, 7));
    many.add(all.subspan(7, 0));
    many.add(all.subspan(7));
  }
  one.write(dir.path() + "/one");
  many.write(dir.path() + "/many");
  EXPECT_EQ(read_bytes(dir.path() + "/one"), read_bytes(dir.path() + "/many"));

  // A term of another kind is refused in a batch as in a call.
  SegmentWriter w;
  w.add_document(1);
  w.add_occurrence("T", 1);
  const std::vector<Addition> wrong = {{"U", 1, Addition::kTerm}, {"T", 2, Addition::kTerm}};
  EXPECT_THROW(w.add(wrong), std::invalid_argument);
  const std::vector<Addition> empty = {{"", 1, Addition::kOccurrence}};
  EXPECT_THROW(w.add(empty), std::invalid_argument);
}

TEST(TextStore, Bm25IsXapiansDefault) {
  // Two documents; the weight of term t in document 1 by Xapian's BM25Weight formula.
  TempDir dir;
  SegmentWriter w;
  w.add_document(1, 4);
  w.add_term("t", 2);
  w.add_term("x", 2);
  w.add_document(2, 8);
  w.add_term("x", 8);
  w.write(dir.path() + "/seg");
  const TextIndex index({Segment::open(dir.path() + "/seg")});
  const MatchResult r = index.search(Query::make_term("t"), 10);
  ASSERT_EQ(r.top.size(), 1u);
  // N = 2, df = 1: (2 - 1 + 0.5) / 1.5 = 1 < 2 -> 1.5; k1 = 1, b = 0.5, average length 6.
  const double termweight = std::log(1.5) * 2;
  const double normlen = 4.0 / 6.0;
  EXPECT_DOUBLE_EQ(r.top[0].score, termweight * 2 / ((0.5 * normlen + 0.5) + 2));
}

// The store with speechdex's tokenizer over the sample corpus answers the oracle's sampled
// queries exactly as brute force does: each query as one run, a phrase of its bigrams.
TEST(TextStore, SampleCorpusWithTheTokenizerMatchesBruteForce) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  index_paths(db, {source_path("data/sample")});
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  ASSERT_GT(paragraphs.size(), 150u);
  SegmentWriter w;
  for (const StoredParagraph& p : paragraphs) {
    const std::vector<schema::Unit> units = schema::tokenize(p.record.text);
    w.add_document(p.docid, static_cast<uint32_t>(units.size()));
    schema::for_each_text_term(
        "", units, schema::kFirstPosition, [&](const std::string& t) { w.add_term(t, 1); },
        [&](const std::string& t, uint32_t position) { w.add_occurrence(t, position); });
  }
  w.write(dir.path() + "/seg");
  const TextIndex index({Segment::open(dir.path() + "/seg")});
  const std::vector<OracleQuery> queries = sample_queries(paragraphs, 240, 20261123);
  ASSERT_GE(queries.size(), 200u);
  size_t nonempty = 0;
  for (const OracleQuery& q : queries) {
    std::string text = q.text;
    std::erase(text, '"');
    const std::vector<schema::Unit> units = schema::tokenize(text);
    ASSERT_FALSE(units.empty()) << q.text;
    Query sq = Query::make_term(schema::unigram_term("", units[0]));
    if (units.size() > 1) {
      std::vector<std::pair<std::string, uint32_t>> terms;
      for (size_t i = 0; i + 1 < units.size(); ++i) {
        terms.emplace_back(schema::bigram_term("", units[i], units[i + 1]),
                           static_cast<uint32_t>(i));
      }
      sq = Query::make_phrase(std::move(terms), 2);
    }
    const std::set<unsigned> want = brute_force(paragraphs, q.text);
    std::set<unsigned> got;
    index.for_each(sq, [&](const textstore::Scored& s) { got.insert(s.docid); });
    EXPECT_EQ(got, want) << q.text << " (" << q.cls << ")";
    nonempty += !want.empty();
  }
  EXPECT_GT(nonempty, 150u);
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Merging segments, dropping deleted documents and renumbering the rest, gives the very
// bytes a direct write of the surviving documents under their new ids gives.
TEST(TextStore, MergeEqualsWritingTheSurvivorsDirectly) {
  TempDir dir;
  std::mt19937 rng(5);
  std::vector<std::vector<Doc>> parts;
  std::vector<std::shared_ptr<const Segment>> sources;
  uint32_t next = 3;
  for (int k = 0; k < 4; ++k) {
    parts.push_back(random_docs(rng, 300 + 100 * k, 50, next));
    next = parts.back().back().docid + 7;
    const std::string path = dir.path() + "/src" + std::to_string(k);
    write_segment(parts.back(), path);
    sources.push_back(Segment::open(path));
  }
  std::set<uint32_t> deleted;
  for (const auto& part : parts) {
    for (const Doc& d : part) {
      if (rng() % 5 == 0) deleted.insert(d.docid);
    }
  }
  // Survivors renumbered 1, 2, 3, ... in order.
  std::map<uint32_t, uint32_t> renumbered;
  std::vector<Doc> survivors;
  for (const auto& part : parts) {
    for (Doc d : part) {
      if (deleted.count(d.docid)) continue;
      renumbered[d.docid] = static_cast<uint32_t>(renumbered.size() + 1);
      d.docid = renumbered[d.docid];
      survivors.push_back(d);
    }
  }
  const std::string direct = dir.path() + "/direct", merged = dir.path() + "/merged";
  write_segment(survivors, direct);
  const uint64_t size = textstore::merge_segments(
      sources,
      [&](size_t, uint32_t d) {
        const auto it = renumbered.find(d);
        return it == renumbered.end() ? 0u : it->second;
      },
      merged);
  EXPECT_EQ(size, file_bytes(merged).size());
  EXPECT_EQ(file_bytes(merged), file_bytes(direct));
  EXPECT_FALSE(std::ifstream(merged + ".tmp").good());

  // A renumbering that goes backwards is refused, and leaves no file.
  const std::string bad = dir.path() + "/bad";
  EXPECT_THROW(textstore::merge_segments(
                   sources, [](size_t k, uint32_t d) { return k == 0 ? d + 100000 : d; }, bad),
               std::invalid_argument);
  EXPECT_FALSE(std::ifstream(bad).good());
  EXPECT_FALSE(std::ifstream(bad + ".tmp").good());
}

// Every term's postings in a segment, decoded: term -> [(doc, wdf, positions)], with each
// list also walked by seeks to every third document and to ids between documents.
using Postings =
    std::map<std::string, std::vector<std::tuple<uint32_t, uint32_t, std::vector<uint32_t>>>>;
Postings postings_of(const Segment& s) {
  Postings out;
  for (Segment::TermIterator t(s); t.valid(); t.next()) {
    auto& list = out[t.name()];
    for (PostingCursor c(s, t.info()); c.doc() != PostingCursor::kEnd; c.next()) {
      const auto p = c.positions();
      list.emplace_back(c.doc(), c.wdf(), std::vector<uint32_t>(p.begin(), p.end()));
    }
    PostingCursor c(s, t.info());
    for (size_t i = 0; i < list.size(); i += 3) {
      const uint32_t want = std::get<0>(list[i]);
      c.seek(want - 1 > (i ? std::get<0>(list[i - 1]) : 0) ? want - 1 : want);
      EXPECT_EQ(c.doc(), want) << t.name();
      EXPECT_EQ(c.wdf(), std::get<1>(list[i])) << t.name();
    }
    c.seek(std::get<0>(list.back()) + 1);
    EXPECT_EQ(c.doc(), PostingCursor::kEnd);
  }
  return out;
}

// Shards with nothing deleted move by one offset each (Xapian's compactor): their lists are
// copied block by block, and the merged segment holds what a direct write of the renumbered
// documents holds, list by list, read and sought; merged again (by offsets or decoded,
// dropping some), its short blocks read as well.
TEST(TextStore, MergeByOffsetsCopiesBlocksAndReadsAsTheDirectWrite) {
  TempDir dir;
  std::mt19937 rng(11);
  std::vector<std::vector<Doc>> parts;
  std::vector<std::shared_ptr<const Segment>> sources;
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  for (int k = 0; k < 4; ++k) {
    // Sizes around a block: lists end in short blocks, and some start one.
    parts.push_back(
        random_docs(rng, k == 1 ? 3 : 130 + 170 * k, 40, 1 + static_cast<uint32_t>(rng() % 3)));
    const std::string path = dir.path() + "/src" + std::to_string(k);
    write_segment(parts.back(), path);
    sources.push_back(Segment::open(path));
    ranges.emplace_back(parts.back().front().docid, parts.back().back().docid);
  }
  const textstore::Renumber renumber = textstore::compactor_renumbering(ranges);
  const std::vector<uint32_t> offsets = textstore::compactor_offsets(ranges);
  std::vector<Doc> moved;
  for (size_t k = 0; k < parts.size(); ++k) {
    for (Doc d : parts[k]) {
      d.docid = renumber(k, d.docid);
      moved.push_back(d);
    }
  }
  const std::string direct = dir.path() + "/direct", merged = dir.path() + "/merged";
  write_segment(moved, direct);
  const uint64_t size = textstore::merge_segments(sources, renumber, merged, &offsets);
  EXPECT_EQ(size, file_bytes(merged).size());
  const auto m = Segment::open(merged);
  const auto d = Segment::open(direct);
  EXPECT_EQ(m->documents(), d->documents());
  EXPECT_EQ(m->total_length(), d->total_length());
  EXPECT_EQ(m->docids(), d->docids());
  const Postings want = postings_of(*d);
  EXPECT_TRUE(postings_of(*m) == want) << "the copied lists differ from a direct write";
  for (Segment::TermIterator t(*m); t.valid(); t.next()) {
    EXPECT_EQ(t.info().df, d->find(t.name())->df) << t.name();
  }
  // Copying made short blocks inside lists; a direct write has none.
  EXPECT_LE(file_bytes(direct).size(), file_bytes(merged).size());

  // The merged segment as a source again: beside a shard, by offsets ...
  const std::vector<std::shared_ptr<const Segment>> again = {m, sources[1]};
  const uint32_t last = moved.back().docid;
  const std::string twice = dir.path() + "/twice";
  const std::vector<uint32_t> shift = {0, last};
  textstore::merge_segments(
      again, [&](size_t k, uint32_t doc) { return doc + shift[k]; }, twice, &shift);
  std::vector<Doc> both = moved;
  for (Doc doc : parts[1]) {
    doc.docid += last;
    both.push_back(doc);
  }
  const std::string direct2 = dir.path() + "/direct2";
  write_segment(both, direct2);
  EXPECT_TRUE(postings_of(*Segment::open(twice)) == postings_of(*Segment::open(direct2)));
  // ... and decoded, dropping every fifth document: the very bytes of a direct write.
  std::vector<Doc> kept;
  for (const Doc& doc : moved) {
    if (doc.docid % 5 != 0) kept.push_back(doc);
  }
  const std::string dropped = dir.path() + "/dropped", direct3 = dir.path() + "/direct3";
  textstore::merge_segments(
      {m}, [](size_t, uint32_t doc) { return doc % 5 == 0 ? 0u : doc; }, dropped);
  write_segment(kept, direct3);
  EXPECT_EQ(file_bytes(dropped), file_bytes(direct3));

  // Offsets that the renumbering does not follow, or that would reorder documents, are
  // refused and leave no file.
  const std::string bad = dir.path() + "/bad";
  const std::vector<uint32_t> wrong = {0, 0, 0, 0};
  EXPECT_THROW(textstore::merge_segments(sources, renumber, bad, &wrong), std::invalid_argument);
  EXPECT_FALSE(std::ifstream(bad).good());
  EXPECT_FALSE(std::ifstream(bad + ".tmp").good());
}

// Documents whose "titles" repeat on runs of consecutive documents: a title's bigrams at
// fixed positions and its unigrams with a wdf, as the indexer adds a speech's title to each
// of its paragraphs; some runs are one document long, some titles recur later, and every
// document has text terms of its own.
struct TitledDoc {
  uint32_t docid;
  int title;
  std::vector<int> units;
};

std::vector<TitledDoc> titled_docs(std::mt19937& rng, size_t n, uint32_t first) {
  std::vector<TitledDoc> docs;
  uint32_t docid = first;
  int title = 0;
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 6 == 0) title = static_cast<int>(rng() % 12);
    TitledDoc d{docid, title, {}};
    docid += rng() % 9 == 0 ? 2 : 1;  // a gap now and then ends a run
    for (size_t j = 1 + rng() % 5; j > 0; --j) d.units.push_back(static_cast<int>(rng() % 8));
    docs.push_back(std::move(d));
  }
  return docs;
}

void write_titled(const std::vector<TitledDoc>& docs, const std::string& path, bool repeated) {
  SegmentWriter w;
  for (const TitledDoc& d : docs) {
    w.add_document(d.docid);
    for (int k = 0; k <= d.title % 4; ++k) {
      std::string bigram = "T";  // (built in steps: GCC 12 -O3 warns on a + chain)
      bigram += std::to_string(d.title);
      bigram += '.';
      bigram += std::to_string(k);
      const auto position = static_cast<uint32_t>(1 + k * (1 + d.title % 3));
      repeated ? w.add_repeated_occurrence(bigram, position) : w.add_occurrence(bigram, position);
      if (d.title % 2 == 0) {  // twice in the title
        repeated ? w.add_repeated_occurrence(bigram, position + 50)
                 : w.add_occurrence(bigram, position + 50);
      }
      std::string unigram = "U";
      unigram += std::to_string(d.title + k);
      repeated ? w.add_repeated_term(unigram, 1 + k) : w.add_term(unigram, 1 + k);
    }
    for (size_t i = 0; i < d.units.size(); ++i) {
      w.add_occurrence(bi(d.units[i], d.units[(i + 1) % d.units.size()]),
                       static_cast<uint32_t>(100 + i));
    }
  }
  w.write(path);
}

// Two cursors over the same postings, one of them a list of runs, walked alike by a random
// mix of next(), seek() ahead and reads of positions (whole, or partly through
// next_position_from): they agree at every step.
void expect_walks_agree(const Segment& a, const Segment& b, std::mt19937& rng) {
  for (Segment::TermIterator t(a); t.valid(); t.next()) {
    const auto other = b.find(t.name());
    ASSERT_TRUE(other) << t.name();
    ASSERT_EQ(t.info().df, other->df) << t.name();
    for (int walk = 0; walk < 4; ++walk) {
      PostingCursor x(a, t.info()), y(b, *other);
      while (x.doc() != PostingCursor::kEnd || y.doc() != PostingCursor::kEnd) {
        ASSERT_EQ(x.doc(), y.doc()) << t.name();
        ASSERT_EQ(x.wdf(), y.wdf()) << t.name() << " at " << x.doc();
        switch (rng() % 4) {
          case 0: {
            const auto px = x.positions(), py = y.positions();
            ASSERT_TRUE(std::equal(px.begin(), px.end(), py.begin(), py.end()))
                << t.name() << " at " << x.doc();
            break;
          }
          case 1: {
            const auto want = static_cast<uint32_t>(rng() % 60);
            const bool fx = x.next_position_from(want), fy = y.next_position_from(want);
            ASSERT_EQ(fx, fy) << t.name() << " at " << x.doc();
            if (fx) {
              ASSERT_EQ(x.position(), y.position()) << t.name();
            }
            break;
          }
          default:
            break;
        }
        if (rng() % 3 == 0) {
          const uint32_t target = x.doc() + 1 + static_cast<uint32_t>(rng() % 20);
          x.seek(target);
          y.seek(target);
        } else {
          x.next();
          y.next();
        }
      }
    }
  }
}

// A title's terms stored as runs read exactly as when stored on every document: every list
// walked by next, seek and positions, written directly and merged both ways; and they take
// less room.
TEST(TextStore, RepeatedTermsStoredAsRunsReadAsEveryDocumentsOwn) {
  TempDir dir;
  std::mt19937 rng(17);
  const std::string runs = dir.path() + "/runs", plain = dir.path() + "/plain";
  const std::vector<TitledDoc> docs = titled_docs(rng, 900, 3);
  write_titled(docs, runs, true);
  write_titled(docs, plain, false);
  const auto r = Segment::open(runs), p = Segment::open(plain);
  EXPECT_LT(file_bytes(runs).size() * 10, file_bytes(plain).size() * 9) << "runs save room";
  EXPECT_EQ(r->total_length(), p->total_length());
  expect_walks_agree(*r, *p, rng);
  expect_walks_agree(*p, *r, rng);
  EXPECT_TRUE(postings_of(*r) == postings_of(*p));
  size_t run_lists = 0;
  for (Segment::TermIterator t(*r); t.valid(); t.next()) run_lists += t.info().runs;
  EXPECT_GT(run_lists, 20u);

  // Merged with another part: by offsets (copied) and decoded, dropping some documents.
  const std::vector<TitledDoc> more = titled_docs(rng, 400, 1);
  const std::string runs2 = dir.path() + "/runs2", plain2 = dir.path() + "/plain2";
  write_titled(more, runs2, true);
  write_titled(more, plain2, false);
  const std::vector<uint32_t> offsets = {0, docs.back().docid};
  const auto shift = [&](size_t k, uint32_t d) { return d + offsets[k]; };
  const auto drop = [&](size_t k, uint32_t d) { return d % 7 == 3 ? 0u : d + offsets[k]; };
  for (const bool copy : {true, false}) {
    const std::string a = dir.path() + "/ma" + std::to_string(copy);
    const std::string b = dir.path() + "/mb" + std::to_string(copy);
    textstore::merge_segments({r, Segment::open(runs2)}, copy ? textstore::Renumber(shift) : drop,
                              a, copy ? &offsets : nullptr);
    textstore::merge_segments({p, Segment::open(plain2)}, copy ? textstore::Renumber(shift) : drop,
                              b, copy ? &offsets : nullptr);
    const auto ma = Segment::open(a), mb = Segment::open(b);
    expect_walks_agree(*ma, *mb, rng);
    EXPECT_TRUE(postings_of(*ma) == postings_of(*mb)) << (copy ? "copied" : "decoded");
  }
  // A list stored as runs and one stored plainly merge into one (an index built before runs,
  // updated since).
  const std::string mixed = dir.path() + "/mixed";
  textstore::merge_segments({p, Segment::open(runs2)}, shift, mixed, &offsets);
  const std::string both = dir.path() + "/both";
  textstore::merge_segments({p, Segment::open(plain2)}, shift, both, &offsets);
  expect_walks_agree(*Segment::open(mixed), *Segment::open(both), rng);

  // One term repeated and not is refused.
  SegmentWriter w;
  w.add_document(1);
  w.add_repeated_occurrence("T", 1);
  EXPECT_THROW(w.add_occurrence("T", 2), std::invalid_argument);
  EXPECT_THROW(w.add_repeated_term("T", 1), std::invalid_argument);
}

// compactor_renumbering() predicts where Xapian's compactor puts each document when it
// merges databases with gaps and deletions (here: three shards).
// Format 06 works out the last block's end of a list without positions from the list's
// size: a block before it claiming to end later is refused, never followed past the list
// (a fuzzer found it reading beyond the file). Made behind valid checksums, as above.
TEST(TextStore, ABlockEndingPastItsListIsRefused) {
  TempDir dir;
  SegmentWriter w;
  for (uint32_t d = 1; d <= 300; ++d) {
    w.add_document(d);
    w.add_term("f", 0);
  }
  const std::string path = dir.path() + "/seg";
  w.write(path);
  std::string bytes = read_bytes(path);
  // The list is the only one, right after the header: 3 blocks; the first ends after 128
  // documents (128 deltas of 1 with wdf 0: 256 bytes) at the varint 0x80 0x02.
  ASSERT_EQ(bytes.substr(textstore::kHeaderBytes, 5), std::string("\x03\x80\x01\x80\x02", 5));
  EXPECT_NO_THROW(postings_of(*Segment::open(path)));
  bytes[textstore::kHeaderBytes + 3] = static_cast<char>(0xFF);
  bytes[textstore::kHeaderBytes + 4] = 0x7F;  // 16,383: past the list and the file
  write_bytes(path, reseal(bytes));
  try {
    const auto seg = Segment::open(path);
    for (PostingCursor c(*seg, *seg->find("f")); c.doc() != PostingCursor::kEnd; c.next()) {
    }
    ADD_FAILURE() << "the damage was not noticed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("skips"), std::string::npos) << e.what();
  }
}

// A run's documents cost no bytes, so a damaged run length (found by the fuzzer on a format
// 05 list) could make a cursor walk 4 billion documents: the df bounds the walk.
TEST(TextStore, ARunLongerThanItsListIsRefused) {
  TempDir dir;
  SegmentWriter w;
  for (uint32_t d = 1; d <= 130 * 200; ++d) {
    w.add_document(d);
    w.add_repeated_term("t", 1 + (d - 1) / 200 % 2);  // 130 runs of 200: two blocks
  }
  const std::string path = dir.path() + "/seg";
  w.write(path);
  std::string bytes = read_bytes(path);
  // The first run: delta 1 with wdf 1, then 199 more documents (a varint of two bytes).
  const size_t run = bytes.find(std::string("\x03\xC7\x01", 3), textstore::kHeaderBytes);
  ASSERT_NE(run, std::string::npos);
  ASSERT_LT(run, textstore::kHeaderBytes + 12);
  EXPECT_EQ(postings_of(*Segment::open(path)).at("t").size(), 26000u);
  bytes[run + 1] = static_cast<char>(0xFF);
  bytes[run + 2] = 0x7F;  // 16,383 more
  write_bytes(path, reseal(bytes));
  const auto seg = Segment::open(path);
  try {
    size_t n = 0;
    for (PostingCursor c(*seg, *seg->find("t")); c.doc() != PostingCursor::kEnd; c.next()) ++n;
    ADD_FAILURE() << "the damage was not noticed: " << n << " documents";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

// A damaged dictionary index can leave thousands of entries in one block: a look-up reads
// at most kDictionaryBlockTerms of them. The segment fuzzer's 45 KB file (resealed here, so
// that checksums pass) made a walk that looks every term up take 1.3 s, quadratic.
TEST(TextStore, ADictionaryBlockOfTooManyTermsIsRefused) {
  TempDir dir;
  const std::string path = dir.path() + "/seg";
  write_bytes(path,
              reseal(read_bytes(source_path("tests/data/textstore/long-dictionary-block.seg"))));
  const auto seg = Segment::open(path);
  size_t terms = 0, refused = 0;
  try {
    for (Segment::TermIterator t(*seg); t.valid(); t.next()) {
      ++terms;
      try {
        (void)seg->find(t.name());
      } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("dictionary"), std::string::npos) << e.what();
        ++refused;
      }
    }
  } catch (const std::runtime_error&) {
    // The walk itself may meet the damage further on.
  }
  EXPECT_GT(terms, size_t{textstore::kDictionaryBlockTerms});
  EXPECT_GT(refused, 0u);
}

// The walk of the dictionary reads no more of a block than find() does. Here block 1 of a
// valid segment is made empty, pointing where block 2 starts, so that block 0 runs on for
// 128 entries: the walk must refuse the 65th, not give all 200 terms.
TEST(TextStore, AWalkRefusesADictionaryBlockOfTooManyTerms) {
  namespace ts = textstore;
  TempDir dir;
  SegmentWriter w;
  w.add_document(1);
  for (int i = 0; i < 200; ++i) {
    char term[8];
    std::snprintf(term, sizeof term, "t%03d", i);
    w.add_term(term, 1);
  }
  const std::string path = dir.path() + "/seg";
  w.write(path);
  std::string bytes = read_bytes(path);
  size_t terms = 0;
  const auto whole = Segment::open(path);
  for (Segment::TermIterator t(*whole); t.valid(); t.next()) ++terms;
  ASSERT_EQ(terms, 200u);
  // The footer: three counts, then (offset, size) of postings, dictionary, dictionary index.
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* p = data + ts::get_fixed64(data + 8);
  for (int i = 0; i < 7; ++i) ts::get_varint(p);
  p = data + ts::get_varint(p);
  // Index entries: dictionary offset, postings offset, first term's length and bytes.
  std::vector<std::pair<size_t, size_t>> entry;  // where each entry's two offsets are
  for (int b = 0; b < 3; ++b) {
    const size_t at = static_cast<size_t>(p - data);
    ts::get_varint(p);
    ts::get_varint(p);
    entry.emplace_back(at, static_cast<size_t>(p - data) - at);
    p += ts::get_varint(p);
  }
  ASSERT_EQ(entry[1].second, entry[2].second);  // the same bytes fit
  bytes.replace(entry[1].first, entry[1].second, bytes.substr(entry[2].first, entry[2].second));
  write_bytes(path, reseal(bytes));
  const auto seg = Segment::open(path);
  terms = 0;
  try {
    for (Segment::TermIterator t(*seg); t.valid(); t.next()) ++terms;
    ADD_FAILURE() << "the walk gave " << terms << " terms";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("dictionary index"), std::string::npos) << e.what();
    EXPECT_EQ(terms, size_t{ts::kDictionaryBlockTerms});
  }
}

// Every kind of list a segment holds: positional and not, lists of runs, one document, one
// block and many. tests/data/textstore/format05.seg is this, written by the format 05 writer
// (speechdex 5230082).
void write_format_fixture(const std::string& path) {
  using textstore::PostingListBuilder;
  textstore::SegmentFile file(path);
  std::vector<uint32_t> docids, lengths;
  for (uint32_t d = 1; d <= 700; ++d) {
    docids.push_back(d);
    lengths.push_back(d % 50 + 1);
  }
  auto add_term = [&](const std::string& name, bool positional, bool runs, auto&& each) {
    PostingListBuilder list(positional, runs);
    each(list);
    list.finish();
    file.add_term(name, list);
  };
  add_term("A:common", true, false, [](PostingListBuilder& l) {
    for (uint32_t d = 1; d <= 700; ++d) {
      std::vector<uint32_t> pos;
      for (uint32_t k = 0; k <= d % 3; ++k) pos.push_back(d % 7 + 3 * k + 200 * k * (d % 2));
      l.add(d, static_cast<uint32_t>(pos.size()), pos);
    }
  });
  add_term("B:rare", true, false, [](PostingListBuilder& l) {
    for (uint32_t d : {5u, 300u, 699u}) l.add(d, 1, std::vector<uint32_t>{d % 40});
  });
  add_term("C:flag", false, false, [](PostingListBuilder& l) {
    for (uint32_t d = 2; d <= 700; d += 2) l.add(d, 0, {});
  });
  add_term("D:single", false, false, [](PostingListBuilder& l) { l.add(42, 0, {}); });
  add_term("E:title", true, true, [](PostingListBuilder& l) {
    for (uint32_t d = 1; d <= 700; ++d) {
      const uint32_t run = (d - 1) / 10;
      l.add(d, 2, std::vector<uint32_t>{run % 5, run % 5 + 1 + run});
    }
  });
  add_term("F:heading", true, true, [](PostingListBuilder& l) {
    for (uint32_t d = 3; d <= 600; ++d) {
      if (d % 7 == 0) continue;
      const uint32_t run = d / 3;
      l.add(d, 1, std::vector<uint32_t>{run % 11});
    }
  });
  add_term("G:one", true, false, [](PostingListBuilder& l) {
    l.add(699, 4, std::vector<uint32_t>{1, 9, 70, 100000});
  });
  add_term("H:one-run", true, true, [](PostingListBuilder& l) {
    for (uint32_t d = 100; d <= 103; ++d) l.add(d, 1, std::vector<uint32_t>{3});
  });
  file.finish(docids, lengths);
}

std::string magic_of(const std::string& path) { return file_bytes(path).substr(0, 8); }

// A segment of the format before (05: each list sized in itself, every block's skip entry
// whole) reads as the same lists written now; merged by offsets and decoded, it becomes
// today's format; and today's is smaller.
TEST(TextStore, TheFormatBeforeReadsAsTheSameLists) {
  TempDir dir;
  const std::string old = source_path("tests/data/textstore/format05.seg");
  const std::string now = dir.path() + "/now";
  write_format_fixture(now);
  ASSERT_EQ(magic_of(old), "SDXSEG05");
  ASSERT_EQ(magic_of(now), std::string(textstore::kMagic));
  const auto a = Segment::open(old), b = Segment::open(now);
  EXPECT_EQ(a->terms(), 8u);
  EXPECT_EQ(a->terms(), b->terms());
  EXPECT_EQ(a->docids(), b->docids());
  EXPECT_EQ(a->total_length(), b->total_length());
  for (Segment::TermIterator t(*a); t.valid(); t.next()) {
    const auto other = b->find(t.name());
    ASSERT_TRUE(other) << t.name();
    EXPECT_EQ(t.info().positional, other->positional) << t.name();
    EXPECT_EQ(t.info().runs, other->runs) << t.name();
  }
  const Postings want = postings_of(*b);
  EXPECT_TRUE(postings_of(*a) == want);
  EXPECT_EQ(want.at("A:common").size(), 700u);  // six blocks
  EXPECT_EQ(want.at("G:one").size(), 1u);
  std::mt19937 rng(3);
  expect_walks_agree(*a, *b, rng);
  expect_walks_agree(*b, *a, rng);
  // Copied block by block beside today's, and decoded dropping documents.
  const std::string both = dir.path() + "/both", dropped = dir.path() + "/dropped";
  const std::vector<uint32_t> shift = {0, 700};
  textstore::merge_segments(
      {a, b}, [&](size_t k, uint32_t doc) { return doc + shift[k]; }, both, &shift);
  textstore::merge_segments(
      {a}, [](size_t, uint32_t doc) { return doc % 4 == 0 ? 0u : doc; }, dropped);
  for (const std::string& path : {both, dropped}) EXPECT_EQ(magic_of(path), magic_of(now));
  const Postings merged = postings_of(*Segment::open(both));
  for (const auto& [term, list] : want) {
    const auto& m = merged.at(term);
    ASSERT_EQ(m.size(), 2 * list.size()) << term;
    for (size_t i = 0; i < list.size(); ++i) {
      EXPECT_EQ(m[i], list[i]) << term;
      EXPECT_EQ(std::get<0>(m[i + list.size()]), std::get<0>(list[i]) + 700) << term;
    }
  }
  for (const auto& [term, list] : postings_of(*Segment::open(dropped))) {
    for (const auto& posting : list) EXPECT_NE(std::get<0>(posting) % 4, 0u) << term;
  }
  EXPECT_LT(file_bytes(now).size(), file_bytes(old).size());
}

TEST(TextStore, RenumberingFollowsXapiansCompactor) {
  TempDir dir;
  std::vector<std::string> shards;
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  std::map<std::string, std::pair<size_t, uint32_t>> where;  // id term -> (shard, docid)
  for (size_t k = 0; k < 3; ++k) {
    shards.push_back(dir.path() + "/shard" + std::to_string(k));
    Xapian::WritableDatabase db(shards.back(), Xapian::DB_CREATE);
    for (uint32_t i = 0; i < 20 + 5 * k; ++i) {
      Xapian::Document doc;
      std::string id = "Q";  // (built in steps: GCC 12 -O3 warns on a + chain, -Wrestrict)
      id += std::to_string(k);
      id += '-';
      id += std::to_string(i);
      doc.add_boolean_term(id);
      // Gaps: ids chosen, not appended.
      const uint32_t docid = static_cast<uint32_t>(3 + k + 2 * i);
      db.replace_document(docid, doc);
      where[id] = {k, docid};
    }
    // Deleting the first and one middle document moves the used range and leaves a gap.
    db.delete_document(static_cast<uint32_t>(3 + k));
    where.erase("Q" + std::to_string(k) + "-0");
    db.delete_document(static_cast<uint32_t>(3 + k + 10));
    where.erase("Q" + std::to_string(k) + "-5");
    db.commit();
    // The used range, from the list of all documents (Xapian 1.4 keeps its own accessor
    // internal).
    Xapian::docid first = 0, last = 0;
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
      if (first == 0) first = *it;
      last = *it;
    }
    ranges.emplace_back(first, last);
  }
  const std::string out = dir.path() + "/compact";
  Xapian::Database sources;
  for (const std::string& s : shards) sources.add_database(Xapian::Database(s));
  sources.compact(out);
  const textstore::Renumber renumber = textstore::compactor_renumbering(ranges);
  Xapian::Database compacted(out);
  ASSERT_EQ(compacted.get_doccount(), where.size());
  for (const auto& [id, place] : where) {
    Xapian::PostingIterator p = compacted.postlist_begin(id);
    ASSERT_NE(p, compacted.postlist_end(id)) << id;
    EXPECT_EQ(renumber(place.first, place.second), *p) << id;
  }
}

TEST(TextStore, RefusesFilesThatAreNotWholeSegments) {
  TempDir dir;
  SegmentWriter w;
  w.add_document(1, 1);
  w.add_term("t", 1);
  const std::string path = dir.path() + "/seg";
  const uint64_t size = w.write(path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto expect_refused = [&](const std::string& content, const std::string& why) {
    const std::string bad = dir.path() + "/bad";
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << content;
    try {
      Segment::open(bad);
      ADD_FAILURE() << "opened: " << why;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  expect_refused("", "not a speechdex text segment");
  expect_refused("hello, world: this is not a segment at all", "not a speechdex text segment");
  expect_refused(bytes.substr(0, size - 20), "truncated");
  std::string other = bytes;
  other[7] = '9';
  expect_refused(other, "another format version");
  EXPECT_THROW(Segment::open(dir.path() + "/missing"), std::runtime_error);

  SegmentWriter order;
  order.add_document(5, 1);
  EXPECT_THROW(order.add_document(5, 1), std::invalid_argument);
  EXPECT_THROW(order.add_document(4, 1), std::invalid_argument);
  order.add_term("t", 1);
  EXPECT_THROW(order.add_occurrence("t", 1), std::invalid_argument);  // t has no positions
  const uint32_t down[] = {3, 2};
  order.add_positional_term("p", down);
  EXPECT_THROW(order.write(dir.path() + "/order"), std::invalid_argument);  // 3 then 2
  EXPECT_FALSE(std::ifstream(dir.path() + "/order").good());
}

}  // namespace
}  // namespace speechdex::testing
