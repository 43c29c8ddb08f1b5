// End to end: exports (issue 13): --all, --fields, --bom and --provenance on data/sample.
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "fields.h"
#include "test_support.h"

namespace speechdex::testing {
namespace {

const std::string kIndex = SPEECHDEX_INDEX_BIN;
const std::string kSearch = SPEECHDEX_SEARCH_BIN;

std::vector<std::string> lines_of(const std::string& out) {
  std::istringstream in(out);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

class Export : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = dir_->path() + "/db";
    const CommandResult r = run_command("cd " + shell_quote(SPEECHDEX_SOURCE_DIR) + " && " +
                                        kIndex + " --db " + shell_quote(db_) + " data/sample");
    ASSERT_EQ(r.status, 0) << r.out;
  }
  static void TearDownTestSuite() { delete dir_; }

  static CommandResult search(const std::string& args, bool stderr_too = false) {
    return run_command("cd " + shell_quote(SPEECHDEX_SOURCE_DIR) + " && " + kSearch + " --db " +
                           shell_quote(db_) + " " + args,
                       stderr_too);
  }
  static uint64_t count(const std::string& args) {
    const CommandResult r = search("--count " + args);
    EXPECT_EQ(r.status, 0) << args;
    return std::stoull(r.out);
  }

  static TempDir* dir_;
  static std::string db_;
};

TempDir* Export::dir_ = nullptr;
std::string Export::db_;

TEST_F(Export, AllReturnsEveryHitOnce) {
  for (const std::string q : {"政府", "发展 -改革", "--year 2020..2023", "的"}) {
    const uint64_t n = count(q);
    ASSERT_GT(n, 10u) << q;  // more than one page, or --all would prove nothing
    const CommandResult r = search("--all --format json --fields id,rank " + q);
    ASSERT_EQ(r.status, 0) << q;
    const std::vector<std::string> lines = lines_of(r.out);
    EXPECT_EQ(lines.size(), n) << q;
    std::set<unsigned> ids;
    size_t rank = 0;
    for (const std::string& l : lines) {
      const nlohmann::json j = nlohmann::json::parse(l);
      ids.insert(j.at("id").get<unsigned>());
      EXPECT_EQ(j.at("rank").get<size_t>(), ++rank);
    }
    EXPECT_EQ(ids.size(), n) << q << ": an id came twice";
    // The same set as the ranked pages give.
    const CommandResult paged =
        search("--format json --fields id --limit " + std::to_string(n) + " " + q);
    std::set<unsigned> paged_ids;
    for (const std::string& l : lines_of(paged.out)) {
      paged_ids.insert(nlohmann::json::parse(l).at("id").get<unsigned>());
    }
    EXPECT_EQ(ids, paged_ids) << q;
    // CSV: a header and one row per hit (no field of these holds a line break).
    const CommandResult csv = search("--all --format csv --fields id,speech_id " + q);
    EXPECT_EQ(lines_of(csv.out).size(), n + 1) << q;
  }
}

TEST_F(Export, AllKwicRowsAreEveryOccurrence) {
  const CommandResult totals = search("--count=all --format json 政府");
  const uint64_t occurrences = nlohmann::json::parse(totals.out).at("occurrences");
  const CommandResult r = search("--all --kwic --format json 政府");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(lines_of(r.out).size(), occurrences);
  const CommandResult csv = search("--all --kwic --format csv --fields docname,keyword 政府");
  EXPECT_EQ(lines_of(csv.out).size(), occurrences + 1);
  const CommandResult table = search("--all --format kwic 政府");
  EXPECT_EQ(lines_of(table.out).size(), occurrences);
}

TEST_F(Export, AllRefusesWhatNeedsEveryHitAtOnce) {
  for (const std::string flag : {"--sort year", "--group speech", "--facets year", "--offset 5",
                                 "--count", "--kwic --kwic-sort left"}) {
    const CommandResult r = search("--all " + flag + " 政府", true);
    EXPECT_EQ(r.status, 2) << flag;
    EXPECT_NE(r.out.find("--all"), std::string::npos) << r.out;
  }
}

TEST_F(Export, FieldsPickColumnsInOrder) {
  const CommandResult json = search("--format json --limit 2 --fields year,id,speech_id 政府");
  ASSERT_EQ(json.status, 0);
  for (const std::string& l : lines_of(json.out)) {
    const nlohmann::ordered_json j = nlohmann::ordered_json::parse(l);
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"year", "id", "speech_id"})) << l;
  }
  const CommandResult csv = search("--format csv --limit 2 --fields id,topics,matches 政府");
  ASSERT_EQ(csv.status, 0);
  const std::vector<std::string> rows = lines_of(csv.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], "\"id\",\"topics\",\"matches\"\r");
  EXPECT_NE(rows[1].find(",\"[["), std::string::npos) << rows[1];  // matches as JSON
  const CommandResult kwic = search("--format csv --kwic --limit 1 --fields keyword,docname 政府");
  ASSERT_EQ(kwic.status, 0);
  EXPECT_EQ(lines_of(kwic.out).at(0), "\"keyword\",\"docname\"\r");
  EXPECT_EQ(lines_of(kwic.out).at(1).rfind("\"政府\",\"", 0), 0u) << kwic.out;
}

