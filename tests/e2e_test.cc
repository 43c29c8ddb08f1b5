// End to end: the real binaries on data/sample in a temporary folder.
#include <gtest/gtest.h>
#include <xapian.h>

#include <boost/filesystem.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "fields.h"
#include "oracle.h"
#include "record.h"
#include "test_support.h"

namespace speechdex::testing {
namespace {

const std::string kIndex = SPEECHDEX_INDEX_BIN;
const std::string kSearch = SPEECHDEX_SEARCH_BIN;

// The records of JSON Lines output, one per line.
std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::istringstream lines(out);
  std::vector<nlohmann::json> rows;
  for (std::string l; std::getline(lines, l);) rows.push_back(nlohmann::json::parse(l));
  return rows;
}

class EndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = dir_->path() + "/db";
    const CommandResult r = run_command("cd " + shell_quote(SPEECHDEX_SOURCE_DIR) + " && " +
                                        kIndex + " --db " + shell_quote(db_) + " data/sample");
    ASSERT_EQ(r.status, 0) << r.out;
    first_summary_ = r.out;
  }
  static void TearDownTestSuite() { delete dir_; }

  static CommandResult search(const std::string& args, bool stderr_too = false) {
    return run_command("cd " + shell_quote(SPEECHDEX_SOURCE_DIR) + " && " + kSearch + " --db " +
                           shell_quote(db_) + " " + args,
                       stderr_too);
  }

  static TempDir* dir_;
  static std::string db_;
  static std::string first_summary_;
};

TempDir* EndToEnd::dir_ = nullptr;
std::string EndToEnd::db_;
std::string EndToEnd::first_summary_;

TEST_F(EndToEnd, IndexerPrintsOneSummaryLine) {
  EXPECT_TRUE(std::regex_match(
      first_summary_,
      std::regex(
          "5 files indexed \\(0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed\\), 7 "
          "speeches, "
          "[0-9]+ paragraphs \\([0-9]+ set aside as boilerplate\\), [0-9.]+ s, compacted; "
          "copies: [0-9]+ paragraphs in [0-9]+ clusters, [0-9]+ speeches in [0-9]+ clusters\n")))
      << first_summary_;
}

TEST_F(EndToEnd, ReindexingDoesNotDuplicate) {
  const std::string before = search("--count 的").out;
  CommandResult again = run_command("cd " + shell_quote(SPEECHDEX_SOURCE_DIR) + " && " + kIndex +
                                    " --db " + shell_quote(db_) + " data/sample");
  EXPECT_EQ(again.status, 0);
  EXPECT_NE(again.out.find("0 files indexed (0 updated, 5 unchanged"), std::string::npos)
      << again.out;
  CommandResult forced = run_command("cd " + shell_quote(SPEECHDEX_SOURCE_DIR) + " && " + kIndex +
                                     " --force --db " + shell_quote(db_) + " data/sample/");
  EXPECT_NE(forced.out.find("0 files indexed (5 updated"), std::string::npos) << forced.out;
  // A folder named with a trailing slash gives the same paths (no "data/sample/./").
  for (const StoredParagraph& p : read_all(db_)) {
    EXPECT_EQ(p.record.source.find("/./"), std::string::npos) << p.record.source;
  }
  EXPECT_EQ(search("--count 的").out, before);
  EXPECT_EQ(read_all(db_).size(), std::stoul(search("--count -的").out) + std::stoul(before));
}

TEST_F(EndToEnd, CountEqualsParagraphsContainingTheSubstring) {
  const std::vector<StoredParagraph> paragraphs = read_all(db_);
  for (const std::string q : {"依法行政", "枫桥经验", "执行力", "法", "招商引资", "县委政府"}) {
    const CommandResult r = search("--count " + q);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(std::stoul(r.out), brute_force(paragraphs, q).size()) << q;
  }
}

TEST_F(EndToEnd, TraditionalQueryFindsSimplifiedText) {
  const CommandResult r = search("--format json --limit 100 脫貧攻堅");
  ASSERT_EQ(r.status, 0);
  const std::vector<nlohmann::json> rows = json_lines(r.out);
  for (const nlohmann::json& j : rows) {
    EXPECT_NE(j.at("text").get<std::string>().find("脱贫攻坚"), std::string::npos);
    EXPECT_NE(j.at("snippet").get<std::string>().find("«脱贫攻坚»"), std::string::npos);
  }
  EXPECT_GT(rows.size(), 0u);
  EXPECT_EQ(rows.size(), std::stoul(search("--count 脱贫攻坚").out));
}

TEST_F(EndToEnd, JsonLinesParseWithEveryField) {
  const CommandResult r = search("--format json --limit 5 --offset 2 法治政府");
  ASSERT_EQ(r.status, 0);
  size_t rank = 3;
  for (const nlohmann::json& j : json_lines(r.out)) {
    for (const char* k : {"rank", "score", "id", "speech_id", "paragraph", "source", "title",
                          "section", "subsection", "kind", "text", "snippet", "matches"}) {
      EXPECT_TRUE(j.contains(k)) << k << " missing in " << j.dump();
    }
    EXPECT_EQ(j.at("rank").get<size_t>(), rank++);
    const auto m = j.at("matches").at(0);
    EXPECT_EQ(m.at(1).get<size_t>() - m.at(0).get<size_t>(), 4u);
  }
  EXPECT_EQ(rank, 8u);
}

