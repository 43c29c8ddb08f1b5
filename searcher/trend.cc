// Trend counting and its three outputs. The filtered corpus is read once: each paragraph's
// buckets, speech, character count and normalized units are kept in memory, so that each
// query is a match plus a substring scan of its paragraphs' units, with no record reads.
#include "trend.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "errors.h"
#include "fields.h"
#include "tokenizer.h"
#include "xapian_search.h"

namespace speechdex::searcher {
namespace {

// Separates units in the kept unit strings: a control character, never part of a unit.
constexpr char kSep = '\x1f';

Xapian::valueno slot_of(const std::string& field) {
  return field == "county"     ? schema::kSlotCounty
         : field == "province" ? schema::kSlotProvince
         : field == "year"     ? schema::kSlotYear
         : field == "role"     ? schema::kSlotRole
                               : schema::kSlotTopics;
}

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The units of a text as kSep u1 kSep u2 ... kSep: a unit sequence occurs in the text
// exactly where its own string (made the same way) occurs in this one.
std::string unit_string(const std::vector<std::string>& units) {
  std::string s(1, kSep);
  for (const std::string& u : units) s.append(u).push_back(kSep);
  return s;
}

// Non-overlapping matches of any of `patterns` in `units`, as find_occurrences (kwic.h)
// takes them: of all matches, leftmost first and the longest of those starting there,
// each that starts at or after the end of the last one taken (a match's end is its last
// unit's end, so the separator after it may start the next). (Taking the shortest at a
// start counted 政府 and 工作 in 政府工作 for `政府 工作 政府工作`, where --count=all
// counts 政府工作 once.)
uint64_t occurrences(const std::string& units, const std::vector<std::string>& patterns,
                     std::vector<std::pair<size_t, size_t>>& scratch) {
  scratch.clear();
  for (const std::string& p : patterns) {
    for (size_t at = units.find(p); at != std::string::npos; at = units.find(p, at + 1)) {
      scratch.emplace_back(at, at + p.size() - 1);
    }
  }
  if (scratch.size() > 1) {
    std::sort(scratch.begin(), scratch.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    });
  }
  uint64_t n = 0;
  size_t end = 0;
  for (const auto& [b, e] : scratch) {
    if (n > 0 && b < end) continue;
    ++n;
    end = e;
  }
  return n;
}

// How one field's values are bucketed and ordered.
struct FieldValues {
  const ValueColumn* column = nullptr;
  std::vector<std::vector<std::string>> keys;  // by value code: the keys (topics: several)
};

// `S`: Searcher or XapianSearcher (xapian_search.h), here and below.
template <typename S>
std::string label_of(const std::string& field, const std::string& key, S& searcher) {
  if (key.empty()) return "unknown";
  if (field == "county") {
    const schema::Division* d = searcher.gazetteer().by_code(key);
    return d ? d->name : key;
  }
  if (field == "province") return searcher.gazetteer().province_name(key);
  if (field == "topic") {
    const int t = searcher.taxonomy().find(key);
    return t >= 0 ? searcher.taxonomy().topics()[static_cast<size_t>(t)].label : key;
  }
  return key;
}

// Sort key of a bucket key within its field: unknown last, years numerically, topics in
// taxonomy order, the rest in byte order.
template <typename S>
std::pair<int, std::string> order_of(const std::string& field, const std::string& key,
                                     S& searcher) {
  if (key.empty()) return {2, ""};
  if (field == "topic") {
    char n[16];
    std::snprintf(n, sizeof n, "%08d", searcher.taxonomy().find(key));
    return {0, n};
  }
  return {0, key};
}

}  // namespace

double per_10k_chars(const TrendCount& count, const TrendBucket& bucket) {
  return bucket.chars == 0
             ? 0
             : static_cast<double>(count.occurrences) * 10000.0 / static_cast<double>(bucket.chars);
}

double speech_share(const TrendCount& count, const TrendBucket& bucket) {
  return bucket.speeches == 0
             ? 0
             : static_cast<double>(count.speeches) / static_cast<double>(bucket.speeches);
}

