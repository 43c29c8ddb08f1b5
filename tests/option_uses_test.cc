// End to end: every option in every mode of speechdex-search (search, KWIC, --count,
// --count=all, --all, --explain, --trend, --adoption, --batch, --collocates) is read, refused (exit
// 2) or ignored with one warning line naming it and the mode; an ignored option changes nothing,
// and one that is read changes the output (issue 13).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "test_support.h"

namespace speechdex::testing {
namespace {

const std::string kSearch = SPEECHDEX_SEARCH_BIN;

struct Case {
  std::string name;  ///< as warnings name it
  std::string args;
};

// Each mode on a query with hits in two years, several speeches and counties.
const std::vector<Case> kModes = {
    {"a ranked search", "依法行政"},
    {"KWIC rows", "--format kwic 依法行政"},
    {"--count", "--count 依法行政"},
    {"--count with --facets", "--count --facets county 依法行政"},
    {"--count=all", "--count=all 依法行政"},
    {"--all", "--all --format json 依法行政"},
    {"--all with KWIC", "--all --format json --kwic 依法行政"},
    {"--explain", "--explain 20"},
    {"--trend", "--trend year 依法行政"},
    {"--adoption", "--adoption 发展"},
    {"--batch", "--batch queries.txt"},
    {"--collocates", "--collocates 依法行政"},
};

// Each option with a value that changes the output of a mode that reads it.
const std::vector<Case> kOptions = {
    {"the query", "-- -发展"},
    {"--year", "--year 2020"},
    {"--boilerplate", "--boilerplate only"},
    {"--limit", "--limit 1"},
    {"--offset", "--offset 1"},
    {"--sort", "--sort year"},
    {"--group", "--group speech"},
    {"--facets", "--facets year"},
    {"--count", "--count"},
    {"--format", "--format csv"},
    {"--format kwic", "--format kwic"},
    {"--kwic", "--kwic"},
    {"--context", "--context 3"},
    {"--kwic-sort", "--kwic-sort left"},
    {"--color", "--color always"},
    {"--fields", "--fields id,year"},
    {"--window", "--window 1"},
    {"--collocates", "--collocates"},
    {"--trend", "--trend county"},
    {"--adoption", "--adoption"},
    {"--by", "--by year"},
    {"--explain", "--explain 21"},
    {"--all", "--all"},
    {"--batch", "--batch queries.txt"},
    {"-e", "-e 法治"},
    {"--plot", "--plot p.svg"},
    {"--provenance", "--provenance p.json"},
};

// Options that write a file, not stdout: read, they write it.
const std::map<std::string, std::string> kWrites = {{"--provenance", "p.json"},
                                                    {"--plot", "p.svg"}};

// Read, and yet stdout is the same: the option's value makes no difference there.
const std::set<std::pair<std::string, std::string>> kSameOutput = {
    // --format kwic gives KWIC rows already.
    {"KWIC rows", "--kwic"},
};

std::string masked(std::string out) {
  return std::regex_replace(out, std::regex("\"ms\":[-0-9.e]+"), "\"ms\":0");
}

class OptionUses : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    write_bytes(dir_->path() + "/queries.txt", "依法行政\n发展 -改革\n");
    const CommandResult r =
        run_command(std::string(SPEECHDEX_INDEX_BIN) + " --db " + shell_quote(dir_->path()) +
                    "/db " + shell_quote(source_path("data/sample")) + " " +
                    shell_quote(source_path("tests/data/facets")));
    ASSERT_EQ(r.status, 0) << r.out;
  }
  static void TearDownTestSuite() { delete dir_; }

  // stdout and stderr apart.
  struct Run {
    int status;
    std::string out, err;
  };
  static Run search(const std::string& args) {
    const std::string err = dir_->path() + "/stderr";
    const CommandResult r = run_command("cd " + shell_quote(dir_->path()) + " && " + kSearch +
                                        " --db db " + args + " 2>" + shell_quote(err));
    return {r.status, masked(r.out), read_bytes(err)};
  }