TEST_F(EndToEnd, TableMatchesGoldenOutput) {
  const CommandResult r = search("--limit 3 枫桥经验");
  ASSERT_EQ(r.status, 0);
  const std::string masked =
      std::regex_replace(r.out, std::regex("  [0-9]+\\.[0-9]{4}\n"), "  SCORE\n");
  std::ifstream golden(source_path("tests/golden/search_fengqiao.txt"));
  std::stringstream expected;
  expected << golden.rdbuf();
  EXPECT_EQ(masked, expected.str());
}

TEST_F(EndToEnd, ErrorsAreOneLineWithExitStatusTwo) {
  struct Case {
    std::string args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{{"'\"法治'", "unbalanced quotes"},
                                         {"''", "give a query, a filter"},
                                         {"'   '", "query has no searchable text"},
                                         {"'法治 OR'", "OR needs something on both sides"},
                                         {"--format xml 法治", "--format"}}) {
    const CommandResult r = search(c.args + " 2>&1 >/dev/null");
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_EQ(r.out.rfind("speechdex-search: error: ", 0), 0u) << r.out;
    EXPECT_NE(r.out.find(c.message), std::string::npos) << r.out;
  }
  const CommandResult missing = run_command(kSearch + " --db /nonexistent/db 法治 2>&1 >/dev/null");
  EXPECT_EQ(missing.status, 2);
  EXPECT_EQ(missing.out, "speechdex-search: error: no database at this path (/nonexistent/db)\n");
}

TEST(EndToEndIndexer, BadFilesAreWarnedAboutAndTheRunGoesOn) {
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus";
  const std::string db = dir.path() + "/db";
  run_command("mkdir -p " + shell_quote(corpus));
  {
    std::ofstream(corpus + "/good.txt")
        << "在全县工作会议上的讲话\n同志们：\n今年我们要抓好依法行政工作。\n";
    std::ofstream(corpus + "/binary.txt", std::ios::binary) << std::string("PK\0\0\x03\x04", 6);
    // 依法行政 in GBK.
    std::ofstream(corpus + "/gbk.txt", std::ios::binary)
        << "\xd2\xc0\xb7\xa8\xd0\xd0\xd5\xfe\xca\xc7\xbb\xf9\xb1\xbe\xb7\xbd\xc2\xd4\xa1\xa3\n";
  }
  const CommandResult r = run_command(
      kIndex + " --db " + shell_quote(db) + " " + shell_quote(corpus) + " /nonexistent/x.txt",
      true);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("speechdex-index: warning: " + corpus +
                       "/binary.txt: binary, not text (a NUL byte at byte 2)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("warning: /nonexistent/x.txt: no such file or folder"), std::string::npos);
  EXPECT_NE(r.out.find("note: " + corpus + "/gbk.txt: read as gb18030"), std::string::npos);
  EXPECT_NE(r.out.find("2 files indexed (0 updated, 0 unchanged, 0 removed, 0 skipped, 2 failed)"),
            std::string::npos)
      << r.out;
  const CommandResult count =
      run_command(kSearch + " --db " + shell_quote(db) + " --count 依法行政");
  EXPECT_EQ(count.out, "2\n");

  // A file that turns bad keeps what was indexed from it.
  std::ofstream(corpus + "/good.txt", std::ios::binary) << std::string("\0\0\0", 3);
  run_command(kIndex + " --db " + shell_quote(db) + " " + shell_quote(corpus), true);
  EXPECT_EQ(run_command(kSearch + " --db " + shell_quote(db) + " --count 依法行政").out, "2\n");
}

TEST_F(EndToEnd, FacetsAndExplainInJson) {
  const CommandResult r = search("--format json --facets year,county,topic -n 1 依法行政");
  ASSERT_EQ(r.status, 0);
  std::istringstream lines(r.out);
  std::string first, hit;
  std::getline(lines, first);
  std::getline(lines, hit);
  const nlohmann::json summary = nlohmann::json::parse(first);
  EXPECT_EQ(summary.at("total").get<size_t>(), std::stoul(search("--count 依法行政").out));
  EXPECT_EQ(summary.at("facets").at("year").at("2020").get<size_t>(),
            std::stoul(search("--count --year 2020 依法行政").out));
  EXPECT_EQ(summary.at("labels").at("county").at("422823").get<std::string>(), "巴东县 (湖北省)");
  const nlohmann::json h = nlohmann::json::parse(hit);
  for (const char* k : {"county", "county_code", "province", "year", "role", "topics"}) {
    EXPECT_TRUE(h.contains(k)) << k;
  }
  const CommandResult explain =
      search("--format json --explain " + std::to_string(h.at("id").get<int>()));
  const nlohmann::json e = nlohmann::json::parse(explain.out);
  EXPECT_EQ(e.at("text"), h.at("text"));
  EXPECT_TRUE(e.at("how").contains("county"));
  const CommandResult missing = search("--explain 999999 2>&1");
  EXPECT_EQ(missing.status, 2);
}

TEST_F(EndToEnd, BatchRunsEveryLineAndGoesOnAfterABadOne) {
  const std::string file = dir_->path() + "/queries.txt";
  std::ofstream(file) << "依法行政\n\n\"法治\n执行力 -政府\n";
  const CommandResult r = search("--batch " + shell_quote(file) + " --facets year -n 2");
  EXPECT_EQ(r.status, 1);  // one query failed
  const std::vector<nlohmann::json> rows = json_lines(r.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("count").get<size_t>(), std::stoul(search("--count 依法行政").out));
  EXPECT_EQ(rows[0].at("top").size(), 2u);
  EXPECT_EQ(rows[0].at("facets").at("year").at("2020").get<size_t>(),
            std::stoul(search("--count --year 2020 依法行政").out));
  EXPECT_TRUE(rows[1].contains("error"));
  EXPECT_EQ(rows[2].at("count").get<size_t>(), std::stoul(search("--count '执行力 -政府'").out));
  EXPECT_TRUE(rows[2].contains("ms"));
  const CommandResult csv = search("--batch " + shell_quote(file) + " --facets year --format csv");
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\r')),
            "\"query\",\"count\",\"year:2020\",\"year:unknown\",\"error\"");
  EXPECT_EQ(search("--batch " + shell_quote(file) + " 法治 2>&1").status, 2);
}

