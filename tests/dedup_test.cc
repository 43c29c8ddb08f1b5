// Duplicate clusters and --dedup: planted copies of the sample speeches are found; exact
// copies always share a cluster; --dedup counts, facets, totals and trends equal the number
// of clusters among the matches (an oracle over the duplicate table); clusters follow files
// added and removed; the CLI's --copies, --clusters and (+N copies).
#include "dedup.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "errors.h"
#include "fields.h"
#include "kwic.h"
#include "normalizer.h"
#include "searcher.h"
#include "test_support.h"
#include "tokenizer.h"
#include "trend.h"
#include "xapian.h"

namespace speechdex::testing {
namespace {

using searcher::Dedup;

// Lines of a file.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    out.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size())) {
    s.replace(i, from.size(), to);
  }
  return s;
}

// A near copy: `from` county name swapped for `to`, one CJK character in 50 replaced (a
// fixed pseudo-random choice), the line at `drop` left out.
std::string near_copy(const std::string& text, const std::string& from, const std::string& to,
                      size_t drop) {
  std::vector<std::string> lines = lines_of(replace_all(text, from, to));
  lines.erase(lines.begin() + static_cast<long>(drop));
  std::string out;
  uint64_t state = 12345;
  for (const std::string& line : lines) {
    std::u32string chars = schema::to_utf32(line);
    for (char32_t& c : chars) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      if (c >= 0x4e00 && c <= 0x9fff && (state >> 33) % 50 == 0) c = U'改';
    }
    out += schema::to_utf8(chars) + "\n";
  }
  return out;
}

// The normalized text as duplicate detection sees it (the text hash's input).
std::string normalized(const std::string& text) {
  std::string out;
  for (const schema::Unit& u : schema::tokenize(text)) out += u.text + "\x1f";
  return out;
}

class Duplicates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    corpus_ = dir_->path() + "/corpus";
    db_ = dir_->path() + "/db";
    const std::string sample = source_path("data/sample");
    ASSERT_EQ(run_command("mkdir -p " + shell_quote(corpus_) + " && cp " + shell_quote(sample) +
                          "/*.txt " + shell_quote(corpus_))
                  .status,
              0);
    // The original (定陶区) and a near copy under 巴东 later in path order; a whole-file
    // exact copy of another speech.
    original_ = read_bytes(sample + "/002_7b64626b53d5935b.txt");
    write_bytes(corpus_ + "/zz_near_copy.txt", near_copy(original_, "定陶", "巴东", 17));
    write_bytes(corpus_ + "/zz_exact_copy.txt", read_bytes(sample + "/001_11557c694fc91416.txt"));
    index_paths(db_, {corpus_});
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static uint64_t total(searcher::Searcher& s, const std::string& query, Dedup mode) {
    searcher::SearchRequest r;
    r.query = searcher::parse_query(query);
    r.page.limit = 0;
    r.dedup = mode;
    return s.search(r).total;
  }

  static TempDir* dir_;
  static std::string corpus_, db_, original_;
};
TempDir* Duplicates::dir_ = nullptr;
std::string Duplicates::corpus_, Duplicates::db_, Duplicates::original_;

TEST_F(Duplicates, IdenticalTextsShareACluster) {
  searcher::Searcher s(db_);
  const searcher::DuplicateIndex& dups = s.duplicates();
  std::map<std::string, std::set<uint32_t>> clusters_of_text;
  for (const StoredParagraph& p : read_all(db_, true)) {
    clusters_of_text[normalized(p.record.text)].insert(dups.cluster(Dedup::kParagraph, p.docid));
  }
  size_t shared = 0;
  for (const auto& [text, clusters] : clusters_of_text) {
    EXPECT_EQ(clusters.size(), 1u) << text;
    shared += clusters.size();
  }
  EXPECT_GT(shared, 0u);
}

