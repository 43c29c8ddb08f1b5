// Batch runner. Time is measured around parse + search only, so it is the latency a
// program embedding the library would see.
#include "batch.h"

#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "errors.h"

namespace speechdex::searcher {
namespace {

std::string trim_line(std::string s) {
  while (!s.empty() &&
         (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) {
    s.pop_back();
  }
  size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t')) ++b;
  return s.substr(b);
}

}  // namespace

size_t run_batch(Searcher& searcher, std::istream& in, const SearchRequest& base, Format format,
                 std::ostream& out) {
  struct Row {
    std::string query, error;
    uint64_t count = 0, paragraphs = 0;
    std::vector<unsigned> top;
    std::vector<Facet> facets;
    double ms = 0;
  };
  std::vector<Row> rows;
  size_t failed = 0;
  std::string line;
  while (std::getline(in, line)) {
    Row row;
    row.query = trim_line(line);
    if (row.query.empty()) continue;
    const auto started = std::chrono::steady_clock::now();
    try {
      SearchRequest request = base;
      request.query = parse_query(row.query);
      request.records = false;  // ids only: no document data on the count and top-10 path
      SearchResult r = searcher.search(request);
      row.count = r.total;
      row.paragraphs = r.total_paragraphs;
      for (const Hit& h : r.hits) row.top.push_back(h.docid);
      row.facets = std::move(r.facets);
    } catch (const QueryError& e) {
      row.error = describe(e);
      ++failed;
    }
    row.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                 .count();
    if (format == Format::kCsv) {
      rows.push_back(std::move(row));
      continue;
    }
    nlohmann::json j = {{"query", row.query}};
    if (!row.error.empty()) {
      j["error"] = row.error;
    } else {
      j["count"] = row.count;
      if (base.group_by_speech) j["paragraphs"] = row.paragraphs;
      j["top"] = row.top;
      if (!row.facets.empty()) {
        nlohmann::json facets = nlohmann::json::object();
        for (const Facet& f : row.facets) {
          nlohmann::json counts = nlohmann::json::object();
          for (const FacetBucket& b : f.buckets) counts[b.key] = b.count;
          counts["unknown"] = f.unknown;
          facets[f.name] = counts;
        }
        j["facets"] = facets;
      }
    }
    j["ms"] = std::round(row.ms * 1000) / 1000;
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  if (format == Format::kCsv) {
    // Columns: query, count, then one per facet bucket seen in any query.
    std::vector<std::pair<std::string, std::string>> columns;  // facet, key
    for (const std::string& name : base.facets) {
      std::set<std::string> keys;
      for (const Row& r : rows) {
        for (const Facet& f : r.facets) {
          if (f.name != name) continue;
          for (const FacetBucket& b : f.buckets) keys.insert(b.key);
        }
      }
      for (const std::string& k : keys) columns.emplace_back(name, k);
      columns.emplace_back(name, "unknown");
    }
    out << "\"query\",\"count\"";
    for (const auto& [facet, key] : columns) out << "," << csv_field(facet + ":" + key);
    out << ",\"error\"\r\n";
    for (const Row& r : rows) {
      out << csv_field(r.query) << "," << (r.error.empty() ? std::to_string(r.count) : "");
      for (const auto& [facet, key] : columns) {
        uint64_t n = 0;
        for (const Facet& f : r.facets) {
          if (f.name != facet) continue;
          if (key == "unknown") n = f.unknown;
          for (const FacetBucket& b : f.buckets) {
            if (b.key == key) n = b.count;
          }
        }
        out << "," << (r.error.empty() ? std::to_string(n) : "");
      }
      out << "," << csv_field(r.error) << "\r\n";
    }
  }
  return failed;
}

}  // namespace speechdex::searcher