// --explain 0 aborted (Xapian's InvalidArgumentError escaped main) and --explain 99999999999
// explained paragraph 1215752191; --offset -1 was read as 2^64 - 1.
TEST_F(EndToEnd, OutOfRangeIdsAndOffsetsAreUsageErrorsNamingThem) {
  struct Case {
    std::string args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"--explain 0", "expected a paragraph id from 1 to 4294967295, not '0' (--explain)"},
           {"--explain 99999999999",
            "expected a paragraph id from 1 to 4294967295, not '99999999999' (--explain)"},
           {"--explain 4294967296",
            "expected a paragraph id from 1 to 4294967295, not '4294967296' (--explain)"},
           {"--explain -1", "expected a paragraph id from 1 to 4294967295, not '-1' (--explain)"},
           {"--explain 12abc",
            "expected a paragraph id from 1 to 4294967295, not '12abc' (--explain)"},
           {"--explain 4294967295", "no paragraph with id 4294967295 (" + db_ + ")"},
           {"--offset -1 法治", "expected a number from 0 to 4294967295, not '-1' (--offset)"},
           {"--offset 18446744073709551616 法治",
            "expected a number from 0 to 4294967295, not '18446744073709551616' (--offset)"},
       }) {
    const CommandResult r = search(c.args + " 2>&1 >/dev/null");
    EXPECT_EQ(r.status, 2) << c.args;
    EXPECT_EQ(r.out, "speechdex-search: error: " + c.message + "\n") << c.args;
  }
  EXPECT_EQ(search("--explain 1").status, 0);
  EXPECT_EQ(search("--offset 4294967295 --count 法治").out, search("--count 法治").out);
}

// A query nested past the limit used to overflow the stack and take the whole batch down.
TEST_F(EndToEnd, BatchGoesOnAfterATooDeepOrVeryLongQuery) {
  const std::string file = dir_->path() + "/deep.txt";
  const char* words[] = {"依法行政", "法治", "执行力", "枫桥经验", "招商引资"};
  std::string ors;
  for (int i = 0; i < 20000; ++i) ors += (i > 0 ? " OR " : "") + std::string(words[i % 5]);
  {
    std::ofstream out(file);
    out << std::string(5000, '(') << "法治" << std::string(5000, ')') << "\n";
    out << "依法行政\n";
    for (int i = 0; i < 20000; ++i) out << "NOT ";
    out << "法治\n" << std::string(50000, '-') << "法治\n" << ors << "\n";
  }
  const CommandResult r = search("--batch " + shell_quote(file));
  EXPECT_EQ(r.status, 1);  // some queries failed
  const std::vector<nlohmann::json> rows = json_lines(r.out);
  ASSERT_EQ(rows.size(), 5u);
  for (size_t i : {0, 2, 3}) {
    EXPECT_EQ(rows[i].at("error").get<std::string>().rfind(
                  "query nested too deeply: more than 100 levels of parentheses, - and NOT (", 0),
              0u)
        << rows[i];
  }
  EXPECT_EQ(rows[1].at("count").get<size_t>(), std::stoul(search("--count 依法行政").out));
  EXPECT_EQ(rows[4].at("count").get<size_t>(),
            std::stoul(search("--count '依法行政 OR 法治 OR 执行力 OR 枫桥经验 OR 招商引资'").out));
  EXPECT_GT(rows[4].at("count").get<size_t>(), 0u);
}

