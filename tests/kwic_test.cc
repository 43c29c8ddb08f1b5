// End to end: occurrences and KWIC output (issue 13) of the real binaries on data/sample.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "normalizer.h"
#include "oracle.h"
#include "printer.h"
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

// Non-overlapping occurrences of `q` in `text`, both squeezed (normalized, white space
// removed), found left to right: written without the tokenizer.
size_t brute_occurrences(const std::u32string& text, const std::u32string& q) {
  size_t n = 0;
  for (size_t at = text.find(q); at != std::u32string::npos; at = text.find(q, at + q.size())) {
    ++n;
  }
  return n;
}

// A paragraph's text as KWIC shows it: control characters (newlines, tabs) as spaces.
std::string one_line(const std::string& text) {
  std::string out;
  for (char32_t c : schema::to_utf32(text)) schema::append_utf8(c < 0x20 ? U' ' : c, out);
  return out;
}

class Kwic : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = dir_->path() + "/db";
    const CommandResult r = run_command("cd " + shell_quote(SPEECHDEX_SOURCE_DIR) + " && " +
                                        kIndex + " --db " + shell_quote(db_) + " data/sample");
    ASSERT_EQ(r.status, 0) << r.out;
    paragraphs_ = new std::vector<StoredParagraph>(read_all(db_));
  }
  static void TearDownTestSuite() {
    delete paragraphs_;
    delete dir_;
  }

  static CommandResult search(const std::string& args) {
    return run_command("cd " + shell_quote(SPEECHDEX_SOURCE_DIR) + " && " + kSearch + " --db " +
                       shell_quote(db_) + " " + args);
  }

  // Compares `out` byte for byte with tests/golden/`name`; SPEECHDEX_UPDATE_GOLDEN=1 writes
  // it instead (read the new file before committing it).
  static void expect_golden(const std::string& out, const std::string& name) {
    const std::string path = source_path("tests/golden/" + name);
    if (std::getenv("SPEECHDEX_UPDATE_GOLDEN")) write_bytes(path, out);
    EXPECT_EQ(out, read_bytes(path)) << name;
  }

  static const schema::ParagraphRecord& paragraph(unsigned docid) {
    for (const StoredParagraph& p : *paragraphs_) {
      if (p.docid == docid) return p.record;
    }
    ADD_FAILURE() << "no paragraph " << docid;
    static const schema::ParagraphRecord none;
    return none;
  }

  static TempDir* dir_;
  static std::string db_;
  static std::vector<StoredParagraph>* paragraphs_;
};

TempDir* Kwic::dir_ = nullptr;
std::string Kwic::db_;
std::vector<StoredParagraph>* Kwic::paragraphs_ = nullptr;

TEST_F(Kwic, TableMatchesGoldenOutput) {
  const CommandResult r = search("--format kwic --limit 4 --context 12 执行力");
  ASSERT_EQ(r.status, 0);
  expect_golden(r.out, "kwic_zhixingli.txt");
  const CommandResult left = search("--format kwic --limit 4 --context 8 --kwic-sort left 执行力");
  ASSERT_EQ(left.status, 0);
  expect_golden(left.out, "kwic_zhixingli_left.txt");
}

TEST_F(Kwic, JsonAndCsvMatchGoldenOutput) {
  const CommandResult json = search("--format json --kwic --limit 3 --context 10 依法行政");
  ASSERT_EQ(json.status, 0);
  expect_golden(json.out, "kwic_yifaxingzheng.jsonl");
  const CommandResult csv = search("--format csv --kwic --limit 3 --context 10 依法行政");
  ASSERT_EQ(csv.status, 0);
  expect_golden(csv.out, "kwic_yifaxingzheng.csv");
}

TEST_F(Kwic, KeywordsStandInOneColumn) {
  for (const std::string sort : {"rank", "left", "right", "year", "county", "source"}) {
    const std::string args = "--limit 20 --context 15 --kwic-sort " + sort + " '政府 发展'";
    const std::vector<std::string> table = lines_of(search("--format kwic " + args).out);
    const std::vector<std::string> rows = lines_of(search("--format json --kwic " + args).out);
    ASSERT_GT(rows.size(), 20u) << sort;               // more occurrences than hits
    ASSERT_EQ(table.size(), rows.size() + 1) << sort;  // and the footer
    EXPECT_EQ(table.back().rfind("showing 1–20 of ", 0), 0u) << table.back();
    size_t column = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const nlohmann::json j = nlohmann::json::parse(rows[i]);
      const std::string post = j.at("post");
      const std::string tail =
          j.at("keyword").get<std::string>() + (post.empty() ? "" : " ") + post;
      ASSERT_GE(table[i].size(), tail.size());
      EXPECT_EQ(table[i].substr(table[i].size() - tail.size()), tail) << table[i];
      const size_t at = searcher::display_width(table[i].substr(0, table[i].size() - tail.size()));
      if (i == 0) column = at;
      EXPECT_EQ(at, column) << sort << ": " << table[i];
    }
  }
}