TEST_F(Duplicates, PlantedCopiesAreFoundAndTheOriginalIsEarliest) {
  searcher::Searcher s(db_);
  const searcher::DuplicateIndex& dups = s.duplicates();
  const std::vector<StoredParagraph> all = read_all(db_);
  std::map<std::string, std::vector<const StoredParagraph*>> by_file;
  for (const StoredParagraph& p : all) {
    by_file[p.record.source.substr(p.record.source.rfind('/') + 1)].push_back(&p);
  }
  const auto& original = by_file.at("002_7b64626b53d5935b.txt");
  const auto& copy = by_file.at("zz_near_copy.txt");
  // Every paragraph of the copy is in its original's cluster, and the original is the
  // cluster's earliest member (unknown years; the original's path comes first). Paragraphs
  // of fewer than 40 characters have few shingles: a changed character or two can take
  // them below the threshold, as documented; they are not counted here.
  size_t long_ones = 0, found = 0;
  for (const StoredParagraph* c : copy) {
    const std::string back = replace_all(c->record.text, "巴东", "定陶");
    const StoredParagraph* best = nullptr;
    size_t best_same = 0;
    for (const StoredParagraph* o : original) {
      const std::u32string a = schema::to_utf32(back), b = schema::to_utf32(o->record.text);
      if (a.size() != b.size()) continue;
      size_t same = 0;
      for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
      if (same > best_same) {
        best_same = same;
        best = o;
      }
    }
    ASSERT_NE(best, nullptr) << c->record.text << " | " << back;
    if (schema::to_utf32(c->record.text).size() < 40) continue;
    ++long_ones;
    if (dups.cluster(Dedup::kParagraph, c->docid) == best->docid) ++found;
  }
  EXPECT_GE(long_ones, 15u);
  EXPECT_EQ(found, long_ones);
  // The speeches: the near copy and the exact copy each in their original's cluster, and
  // no other speech clustered.
  const auto speech_cluster = [&](const std::string& file) {
    return dups.cluster(Dedup::kSpeech, by_file.at(file).front()->docid);
  };
  EXPECT_EQ(speech_cluster("zz_near_copy.txt"), original.front()->docid);
  EXPECT_EQ(speech_cluster("zz_exact_copy.txt"),
            by_file.at("001_11557c694fc91416.txt").front()->docid);
  std::map<uint32_t, std::set<std::string>> speeches_of;
  for (const StoredParagraph& p : all) {
    speeches_of[dups.cluster(Dedup::kSpeech, p.docid)].insert(p.record.speech_id);
  }
  size_t clustered = 0;
  for (const auto& [cluster, speeches] : speeches_of) clustered += speeches.size() > 1;
  EXPECT_EQ(clustered, 2u);
}