TEST_F(Export, UnknownFieldIsAUsageErrorListingTheValidOnes) {
  const CommandResult r = search("--format csv --fields id,nonsense 政府", true);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(lines_of(r.out).size(), 1u) << r.out;
  EXPECT_NE(r.out.find("unknown field 'nonsense'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rank, score, id"), std::string::npos) << r.out;
  // A hit column is not a KWIC column.
  const CommandResult k = search("--format csv --kwic --fields snippet 政府", true);
  EXPECT_EQ(k.status, 2);
  EXPECT_NE(k.out.find("docname, from, to"), std::string::npos) << k.out;
  EXPECT_EQ(search("--fields id 政府", true).status, 2);  // the table has no columns
}

TEST_F(Export, BomComesFirstInCsvOnly) {
  const CommandResult r = search("--format csv --bom --limit 1 政府");
  ASSERT_EQ(r.status, 0);
  ASSERT_GE(r.out.size(), 4u);
  EXPECT_EQ(r.out.substr(0, 4), "\xEF\xBB\xBF\"");
  const CommandResult all = search("--all --format csv --bom --fields id 政府");
  EXPECT_EQ(all.out.substr(0, 7), "\xEF\xBB\xBF\"id\"");
  EXPECT_NE(search("--format csv --limit 1 政府").out.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(search("--format json --bom 政府", true).status, 2);
}

TEST_F(Export, ProvenanceSaysHowTheExportWasMade) {
  const std::string file = dir_->path() + "/prov.json";
  const CommandResult r = search("--all --format csv --fields id --county 巴东县 --provenance " +
                                 shell_quote(file) + " 政府");
  ASSERT_EQ(r.status, 0);
  const nlohmann::json p = nlohmann::json::parse(read_bytes(file));
  EXPECT_EQ(p.at("program"), "speechdex-search");
  EXPECT_FALSE(p.at("version").get<std::string>().empty());
  EXPECT_EQ(p.at("query"), "政府");
  EXPECT_EQ(p.at("filters"), nlohmann::json::parse(R"([{"field":"county","value":"巴东县"}])"));
  EXPECT_EQ(p.at("options").at("all"), "true");
  EXPECT_EQ(p.at("options").at("fields"), "id");
  const std::string db = p.at("database");
  EXPECT_EQ(db.front(), '/');
  EXPECT_TRUE(boost::filesystem::equivalent(db, db_));
  EXPECT_EQ(p.at("schema_version"), schema::kSchemaVersion);
  EXPECT_EQ(p.at("tokenizer"), std::string(schema::kTokenizerSettings));
  EXPECT_EQ(p.at("documents").get<uint64_t>(), read_all(db_, true).size());
  EXPECT_EQ(p.at("gazetteer_fnv1a64").get<std::string>().size(), 16u);
  EXPECT_EQ(p.at("topics_fnv1a64").get<std::string>().size(), 16u);
  EXPECT_EQ(p.at("records").get<uint64_t>(), lines_of(r.out).size() - 1);
  const std::string time = p.at("time");
  ASSERT_EQ(time.size(), 20u) << time;  // 2026-11-28T12:00:00Z
  EXPECT_EQ(time[10], 'T');
  EXPECT_EQ(time.back(), 'Z');

  // With JSON Lines, - makes it the first line.
  const CommandResult j = search("--format json --limit 3 --provenance - 政府");
  ASSERT_EQ(j.status, 0);
  const std::vector<std::string> lines = lines_of(j.out);
  ASSERT_EQ(lines.size(), 4u);
  const nlohmann::json head = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(head.at("provenance").at("query"), "政府");
  EXPECT_TRUE(nlohmann::json::parse(lines[1]).contains("rank"));
  EXPECT_EQ(search("--format csv --provenance - 政府", true).status, 2);
  EXPECT_EQ(search("--explain 1 --provenance " + shell_quote(file), true).status, 2);
  const std::string counted = dir_->path() + "/count.json";
  ASSERT_EQ(search("--count=all --provenance " + shell_quote(counted) + " 政府").status, 0);
  EXPECT_EQ(nlohmann::json::parse(read_bytes(counted)).at("query"), "政府");
}

}  // namespace
}  // namespace speechdex::testing
