// Fuzz target: query text -> parse_query -> the text store query, searched in a small index
// (with filters, facets, grouping) and printed with snippets. Nothing may crash, hang or
// nest deeper than the parser's limit allows; a bad query is a QueryError.
#include <boost/filesystem.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "fuzz_check.h"
#include "pipeline.h"
#include "printer.h"
#include "query_parser.h"
#include "searcher.h"

namespace {

namespace fs = boost::filesystem;
using speechdex::textstore::Query;

// tests/data/facets indexed once per process into a temporary folder, removed at exit.
class Fixture {
 public:
  Fixture() {
    dir_ = fs::temp_directory_path() / fs::unique_path("speechdex-fuzz-query-%%%%-%%%%");
    fs::create_directories(dir_);
    speechdex::indexer::IndexOptions options;
    options.db = (dir_ / "db").string();
    options.paths = {std::string(SPEECHDEX_SOURCE_DIR) + "/tests/data/facets"};
    const auto ignore = [](const std::string&, const std::string&) {};
    speechdex::indexer::index_corpus(options, ignore, ignore);
    searcher_ = std::make_unique<speechdex::searcher::Searcher>(options.db);
  }
  ~Fixture() {
    searcher_.reset();
    boost::system::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;
  speechdex::searcher::Searcher& searcher() { return *searcher_; }

 private:
  fs::path dir_;
  std::unique_ptr<speechdex::searcher::Searcher> searcher_;
};

// The depth of a query tree, walked without recursion (the fuzzer checks the bound, so it
// must not itself depend on one).
size_t depth(const Query& root) {
  size_t deepest = 0;
  std::vector<std::pair<const Query*, size_t>> stack{{&root, 1}};
  while (!stack.empty()) {
    const auto [q, d] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, d);
    for (const Query& c : q->children) stack.emplace_back(&c, d + 1);
  }
  return deepest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  using namespace speechdex::searcher;
  const std::string text(reinterpret_cast<const char*>(data), size);
  ParsedQuery parsed;
  try {
    parsed = parse_query(text);
  } catch (const speechdex::QueryError&) {
    return 0;
  }
  // Each level of nesting adds at most an OR, an AND and an AND_NOT (parentheses) or an
  // AND_NOT and an OR (exclusion); the searcher adds two for filters.
  FUZZ_CHECK(depth(parsed.query) <= 3 * kMaxQueryDepth + 2);
  (void)parsed.query.describe();
  (void)parsed.query.terms();
  // Two requests: a ranked page with every facet, and one grouped by speech in year order.
  SearchRequest request;
  request.query = parsed;
  request.page.limit = 3;
  request.facets = facet_names();
  const bool grouped = size % 2 == 1;
  if (grouped) {
    request.group_by_speech = true;
    request.sort = Sort::kYearDescending;
    request.page.offset = 1;
  }
  try {
    const SearchResult result = fixture.searcher().search(request);
    FUZZ_CHECK(result.hits.size() <= request.page.limit);
    FUZZ_CHECK(result.total <= result.total_paragraphs);
    std::ostringstream out;
    make_printer(grouped ? Format::kTable : Format::kJson, out, grouped)
        ->print(text, parsed, result, grouped);
  } catch (const speechdex::QueryError&) {
    // An unknown filter value (county:巴冬).
  }
  return 0;
}