TEST_F(Kwic, RowsAreTheParagraphsText) {
  const CommandResult r = search("--format json --kwic --limit 30 --context 7 '政府 OR 执行力'");
  ASSERT_EQ(r.status, 0);
  const std::vector<std::string> rows = lines_of(r.out);
  ASSERT_GT(rows.size(), 30u);
  for (const std::string& line : rows) {
    const nlohmann::json j = nlohmann::json::parse(line);
    const std::string text = one_line(paragraph(j.at("docname").get<unsigned>()).text);
    const std::string pre = j.at("pre"), keyword = j.at("keyword"), post = j.at("post");
    EXPECT_NE(text.find(pre + keyword + post), std::string::npos) << line;
    const std::u32string chars = schema::to_utf32(text);
    const size_t from = j.at("from"), to = j.at("to");
    std::string at;
    for (size_t i = from; i < to && i < chars.size(); ++i) schema::append_utf8(chars[i], at);
    EXPECT_EQ(at, keyword) << line;
    EXPECT_LE(schema::to_utf32(pre).size(), 7u);
    EXPECT_LE(schema::to_utf32(post).size(), 7u);
    EXPECT_TRUE(keyword == "政府" || keyword == "执行力") << keyword;
  }
}

TEST_F(Kwic, OccurrencesEqualABruteForceCount) {
  for (const std::string q : {"依法行政", "法", "政府", "执行力", "发展", "的", "依法 行政"}) {
    std::vector<std::u32string> parts;
    std::istringstream words(q);
    for (std::string w; words >> w;) parts.push_back(squeeze(w));
    uint64_t paragraphs = 0, occurrences = 0;
    std::set<std::string> speeches;
    for (const StoredParagraph& p : *paragraphs_) {
      const std::u32string text = squeeze(p.record.text);
      uint64_t here = 0;
      bool all = true;
      for (const std::u32string& part : parts) {
        const size_t n = brute_occurrences(text, part);
        all = all && n > 0;
        here += n;
      }
      if (!all) continue;
      ++paragraphs;
      occurrences += here;
      speeches.insert(p.record.speech_id);
    }
    const CommandResult r = search("--format json --facets year -n 100000 '" + q + "'");
    ASSERT_EQ(r.status, 0) << q;
    const std::vector<std::string> lines = lines_of(r.out);
    const nlohmann::json summary = nlohmann::json::parse(lines.at(0));
    EXPECT_EQ(summary.at("paragraphs").get<uint64_t>(), paragraphs) << q;
    EXPECT_EQ(summary.at("occurrences").get<uint64_t>(), occurrences) << q;
    uint64_t per_hit = 0;  // the hits' own counts add up to the summary's
    for (size_t i = 1; i < lines.size(); ++i) {
      per_hit += nlohmann::json::parse(lines[i]).at("occurrences").get<uint64_t>();
    }
    EXPECT_EQ(per_hit, occurrences) << q;
    const std::string counts = std::to_string(paragraphs) + " paragraph" +
                               (paragraphs == 1 ? ", " : "s, ") + std::to_string(speeches.size()) +
                               (speeches.size() == 1 ? " speech, " : " speeches, ") +
                               std::to_string(occurrences) + " occurrences\n";
    EXPECT_EQ(search("--count=all '" + q + "'").out, counts) << q;
    const nlohmann::json all =
        nlohmann::json::parse(search("--count=all --format json '" + q + "'").out);
    EXPECT_EQ(all.at("speeches").get<uint64_t>(), speeches.size()) << q;
    EXPECT_EQ(search("--count '" + q + "'").out, std::to_string(paragraphs) + "\n") << q;
  }
}

TEST_F(Kwic, CountAllInCsvAndTheTableFooter) {
  const std::vector<std::string> csv = lines_of(search("--count=all --format csv 执行力").out);
  ASSERT_EQ(csv.size(), 2u);
  EXPECT_EQ(csv[0], "\"paragraphs\",\"speeches\",\"occurrences\"\r");
  const std::string total = search("--count 执行力").out;
  const std::vector<std::string> table = lines_of(search("--limit 2 执行力").out);
  EXPECT_EQ(table.back(),
            "showing 1–2 of " + total.substr(0, total.size() - 1) + "; --offset 2 for more");
  // No trailing space where the right context is empty.
  for (const std::string& line : lines_of(search("--format kwic --context 0 -n 3 执行力").out)) {
    EXPECT_NE(line.back(), ' ') << line;
  }
  const std::vector<std::string> last =
      lines_of(search("--limit 1000 执行力").out);  // the last page: no footer
  EXPECT_EQ(last.back().find("showing"), std::string::npos) << last.back();
}

}  // namespace
}  // namespace speechdex::testing