TEST_F(EndToEnd, UnknownCountySuggestsNearestNames) {
  const CommandResult r = search("--county 巴冬 依法 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("unknown county '巴冬' (did you mean 巴东县"), std::string::npos) << r.out;
}

TEST(EndToEndIndexer, ManifestOverridesWhatTheTextSays) {
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus";
  const std::string db = dir.path() + "/db";
  run_command("mkdir -p " + shell_quote(corpus) + "/a");
  std::ofstream(corpus + "/a/one.txt")
      << "在全县工作会议上的讲话\n同志们：\n今年是2019年，我们巴东要抓好依法行政。\n";
  std::ofstream(corpus + "/two.txt")
      << "同志们：\n> 篇一\n同志们：\n第一篇讲依法行政。\n> 篇二\n同志们：\n第二篇讲依法行政。\n";
  std::ofstream(corpus + "/manifest.csv") << "path,speech,county,year,speaker,role\n"
                                          << "a/one.txt,,罗田县,2021,张某,县长\n"
                                          << "two.txt,2,421123,2018,,\n"
                                          << "two.txt,1,火星县,20xx,,\n"
                                          << "../elsewhere/three.txt,,罗田县,2020,,\n";
  const CommandResult r =
      run_command(kIndex + " --db " + shell_quote(db) + " --manifest " +
                      shell_quote(corpus + "/manifest.csv") + " " + shell_quote(corpus),
                  true);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("warning: " + corpus + "/manifest.csv:4: unknown county '火星县'"),
            std::string::npos)
      << r.out;
  // A row that names no file of the run is said, with its line and where it points.
  EXPECT_NE(r.out.find("warning: " + corpus +
                       "/manifest.csv:5: 1 of 4 manifest rows name no file of this run, e.g. " +
                       dir.path() + "/elsewhere/three.txt"),
            std::string::npos)
      << r.out;
  const std::string s = kSearch + " --db " + shell_quote(db) + " ";
  EXPECT_EQ(run_command(s + "--count --county 罗田 --year 2021 依法行政").out, "1\n");
  EXPECT_EQ(run_command(s + "--count --county 罗田 --year 2018 依法行政").out, "1\n");
  EXPECT_EQ(run_command(s + "--count --role 县长 依法行政").out, "1\n");
  const CommandResult hit = run_command(s + "--format json --year 2021 依法行政");
  const nlohmann::json j = nlohmann::json::parse(hit.out);
  const CommandResult explain =
      run_command(s + "--format json --explain " + std::to_string(j.at("id").get<int>()));
  const nlohmann::json e = nlohmann::json::parse(explain.out);
  EXPECT_EQ(e.at("speaker"), "张某");
  EXPECT_NE(e.at("how").at("county").get<std::string>().find("manifest"), std::string::npos);
  // By year, either way, the paragraph of unknown year (20xx) comes last.
  for (const auto& [order, want] : std::vector<std::pair<std::string, std::vector<int>>>{
           {"year", {2018, 2021, 0}}, {"-year", {2021, 2018, 0}}}) {
    std::vector<int> years;
    for (const nlohmann::json& h :
         json_lines(run_command(s + "--format json --sort " + order + " 依法行政").out)) {
      years.push_back(h.at("year").is_null() ? 0 : h.at("year").get<int>());
    }
    EXPECT_EQ(years, want) << order;
  }
}

TEST(EndToEndIndexer, ParallelBuildEqualsOneJob) {
  TempDir dir;
  const std::string one = dir.path() + "/one", two = dir.path() + "/two";
  const std::string corpus =
      shell_quote(source_path("data/sample")) + " " + shell_quote(source_path("tests/data/facets"));
  ASSERT_EQ(run_command(kIndex + " --db " + shell_quote(one) + " " + corpus).status, 0);
  const CommandResult r = run_command(kIndex + " --jobs 2 --db " + shell_quote(two) + " " + corpus);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("compacted"), std::string::npos);
  EXPECT_EQ(read_all(two).size(), read_all(one).size());
  for (const std::string q : {"依法行政", "发展 --facets year,county,topic,role --format json -n 0",
                              "--county 巴东 --group speech --format json -n 0 --facets year"}) {
    EXPECT_EQ(run_command(kSearch + " --db " + shell_quote(two) + " --count " + q).out,
              run_command(kSearch + " --db " + shell_quote(one) + " --count " + q).out)
        << q;
  }
  // The shards' file records survive the merge: nothing is re-read.
  const CommandResult again =
      run_command(kIndex + " --jobs 2 --db " + shell_quote(two) + " " + corpus);
  EXPECT_NE(again.out.find("0 files indexed (0 updated, 44 unchanged"), std::string::npos)
      << again.out;
  EXPECT_FALSE(boost::filesystem::exists(two + ".shard0"));
}

