// The programs' --help, --version and the man pages help2man makes of them (man/): every
// example in --help runs, each man page exists, lists every long option --help lists and
// every example, and renders with groff without a warning (label e2e).
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "test_support.h"

namespace speechdex::testing {
namespace {

namespace fs = boost::filesystem;

struct Program {
  std::string name, binary;
};
const Program kPrograms[] = {{"speechdex-index", SPEECHDEX_INDEX_BIN},
                             {"speechdex-search", SPEECHDEX_SEARCH_BIN}};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string collapse_spaces(const std::string& s) {
  return std::regex_replace(s, std::regex("\\s+"), " ");
}

// The long options an option table lists in --help: the names before the first space of
// the lines of the Options section ("  -n,--limit N ...").
std::set<std::string> long_options(const std::string& help) {
  std::set<std::string> out;
  bool in_options = false;
  for (const std::string& l : lines_of(help)) {
    if (l == "Options:") in_options = true;
    if (!l.empty() && l[0] != ' ' && l != "Options:") in_options = false;
    if (!in_options || l.rfind("  -", 0) != 0) continue;
    std::string names = l.substr(2, l.find(' ', 2) - 2);
    for (size_t i = 0; i <= names.size();) {
      size_t j = names.find(',', i);
      if (j == std::string::npos) j = names.size();
      const std::string name = names.substr(i, j - i);
      if (name.rfind("--", 0) == 0) out.insert(name);
      i = j + 1;
    }
  }
  return out;
}

// The example commands of --help: the lines after "Examples:" that start with two spaces
// and the program's name.
std::vector<std::string> examples(const std::string& help, const std::string& program) {
  std::vector<std::string> out;
  bool in_examples = false;
  for (const std::string& l : lines_of(help)) {
    if (l == "Examples:") in_examples = true;
    if (in_examples && l.rfind("  " + program + " ", 0) == 0) out.push_back(l.substr(2));
  }
  return out;
}

// groff's rendering of a man page (plain text), and its warnings (-ww: all of them).
struct Rendered {
  std::string text, warnings;
};
Rendered render(const std::string& page, const std::string& groff_options) {
  TempDir dir;
  const std::string err = dir.path() + "/err";
  const CommandResult r =
      run_command("LC_ALL=C.UTF-8 groff -k -K utf-8 -man -Tutf8 -P-cbou -ww " + groff_options +
                  " " + shell_quote(page) + " 2>" + shell_quote(err));
  EXPECT_EQ(r.status, 0) << page;
  return {r.out, read_bytes(err)};
}

TEST(Help, VersionIsTheProjectVersion) {
  for (const Program& p : kPrograms) {
    const CommandResult r = run_command(p.binary + " --version");
    EXPECT_EQ(r.status, 0) << p.name;
    EXPECT_TRUE(std::regex_match(r.out, std::regex(p.name + " [0-9]+\\.[0-9]+\\.[0-9]+\n")))
        << r.out;
  }
}

TEST(Help, ManPagesListEveryOptionAndExampleAndRenderWithoutWarnings) {
  ASSERT_EQ(run_command("command -v groff >/dev/null").status, 0)
      << "groff is missing: install Debian's package groff-base (scripts/install-deps does)";
  for (const Program& p : kPrograms) {
    SCOPED_TRACE(p.name);
    const std::string page = std::string(SPEECHDEX_MAN_DIR) + "/" + p.name + ".1";
    ASSERT_TRUE(fs::is_regular_file(page)) << page << " was not generated";
    const std::string help = run_command(p.binary + " --help").out;
    const std::string version = run_command(p.binary + " --version").out;

    // As man shows it (80 columns): no warning.
    const Rendered shown = render(page, "");
    EXPECT_EQ(shown.warnings, "");
    for (const char* section :
         {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXAMPLES", "SEE ALSO"}) {
      EXPECT_NE(shown.text.find("\n" + std::string(section) + "\n"), std::string::npos)
          << "no section " << section;
    }
    // The footer names the version --version prints.
    EXPECT_NE(shown.text.find(version.substr(0, version.size() - 1) + " "), std::string::npos)
        << version;

    // Wide and unhyphenated, so that no option or example is broken across lines.
    const Rendered wide = render(page, "-rLL=300n -rHY=0");
    EXPECT_EQ(wide.warnings, "");
    EXPECT_NE(wide.text.find(p.name + " - "), std::string::npos) << "NAME has no summary";
    std::set<std::string> in_page;
    const std::regex option("--[a-z][a-z0-9-]*");
    for (std::sregex_iterator it(wide.text.begin(), wide.text.end(), option), end; it != end;
         ++it) {
      in_page.insert(it->str());
    }
    const std::set<std::string> listed = long_options(help);
    EXPECT_GT(listed.size(), 10u) << help;
    for (const std::string& o : listed) EXPECT_TRUE(in_page.count(o)) << o << " not in " << page;
    const std::string flat = collapse_spaces(wide.text);
    const std::vector<std::string> commands = examples(help, p.name);
    EXPECT_GE(commands.size(), 5u) << help;
    for (const std::string& c : commands) {
      EXPECT_NE(flat.find(collapse_spaces(c)), std::string::npos) << "example not in page: " << c;
    }
  }
}

// Every example of both programs' --help, run as written in a folder holding the sample
// corpus (corpus/, old/ in Big5, meta.tsv), with DB the database there: each exits 0 and
// prints something or writes the file it names.
TEST(Help, EveryExampleRuns) {
  TempDir dir;
  fs::create_directories(dir.path() + "/corpus");
  fs::create_directories(dir.path() + "/old");
  std::string first;
  for (fs::directory_iterator it(source_path("data/sample")), end; it != end; ++it) {
    fs::copy_file(it->path(), dir.path() + "/corpus/" + it->path().filename().string());
    if (first.empty() || it->path().filename().string() < first) {
      first = it->path().filename().string();
    }
  }
  write_bytes(dir.path() + "/meta.tsv", "path\tyear\ncorpus/" + first + "\t2019\n");
  // A Big5 file: the first sample file's text, what Big5 lacks as '?'.
  ASSERT_EQ(run_command("python3 -c \"import sys; sys.stdout.buffer.write(open(sys.argv[1], "
                        "encoding='utf-8').read().encode('big5', 'replace'))\" " +
                        shell_quote(dir.path() + "/corpus/" + first) + " > " +
                        shell_quote(dir.path() + "/old/big5.txt"))
                .status,
            0);
  for (const Program& p : kPrograms) {  // the indexer's first: they build DB
    for (const std::string& example : examples(run_command(p.binary + " --help").out, p.name)) {
      std::string command = p.binary + example.substr(p.name.size());
      command = std::regex_replace(command, std::regex(" DB "), " db ");
      command = std::regex_replace(command, std::regex(" DB$"), " db");
      const CommandResult r = run_command("cd " + shell_quote(dir.path()) + " && " + command, true);
      EXPECT_EQ(r.status, 0) << example << "\n" << r.out;
      std::smatch written;
      if (std::regex_search(example, written, std::regex("(?:--plot|--provenance|>) (\\S+)"))) {
        const std::string file = dir.path() + "/" + written[1].str();
        EXPECT_TRUE(fs::exists(file) && fs::file_size(file) > 0) << example;
      } else {
        EXPECT_FALSE(r.out.empty()) << example;
      }
    }
  }
}

}  // namespace
}  // namespace speechdex::testing
