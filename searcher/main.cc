// speechdex-search: searches a speechdex database from the command line.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "errors.h"
#include "printer.h"
#include "query_parser.h"
#include "searcher.h"

namespace {

constexpr const char* kProgram = "speechdex-search";
// Marks a query word that starts with '-' and a non-ASCII character (-政府) so that the
// option parser takes it for a positional word, not an option.
constexpr char kWordMark = '\x01';

// Options as parsed.
struct RawOptions {
  std::string db;
  std::vector<std::string> query_words;
  size_t limit = 10;
  size_t offset = 0;
  bool count = false;
  std::string format = "table";
  std::string color = "auto";
};

// Options validated.
struct Config {
  std::string db;
  std::string query;
  speechdex::searcher::Page page;
  bool count_only;
  speechdex::searcher::Format format;
  bool color;
};

Config validate(const RawOptions& raw) {
  Config c;
  c.db = raw.db;
  for (const std::string& w : raw.query_words) {
    std::string word = (!w.empty() && w[0] == kWordMark) ? w.substr(1) : w;
    if (!c.query.empty()) c.query.push_back(' ');
    c.query += word;
  }
  c.page.offset = raw.offset;
  c.page.limit = raw.count ? 0 : raw.limit;
  c.count_only = raw.count;
  c.format = raw.format == "json"  ? speechdex::searcher::Format::kJson
             : raw.format == "csv" ? speechdex::searcher::Format::kCsv
                                   : speechdex::searcher::Format::kTable;
  c.color = raw.color == "always" || (raw.color == "auto" && isatty(STDOUT_FILENO));
  return c;
}

int run(const Config& c) {
  using namespace speechdex::searcher;
  const ParsedQuery query = parse_query(c.query);
  Searcher searcher(c.db);
  const SearchResult result = searcher.search(query, c.page);
  if (c.count_only) {
    std::cout << result.total << "\n";
    return 0;
  }
  make_printer(c.format, std::cout, c.color)->print(c.query, query, result);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Search a speechdex database. A run of Chinese characters matches exactly as a "
      "substring; parts separated by spaces are ANDed; -part excludes; \"quoted text\" "
      "matches exactly, punctuation included; OR and ( ) combine; title: and heading: "
      "search the speech title and the section headings. See docs/query.md.",
      kProgram};
  RawOptions raw;
  app.add_option("--db", raw.db, "database folder")->required();
  app.add_option("query", raw.query_words, "the query")->required();
  app.add_option("-n,--limit", raw.limit, "number of hits to print")
      ->default_val(10)
      ->check(CLI::Range(0, 100000));
  app.add_option("--offset", raw.offset, "hits to skip before printing")->default_val(0);
  app.add_flag("-c,--count", raw.count, "print only the exact number of matching paragraphs");
  app.add_option("-f,--format", raw.format, "output format")
      ->default_val("table")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  app.add_option("--color", raw.color, "colour the table")
      ->default_val("auto")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 1 && a[0] == '-' && static_cast<unsigned char>(a[1]) >= 0x80)
      a.insert(0, 1, kWordMark);
    args.push_back(std::move(a));
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes the vector back to front
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << kProgram << ": error: " << e.what() << " (try --help)\n";
    return 2;
  }
  return speechdex::run_and_report(kProgram, [&] { return run(validate(raw)); });
}