// Re-indexing a changed file touches blocks all over a compacted index; --compact auto
// compacts again once the files pass 1.25 times their size after the last compaction, so
// repeated updates stay bounded and lose nothing.
TEST(EndToEndIndexer, UpdatesCompactAgainOnceTheIndexHasGrown) {
  namespace fs = boost::filesystem;
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus", db = dir.path() + "/db";
  fs::create_directory(corpus);
  for (const fs::directory_entry& e : fs::directory_iterator(source_path("data/sample"))) {
    fs::copy_file(e.path(), corpus + "/" + e.path().filename().string());
  }
  const std::string index = kIndex + " --db " + shell_quote(db) + " " + shell_quote(corpus);
  ASSERT_EQ(run_command(index).status, 0);
  auto count = [&](const std::string& q) {
    return run_command(kSearch + " --db " + shell_quote(db) + " --count " + q).out;
  };
  auto bytes = [&] {
    uint64_t total = 0;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(db)) {
      if (fs::is_regular_file(e.status())) total += fs::file_size(e.path());
    }
    return total;
  };
  const std::string before = count("依法行政");
  int recompacted = 0;
  for (int i = 1; i <= 4; ++i) {
    const fs::directory_iterator first(corpus);
    std::ofstream(first->path().string(), std::ios::app) << "第" << i << "次补充的一段话。\n";
    const CommandResult r = run_command(index);
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("0 files indexed (1 updated"), std::string::npos) << r.out;
    recompacted += r.out.find("compacted") != std::string::npos;
    const double compacted =
        std::stod(Xapian::Database(db).get_metadata(std::string(schema::kMetaCompactedBytes)));
    EXPECT_LE(static_cast<double>(bytes()), 1.25 * compacted) << "after update " << i;
    EXPECT_EQ(count("依法行政"), before);
    EXPECT_EQ(count("次补充的一段话"), std::to_string(i) + "\n");
  }
  EXPECT_GE(recompacted, 1);
}

// A writer killed at any moment leaves the committed index searchable and consistent; the
// next run removes segments no commit names and finishes the job. Also: an update without
// compaction (--compact never) hides the old paragraphs through the deleted list.
TEST(EndToEndIndexer, AKilledRunLosesNothingCommittedAndUpdatesHideOldParagraphs) {
  namespace fs = boost::filesystem;
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus", db = dir.path() + "/db";
  const std::string clean = dir.path() + "/clean";
  fs::create_directory(corpus);
  for (int copy = 0; copy < 40; ++copy) {
    for (const fs::directory_entry& e : fs::directory_iterator(source_path("data/sample"))) {
      fs::copy_file(e.path(),
                    corpus + "/" + std::to_string(copy) + "_" + e.path().filename().string());
    }
  }
  ASSERT_EQ(run_command(kIndex + " --quiet --db " + shell_quote(clean) + " " + shell_quote(corpus))
                .status,
            0);
  auto count = [&](const std::string& at, const std::string& q) {
    return run_command(kSearch + " --db " + shell_quote(at) + " --count " + q).out;
  };
  // Kill the writer partway; whatever it committed must be searchable.
  run_command("timeout -s KILL 0.4 " + kIndex + " --quiet --db " + shell_quote(db) + " " +
              shell_quote(corpus));
  if (fs::exists(db + "/iamglass")) {
    const CommandResult partial =
        run_command(kSearch + " --db " + shell_quote(db) + " --count 依法行政");
    EXPECT_EQ(partial.status, 0) << partial.out;
  }
  // A crash between writing a segment and committing leaves a file no commit names.
  fs::create_directories(db + "/text");
  std::ofstream(db + "/text/999.seg") << "left by a crash";
  std::ofstream(db + "/text/1000.seg.tmp") << "half written";
  const CommandResult finish =
      run_command(kIndex + " --quiet --db " + shell_quote(db) + " " + shell_quote(corpus));
  ASSERT_EQ(finish.status, 0) << finish.out;
  EXPECT_FALSE(fs::exists(db + "/text/999.seg"));
  EXPECT_FALSE(fs::exists(db + "/text/1000.seg.tmp"));
  for (const std::string q : {"依法行政", "发展 --facets year,county --format json -n 0"}) {
    EXPECT_EQ(count(db, q), count(clean, q)) << q;
  }

  // Change one file and re-index it without compaction: its old paragraphs stay in the old
  // segment but no longer match.
  const std::string changed = corpus + "/0_002_7b64626b53d5935b.txt";  // 21 × 依法行政
  ASSERT_TRUE(fs::exists(changed));
  std::ofstream(changed, std::ios::trunc) << "在全县大会上的讲话\n\n同志们：今天只讲一件新鲜事。\n";
  const CommandResult update =
      run_command(kIndex + " --compact never --db " + shell_quote(db) + " " + shell_quote(corpus));
  ASSERT_EQ(update.status, 0) << update.out;
  EXPECT_EQ(std::distance(fs::directory_iterator(db + "/text"), fs::directory_iterator()), 2)
      << "the update adds a segment";
  EXPECT_EQ(count(db, "只讲一件新鲜事"), "1\n");
  const int before = std::stoi(count(clean, "依法行政"));
  const int after = std::stoi(count(db, "依法行政"));
  EXPECT_LT(after, before);
  ASSERT_EQ(run_command(kIndex + " --quiet --compact always --db " + shell_quote(db) + " " +
                        shell_quote(corpus))
                .status,
            0);
  EXPECT_EQ(std::stoi(count(db, "依法行政")), after) << "compaction changes no count";
  EXPECT_EQ(std::distance(fs::directory_iterator(db + "/text"), fs::directory_iterator()), 1);
}

