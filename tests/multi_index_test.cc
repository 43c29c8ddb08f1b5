// Several indexes searched as one (issue 16): three indexes of three folders, named as
// --db A --db B --db C, as their parent folder and as a Xapian stub file of `auto` lines,
// answer every query exactly as one index built from the same folders in the same order:
// counts, hit ids, scores, ranks, facets, grouping, sorting, --dedup (with copies across
// the indexes), trends, KWIC, exports, collocates, adoption, copies and clusters.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/filesystem.hpp>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "clusters.h"
#include "databases.h"
#include "errors.h"
#include "fields.h"
#include "normalizer.h"
#include "query_parser.h"
#include "searcher.h"
#include "test_support.h"

namespace speechdex::testing {
namespace {

namespace fs = boost::filesystem;
using searcher::Dedup;
using searcher::Searcher;
using searcher::SearchRequest;
using searcher::SearchResult;

// A corpus in three folders with copies across them: b holds an exact copy of a sample
// speech and c a near copy of one of b's files, so duplicate clusters span indexes.
class MultiIndexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const std::string root = dir_->path();
    const std::string a = root + "/corpus/a", b = root + "/corpus/b", c = root + "/corpus/c";
    fs::create_directories(a);
    fs::create_directories(b);
    fs::create_directories(c);
    for (const auto& e : fs::directory_iterator(source_path("data/sample")))
      fs::copy_file(e.path(), a + "/" + e.path().filename().string());
    for (const auto& e : fs::directory_iterator(source_path("tests/data/facets")))
      fs::copy_file(e.path(), b + "/" + e.path().filename().string());
    for (const auto& e : fs::directory_iterator(source_path("tests/data/facets-holdout")))
      fs::copy_file(e.path(), c + "/" + e.path().filename().string());
    std::vector<std::string> sample;
    for (const auto& e : fs::directory_iterator(a)) sample.push_back(e.path().string());
    std::sort(sample.begin(), sample.end());
    write_bytes(b + "/zz_copy_of_sample.txt", read_bytes(sample[0]));
    std::string near = read_bytes(b + "/001_badong_dateline.txt");
    const std::string from = "巴东";
    for (size_t i = near.find(from); i != std::string::npos; i = near.find(from, i + 6))
      near.replace(i, from.size(), "秭归");
    write_bytes(c + "/zz_near_copy.txt", near);

    combined_ = root + "/combined";
    index_paths(combined_, {a, b, c});
    parts_ = {root + "/parts/a", root + "/parts/b", root + "/parts/c"};
    index_paths(parts_[0], {a});
    index_paths(parts_[1], {b});
    index_paths(parts_[2], {c});
    stub_ = root + "/shards.stub";
    write_bytes(stub_,
                "# three indexes\nauto parts/a\nauto " + root + "/parts/b\n\nauto parts/c\n");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string parts_flags() {
    std::string f;
    for (const std::string& p : parts_) f += " --db " + shell_quote(p);
    return f;
  }

