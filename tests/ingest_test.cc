// Issue 12: ingestion. The corpus in tests/data/ingest (made by its make-ingest-corpus) and
// tests/data/formats holds one speech in every encoding and format speechdex reads, and a file
// for every defect; the tests add what git cannot hold (a link loop, an unreadable folder, a
// name that is not UTF-8, an oversize file) and run the real indexer on it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xapian.h>

#include <boost/filesystem.hpp>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "fields.h"
#include "index_layout.h"
#include "record.h"
#include "test_support.h"

namespace fs = boost::filesystem;

namespace speechdex::testing {
namespace {

const std::string kIndex = SPEECHDEX_INDEX_BIN;
const std::string kSearch = SPEECHDEX_SEARCH_BIN;

// The command prefix that runs a program as a user who cannot read a folder with mode 000:
// root reads everything, so as root the indexer runs as nobody (setpriv, util-linux).
std::string unprivileged() {
  return geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
}

// A copy of the ingestion corpus in a temporary folder that nobody may read and write.
struct Corpus {
  TempDir dir;
  std::string root = dir.path() + "/corpus";
  std::string db = dir.path() + "/db";

  Corpus() {
    fs::create_directories(root);
    for (const char* sub : {"tests/data/ingest", "tests/data/formats"}) {
      const std::string from = source_path(sub);
      const std::string to = root + "/" + fs::path(sub).filename().string();
      run_command("cp -r " + shell_quote(from) + " " + shell_quote(to));
    }
    fs::remove(root + "/ingest/make-ingest-corpus");
  }
  // Lets nobody (see unprivileged()) read the corpus and write the index.
  void open_to_all() const { run_command("chmod -R a+rwX " + shell_quote(dir.path())); }
};

// The records of a database grouped by source, boilerplate included.
std::map<std::string, std::vector<schema::ParagraphRecord>> by_source(const std::string& db) {
  std::map<std::string, std::vector<schema::ParagraphRecord>> out;
  for (const StoredParagraph& p : read_all(db, true)) out[p.record.source].push_back(p.record);
  return out;
}

// What must be the same for one speech in any format or encoding: the paragraphs and the
// speech's metadata (not how they were found, which names the format).
std::vector<std::string> essence(const std::vector<schema::ParagraphRecord>& records) {
  std::vector<std::string> out;
  for (const schema::ParagraphRecord& r : records) {
    if (r.kind == schema::kKindBoilerplate) continue;
    out.push_back(std::to_string(r.speech) + "|" + std::to_string(r.paragraph) + "|" + r.kind +
                  "|" + r.title + "|" + r.section + "|" + r.subsection + "|" + r.text + "|" +
                  r.county_code + "|" + std::to_string(r.year) + "|" + r.role);
  }
  return out;
}

bool has_line(const std::string& out, const std::string& path, const std::string& reason) {
  return out.find("speechdex-index: warning: " + path + ": " + reason) != std::string::npos;
}

TEST(Ingest, EveryDefectIsReportedAndTheRestOfTheTreeIsRead) {
  Corpus c;
  const std::string tree = c.root + "/tree";
  // A link loop three levels down, a file beside and below it.
  fs::create_directories(tree + "/a/b/c");
  fs::copy_file(source_path("tests/data/formats/speech.txt"), tree + "/a/b/c/deep.txt");
  fs::create_symlink("../..", tree + "/a/b/c/loop");
  fs::create_symlink("nowhere.txt", tree + "/a/dangling.txt");
  // An unreadable folder.
  fs::create_directories(tree + "/locked");
  fs::copy_file(source_path("tests/data/formats/speech.txt"), tree + "/locked/speech.txt");
  // A name that is not UTF-8 (GBK for 啊啊), a hidden folder, a file over the size limit.
  fs::copy_file(source_path("tests/data/formats/speech.txt"), tree + "/\xb0\xa1\xb0\xa1.txt");
  fs::create_directories(tree + "/.hidden");
  fs::copy_file(source_path("tests/data/formats/speech.txt"), tree + "/.hidden/speech.txt");
  {
    std::ofstream big(tree + "/big.txt");
    for (int i = 0; i < 40000; ++i) big << "这是一个超过大小限制的文件。";  // 1.68 MB
  }
  // The vocabularies, where nobody can read them whatever the mode of the source tree's
  // folders (a clone in a mktemp -d folder is 0700).
  const std::string data = c.dir.path() + "/data";
  ASSERT_EQ(
      run_command("cp -r " + shell_quote(source_path("data")) + " " + shell_quote(data)).status, 0);
  c.open_to_all();
  ASSERT_EQ(::chmod((tree + "/locked").c_str(), 0), 0);
  // An unreadable file.
  fs::copy_file(source_path("tests/data/formats/speech.txt"), tree + "/secret.txt");
  ASSERT_EQ(::chmod((tree + "/secret.txt").c_str(), 0), 0);

  const CommandResult r =
      run_command(unprivileged() + kIndex + " --max-file-size 1M --data " + shell_quote(data) +
                      " --db " + shell_quote(c.db) + " " + shell_quote(c.root),
                  true);
  ::chmod((tree + "/locked").c_str(), 0755);
  EXPECT_EQ(r.status, 1) << r.out;
  const std::string d = c.root + "/ingest/defects/";
  EXPECT_TRUE(has_line(r.out, tree + "/a/b/c/loop", "symbolic link loop")) << r.out;
  EXPECT_TRUE(has_line(r.out, tree + "/a/dangling.txt", "broken symbolic link")) << r.out;
  EXPECT_TRUE(has_line(r.out, tree + "/locked", "cannot read folder: Permission denied")) << r.out;
  EXPECT_TRUE(
      has_line(r.out, tree + "/big.txt", "larger than --max-file-size (1.6 MB > 1.0 MB), not read"))
      << r.out;
  EXPECT_TRUE(has_line(r.out, d + "binary.txt", "binary, not text (a NUL byte at byte 8)"));
  EXPECT_TRUE(has_line(r.out, d + "empty.txt", "no text found"));
  EXPECT_TRUE(has_line(r.out, d + "blank.txt", "no text found"));
  EXPECT_TRUE(has_line(r.out, d + "invalid-utf8.txt", "invalid UTF-8 at byte 69"));
  EXPECT_TRUE(has_line(r.out, d + "notpdf.pdf", "named .pdf but not a PDF"));
  EXPECT_TRUE(has_line(r.out, d + "notzip.docx", "named .docx but not a Word document"));
  EXPECT_TRUE(has_line(r.out, d + "word97.docx", "a Word 97-2003 document (.doc)"));
  EXPECT_TRUE(has_line(r.out, d + "mixed.jsonl:2", "not JSON"));
  EXPECT_TRUE(has_line(r.out, d + "mixed.jsonl:3", "no \"text\" field"));
  EXPECT_TRUE(has_line(r.out, c.root + "/formats/bomb.docx", "refused")) << r.out;
  const std::string f = c.root + "/formats/";
  EXPECT_TRUE(has_line(r.out, f + "scanned.pdf", "no text layer (scanned?)"));
  EXPECT_TRUE(has_line(r.out, f + "encrypted.pdf", "encrypted: a password is needed"));
  EXPECT_TRUE(has_line(r.out, f + "damaged.pdf", "not a PDF, or damaged beyond repair"));
  EXPECT_NE(r.out.find("note: 1 hidden files and folders not read (--hidden reads them)"),
            std::string::npos)
      << r.out;
  // Every problem is one line of that form.
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("warning") == std::string::npos) continue;
    EXPECT_TRUE(std::regex_match(line, std::regex("speechdex-index: warning: [^ ].*: [^ ].*")))
        << line;
  }
  const std::regex summary(
      "([0-9]+) files indexed \\(0 updated, 0 unchanged, 0 removed, ([0-9]+) skipped, ([0-9]+) "
      "failed\\)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, summary)) << r.out;
  EXPECT_EQ(m[2], "3") << "loop, dangling link, big file";
  // binary, blank, empty, invalid, notpdf, notzip, word97, bomb, scanned, encrypted, damaged,
  // the locked folder, the unreadable file
  EXPECT_EQ(m[3], "13") << r.out;

  const auto sources = by_source(c.db);
  // The rest of the tree: the file beside the loop, the one with a GBK name (shown escaped).
  EXPECT_EQ(sources.count(tree + "/a/b/c/deep.txt"), 1u);
  EXPECT_EQ(sources.count(tree + "/\\xB0\\xA1\\xB0\\xA1.txt"), 1u);
  EXPECT_EQ(sources.count(tree + "/.hidden/speech.txt"), 0u);
  // The good line of the JSON Lines file with a bad line.
  EXPECT_EQ(sources.count(d + "mixed.jsonl"), 1u);

  // --hidden reads the hidden folder.
  const CommandResult hidden = run_command(
      kIndex + " --hidden --max-file-size 1M --db " + shell_quote(c.db) + " " + shell_quote(c.root),
      true);
  EXPECT_EQ(by_source(c.db).count(tree + "/.hidden/speech.txt"), 1u) << hidden.out;
}

TEST(Ingest, OneSpeechInEveryFormatAndEncodingGivesTheSameParagraphsAndMetadata) {
  Corpus c;
  const CommandResult r =
      run_command(kIndex + " --db " + shell_quote(c.db) + " " + shell_quote(c.root), true);
  const auto sources = by_source(c.db);
  const std::string txt = c.root + "/formats/speech.txt";
  ASSERT_EQ(sources.count(txt), 1u) << r.out;
  const std::vector<std::string> want = essence(sources.at(txt));
  ASSERT_GT(want.size(), 8u);
  EXPECT_EQ(sources.at(txt).front().county, "巴东县");
  EXPECT_EQ(sources.at(txt).front().year, 2021);
  for (const char* same :
       {"formats/speech.docx", "formats/speech.html", "formats/speech.pdf",
        "formats/speech-block.pdf", "formats/speech.jsonl", "ingest/encodings/utf8.txt",
        "ingest/encodings/utf8-bom.txt", "ingest/encodings/utf16le-bom.txt",
        "ingest/encodings/utf16be-bom.txt", "ingest/encodings/gbk.txt", "ingest/encodings/crlf.txt",
        "ingest/encodings/crlf-gbk.txt"}) {
    const std::string path = c.root + "/" + same;
    ASSERT_EQ(sources.count(path), 1u) << same << "\n" << r.out;
    EXPECT_EQ(essence(sources.at(path)), want) << same;
  }
  for (const char* group : {"traditional", "hongkong"}) {
    const std::string dir = c.root + "/ingest/" + group;
    const std::string base = dir + "/utf8.txt";
    ASSERT_EQ(sources.count(base), 1u) << r.out;
    EXPECT_EQ(sources.at(base).front().county, "巴东县") << "Traditional 巴東縣 is the county";
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      ASSERT_EQ(sources.count(e.path().string()), 1u) << e.path() << "\n" << r.out;
      EXPECT_EQ(essence(sources.at(e.path().string())), essence(sources.at(base))) << e.path();
    }
  }
  // Each encoding is named once, as a note.
  EXPECT_NE(r.out.find("note: " + c.root + "/ingest/traditional/big5.txt: read as big5"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("note: " + c.root + "/ingest/encodings/gbk.txt: read as gb18030"),
            std::string::npos);
  // The JSON Lines speech: its id names the speech, its other fields are shown in JSON.
  const std::vector<nlohmann::json> hits = [&] {
    std::vector<nlohmann::json> out;
    const std::string json = run_command(kSearch + " --db " + shell_quote(c.db) +
                                         " --format json -n 1000 " + "法治政府建设推进会")
                                 .out;
    std::istringstream in(json);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }();
  bool seen_jsonl = false;
  for (const nlohmann::json& h : hits) {
    if (h.at("source") != c.root + "/formats/speech.jsonl") continue;
    seen_jsonl = true;
    EXPECT_EQ(h.at("speech_id"), c.root + "/formats/speech.jsonl#bd-2021-07");
    EXPECT_EQ(h.at("fields").at("url"), "http://www.example.gov.cn/a/1.html");
  }
  EXPECT_TRUE(seen_jsonl);
}

TEST(Ingest, JsonLinesTakeParagraphArraysAndAYearFromTheDate) {
  TempDir dir;
  const std::string file = dir.path() + "/scraped.jsonl";
  std::ofstream(file)
      << R"({"text": ["在全县大会上的讲话", "同志们：", "今年要抓好招商引资工作。"], )"
      << R"("date": "2018-04-02", "county": "422823", "category": "讲话"})"
      << "\n";
  const std::string db = dir.path() + "/db";
  const CommandResult r =
      run_command(kIndex + " --db " + shell_quote(db) + " " + shell_quote(file), true);
  ASSERT_EQ(r.status, 0) << r.out;
  const auto records = read_all(db);
  ASSERT_EQ(records.size(), 3u) << "the title, the salutation, the paragraph";
  EXPECT_EQ(records.front().record.kind, "title");
  for (const StoredParagraph& p : records) {
    EXPECT_EQ(p.record.year, 2018);
    EXPECT_EQ(p.record.date, "2018-04-02");
    EXPECT_EQ(p.record.county, "巴东县");
    EXPECT_EQ(p.record.fields, R"({"category":"讲话"})");
    EXPECT_NE(p.record.how.at("year").find("jsonl " + file + ":1"), std::string::npos);
  }
  EXPECT_EQ(records.back().record.text, "今年要抓好招商引资工作。");
}

TEST(Ingest, EncodingCanBeForcedAndLossyIndexesWithReplacementsMarked) {
  Corpus c;
  const std::string d = c.root + "/ingest/";
  const CommandResult forced = run_command(kIndex + " --encoding utf-8 --db " + shell_quote(c.db) +
                                               " " + shell_quote(d + "encodings/gbk.txt"),
                                           true);
  EXPECT_EQ(forced.status, 1);
  EXPECT_TRUE(has_line(forced.out, d + "encodings/gbk.txt",
                       "does not decode as utf-8: invalid bytes at byte 0"))
      << forced.out;
  const CommandResult lossy = run_command(kIndex + " --lossy --db " + shell_quote(c.db) + " " +
                                              shell_quote(d + "defects/invalid-utf8.txt"),
                                          true);
  EXPECT_EQ(lossy.status, 0) << lossy.out;
  EXPECT_TRUE(has_line(lossy.out, d + "defects/invalid-utf8.txt",
                       "read as utf-8 with --lossy: 3 invalid sequences replaced, the first at "
                       "byte 69"))
      << lossy.out;
  const auto records = read_all(c.db, true);
  ASSERT_FALSE(records.empty());
  bool replaced = false;
  for (const StoredParagraph& p : records) {
    EXPECT_NE(p.record.how.at("encoding").find("--lossy"), std::string::npos);
    replaced = replaced || p.record.text.find("\xEF\xBF\xBD") != std::string::npos;
  }
  EXPECT_TRUE(replaced) << "U+FFFD stands where the bad bytes were";
}

// The speeches whose records the metadata holds are exactly those the paragraphs refer to:
// a removed or re-indexed file leaves none behind (docs/index.md, Records).
void expect_speech_records_match_paragraphs(const std::string& db) {
  const Xapian::Database d(db);
  std::set<std::string> referred, stored;
  for (auto it = d.postlist_begin(""); it != d.postlist_end(""); ++it) {
    const schema::ParagraphRef ref =
        schema::ParagraphRef::from_data(d.get_document(*it).get_data());
    referred.insert(schema::speech_meta_key(ref.source_key, ref.speech));
  }
  const std::string prefix(schema::kMetaSpeechPrefix);
  for (auto k = d.metadata_keys_begin(prefix); k != d.metadata_keys_end(prefix); ++k) {
    stored.insert(*k);
  }
  EXPECT_FALSE(stored.empty());
  EXPECT_EQ(stored, referred);
  const CommandResult check = run_command(kIndex + " --check --db " + shell_quote(db) + " 2>&1");
  EXPECT_EQ(check.status, 0) << check.out;
}

TEST(Ingest, ReRunsReadNewAndChangedFilesAndRemoveDeletedOnes) {
  Corpus c;
  const std::string dir = c.root + "/ingest/encodings";
  const std::string index = kIndex + " --db " + shell_quote(c.db) + " " + shell_quote(dir);
  ASSERT_EQ(run_command(index).status, 0);
  const size_t before = by_source(c.db).size();
  fs::remove(dir + "/gbk.txt");
  std::ofstream(dir + "/utf8.txt", std::ios::app) << "补充的一段话。\n";
  fs::copy_file(source_path("tests/data/formats/speech.txt"), dir + "/new.txt");
  const CommandResult again = run_command(index + " 2>&1");
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("1 files indexed (1 updated, " + std::to_string(before - 2) +
                           " unchanged, 1 removed, 0 skipped, 0 failed)"),
            std::string::npos)
      << again.out;
  EXPECT_NE(again.out.find(dir + "/gbk.txt: removed from the index: no longer on disk"),
            std::string::npos);
  const auto sources = by_source(c.db);
  EXPECT_EQ(sources.count(dir + "/gbk.txt"), 0u);
  EXPECT_EQ(sources.count(dir + "/new.txt"), 1u);
  EXPECT_EQ(sources.size(), before);
  EXPECT_EQ(run_command(kSearch + " --db " + shell_quote(c.db) + " --count 补充的一段话").out,
            "1\n");
  expect_speech_records_match_paragraphs(c.db);
  // A file named on the command line and deleted leaves the index too (and is reported).
  fs::remove(dir + "/new.txt");
  const CommandResult named = run_command(kIndex + " --db " + shell_quote(c.db) + " " +
                                          shell_quote(dir + "/new.txt") + " 2>&1");
  EXPECT_EQ(named.status, 1);
  EXPECT_TRUE(has_line(named.out, dir + "/new.txt", "no such file or folder")) << named.out;
  EXPECT_NE(named.out.find("1 removed"), std::string::npos) << named.out;
  EXPECT_EQ(by_source(c.db).count(dir + "/new.txt"), 0u);
  expect_speech_records_match_paragraphs(c.db);
  // Shards of --jobs, merged by compaction, hold every speech's records once.
  const std::string jobs = c.db + "-jobs";
  ASSERT_EQ(
      run_command(kIndex + " --jobs 2 --db " + shell_quote(jobs) + " " + shell_quote(dir)).status,
      0);
  expect_speech_records_match_paragraphs(jobs);
  const auto as_json = [](const std::string& db) {
    std::vector<std::string> out;
    for (const auto& [source, records] : by_source(db)) {
      for (const schema::ParagraphRecord& r : records) out.push_back(r.to_json());
    }
    return out;
  };
  EXPECT_EQ(as_json(jobs), as_json(c.db));
}