// The oracle: under --dedup a search's count is the number of distinct clusters among its
// matches, each hit is the earliest of its cluster's matches, facets and totals add up.
TEST_F(Duplicates, DedupCountsAreClustersAmongTheMatches) {
  searcher::Searcher s(db_);
  const searcher::DuplicateIndex& dups = s.duplicates();
  // Queries: two-character runs from every seventh paragraph, and some of the sample's
  // words; none chosen for their answer.
  std::vector<std::string> queries = {"同志们", "依法行政", "发展", "工作 群众", "定陶 OR 巴东"};
  const std::vector<StoredParagraph> all = read_all(db_);
  for (size_t i = 0; i < all.size(); i += 7) {
    const std::u32string t = schema::to_utf32(all[i].record.text);
    if (t.size() > 12 && t[10] >= 0x4e00 && t[11] >= 0x4e00) {
      queries.push_back(schema::to_utf8(t.substr(10, 2)));
    }
  }
  size_t collapsed = 0;
  for (const std::string& q : queries) {
    searcher::SearchRequest plain;
    plain.query = searcher::parse_query(q);
    std::vector<unsigned> matches;
    s.for_each_match(plain, [&](unsigned d) { matches.push_back(d); });
    for (Dedup mode : {Dedup::kParagraph, Dedup::kSpeech}) {
      std::map<uint32_t, unsigned> earliest;  // cluster -> earliest match
      for (unsigned d : matches) {
        auto [it, added] = earliest.emplace(dups.cluster(mode, d), d);
        if (!added && dups.order(d) < dups.order(it->second)) it->second = d;
      }
      searcher::SearchRequest r = plain;
      r.dedup = mode;
      r.page.limit = 100000;
      r.facets = {"year", "county"};
      const searcher::SearchResult result = s.search(r);
      EXPECT_EQ(result.total, earliest.size()) << q << " " << searcher::dedup_name(mode);
      EXPECT_EQ(result.matched_paragraphs, matches.size()) << q;
      collapsed += matches.size() - earliest.size();
      std::set<uint32_t> seen;
      for (const searcher::Hit& h : result.hits) {
        const uint32_t c = dups.cluster(mode, h.docid);
        EXPECT_TRUE(seen.insert(c).second) << q << ": two hits of one cluster";
        if (mode == Dedup::kParagraph) {
          EXPECT_EQ(h.docid, earliest.at(c)) << q << ": the hit is not the earliest match";
        }
      }
      for (const searcher::Facet& f : result.facets) {
        uint64_t sum = f.unknown;
        for (const searcher::FacetBucket& b : f.buckets) sum += b.count;
        EXPECT_EQ(sum, result.total) << q << " facet " << f.name;
      }
      if (mode == Dedup::kParagraph) {
        EXPECT_EQ(searcher::count_totals(s, r).paragraphs, earliest.size()) << q;
      }
    }
  }
  EXPECT_GT(collapsed, 0u) << "no query met a duplicate: the oracle tested nothing";
}

// The work arrays' epoch wraps after 2^32 collapses: the counts after the wrap are those a
// fresh searcher gives (a stamp left from before must not pass for current).
TEST_F(Duplicates, CountsSurviveTheEpochWrapping) {
  for (const Dedup mode : {Dedup::kParagraph, Dedup::kSpeech}) {
    searcher::SearchRequest r;
    r.query = searcher::parse_query("发展");
    r.dedup = mode;
    r.page.limit = 0;
    searcher::Searcher fresh(db_);
    const uint64_t expected = fresh.search(r).total;
    searcher::Searcher s(db_);
    searcher::SearchRequest other = r;
    other.query = searcher::parse_query("工作");
    s.search(other);  // stamps clusters with epoch 1
    const searcher::DuplicateIndex& dup = s.duplicates();
    dup.scratch(s.value_column(schema::kSlotSpeech).distinct()).epoch = UINT32_MAX;
    EXPECT_EQ(s.search(r).total, expected) << searcher::dedup_name(mode);
    EXPECT_GT(expected, 0u);
  }
}

TEST_F(Duplicates, TrendTotalsCountEachClusterOnce) {
  searcher::Searcher s(db_);
  const searcher::DuplicateIndex& dups = s.duplicates();
  std::set<uint32_t> clusters;
  for (const StoredParagraph& p : read_all(db_)) {
    clusters.insert(dups.cluster(Dedup::kParagraph, p.docid));
  }
  searcher::TrendRequest r;
  r.fields = {"county"};
  r.queries = {"同志们"};
  r.dedup = Dedup::kParagraph;
  const searcher::TrendResult t = searcher::run_trend(s, r);
  EXPECT_EQ(t.whole.paragraphs, clusters.size());
  std::set<uint32_t> matched_clusters;
  searcher::SearchRequest plain;
  plain.query = searcher::parse_query("同志们");
  s.for_each_match(
      plain, [&](unsigned d) { matched_clusters.insert(dups.cluster(Dedup::kParagraph, d)); });
  uint64_t matched = 0;
  for (const searcher::TrendCount& c : t.series.at(0).counts) matched += c.paragraphs;
  EXPECT_EQ(matched, matched_clusters.size());
  EXPECT_EQ(t.series.at(0).whole.paragraphs, matched_clusters.size());
}