  static TempDir* dir_;
};

TempDir* OptionUses::dir_ = nullptr;

TEST_F(OptionUses, EachOptionIsReadRefusedOrIgnoredWithOneWarning) {
  size_t read = 0, refused = 0, ignored = 0;
  for (const Case& mode : kModes) {
    const Run base = search(mode.args);
    ASSERT_EQ(base.status, 0) << mode.args << "\n" << base.err;
    ASSERT_EQ(base.err, "") << mode.args;
    for (const Case& option : kOptions) {
      const std::string args = option.args.rfind("--", 0) == 0 && option.args[2] == ' '
                                   ? mode.args + " " + option.args
                                   : option.args + " " + mode.args;
      const std::string flag = option.args.substr(0, option.args.find(' '));
      if (mode.args.find(flag) != std::string::npos) continue;  // the mode's own
      for (const auto& [o, file] : kWrites) boost::filesystem::remove(dir_->path() + "/" + file);
      const Run r = search(args);
      SCOPED_TRACE(args);
      if (r.status == 2) {
        ++refused;
        EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
        continue;
      }
      ASSERT_EQ(r.status, 0) << r.err;
      // Every line of stderr is a warning naming an option and the mode (or --adoption's
      // note with CSV, on the speeches that cannot adopt).
      const std::string prefix = "speechdex-search: warning: ";
      bool warned = false;
      std::istringstream lines(r.err);
      size_t warnings = 0;
      for (std::string l; std::getline(lines, l);) {
        if (l.rfind("speechdex-search: note: ", 0) == 0) continue;
        ++warnings;
        EXPECT_EQ(l.rfind(prefix, 0), 0u) << l;
        EXPECT_NE(l.find(" is ignored with "), std::string::npos) << l;
        warned = warned || l.rfind(prefix + option.name + " is ignored with " + mode.name, 0) == 0;
      }
      if (warned) {
        ++ignored;
        EXPECT_EQ(warnings, 1u) << r.err;
        EXPECT_TRUE(r.out == base.out) << option.name << " is ignored, yet the output changed";
      } else if (warnings == 0) {
        ++read;
        const auto writes = kWrites.find(option.name);
        if (writes != kWrites.end()) {
          EXPECT_TRUE(boost::filesystem::exists(dir_->path() + "/" + writes->second));
        } else if (kSameOutput.count({mode.name, option.name}) == 0) {
          EXPECT_TRUE(r.out != base.out) << option.name << " is read with " << mode.name
                                         << " (no warning) and changes nothing";
        }
      }
      // Else the option picked another mode, which ignores some of the others (warned).
    }
  }
  std::cout << read << " read, " << refused << " refused, " << ignored << " ignored\n";
  EXPECT_GT(read, 50u);
  EXPECT_GT(refused, 20u);
  EXPECT_GT(ignored, 50u);
}

// The combinations issue 13 named: paging, facets, grouping and order mean nothing to a
// trend, collocates (but for --limit, their rows) or a stream of every hit.
TEST_F(OptionUses, PagingFacetsGroupingAndOrderAreNotSilentlyIgnored) {
  for (const std::string mode :
       {"--trend year 依法行政", "--collocates 依法行政", "--all --format csv 依法行政"}) {
    for (const std::string option :
         {"--limit 3", "--offset 1", "--facets county", "--group speech", "--sort year"}) {
      if (mode.rfind("--collocates", 0) == 0 && option == "--limit 3") {
        const Run r = search(mode + " --format csv " + option);  // a header and 3 rows
        EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4) << r.out;
        continue;
      }
      const Run r = search(mode + " " + option);
      const std::string name = option.substr(0, option.find(' '));
      EXPECT_TRUE((r.status == 0 &&
                   r.err.find("warning: " + name + " is ignored with") != std::string::npos) ||
                  (r.status == 2 &&
                   r.err.find("error: " + name + " does not go with") != std::string::npos))
          << mode << " " << option << ": " << r.status << " " << r.err;
    }
  }
}

}  // namespace
}  // namespace speechdex::testing