namespace {

template <typename S>
TrendResult run_trend_once(S& searcher, const TrendRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  TrendResult result;
  result.fields = request.fields;
  // The filtered corpus first: on remote shards the value columns are read from its
  // documents (XapianSearcher::value_column).
  SearchRequest all;
  all.query = ParsedQuery{textstore::Query::all(), {}, true, {}};
  all.filters = request.filters;
  all.boilerplate = request.boilerplate;
  std::vector<unsigned> ids;
  searcher.for_each_match(all, [&](unsigned id) { ids.push_back(id); });
  // Under --dedup the totals count each cluster of the filtered corpus once (as its earliest
  // member there); every paragraph is described, as a query's earliest matching member of a
  // cluster may be another.
  std::unordered_set<unsigned> counted;
  if (request.dedup != Dedup::kNone) {
    SearchRequest d = all;
    d.dedup = request.dedup;
    searcher.for_each_match(d, [&](unsigned id) { counted.insert(id); });
  }
  const size_t nf = request.fields.size();
  std::vector<FieldValues> fields(nf);
  for (size_t f = 0; f < nf; ++f) {
    const ValueColumn& c = searcher.value_column(slot_of(request.fields[f]));
    fields[f].column = &c;
    fields[f].keys.resize(c.distinct());
    for (uint32_t code = 0; code < c.distinct(); ++code) {
      const std::string& v = c.value(code);
      std::vector<std::string>& keys = fields[f].keys[code];
      if (v.empty()) {
        keys.push_back("");
      } else if (request.fields[f] == "year") {
        keys.push_back(std::to_string(static_cast<int>(Xapian::sortable_unserialise(v))));
      } else if (request.fields[f] == "topic") {
        for (size_t i = 0; i <= v.size();) {
          size_t j = v.find(',', i);
          if (j == std::string::npos) j = v.size();
          keys.push_back(v.substr(i, j - i));
          i = j + 1;
        }
      } else {
        keys.push_back(v);
      }
    }
  }
  const ValueColumn& speech_column = searcher.value_column(schema::kSlotSpeech);

  // Buckets by their keys; each distinct combination of value codes maps to its buckets.
  std::map<std::vector<std::string>, uint32_t> bucket_of;
  std::vector<std::vector<uint32_t>> combos;              // combo -> bucket indexes
  std::unordered_map<uint64_t, uint32_t> combo_of_codes;  // (code, code) -> combo
  struct Doc {
    uint32_t combo = UINT32_MAX;  // UINT32_MAX: not in the filtered corpus
    uint32_t speech = 0;
    std::string units;
  };
  std::unordered_map<unsigned, Doc> docs;
  std::vector<std::unordered_set<uint32_t>> bucket_speeches;
  std::unordered_set<uint32_t> all_speeches;

  for (unsigned id : ids) {
    const uint32_t c0 = fields[0].column->code(id);
    const uint32_t c1 = nf > 1 ? fields[1].column->code(id) : 0;
    const uint64_t codes = (static_cast<uint64_t>(c0) << 32) | c1;
    auto [at, fresh] = combo_of_codes.try_emplace(codes, static_cast<uint32_t>(combos.size()));
    if (fresh) {
      std::vector<uint32_t> buckets;
      for (const std::string& k0 : fields[0].keys[c0]) {
        const std::vector<std::string> k1s =
            nf > 1 ? fields[1].keys[c1] : std::vector<std::string>{""};
        for (const std::string& k1 : k1s) {
          std::vector<std::string> key{k0};
          if (nf > 1) key.push_back(k1);
          auto [b, new_bucket] =
              bucket_of.try_emplace(key, static_cast<uint32_t>(bucket_of.size()));
          if (new_bucket) bucket_speeches.emplace_back();
          buckets.push_back(b->second);
        }
      }
      combos.push_back(std::move(buckets));
    }
    const schema::ParagraphRecord record = searcher.record(id);
    Doc& d = docs[id];
    d.combo = at->second;
    d.speech = speech_column.code(id);
    d.units.assign(1, kSep);
    for (const schema::Unit& u : schema::tokenize(record.text))
      d.units.append(u.text).push_back(kSep);
    const uint64_t chars = code_points(record.text);
    if (result.buckets.size() < bucket_of.size()) result.buckets.resize(bucket_of.size());
    if (request.dedup != Dedup::kNone && !counted.count(id)) continue;
    all_speeches.insert(d.speech);
    result.whole.paragraphs++;
    result.whole.chars += chars;
    for (uint32_t b : combos[d.combo]) {
      result.buckets[b].paragraphs++;
      result.buckets[b].chars += chars;
      bucket_speeches[b].insert(d.speech);
    }
  }
  result.whole.speeches = all_speeches.size();
  result.whole.label = "all";
  result.buckets.resize(bucket_of.size());
  for (const auto& [key, b] : bucket_of) {
    TrendBucket& bucket = result.buckets[b];
    bucket.keys = key;
    for (size_t f = 0; f < nf; ++f) {
      bucket.labels.push_back(label_of(request.fields[f], key[f], searcher));
      bucket.label += (f ? "/" : "") + bucket.labels.back();
    }
    bucket.speeches = bucket_speeches[b].size();
  }
  // Order the buckets, and map the old indexes to the new.
  std::vector<uint32_t> order(result.buckets.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::vector<std::vector<std::pair<int, std::string>>> sort_keys(order.size());
  for (uint32_t i = 0; i < order.size(); ++i) {
    for (size_t f = 0; f < nf; ++f) {
      sort_keys[i].push_back(order_of(request.fields[f], result.buckets[i].keys[f], searcher));
    }
  }
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return sort_keys[a] < sort_keys[b]; });
  std::vector<uint32_t> place(order.size());
  std::vector<TrendBucket> sorted;
  for (uint32_t i = 0; i < order.size(); ++i) {
    place[order[i]] = i;
    sorted.push_back(std::move(result.buckets[order[i]]));
  }
  result.buckets = std::move(sorted);
  for (std::vector<uint32_t>& c : combos) {
    for (uint32_t& b : c) b = place[b];
  }
  result.setup_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