// A file's paragraphs are found from its first one, which alone has the source term (they
// have consecutive ids): a changed file in the middle of an index, updated without
// compaction, leaves exactly its own paragraphs behind, and so does one of an index written
// when every paragraph had the term.
TEST(Ingest, AChangedFileReplacesExactlyItsOwnParagraphs) {
  TempDir dir;
  const std::string root = dir.path() + "/c";
  fs::create_directories(root);
  int edits = 0;
  auto write = [&](const std::string& name, int paragraphs, const std::string& word) {
    const std::string path = root + "/" + name;
    {
      std::ofstream out(path);
      out << "在全县" << word << "工作会议上的讲话\n\n同志们：\n\n";
      for (int i = 0; i < paragraphs; ++i) {
        out << "第" << i + 1 << "项，" << word << "工作要抓好落实，确保取得实效。\n\n";
      }
    }
    // A later modification time, so that the next run reads the file again.
    fs::last_write_time(path, std::time(nullptr) + 100 * ++edits);
  };
  write("a.txt", 5, "农业");
  write("b.txt", 7, "教育");
  write("c.txt", 4, "交通");
  const std::string db = dir.path() + "/db";
  const std::string index =
      kIndex + " --quiet --compact never --db " + shell_quote(db) + " " + shell_quote(root);
  ASSERT_EQ(run_command(index).status, 0);
  const std::string b_term = schema::source_term(fs::canonical(root + "/b.txt").string());
  auto texts = [](const std::string& d) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [source, records] : by_source(d)) {
      for (const schema::ParagraphRecord& r : records) out[source].push_back(r.text);
    }
    return out;
  };
  // What a fresh index of the folder as it is now holds.
  auto fresh = [&] {
    const std::string other = dir.path() + "/fresh" + std::to_string(edits);
    EXPECT_EQ(run_command(kIndex + " --quiet --db " + shell_quote(other) + " " + shell_quote(root))
                  .status,
              0);
    return texts(other);
  };
  {
    const Xapian::Database x(db);
    EXPECT_EQ(x.get_termfreq(b_term), 1u);
    EXPECT_EQ(x.get_doccount(), 5u + 7 + 4 + 3 * 2);  // and each file's title and salutation
  }
  write("b.txt", 3, "卫生");
  ASSERT_EQ(run_command(index).status, 0);
  EXPECT_EQ(texts(db), fresh());
  EXPECT_EQ(Xapian::Database(db).get_termfreq(b_term), 1u);
  // As an index written before 2026-11-29: the term on every paragraph of b.txt.
  {
    Xapian::WritableDatabase w(db + "/" + schema::live_generation(db), Xapian::DB_OPEN);
    const uint64_t key = schema::source_key(fs::canonical(root + "/b.txt").string());
    size_t marked = 0;
    for (Xapian::docid d = 1; d <= w.get_lastdocid(); ++d) {
      try {
        Xapian::Document doc = w.get_document(d);
        if (schema::ParagraphRef::from_data(doc.get_data()).source_key != key) continue;
        doc.add_boolean_term(b_term);
        w.replace_document(d, doc);
        ++marked;
      } catch (const Xapian::DocNotFoundError&) {
      }
    }
    w.commit();
    EXPECT_EQ(w.get_termfreq(b_term), marked);
    EXPECT_GT(marked, 3u);
  }
  write("b.txt", 6, "环保");
  ASSERT_EQ(run_command(index).status, 0);
  EXPECT_EQ(texts(db), fresh());
  EXPECT_EQ(run_command(kIndex + " --check --db " + shell_quote(db)).status, 0);
  expect_speech_records_match_paragraphs(db);
}