TEST(EndToEndIndexer, AChangedTopicTaxonomyNeedsForce) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  const std::string topics = dir.path() + "/topics.tsv";
  std::ofstream(topics) << "id\tlabel\tkeywords\nrule_of_law\t法治\t依法行政\n";
  const std::string index = kIndex + " --db " + shell_quote(db) + " " +
                            shell_quote(source_path("data/sample/003_878e5e52374565a1.txt"));
  EXPECT_EQ(run_command(index).status, 0);
  const CommandResult again = run_command(index + " --topics " + shell_quote(topics) + " 2>&1");
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.out.find("topic taxonomy differs"), std::string::npos) << again.out;
  EXPECT_EQ(run_command(index + " --force --topics " + shell_quote(topics)).status, 0);
  EXPECT_EQ(run_command(kSearch + " --db " + shell_quote(db) + " --count --topic rule_of_law").out,
            run_command(kSearch + " --db " + shell_quote(db) + " --count 依法行政").out);
}

}  // namespace
}  // namespace speechdex::testing

namespace speechdex::testing {
namespace {

// The one segment of a freshly built (compacted) index.
std::string only_segment(const std::string& db) {
  std::vector<std::string> segs;
  for (const auto& e : boost::filesystem::directory_iterator(db + "/text")) {
    segs.push_back(e.path().string());
  }
  EXPECT_EQ(segs.size(), 1u);
  return segs.empty() ? "" : segs[0];
}

// --check finds a damaged segment and a segment list that disagrees with the records, and
// --repair rebuilds the text store from the records: the same answers as before the damage.
TEST(EndToEndIndexer, CheckFindsDamageAndRepairRebuildsTheTextStoreFromTheRecords) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  ASSERT_EQ(run_command(kIndex + " --quiet --db " + shell_quote(db) + " " +
                        shell_quote(source_path("data/sample")))
                .status,
            0);
  const auto answers = [&] {
    return run_command(kSearch + " --db " + shell_quote(db) + " --count 依法行政").out +
           run_command(kSearch + " --db " + shell_quote(db) +
                       " --format json -n 10 --facets county,year,topic 政府 2>&1")
               .out;
  };
  const std::string before = answers();
  ASSERT_NE(before.find("\"total\""), std::string::npos) << before;
  const CommandResult ok = run_command(kIndex + " --check --db " + shell_quote(db));
  EXPECT_EQ(ok.status, 0) << ok.out;
  EXPECT_EQ(ok.out.rfind("ok: 216 paragraphs, 1 segments", 0), 0u) << ok.out;

  // A flipped byte in the middle of the postings.
  const std::string seg = only_segment(db);
  std::string bytes = read_bytes(seg);
  bytes[bytes.size() / 3] = static_cast<char>(bytes[bytes.size() / 3] ^ 0x20);
  write_bytes(seg, bytes);
  const CommandResult damaged = run_command(kIndex + " --check --db " + shell_quote(db));
  EXPECT_EQ(damaged.status, 1);
  EXPECT_NE(damaged.out.find("problem: " + seg + ": corrupt text segment (checksum of bytes"),
            std::string::npos)
      << damaged.out;
  EXPECT_NE(damaged.out.find("--repair rebuilds the text store"), std::string::npos);
  const CommandResult repaired = run_command(kIndex + " --check --repair --db " + shell_quote(db));
  EXPECT_EQ(repaired.status, 0) << repaired.out;
  EXPECT_NE(repaired.out.find("repaired: "), std::string::npos) << repaired.out;
  EXPECT_FALSE(boost::filesystem::exists(seg)) << "the damaged segment is gone";
  EXPECT_EQ(answers(), before);
  EXPECT_EQ(run_command(kIndex + " --check --db " + shell_quote(db)).status, 0);