  std::vector<std::pair<size_t, size_t>> scratch;
  for (const std::string& text : request.queries) {
    const auto begun = std::chrono::steady_clock::now();
    TrendSeries series;
    series.query = text;
    try {
      SearchRequest r = all;
      r.dedup = request.dedup;
      r.query = parse_query(text);
      std::vector<std::string> patterns;
      for (const auto& h : r.query.highlights) {
        if (!h.empty()) patterns.push_back(unit_string(h));
      }
      series.counts.assign(result.buckets.size(), TrendCount{});
      std::unordered_set<uint64_t> seen;  // (bucket, speech), and (all, speech)
      searcher.for_each_match(r, [&](unsigned id) {
        const auto found = docs.find(id);
        if (found == docs.end()) return;  // not in the filtered corpus (cannot happen)
        const Doc& d = found->second;
        const uint64_t n = occurrences(d.units, patterns, scratch);
        series.whole.paragraphs++;
        series.whole.occurrences += n;
        if (seen.insert((uint64_t{UINT32_MAX} << 32) | d.speech).second) series.whole.speeches++;
        for (uint32_t b : combos[d.combo]) {
          TrendCount& c = series.counts[b];
          c.paragraphs++;
          c.occurrences += n;
          if (seen.insert((uint64_t{b} << 32) | d.speech).second) c.speeches++;
        }
      });
    } catch (const QueryError& e) {
      series.error = describe(e);
      series.counts.clear();
    }
    series.ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begun).count();
    result.series.push_back(std::move(series));
  }
  return result;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void print_table(const TrendResult& result, std::ostream& out, bool color) {
  constexpr size_t kBar = 30;
  std::string by;
  for (const std::string& f : result.fields) by += (by.empty() ? "" : ",") + f;
  const std::vector<std::string> heads = {
      by, "paragraphs", "speeches", "occurrences", "per 10k chars", "speech share"};
  for (const TrendSeries& s : result.series) {
    out << (color ? "\x1b[1m" : "") << s.query << (color ? "\x1b[0m" : "") << "  by " << by << " ("
        << result.whole.speeches << " speeches, " << result.whole.paragraphs << " paragraphs, "
        << result.whole.chars << " characters)\n";
    if (!s.error.empty()) {
      out << "  error: " << s.error << "\n\n";
      continue;
    }
    double max_rate = 0;
    for (size_t i = 0; i < result.buckets.size(); ++i) {
      max_rate = std::max(max_rate, per_10k_chars(s.counts[i], result.buckets[i]));
    }
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> bars;  // none for "all"
    auto cells = [&](const std::string& label, const TrendCount& c, const TrendBucket& b) {
      rows.push_back({label, std::to_string(c.paragraphs) + "/" + std::to_string(b.paragraphs),
                      std::to_string(c.speeches) + "/" + std::to_string(b.speeches),
                      std::to_string(c.occurrences), fixed(per_10k_chars(c, b), 2),
                      fixed(speech_share(c, b) * 100, 1) + "%"});
    };
    for (size_t i = 0; i < result.buckets.size(); ++i) {
      cells(result.buckets[i].label, s.counts[i], result.buckets[i]);
      const std::string bar =
          max_rate > 0 ? bar_cells(per_10k_chars(s.counts[i], result.buckets[i]) / max_rate, kBar)
                       : "";
      bars.push_back(bar.empty() || !color ? bar : "\x1b[36m" + bar + "\x1b[0m");
    }
    cells("all", s.whole, result.whole);
    print_aligned(out, heads, rows, "lrrrrr", bars);
    out << "\n";
  }
}

}  // namespace