  static TempDir* dir_;
  static std::string combined_, stub_;
  static std::vector<std::string> parts_;
};

TempDir* MultiIndexTest::dir_ = nullptr;
std::string MultiIndexTest::combined_;
std::string MultiIndexTest::stub_;
std::vector<std::string> MultiIndexTest::parts_;

void expect_same(const SearchResult& one, const SearchResult& many, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(one.total, many.total);
  EXPECT_EQ(one.total_paragraphs, many.total_paragraphs);
  EXPECT_EQ(one.matched_paragraphs, many.matched_paragraphs);
  ASSERT_EQ(one.hits.size(), many.hits.size());
  for (size_t i = 0; i < one.hits.size(); ++i) {
    const searcher::Hit &x = one.hits[i], &y = many.hits[i];
    EXPECT_EQ(x.docid, y.docid) << "hit " << i;
    EXPECT_DOUBLE_EQ(x.score, y.score) << "hit " << i;
    EXPECT_EQ(x.rank, y.rank);
    EXPECT_EQ(x.speech_matches, y.speech_matches);
    EXPECT_EQ(x.copies, y.copies) << "hit " << i;
    EXPECT_EQ(x.record.source, y.record.source);
    EXPECT_EQ(x.record.paragraph, y.record.paragraph);
    EXPECT_EQ(x.record.text, y.record.text);
  }
  ASSERT_EQ(one.facets.size(), many.facets.size());
  for (size_t f = 0; f < one.facets.size(); ++f) {
    EXPECT_EQ(one.facets[f].name, many.facets[f].name);
    EXPECT_EQ(one.facets[f].unknown, many.facets[f].unknown);
    ASSERT_EQ(one.facets[f].buckets.size(), many.facets[f].buckets.size()) << one.facets[f].name;
    for (size_t b = 0; b < one.facets[f].buckets.size(); ++b) {
      EXPECT_EQ(one.facets[f].buckets[b].key, many.facets[f].buckets[b].key);
      EXPECT_EQ(one.facets[f].buckets[b].count, many.facets[f].buckets[b].count);
    }
  }
}

// Queries from the corpus's own text: runs of 1 to 4 characters of random paragraphs, and
// ANDs, NOTs, ORs and filters of them.
std::vector<std::string> corpus_queries(const std::string& db, size_t n) {
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  std::mt19937 rng(16);
  auto run = [&] {
    for (;;) {
      const std::u32string text =
          schema::to_utf32(paragraphs[rng() % paragraphs.size()].record.text);
      std::u32string out;
      const size_t len = 1 + rng() % 4;
      if (text.size() < len) continue;
      const size_t at = rng() % (text.size() - len + 1);
      for (size_t i = at; i < at + len; ++i) {
        const char32_t c = text[i];
        if (c < 0x4e00 || c > 0x9fff) break;
        out.push_back(c);
      }
      if (out.size() == len) return schema::to_utf8(out);
    }
  };
  std::vector<std::string> out;
  const char* filters[] = {"year:2019", "year:2015..2021", "province:湖北", "county:巴东"};
  for (size_t i = 0; i < n; ++i) {
    switch (i % 6) {
      case 0:
      case 1:
        out.push_back(run());
        break;
      case 2:
        out.push_back(run() + " " + run());
        break;
      case 3:
        out.push_back(run() + " -" + run());
        break;
      case 4:
        out.push_back(run() + " OR " + run());
        break;
      default:
        out.push_back(run() + " " + filters[i % 4]);
    }
  }
  return out;
}

TEST_F(MultiIndexTest, EveryWayOfNamingThePartsResolvesToThem) {
  EXPECT_EQ(searcher::resolve_databases(parts_), parts_);
  EXPECT_EQ(searcher::resolve_databases({dir_->path() + "/parts"}), parts_);
  const std::vector<std::string> from_stub = searcher::resolve_databases({stub_});
  ASSERT_EQ(from_stub.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(fs::equivalent(from_stub[i], parts_[i])) << i;
  EXPECT_EQ(searcher::resolve_databases({combined_}), std::vector<std::string>{combined_});
}

TEST_F(MultiIndexTest, SearchesGiveWhatOneIndexOfAllTheFilesGives) {
  Searcher one(combined_);
  Searcher many(parts_);
  EXPECT_EQ(many.parts(), 3u);
  EXPECT_EQ(one.documents(), many.documents());
  const std::vector<std::string> queries = corpus_queries(combined_, 240);
  size_t matched = 0;
  for (const std::string& q : queries) {
    SearchRequest r;
    r.query = searcher::parse_query(q);
    r.page.limit = 20;
    r.facets = searcher::facet_names();
    const SearchResult plain = one.search(r);
    matched += plain.total > 0;
    expect_same(plain, many.search(r), q);
    SearchRequest grouped = r;
    grouped.group_by_speech = true;
    grouped.sort = searcher::Sort::kYear;
    expect_same(one.search(grouped), many.search(grouped), q + " (group, sort year)");
    for (const Dedup mode : {Dedup::kParagraph, Dedup::kSpeech}) {
      SearchRequest d = r;
      d.dedup = mode;
      expect_same(one.search(d), many.search(d), q + " --dedup " + searcher::dedup_name(mode));
    }
    std::vector<unsigned> a, b;
    one.for_each_match(r, [&](unsigned id) { a.push_back(id); });
    many.for_each_match(r, [&](unsigned id) { b.push_back(id); });
    EXPECT_EQ(a, b) << q;
  }
  EXPECT_GT(matched, queries.size() / 2) << "the queries should mostly match";
}

TEST_F(MultiIndexTest, DuplicateClustersSpanTheIndexes) {
  Searcher one(combined_);
  Searcher many(parts_);
  // The copy of a sample speech in b clusters with its original in a: the earliest member
  // is in the first index, a copy in the second.
  SearchRequest r;
  r.query.query = textstore::Query::all();
  r.page.limit = 0;
  r.dedup = Dedup::kSpeech;
  const SearchResult s = many.search(r);
  EXPECT_LT(s.total, s.matched_paragraphs);
  const searcher::DuplicateIndex& dup = many.duplicates();
  const searcher::ValueColumn& speeches = many.value_column(schema::kSlotSpeech);
  const auto clusters = dup.clusters(Dedup::kSpeech, speeches);
  bool across = false;
  for (const auto& members : clusters) {
    const Xapian::docid lo = *std::min_element(members.begin(), members.end());
    const Xapian::docid hi = *std::max_element(members.begin(), members.end());
    const std::string a = many.record(lo).source, b = many.record(hi).source;
    across |=
        a.find("/corpus/a/") != std::string::npos && b.find("/corpus/b/") != std::string::npos;
  }
  EXPECT_TRUE(across) << "a speech cluster with members in indexes a and b";
  EXPECT_EQ(one.duplicates().clusters(Dedup::kParagraph, one.value_column(schema::kSlotSpeech)),
            dup.clusters(Dedup::kParagraph, speeches));
}

TEST_F(MultiIndexTest, TheProgramPrintsTheSameForEveryView) {
  const std::string bin = SPEECHDEX_SEARCH_BIN;
  const std::vector<std::string> views = {
      "--format json -n 30 --facets county,province,year,topic,role 发展",
      "--format csv --all 工作",
      "--kwic -n 40 --context 8 经济",
      "--format json --kwic -n 100 --kwic-sort right 改革",
      "--format json --kwic --all 改革",
      "--count=all 发展 OR 改革",
      "--group speech --sort year -n 20 --format json 工作",
      "--dedup paragraph --format json -n 50 --facets county 巴东",
      "--dedup speech --format json -n 50 县",
      "--dedup speech --count 发展",
      "--trend year -e 发展 -e 改革 --format csv",
      "--trend province,year 工作 --format json",
      "--collocates --format csv 发展",
      "--adoption 发展 --format csv",
      "--clusters paragraph --format json",
      "--clusters speech --format csv",
      "--copies 3 --format json",
      "--reuse --format json",
      "--explain 200",
  };
  for (const std::string& view : views) {
    SCOPED_TRACE(view);
    const CommandResult one = run_command(bin + " --db " + shell_quote(combined_) + " " + view);
    ASSERT_EQ(one.status, 0) << one.out;
    EXPECT_FALSE(one.out.empty());
    for (const std::string& dbs : {parts_flags(), " --db " + shell_quote(dir_->path() + "/parts"),
                                   " --db " + shell_quote(stub_)}) {
      const CommandResult many = run_command(bin + dbs + " " + view);
      EXPECT_EQ(many.status, 0) << dbs;
      EXPECT_EQ(one.out, many.out) << dbs;
    }
  }
}

// (source, paragraph) of every hit: the same set whatever the ids are.
std::multiset<std::pair<std::string, uint32_t>> hit_keys(const SearchResult& r) {
  std::multiset<std::pair<std::string, uint32_t>> out;
  for (const searcher::Hit& h : r.hits) out.emplace(h.record.source, h.record.paragraph);
  return out;
}

TEST_F(MultiIndexTest, KeptShardsOfAParallelBuildSearchAsOne) {
  const std::string kept = dir_->path() + "/kept";
  const std::string corpus = dir_->path() + "/corpus";
  const CommandResult built =
      run_command(std::string(SPEECHDEX_INDEX_BIN) + " --db " + kept + " --jobs 2 --keep-shards " +
                      corpus + "/a " + corpus + "/b " + corpus + "/c 2>&1",
                  true);
  ASSERT_EQ(built.status, 0) << built.out;
  EXPECT_NE(built.out.find("kept as 2 shards"), std::string::npos) << built.out;
  EXPECT_TRUE(searcher::is_index_folder(kept + "/shard-1"));
  EXPECT_TRUE(searcher::is_index_folder(kept + "/shard-2"));
  EXPECT_FALSE(fs::exists(kept + "/XAPIANDB"));
  const std::vector<std::string> shards = searcher::resolve_databases({kept});
  ASSERT_EQ(shards.size(), 2u);
  Searcher one(combined_);
  Searcher many(shards);
  EXPECT_EQ(one.documents(), many.documents());
  EXPECT_GT(Searcher(shards[0]).documents(), 0u);
  EXPECT_GT(Searcher(shards[1]).documents(), 0u);
  // Ids differ (the jobs took files in turn), so hits compare as sets of paragraphs.
  for (const std::string& q : corpus_queries(combined_, 60)) {
    for (const Dedup mode : {Dedup::kNone, Dedup::kParagraph, Dedup::kSpeech}) {
      SearchRequest r;
      r.query = searcher::parse_query(q);
      r.page.limit = 100000;
      r.facets = searcher::facet_names();
      r.dedup = mode;
      const SearchResult x = one.search(r), y = many.search(r);
      SCOPED_TRACE(q + " --dedup " + searcher::dedup_name(mode));
      EXPECT_EQ(x.total, y.total);
      EXPECT_EQ(x.matched_paragraphs, y.matched_paragraphs);
      EXPECT_EQ(hit_keys(x), hit_keys(y));
      ASSERT_EQ(x.facets.size(), y.facets.size());
      for (size_t f = 0; f < x.facets.size(); ++f) {
        std::map<std::string, uint64_t> a, b;
        for (const auto& bucket : x.facets[f].buckets) a[bucket.key] = bucket.count;
        for (const auto& bucket : y.facets[f].buckets) b[bucket.key] = bucket.count;
        EXPECT_EQ(a, b) << x.facets[f].name;
      }
    }
  }
  // A second build into the same folder is refused: it would mix two builds' shards.
  const CommandResult again = run_command(std::string(SPEECHDEX_INDEX_BIN) + " --db " + kept +
                                              " --jobs 2 --keep-shards " + corpus + "/a 2>&1",
                                          true);
  EXPECT_NE(again.status, 0);
  EXPECT_NE(again.out.find("shards of an earlier build"), std::string::npos) << again.out;
  // So is an index written beside them, which a search of the folder would not see.
  const CommandResult beside = run_command(
      std::string(SPEECHDEX_INDEX_BIN) + " --db " + kept + " " + corpus + "/a 2>&1", true);
  EXPECT_NE(beside.status, 0);
  EXPECT_NE(beside.out.find("--db " + kept + "/shard-1"), std::string::npos) << beside.out;
  EXPECT_FALSE(fs::exists(kept + "/XAPIANDB"));
}

// A --jobs 2 build finds its duplicate clusters from the shards while the compaction runs
// (index_writer.cc, compact_into): the table it stores is the one the compacted index gives.
TEST_F(MultiIndexTest, AParallelBuildStoresTheClustersOfItsCompactedIds) {
  const std::string merged = dir_->path() + "/merged";
  const std::string corpus = dir_->path() + "/corpus";
  const CommandResult built =
      run_command(std::string(SPEECHDEX_INDEX_BIN) + " --db " + merged + " --jobs 2 " + corpus +
                      "/a " + corpus + "/b " + corpus + "/c 2>&1",
                  true);
  ASSERT_EQ(built.status, 0) << built.out;
  const Xapian::Database db(merged);
  const std::optional<schema::DuplicateTable> stored = schema::load_duplicates(db, merged);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->encode(), schema::find_duplicates(db).encode());
  Searcher s(merged);
  EXPECT_GT(s.duplicates().clusters(Dedup::kParagraph, s.value_column(schema::kSlotSpeech)).size(),
            0u);
}

TEST_F(MultiIndexTest, BadNamesAreOneLineErrors) {
  const std::string bin = SPEECHDEX_SEARCH_BIN;
  auto error = [&](const std::string& dbs) {
    const CommandResult r = run_command(bin + dbs + " 发展 2>&1", true);
    EXPECT_NE(r.status, 0) << dbs;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    return r.out;
  };
  EXPECT_NE(error(" --db " + parts_[0] + " --db " + parts_[0]).find("named twice"),
            std::string::npos);
  const std::string empty = dir_->path() + "/nothing";
  fs::create_directories(empty);
  EXPECT_NE(error(" --db " + empty).find("not an index, nor a folder of indexes"),
            std::string::npos);
  const std::string bad = dir_->path() + "/bad.stub";
  write_bytes(bad, "auto parts/a\nglass parts/b\n");
  const std::string e = error(" --db " + bad);
  EXPECT_NE(e.find("bad.stub:2"), std::string::npos) << e;
  write_bytes(bad, "auto missing\n");
  EXPECT_NE(error(" --db " + bad).find("missing"), std::string::npos);
  // Store-layout indexes and Xapian-layout shards are two searchers: never mixed.
  write_bytes(bad, "auto parts/a\nremote 127.0.0.1:1\n");
  const std::string mixed = error(" --db " + bad);
  EXPECT_NE(mixed.find("this stub names both"), std::string::npos) << mixed;
  EXPECT_NE(mixed.find("bad.stub:2"), std::string::npos) << mixed;
  EXPECT_NE(error(" --db " + parts_[0] + " --remote 127.0.0.1:1").find("cannot be searched as one"),
            std::string::npos);
}

// Opening several indexes is one snapshot of each, taken again if a writer replaced one
// meanwhile: a writer that compacts after every run drops the segments the last commit
// named, so a reader that read a part's records and then opens its segments (or the next
// part) may find them gone. In-process opens, many per writer run, hit that window.
TEST_F(MultiIndexTest, OpeningWhileAWriterCompactsRetriesOnTheNewSnapshot) {
  const std::string root = dir_->path() + "/busy", corpus = root + "/corpus", live = root + "/live";
  fs::create_directories(corpus);
  for (const auto& e : fs::directory_iterator(dir_->path() + "/corpus/b"))
    fs::copy_file(e.path(), corpus + "/" + e.path().filename().string());
  index_paths(live, {corpus});
  const std::string changed = corpus + "/zz_copy_of_sample.txt";
  const std::string text = read_bytes(changed);
  const size_t before = Searcher(live).documents();
  // Many other parts after it widen the window between a part's records and its segments.
  std::vector<std::string> many{live};
  for (int i = 0; i < 24; ++i) {
    many.push_back(root + "/other-" + std::to_string(i));
    run_command("cp -r " + shell_quote(parts_[2]) + " " + shell_quote(many.back()));
  }
  const size_t others =
      Searcher(std::vector<std::string>(many.begin() + 1, many.end())).documents();

  std::atomic<bool> done{false};
  std::string writer_error;
  std::thread writer([&] {
    for (int run = 1; run <= 30 && writer_error.empty(); ++run) {
      // Each run re-indexes the changed file (a new segment) and compacts into one.
      write_bytes(changed, text + "\n读者试验第" + std::to_string(run) + "段。\n");
      const CommandResult r = run_command(std::string(SPEECHDEX_INDEX_BIN) + " --db " + live +
                                              " --compact always " + corpus + " 2>&1",
                                          true);
      if (r.status != 0) writer_error = r.out;
    }
    done = true;
  });
  size_t opens = 0;
  std::vector<std::string> failures;
  while (!done) {
    for (const std::vector<std::string>& dbs : {std::vector<std::string>{live}, many}) {
      ++opens;
      try {
        Searcher s(dbs);
        const size_t n = s.documents() - (dbs.size() > 1 ? others : 0);
        if (n < before) failures.push_back("fewer documents than before: " + std::to_string(n));
      } catch (const std::exception& e) {
        failures.push_back(e.what());
      }
    }
  }
  writer.join();
  ASSERT_EQ(writer_error, "");
  std::cout << "[ opens    ] " << opens << " opens during 30 compacting runs, " << failures.size()
            << " failed\n";
  EXPECT_GE(opens, 50u) << "too few opens overlapped the writer";
  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << opens
                                << " opens failed, first: " << failures.front();
}

}  // namespace
}  // namespace speechdex::testing
