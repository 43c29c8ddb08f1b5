// Helpers shared by the test suites: temporary folders, indexing a corpus, running binaries.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "record.h"

namespace speechdex::testing {

/// A temporary folder removed when it goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Path of a file or folder in the source tree.
std::string source_path(const std::string& relative);

/// Indexes `paths` into the database at `db` with the indexer library.
void index_paths(const std::string& db, const std::vector<std::string>& paths);

/// Every paragraph record in a database in docid order: those a search sees by default,
/// or with `with_boilerplate` the website furniture set aside too (--boilerplate include).
struct StoredParagraph {
  unsigned docid;
  schema::ParagraphRecord record;
};
std::vector<StoredParagraph> read_all(const std::string& db, bool with_boilerplate = false);

/// Runs a shell command; returns its exit status and captures stdout (and stderr if
/// `stderr_too`).
struct CommandResult {
  int status;
  std::string out;
};
CommandResult run_command(const std::string& command, bool stderr_too = false);

/// The bytes of a file ("" if it cannot be read), and writing bytes over a file.
std::string read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::string& bytes);

/// Quotes a string for the shell.
std::string shell_quote(const std::string& s);

/// Renders the SVG file `svg` to PNG with rsvg-convert (librsvg2-bin) and checks the
/// picture: a PNG of more than 20 kB, as a chart with text and lines is (a blank page is
/// less). Returns the PNG's path (beside the SVG) so that a person can look at it.
std::string expect_renders_to_png(const std::string& svg);

/// A suite whose tests share one index of data/sample and tests/data/facets (the facet
/// corpus), built with the indexer library in SetUpTestSuite and removed after the suite.
class FacetCorpusSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  static TempDir* dir_;
  static std::string db_;
  static std::vector<StoredParagraph>* paragraphs_;
};

}  // namespace speechdex::testing
