// Collocates: n-grams counted in windows around the query's occurrences, then their corpus
// frequency counted for the most frequent of them only, and ranked by logDice.
#include "collocates.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "errors.h"
#include "kwic.h"
#include "tokenizer.h"

namespace speechdex::searcher {
namespace {

constexpr size_t kMinUnits = 2, kMaxUnits = 6;

bool usable(const schema::Unit& u) { return !u.punctuation; }

std::string join(const std::vector<std::string>& units, size_t from, size_t to) {
  std::string s;
  for (size_t i = from; i < to; ++i) s += units[i];
  return s;
}

std::string score_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

uint64_t count_instances(const std::string& text, const std::vector<std::string>& units) {
  return count_instances(schema::tokenize(text), units);
}

uint64_t count_instances(const std::vector<schema::Unit>& t,
                         const std::vector<std::string>& units) {
  uint64_t n = 0;
  if (units.empty() || units.size() > t.size()) return 0;
  for (size_t i = 0; i + units.size() <= t.size(); ++i) {
    bool ok = true;
    for (size_t k = 0; k < units.size() && ok; ++k) ok = t[i + k].text == units[k];
    if (ok) ++n;
  }
  return n;
}

CollocateResult collocates(Searcher& searcher, const SearchRequest& request,
                           const CollocateOptions& options) {
  if (request.query.highlights.empty()) {
    throw UsageError("collocates need a query with text to find", "--collocates");
  }
  CollocateResult result;
  SearchRequest all = request;
  all.facets.clear();
  all.group_by_speech = false;
  std::vector<unsigned> ids;
  searcher.for_each_match(all, [&](unsigned id) { ids.push_back(id); });
  result.paragraphs = ids.size();

  struct Entry {
    std::vector<std::string> units;
    uint64_t fxy = 0;
  };
  std::unordered_map<std::string, Entry> counts;
  for (unsigned id : ids) {
    const std::string text = searcher.record(id).text;
    const std::vector<schema::Unit> units = schema::tokenize(text);
    const std::vector<Range> occ = find_occurrences(text, request.query.highlights);
    result.occurrences += occ.size();
    // 0: outside every window, 1: in a window, 2: inside an occurrence.
    std::vector<uint8_t> state(units.size(), 0);
    auto unit_at = [&](size_t byte) {
      return static_cast<size_t>(
          std::lower_bound(units.begin(), units.end(), byte,
                           [](const schema::Unit& u, size_t b) { return u.begin < b; }) -
          units.begin());
    };
    std::vector<std::pair<size_t, size_t>> spans;
    for (const Range& r : occ) {
      const size_t a = unit_at(r.first);
      size_t b = a;
      while (b < units.size() && units[b].end <= r.second) ++b;
      spans.emplace_back(a, b);
    }
    for (const auto& [a, b] : spans) {
      for (size_t i = a > options.window ? a - options.window : 0; i < a; ++i) state[i] |= 1;
      for (size_t i = b; i < std::min(units.size(), b + options.window); ++i) state[i] |= 1;
    }
    for (const auto& [a, b] : spans) {
      for (size_t i = a; i < b; ++i) state[i] = 2;
    }
    for (size_t s = 0; s < units.size(); ++s) {
      std::vector<std::string> gram;
      std::string key;
      for (size_t e = s; e < units.size() && e - s < kMaxUnits; ++e) {
        if (state[e] != 1 || !usable(units[e])) break;
        gram.push_back(units[e].text);
        key += units[e].text;
        if (gram.size() < kMinUnits) continue;
        Entry& entry = counts[key];
        if (entry.units.empty()) entry.units = gram;
        ++entry.fxy;
      }
    }
  }

  // An n-gram whose one-unit-longer extension has the same f_xy only ever occurs (in the
  // windows) as part of it, so it adds nothing but a fragment.
  if (options.reduce) {
    std::vector<std::string> drop;
    for (const auto& [key, e] : counts) {
      if (e.units.size() <= kMinUnits) continue;
      const size_t n = e.units.size();
      for (const std::string& part : {join(e.units, 0, n - 1), join(e.units, 1, n)}) {
        const auto found = counts.find(part);
        if (found != counts.end() && found->second.fxy == e.fxy) drop.push_back(part);
      }
    }
    for (const std::string& k : drop) counts.erase(k);
  }
  result.ngrams = counts.size();

  std::vector<Collocate> cands;
  cands.reserve(counts.size());
  for (auto& [key, e] : counts) {
    Collocate c;
    c.ngram = key;
    c.units = std::move(e.units);
    c.cooccurrences = e.fxy;
    cands.push_back(std::move(c));
  }
  const size_t keep = std::min(cands.size(), std::max(options.candidates, 5 * options.limit));
  auto by_fxy = [](const Collocate& a, const Collocate& b) {
    return a.cooccurrences != b.cooccurrences ? a.cooccurrences > b.cooccurrences
                                              : a.ngram < b.ngram;
  };
  std::partial_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(keep), cands.end(),
                    by_fxy);
  cands.resize(keep);

