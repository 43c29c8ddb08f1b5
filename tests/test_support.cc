// Test helpers: real folders, real databases, real processes.
#include "test_support.h"

#include <sys/wait.h>
#include <xapian.h>

#include <boost/filesystem.hpp>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "pipeline.h"

namespace speechdex::testing {

TempDir::TempDir() {
  namespace fs = boost::filesystem;
  const fs::path p = fs::temp_directory_path() / fs::unique_path("speechdex-test-%%%%-%%%%-%%%%");
  fs::create_directories(p);
  path_ = p.string();
}

TempDir::~TempDir() {
  boost::system::error_code ec;
  boost::filesystem::remove_all(path_, ec);
}

std::string source_path(const std::string& relative) {
  return std::string(SPEECHDEX_SOURCE_DIR) + "/" + relative;
}

void index_paths(const std::string& db, const std::vector<std::string>& paths) {
  indexer::IndexOptions options;
  options.db = db;
  options.paths = paths;
  const auto fail = [](const std::string& what, const std::string& p) {
    throw std::runtime_error(what + " " + p);
  };
  indexer::index_corpus(options, fail, [](const std::string&, const std::string&) {});
}

std::vector<StoredParagraph> read_all(const std::string& db, bool with_boilerplate) {
  Xapian::Database d(db);
  std::vector<StoredParagraph> out;
  schema::RecordReader records(d);
  for (Xapian::PostingIterator it = d.postlist_begin(""); it != d.postlist_end(""); ++it) {
    StoredParagraph p{*it, records.read(*it)};
    if (with_boilerplate || p.record.kind != schema::kKindBoilerplate) out.push_back(std::move(p));
  }
  return out;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

CommandResult run_command(const std::string& command, bool stderr_too) {
  const std::string full = command + (stderr_too ? " 2>&1" : "");
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  CommandResult r{0, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

TempDir* FacetCorpusSuite::dir_ = nullptr;
std::string FacetCorpusSuite::db_;
std::vector<StoredParagraph>* FacetCorpusSuite::paragraphs_ = nullptr;

std::string expect_renders_to_png(const std::string& svg) {
  const std::string png = svg.substr(0, svg.rfind('.')) + ".png";
  const CommandResult r =
      run_command("rsvg-convert -o " + shell_quote(png) + " " + shell_quote(svg), true);
  EXPECT_EQ(r.status, 0) << r.out << " (rsvg-convert: scripts/install-deps installs it)";
  const std::string bytes = read_bytes(png);
  EXPECT_GT(bytes.size(), 20000u) << "a chart with text and lines is more than a blank page";
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  return png;
}

void FacetCorpusSuite::SetUpTestSuite() {
  dir_ = new TempDir();
  db_ = dir_->path() + "/db";
  index_paths(db_, {source_path("data/sample"), source_path("tests/data/facets")});
  paragraphs_ = new std::vector<StoredParagraph>(read_all(db_));
}

void FacetCorpusSuite::TearDownTestSuite() {
  delete paragraphs_;
  paragraphs_ = nullptr;
  delete dir_;
  dir_ = nullptr;
}

}  // namespace speechdex::testing