  // Segments that vanish from the list: the searcher and a writer refuse, --repair mends.
  {
    Xapian::WritableDatabase w(db, Xapian::DB_OPEN);
    w.set_metadata(std::string(schema::kMetaTextSegments), "");
    w.commit();
  }
  const CommandResult refused =
      run_command(kSearch + " --db " + shell_quote(db) + " --count 依法行政 2>&1");
  EXPECT_EQ(refused.status, 3);
  EXPECT_NE(refused.out.find("the index is inconsistent: the segments hold 0 live paragraphs, "
                             "the records 216"),
            std::string::npos)
      << refused.out;
  const CommandResult writer = run_command(kIndex + " --db " + shell_quote(db) + " " +
                                           shell_quote(source_path("data/sample")) + " 2>&1");
  EXPECT_NE(writer.status, 0);
  EXPECT_NE(writer.out.find("inconsistent"), std::string::npos) << writer.out;
  EXPECT_EQ(run_command(kIndex + " --check --repair --db " + shell_quote(db)).status, 0);
  EXPECT_EQ(answers(), before);
}

// Every speech's records value and the dictionaries stored: {dictionary id -> speeches
// compressed with it}, 0 for those without one.
std::map<uint64_t, size_t> speeches_by_dictionary(const std::string& db,
                                                  std::set<uint64_t>* stored = nullptr) {
  Xapian::Database x(db);
  std::map<uint64_t, size_t> out;
  const std::string speeches(schema::kMetaSpeechPrefix);
  for (auto it = x.metadata_keys_begin(speeches); it != x.metadata_keys_end(speeches); ++it) {
    ++out[schema::SpeechRecords::dictionary_of(x.get_metadata(*it))];
  }
  const std::string dicts(schema::kMetaRecordDictionaryPrefix);
  for (auto it = x.metadata_keys_begin(dicts); stored && it != x.metadata_keys_end(dicts); ++it) {
    stored->insert(schema::RecordDictionary::load(x.get_metadata(*it))->id());
  }
  return out;
}

// Speeches' records are compressed with a dictionary each writer trains on its first
// megabyte of speeches: a parallel build's shards store one each and the merged index keeps
// both, an update compresses with the index's, every record reads back as a one-job build
// stores it, and --check names a dictionary the index has lost.
TEST(EndToEndIndexer, RecordsDictionariesAreTrainedStoredAndReused) {
  const std::string generator = std::string(SPEECHDEX_SHARED_DIR) + "/bench/make-corpus";
  if (!boost::filesystem::exists(generator)) GTEST_SKIP() << generator << " is not there";
  TempDir dir;
  const std::string corpus = dir.path() + "/c";
  ASSERT_EQ(run_command(generator + " --size-mb 4 --seed 37 --out " + shell_quote(corpus)).status,
            0);
  const std::string one = dir.path() + "/one", two = dir.path() + "/two";
  ASSERT_EQ(
      run_command(kIndex + " --quiet --db " + shell_quote(one) + " " + shell_quote(corpus)).status,
      0);
  const CommandResult built = run_command(kIndex + " --quiet --jobs 2 --db " + shell_quote(two) +
                                          " " + shell_quote(corpus));
  ASSERT_EQ(built.status, 0) << built.out;

  std::set<uint64_t> stored;
  const std::map<uint64_t, size_t> by = speeches_by_dictionary(two, &stored);
  ASSERT_EQ(stored.size(), 2u) << "one dictionary per shard";
  size_t total = 0;
  for (const auto& [id, n] : by) {
    total += n;
    if (id != 0) {
      EXPECT_TRUE(stored.contains(id)) << schema::hex_key(id) << " is not stored";
    }
  }
  for (uint64_t id : stored) EXPECT_GT(by.count(id) ? by.at(id) : 0, total / 8) << "used";
  EXPECT_EQ(run_command(kIndex + " --check --db " + shell_quote(two)).status, 0);

  // The records read back alike, whatever compressed them.
  std::multiset<std::string> a, b;
  for (const StoredParagraph& p : read_all(one)) a.insert(p.record.to_json());
  for (const StoredParagraph& p : read_all(two)) b.insert(p.record.to_json());
  EXPECT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b) << "a parallel build's records differ from one job's";

  // An update compresses its speeches with the index's dictionary, and trains no other.
  std::set<uint64_t> before;
  const std::map<uint64_t, size_t> by_before = speeches_by_dictionary(one, &before);
  ASSERT_EQ(before.size(), 1u);
  const uint64_t id = *before.begin();
  const std::string current =
      Xapian::Database(one).get_metadata(std::string(schema::kMetaRecordDictionary));
  EXPECT_EQ(current, schema::hex_key(id));
  boost::filesystem::create_directories(dir.path() + "/more");
  for (const auto& e : boost::filesystem::recursive_directory_iterator(corpus)) {
    if (e.path().extension() != ".txt") continue;
    std::string text = read_bytes(e.path().string());
    write_bytes(dir.path() + "/more/" + e.path().filename().string(), "新增。\n" + text);
    if (boost::filesystem::file_size(e.path()) > 0 &&
        std::distance(boost::filesystem::directory_iterator(dir.path() + "/more"),
                      boost::filesystem::directory_iterator()) >= 20) {
      break;
    }
  }
  ASSERT_EQ(run_command(kIndex + " --quiet --db " + shell_quote(one) + " " +
                        shell_quote(dir.path() + "/more"))
                .status,
            0);
  std::set<uint64_t> after;
  const std::map<uint64_t, size_t> by_after = speeches_by_dictionary(one, &after);
  EXPECT_EQ(after, before);
  EXPECT_EQ(by_after.at(id), by_before.at(id) + 20) << "the 20 new speeches use it";
  EXPECT_EQ(run_command(kIndex + " --check --db " + shell_quote(one)).status, 0);