  // f_y: each candidate as an exact phrase under the same filters finds its paragraphs;
  // its instances in them are counted from the positions of its bigrams in the store. A
  // candidate whose query is not one bigram or one phrase of consecutive bigrams (never
  // seen; kept as a fallback) is counted in the paragraphs' text instead, each paragraph
  // read once for all such candidates.
  std::unordered_map<unsigned, std::vector<size_t>> wanted;  // paragraph -> candidates
  for (size_t i = 0; i < cands.size(); ++i) {
    SearchRequest r = all;
    r.query = parse_query("\"" + cands[i].ngram + "\"");
    std::vector<std::string> bigrams;
    const textstore::Query& q = r.query.query;
    if (q.op == textstore::Query::Op::kTerm && cands[i].units.size() == 2) {
      bigrams.push_back(q.term);
    } else if (q.op == textstore::Query::Op::kPhrase &&
               q.phrase.size() + 1 == cands[i].units.size()) {
      std::vector<std::pair<uint32_t, std::string>> by_offset;
      for (const auto& [term, offset] : q.phrase) by_offset.emplace_back(offset, term);
      std::sort(by_offset.begin(), by_offset.end());
      for (size_t k = 0; k < by_offset.size(); ++k) {
        if (by_offset[k].first == k) bigrams.push_back(by_offset[k].second);
      }
      if (bigrams.size() != by_offset.size()) bigrams.clear();
    }
    if (bigrams.empty()) {
      searcher.for_each_match(r, [&](unsigned id) { wanted[id].push_back(i); });
      continue;
    }
    std::vector<unsigned> docs;
    searcher.for_each_match(r, [&](unsigned id) { docs.push_back(id); });
    std::sort(docs.begin(), docs.end());
    cands[i].frequency = searcher.count_run(bigrams, docs);
  }
  for (const auto& [id, which] : wanted) {
    // Tokenized once for all the candidates it holds.
    const std::vector<schema::Unit> units = schema::tokenize(searcher.record(id).text);
    for (size_t i : which) cands[i].frequency += count_instances(units, cands[i].units);
  }
  for (Collocate& c : cands) {
    // f_y ≥ f_xy ≥ 1 always (a window's instance is a corpus instance).
    c.logdice = 14.0 + std::log2(2.0 * static_cast<double>(c.cooccurrences) /
                                 static_cast<double>(result.occurrences + c.frequency));
  }
  std::sort(cands.begin(), cands.end(), [&](const Collocate& a, const Collocate& b) {
    if (a.logdice != b.logdice) return a.logdice > b.logdice;
    return by_fxy(a, b);
  });
  if (cands.size() > options.limit) cands.resize(options.limit);
  result.rows = std::move(cands);
  return result;
}

void print_collocates(std::ostream& out, Format format, const CollocateResult& result,
                      const CollocateOptions& options) {
  switch (format) {
    case Format::kJson:
      for (const Collocate& c : result.rows) {
        out << nlohmann::ordered_json{{"ngram", c.ngram},
                                      {"cooccurrences", c.cooccurrences},
                                      {"frequency", c.frequency},
                                      {"logdice", std::round(c.logdice * 1000) / 1000}}
                   .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
            << "\n";
      }
      break;
    case Format::kCsv:
      out << "\"ngram\",\"cooccurrences\",\"frequency\",\"logdice\"\r\n";
      for (const Collocate& c : result.rows) {
        out << csv_field(c.ngram) << "," << c.cooccurrences << "," << c.frequency << ","
            << score_text(c.logdice) << "\r\n";
      }
      break;
    case Format::kTable:
    default: {
      out << result.occurrences << (result.occurrences == 1 ? " occurrence" : " occurrences")
          << " in " << result.paragraphs << (result.paragraphs == 1 ? " paragraph" : " paragraphs")
          << ", window ±" << options.window << ", " << result.ngrams << " n-grams near them\n";
      size_t width = display_width("ngram");
      for (const Collocate& c : result.rows) width = std::max(width, display_width(c.ngram));
      auto pad = [](size_t w, const std::string& s) {
        return s + std::string(w - display_width(s), ' ');
      };
      char line[96];
      std::snprintf(line, sizeof line, "  %13s  %10s  %8s\n", "cooccurrences", "frequency",
                    "logdice");
      out << pad(width, "ngram") << line;
      for (const Collocate& c : result.rows) {
        std::snprintf(line, sizeof line, "  %13llu  %10llu  %8s\n",
                      static_cast<unsigned long long>(c.cooccurrences),
                      static_cast<unsigned long long>(c.frequency), score_text(c.logdice).c_str());
        out << pad(width, c.ngram) << line;
      }
    }
  }
}

}  // namespace speechdex::searcher