void print_trend(const TrendResult& result, Format format, std::ostream& out, bool color) {
  if (format == Format::kTable) {
    print_table(result, out, color);
    return;
  }
  if (format == Format::kCsv) {
    out << "\"query\",\"bucket\",\"paragraphs\",\"speeches\",\"occurrences\","
           "\"bucket_paragraphs\",\"bucket_speeches\",\"bucket_chars\",\"per_10k_chars\","
           "\"speech_share\"\r\n";
    for (const TrendSeries& s : result.series) {
      for (size_t i = 0; i < s.counts.size(); ++i) {
        const TrendCount& c = s.counts[i];
        const TrendBucket& b = result.buckets[i];
        out << csv_field(s.query) << "," << csv_field(b.label) << "," << c.paragraphs << ","
            << c.speeches << "," << c.occurrences << "," << b.paragraphs << "," << b.speeches << ","
            << b.chars << "," << fixed(per_10k_chars(c, b), 4) << ","
            << fixed(speech_share(c, b), 4) << "\r\n";
      }
    }
    return;
  }
  for (const TrendSeries& s : result.series) {
    if (!s.error.empty()) {
      out << nlohmann::ordered_json{{"query", s.query}, {"error", s.error}}.dump(
                 -1, ' ', false, nlohmann::json::error_handler_t::replace)
          << "\n";
      continue;
    }
    for (size_t i = 0; i < s.counts.size(); ++i) {
      const TrendCount& c = s.counts[i];
      const TrendBucket& b = result.buckets[i];
      nlohmann::ordered_json keys = nlohmann::ordered_json::object();
      for (size_t f = 0; f < result.fields.size(); ++f) keys[result.fields[f]] = b.keys[f];
      nlohmann::ordered_json j = nlohmann::ordered_json::object();
      j["query"] = s.query;
      j["bucket"] = b.label;
      j["keys"] = keys;
      j["paragraphs"] = c.paragraphs;
      j["speeches"] = c.speeches;
      j["occurrences"] = c.occurrences;
      j["bucket_paragraphs"] = b.paragraphs;
      j["bucket_speeches"] = b.speeches;
      j["bucket_chars"] = b.chars;
      j["per_10k_chars"] = std::round(per_10k_chars(c, b) * 10000) / 10000;
      j["speech_share"] = std::round(speech_share(c, b) * 10000) / 10000;
      out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
  }
}

TrendResult run_trend(Searcher& searcher, const TrendRequest& request) {
  // The totals and every query's matches from one snapshot of the index.
  TrendResult result;
  searcher.on_one_snapshot([&] { result = run_trend_once(searcher, request); });
  return result;
}

TrendResult run_trend(XapianSearcher& searcher, const TrendRequest& request) {
  return run_trend_once(searcher, request);
}

}  // namespace speechdex::searcher