TEST(Ingest, AParagraphLongerThanTheLimitIsCutAndStillFound) {
  TempDir dir;
  const std::string file = dir.path() + "/one-line.txt";
  {
    std::ofstream out(file);
    out << "在全县大会上的讲话\n同志们：\n";
    for (int i = 0; i < 100000; ++i) out << (i % 7 == 0 ? "推进工作落实。" : "推进工作落实，");
    out << "最后一句话在这里。\n";
  }
  const std::string db = dir.path() + "/db";
  const CommandResult r =
      run_command(kIndex + " --db " + shell_quote(db) + " " + shell_quote(file));
  ASSERT_EQ(r.status, 0) << r.out;
  size_t longest = 0, pieces = 0;
  for (const StoredParagraph& p : read_all(db)) {
    longest = std::max(longest, p.record.text.size());
    ++pieces;
  }
  EXPECT_LE(longest, 32u * 1024);
  EXPECT_GT(pieces, 60u);
  EXPECT_EQ(run_command(kSearch + " --db " + shell_quote(db) + " --count 最后一句话在这里").out,
            "1\n");
}

TEST(Ingest, ExitStatusesAndTheProgressLine) {
  Corpus c;
  const std::string one = c.root + "/formats/speech.txt";
  // 2: usage.
  EXPECT_EQ(run_command(kIndex + " --db " + shell_quote(c.db) + " --max-file-size lots " +
                        shell_quote(one) + " 2>/dev/null")
                .status,
            2);
  // 3: the index cannot be opened (a file stands where the folder should).
  std::ofstream(c.dir.path() + "/not-a-folder") << "x";
  const CommandResult three = run_command(
      kIndex + " --db " + shell_quote(c.dir.path() + "/not-a-folder") + " " + shell_quote(one),
      true);
  EXPECT_EQ(three.status, 3) << three.out;
  // 0, and no progress line when stderr is not a terminal.
  const CommandResult piped =
      run_command(kIndex + " --db " + shell_quote(c.db) + " " + shell_quote(one), true);
  EXPECT_EQ(piped.status, 0) << piped.out;
  EXPECT_EQ(piped.out.find('\r'), std::string::npos);
  // On a terminal (script(1) gives it one) the line shows files, MB, rate and time left, and
  // --quiet leaves it out.
  const std::string tty = "script -qec " +
                          shell_quote(kIndex + " --force --db " + shell_quote(c.db) + " " +
                                      shell_quote(c.root + "/ingest/encodings")) +
                          " /dev/null";
  const CommandResult shown = run_command(tty);
  EXPECT_TRUE(std::regex_search(shown.out, std::regex("\r[0-9]+/[0-9]+ files, [0-9.]+/[0-9.]+ MB, "
                                                      "[0-9.]+ MB/s, [0-9]+ s left")))
      << shown.out;
  const std::string quiet_tty = "script -qec " +
                                shell_quote(kIndex + " --quiet --force --db " + shell_quote(c.db) +
                                            " " + shell_quote(c.root + "/ingest/encodings")) +
                                " /dev/null";
  EXPECT_EQ(run_command(quiet_tty).out.find(" MB/s"), std::string::npos);
}

}  // namespace
}  // namespace speechdex::testing