TEST_F(Duplicates, ClustersFollowFilesRemovedAndAdded) {
  TempDir d;
  const std::string corpus = d.path() + "/c", db = d.path() + "/db";
  ASSERT_EQ(run_command("mkdir -p " + shell_quote(corpus)).status, 0);
  write_bytes(corpus + "/a.txt", original_);
  write_bytes(corpus + "/b.txt", near_copy(original_, "定陶", "巴东", 17));
  index_paths(db, {corpus});
  auto copied_speeches = [&] {
    searcher::Searcher s(db);
    size_t n = 0;
    const searcher::ValueColumn& speeches = s.value_column(schema::kSlotSpeech);
    for (const auto& c : s.duplicates().clusters(Dedup::kSpeech, speeches)) n += c.size() - 1;
    return n;
  };
  EXPECT_EQ(copied_speeches(), 1u);
  ASSERT_EQ(std::remove((corpus + "/b.txt").c_str()), 0);
  index_paths(db, {corpus});
  EXPECT_EQ(copied_speeches(), 0u);
  write_bytes(corpus + "/c.txt", original_);
  index_paths(db, {corpus});
  EXPECT_EQ(copied_speeches(), 1u);
  // A table that does not describe the index (as after a run cut short) is refused.
  {
    Xapian::WritableDatabase w(db, Xapian::DB_OPEN);
    schema::DuplicateTable stale = *schema::load_duplicates(w, db);
    stale.doccount += 1;
    schema::store_duplicates(w, stale);
    w.commit();
  }
  searcher::Searcher s(db);
  try {
    s.duplicates();
    ADD_FAILURE() << "a stale table was used";
  } catch (const speechdex::IndexError& e) {
    EXPECT_NE(std::string(e.what()).find("out of date"), std::string::npos) << e.what();
  }
}

// The table is stored in chunks (a glass tag holds at most about 128 MB; version 1 of the
// table took 12 bytes per paragraph): small chunks here cross many boundaries, a smaller table
// leaves no stale chunk, a missing chunk is an error naming the index, and a table stored as one
// value (an index written before chunking) still reads.
TEST_F(Duplicates, TheTableIsStoredInChunks) {
  TempDir tmp;
  const std::string db = tmp.path() + "/db";
  ASSERT_EQ(run_command("cp -r " + shell_quote(db_) + " " + shell_quote(db)).status, 0);
  auto chunk_keys = [&](const Xapian::Database& d) {
    size_t n = 0;
    const std::string prefix(schema::kMetaDuplicatesChunk);
    for (auto k = d.metadata_keys_begin(prefix); k != d.metadata_keys_end(prefix); ++k) ++n;
    return n;
  };
  uint64_t before = 0;
  {
    searcher::Searcher s(db);
    before = total(s, "发展", Dedup::kParagraph);
  }
  Xapian::WritableDatabase w(db, Xapian::DB_OPEN);
  const schema::DuplicateTable table = *schema::load_duplicates(w, db);
  const std::string bytes = table.encode();
  ASSERT_GT(bytes.size(), 200u);
  schema::store_duplicates(w, table, 17);
  w.commit();
  EXPECT_EQ(chunk_keys(w), (bytes.size() + 16) / 17);
  EXPECT_EQ(schema::load_duplicates(w, db)->encode(), bytes);
  {
    searcher::Searcher s(db);
    EXPECT_EQ(total(s, "发展", Dedup::kParagraph), before);
    EXPECT_LT(before, total(s, "发展", Dedup::kNone));
  }
  schema::store_duplicates(w, table, 100);
  w.commit();
  EXPECT_EQ(chunk_keys(w), (bytes.size() + 99) / 100);
  EXPECT_EQ(schema::load_duplicates(w, db)->encode(), bytes);
  w.set_metadata(std::string(schema::kMetaDuplicatesChunk) + "1", "");
  try {
    schema::load_duplicates(w, db);
    ADD_FAILURE() << "a table with a chunk missing was read";
  } catch (const speechdex::IndexError& e) {
    EXPECT_NE(std::string(e.what()).find("chunk 1 of"), std::string::npos) << e.what();
    EXPECT_EQ(e.context(), db);
  }
  w.set_metadata(std::string(schema::kMetaDuplicates), bytes);
  EXPECT_EQ(schema::load_duplicates(w, db)->encode(), bytes);
  // The table of before (version 1: 4 bytes big-endian an entry, not compressed) still reads.
  std::string v1 = "speechdex-duplicates 1\n";
  auto put = [&v1](uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) v1.push_back(static_cast<char>(v >> shift));
  };
  put(table.last_docid);
  put(table.doccount);
  for (const auto* column : {&table.paragraph, &table.speech, &table.order}) {
    for (Xapian::docid id = 0; id <= table.last_docid; ++id) put((*column)[id]);
  }
  const schema::DuplicateTable old = schema::DuplicateTable::decode(v1, db);
  EXPECT_EQ(old.paragraph, table.paragraph);
  EXPECT_EQ(old.speech, table.speech);
  EXPECT_EQ(old.order, table.order);
  EXPECT_LT(bytes.size() * 4, v1.size());
  // Damage is an error naming the index, never a wrong table.
  std::string bad = bytes;
  bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x55);
  EXPECT_THROW(schema::DuplicateTable::decode(bad, db), speechdex::IndexError);
  EXPECT_THROW(schema::DuplicateTable::decode(bytes.substr(0, bytes.size() - 3), db),
               speechdex::IndexError);
}