  // A damaged dictionary (other bytes under its key, here another index's dictionary): a
  // writer compresses new speeches without it, which read back, and --check says so.
  {
    Xapian::WritableDatabase w(one, Xapian::DB_OPEN);
    w.set_metadata(
        schema::record_dictionary_key(id),
        schema::RecordDictionary::load(
            Xapian::Database(two).get_metadata(schema::record_dictionary_key(*stored.begin())))
            ->bytes());
    w.commit();
  }
  boost::filesystem::create_directories(dir.path() + "/later");
  for (const auto& e : boost::filesystem::directory_iterator(dir.path() + "/more")) {
    write_bytes(dir.path() + "/later/" + e.path().filename().string(),
                "再增。\n" + read_bytes(e.path().string()));
  }
  ASSERT_EQ(run_command(kIndex + " --quiet --db " + shell_quote(one) + " " +
                        shell_quote(dir.path() + "/later"))
                .status,
            0);
  EXPECT_EQ(speeches_by_dictionary(one).at(0), by_after.at(0) + 20)
      << "the new speeches are stored without the damaged dictionary";
  const CommandResult damaged = run_command(kIndex + " --check --db " + shell_quote(one));
  EXPECT_EQ(damaged.status, 1);
  EXPECT_NE(damaged.out.find("the records dictionary " + schema::hex_key(id) + " is damaged"),
            std::string::npos)
      << damaged.out.substr(0, 600);
  // Their records print (the older speeches' need the damaged dictionary).
  const CommandResult later = run_command(kSearch + " --db " + shell_quote(one) +
                                          " --boilerplate include -f json -n 100 再增");
  EXPECT_EQ(later.status, 0) << later.out.substr(0, 600);
  const std::vector<nlohmann::json> rows = json_lines(later.out);
  size_t hits = 0;
  for (const nlohmann::json& row : rows) {
    if (!row.contains("source")) continue;
    ++hits;
    EXPECT_NE(row["source"].get<std::string>().find("/later/"), std::string::npos) << row;
  }
  EXPECT_EQ(hits, 20u) << later.out.substr(0, 600);

  // A lost dictionary: --check names it.
  {
    Xapian::WritableDatabase w(one, Xapian::DB_OPEN);
    w.set_metadata(schema::record_dictionary_key(id), "");
    w.commit();
  }
  const CommandResult lost = run_command(kIndex + " --check --db " + shell_quote(one));
  EXPECT_EQ(lost.status, 1);
  EXPECT_NE(lost.out.find("need the dictionary " + schema::hex_key(id)), std::string::npos)
      << lost.out.substr(0, 600);
}

// A second writer is told who holds the index; --wait waits for it; --rebuild starts over.
TEST(EndToEndIndexer, ASecondWriterIsToldWhoHoldsTheLock) {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  const std::string sample = shell_quote(source_path("data/sample"));
  ASSERT_EQ(run_command(kIndex + " --quiet --db " + shell_quote(db) + " " + sample).status, 0);
  // Hold the lock from the shell, as a running writer would.
  const CommandResult r =
      run_command("exec 9>>" + shell_quote(db + "/lock") +
                      "; flock -n 9 && echo 'PID 4242 since then' >" + shell_quote(db + "/lock") +
                      " && " + kIndex + " --db " + shell_quote(db) + " " + sample + " 2>&1",
                  true);
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.out.find("error: the index is locked by PID 4242 since then; wait for it or use "
                       "--wait (" +
                       db + ")"),
            std::string::npos)
      << r.out;
  // --wait: the holder lets go after a moment.
  const CommandResult waited =
      run_command("(exec 9>>" + shell_quote(db + "/lock") + "; flock 9; sleep 1) & sleep 0.3; " +
                      kIndex + " --wait --db " + shell_quote(db) + " " + sample + " 2>&1; wait",
                  true);
  EXPECT_EQ(waited.status, 0) << waited.out;
  // --rebuild: everything again, nothing doubled.
  const CommandResult rebuilt =
      run_command(kIndex + " --rebuild --db " + shell_quote(db) + " " + sample);
  EXPECT_EQ(rebuilt.status, 0);
  EXPECT_NE(rebuilt.out.find("5 files indexed (0 updated, 0 unchanged"), std::string::npos)
      << rebuilt.out;
  EXPECT_EQ(run_command(kSearch + " --db " + shell_quote(db) + " --count 依法行政").out, "39\n");
  // A folder that is not an index is never emptied.
  const std::string other = dir.path() + "/other";
  boost::filesystem::create_directories(other);
  std::ofstream(other + "/thesis.docx") << "not ours";
  const CommandResult refused =
      run_command(kIndex + " --rebuild --db " + shell_quote(other) + " " + sample + " 2>&1", true);
  EXPECT_EQ(refused.status, 2) << refused.out;
  EXPECT_TRUE(boost::filesystem::exists(other + "/thesis.docx"));
}

// A file name that is not UTF-8 is indexed and shown escaped; it used to abort the whole run
// with a JSON exception naming no file.
TEST(EndToEndIndexer, AFileNameThatIsNotUtf8IsIndexedAndShownEscaped) {
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus", db = dir.path() + "/db";
  boost::filesystem::create_directories(corpus);
  std::ofstream(corpus + "/\xb0\xa1\xb0\xa1.txt")
      << "在全县工作会议上的讲话\n同志们：\n今年我们要抓好依法行政工作。\n";
  std::ofstream(corpus + "/ok.txt") << "在全县大会上的讲话\n同志们：\n依法行政是基本方略。\n";
  const CommandResult r =
      run_command(kIndex + " --db " + shell_quote(db) + " " + shell_quote(corpus), true);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("2 files indexed"), std::string::npos) << r.out;
  const CommandResult hits =
      run_command(kSearch + " --db " + shell_quote(db) + " --format json 今年我们要抓好");
  ASSERT_EQ(hits.status, 0);
  EXPECT_NE(hits.out.find("/\\\\xB0\\\\xA1\\\\xB0\\\\xA1.txt"), std::string::npos) << hits.out;
}

}  // namespace
}  // namespace speechdex::testing