TEST_F(Duplicates, CommandLine) {
  const std::string search = std::string(SPEECHDEX_SEARCH_BIN) + " --db " + shell_quote(db_);
  // A table hit standing for copies says so; the JSON summary names the mode.
  CommandResult r = run_command(search + " --dedup paragraph --color never 同志们");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("copies)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--dedup paragraph"), std::string::npos) << r.out;
  r = run_command(search + " --dedup speech --format json --facets year 依法行政");
  ASSERT_EQ(r.status, 0) << r.out;
  const std::vector<std::string> lines = lines_of(r.out);
  const nlohmann::json summary = nlohmann::json::parse(lines.at(0));
  EXPECT_EQ(summary.at("dedup"), "speech");
  EXPECT_GT(summary.at("matched_paragraphs").get<int>(), summary.at("paragraphs").get<int>());
  // --copies of the near copy's paragraph: its original first, each member one JSON line.
  searcher::Searcher s(db_);
  unsigned copy_id = 0;
  for (const StoredParagraph& p : read_all(db_)) {
    if (p.record.source.find("zz_near_copy") != std::string::npos &&
        schema::to_utf32(p.record.text).size() > 100) {
      copy_id = p.docid;
      break;
    }
  }
  ASSERT_NE(copy_id, 0u);
  r = run_command(search + " --format json --copies " + std::to_string(copy_id));
  ASSERT_EQ(r.status, 0) << r.out;
  std::vector<nlohmann::json> members;
  for (const std::string& line : lines_of(r.out)) {
    if (!line.empty()) members.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(members.size(), 2u) << r.out;
  EXPECT_NE(members[0].at("source").get<std::string>().find("002_"), std::string::npos);
  EXPECT_EQ(members[0].at("similarity"), 1.0);
  EXPECT_GT(members[1].at("similarity").get<double>(), 0.6);
  EXPECT_LT(members[1].at("similarity").get<double>(), 1.0);
  EXPECT_FALSE(members[1].at("exact").get<bool>());
  // --clusters speech as CSV: two clusters of two speeches.
  r = run_command(search + " --format csv --clusters speech");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 5) << r.out;
  EXPECT_EQ(run_command(search + " --copies 0").status, 2);
}

}  // namespace
}  // namespace speechdex::testing
