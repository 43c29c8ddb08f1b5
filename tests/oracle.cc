// Brute-force oracle and query sampling.
#include "oracle.h"

#include <gtest/gtest.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include <map>
#include <memory>
#include <random>

#include "normalizer.h"
#include "searcher.h"

namespace speechdex::testing {
namespace {

bool is_alnum_ascii(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

// True if position i of s is inside a word: between two alphanumerics, or at a '.' that
// joins an alphanumeric and a digit.
bool inside_word(const std::u32string& s, size_t i) {
  if (i == 0 || i >= s.size()) return false;
  if (is_alnum_ascii(s[i - 1]) && is_alnum_ascii(s[i])) return true;
  if (s[i] == U'.' && is_alnum_ascii(s[i - 1]) && i + 1 < s.size() && s[i + 1] >= U'0' &&
      s[i + 1] <= U'9') {
    return true;
  }
  if (s[i - 1] == U'.' && i >= 2 && is_alnum_ascii(s[i - 2]) && s[i] >= U'0' && s[i] <= U'9') {
    return true;
  }
  return false;
}

}  // namespace

bool is_han(char32_t c) {
  UErrorCode st = U_ZERO_ERROR;
  return uscript_getScript(static_cast<UChar32>(c), &st) == USCRIPT_HAN;
}

std::u32string squeeze(const std::string& text) {
  std::u32string norm;
  schema::Normalizer::thread_instance().normalize(text, norm, nullptr);
  std::u32string out;
  for (char32_t c : norm) {
    const auto u = static_cast<UChar32>(c);
    if (u_isUWhiteSpace(u) || u_charType(u) == U_CONTROL_CHAR || u_charType(u) == U_FORMAT_CHAR) {
      continue;
    }
    out.push_back(c);
  }
  return out;
}

bool contains_query(const std::u32string& text, const std::u32string& q) {
  for (size_t at = text.find(q); at != std::u32string::npos; at = text.find(q, at + 1)) {
    const bool starts_word = is_alnum_ascii(q.front());
    const bool ends_word = is_alnum_ascii(q.back());
    if (starts_word && inside_word(text, at)) continue;
    if (ends_word && inside_word(text, at + q.size())) continue;
    return true;
  }
  return false;
}

namespace {

std::string to_traditional(const std::string& s) {
  static std::unique_ptr<icu::Transliterator> t;
  if (!t) {
    UErrorCode st = U_ZERO_ERROR;
    t.reset(icu::Transliterator::createInstance("Simplified-Traditional", UTRANS_FORWARD, st));
  }
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  t->transliterate(u);
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string to_fullwidth(const std::u32string& s) {
  std::u32string out;
  for (char32_t c : s) out.push_back(c > 0x20 && c < 0x7F ? c + 0xFEE0 : c);
  return schema::to_utf8(out);
}

// Brute force over paragraphs already squeezed (normalized, white space removed).
std::set<unsigned> brute_force_squeezed(const std::vector<StoredParagraph>& paragraphs,
                                        const std::vector<std::u32string>& squeezed,
                                        const std::string& query) {
  std::string unquoted;
  for (char c : query) {
    if (c != '"') unquoted.push_back(c);
  }
  const std::u32string q = squeeze(unquoted);
  std::set<unsigned> hits;
  if (q.empty()) return hits;
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    if (contains_query(squeezed[i], q)) hits.insert(paragraphs[i].docid);
  }
  return hits;
}

std::vector<std::u32string> squeeze_all(const std::vector<StoredParagraph>& paragraphs) {
  std::vector<std::u32string> out;
  out.reserve(paragraphs.size());
  for (const StoredParagraph& p : paragraphs) out.push_back(squeeze(p.record.text));
  return out;
}

}  // namespace

std::set<unsigned> brute_force(const std::vector<StoredParagraph>& paragraphs,
                               const std::string& query) {
  return brute_force_squeezed(paragraphs, squeeze_all(paragraphs), query);
}

std::vector<OracleQuery> sample_queries(const std::vector<StoredParagraph>& paragraphs, size_t n,
                                        uint32_t seed) {
  std::mt19937 rng(seed);
  const std::vector<std::u32string> texts = squeeze_all(paragraphs);
  auto pick = [&](size_t bound) {
    return std::uniform_int_distribution<size_t>(0, bound - 1)(rng);
  };
  // A CJK-only substring of `len` characters at a random position, or empty.
  auto cjk_at_random = [&](size_t len) -> std::u32string {
    for (int attempt = 0; attempt < 200; ++attempt) {
      const std::u32string& t = texts[pick(texts.size())];
      if (t.size() < len) continue;
      const std::u32string s = t.substr(pick(t.size() - len + 1), len);
      bool ok = true;
      for (char32_t c : s) ok = ok && is_han(c);
      if (ok) return s;
    }
    return {};
  };
  std::vector<OracleQuery> out;
  const size_t lengths[] = {1, 2, 3, 4, 5, 6, 8, 10, 12};
  const size_t per_class = std::max<size_t>(1, n / (2 * std::size(lengths) + 4));
  for (size_t len : lengths) {
    // Frequent: drawn by position, so common strings come up often.
    for (size_t i = 0; i < per_class; ++i) {
      const std::u32string s = cjk_at_random(len);
      if (!s.empty()) out.push_back({"len" + std::to_string(len) + "-freq", schema::to_utf8(s)});
    }
    // Rare: the least frequent of a handful of candidates.
    for (size_t i = 0; i < per_class; ++i) {
      std::u32string best;
      size_t best_count = SIZE_MAX;
      for (int c = 0; c < 4; ++c) {
        const std::u32string s = cjk_at_random(len);
        if (s.empty()) continue;
        size_t count = 0;
        for (const std::u32string& t : texts) count += t.find(s) != std::u32string::npos;
        if (count < best_count) {
          best = s;
          best_count = count;
        }
      }
      if (!best.empty())
        out.push_back({"len" + std::to_string(len) + "-rare", schema::to_utf8(best)});
    }
  }
  // Traditional-character forms of some of the queries drawn so far.
  const size_t drawn = out.size();
  for (size_t i = 0; i < drawn; i += 2) {
    const std::string t = to_traditional(out[i].text);
    if (t != out[i].text) out.push_back({"traditional", t});
  }
  // Substrings with letters or digits, at word boundaries, typed in full-width forms.
  size_t mixed = 0;
  for (int attempt = 0; attempt < 5000 && mixed < per_class * 2; ++attempt) {
    const std::u32string& t = texts[pick(texts.size())];
    if (t.size() < 4) continue;
    const size_t from = pick(t.size() - 3);
    const size_t len = 2 + pick(std::min<size_t>(8, t.size() - from - 1));
    const std::u32string s = t.substr(from, len);
    bool has_alnum = false;
    for (char32_t c : s) has_alnum = has_alnum || is_alnum_ascii(c);
    if (!has_alnum || inside_word(t, from) || inside_word(t, from + len)) continue;
    bool quote_free = true;
    for (char32_t c : s) quote_free = quote_free && c != U'"';
    if (!quote_free) continue;
    std::string quoted(1, '"');
    quoted.append(to_fullwidth(s)).push_back('"');
    out.push_back({"fullwidth", std::move(quoted)});
    ++mixed;
  }
  return out;
}

size_t check_oracle(const std::string& db, const std::vector<StoredParagraph>& paragraphs,
                    const std::vector<OracleQuery>& queries, searcher::Boilerplate boilerplate) {
  searcher::Searcher engine(db);
  const std::vector<std::u32string> squeezed = squeeze_all(paragraphs);
  size_t mismatches = 0;
  std::map<std::string, std::pair<size_t, size_t>> per_class;  // class -> (queries, hits)
  for (const OracleQuery& q : queries) {
    const std::set<unsigned> expected = brute_force_squeezed(paragraphs, squeezed, q.text);
    searcher::SearchRequest request;
    request.query = searcher::parse_query(q.text);
    request.page = searcher::Page{0, paragraphs.size()};
    request.boilerplate = boilerplate;
    const searcher::SearchResult r = engine.search(request);
    std::set<unsigned> got;
    for (const searcher::Hit& h : r.hits) got.insert(h.docid);
    per_class[q.cls].first++;
    per_class[q.cls].second += expected.size();
    if (got != expected || r.total != expected.size()) {
      ++mismatches;
      size_t false_pos = 0, missed = 0;
      for (unsigned d : got) false_pos += !expected.count(d);
      for (unsigned d : expected) missed += !got.count(d);
      ADD_FAILURE() << "query " << q.text << " (" << q.cls << "): expected " << expected.size()
                    << " paragraphs, engine returned " << got.size() << " (total " << r.total
                    << "), " << false_pos << " false positives, " << missed << " missed";
    }
  }
  for (const auto& [cls, v] : per_class) {
    std::cout << "oracle " << cls << ": " << v.first << " queries, " << v.second
              << " expected hits\n";
  }
  return mismatches;
}

namespace {

// The unit each character of squeezed text belongs to: a run of ASCII letters and digits
// (inside_word) is one unit, every other character one of its own. One entry more than the
// text: the unit count.
std::vector<uint32_t> units_of(const std::u32string& t) {
  std::vector<uint32_t> out(t.size() + 1, 0);
  uint32_t unit = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    if (i > 0 && !inside_word(t, i)) ++unit;
    out[i] = unit;
  }
  out[t.size()] = t.empty() ? 0 : unit + 1;
  return out;
}

// Occurrences of `q` in `t` as unit ranges [first, last + 1).
std::vector<std::pair<uint32_t, uint32_t>> occurrences(const std::u32string& t,
                                                       const std::u32string& q,
                                                       const std::vector<uint32_t>& unit) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  if (q.empty()) return out;
  const bool starts_word = is_alnum_ascii(q.front());
  const bool ends_word = is_alnum_ascii(q.back());
  for (size_t at = t.find(q); at != std::u32string::npos; at = t.find(q, at + 1)) {
    if (starts_word && inside_word(t, at)) continue;
    if (ends_word && inside_word(t, at + q.size())) continue;
    out.emplace_back(unit[at], unit[at + q.size() - 1] + 1);
  }
  return out;
}

bool is_sentence_end(const std::u32string& t, size_t i) {
  const char32_t c = t[i];
  if (c == U'。' || c == U'!' || c == U'?' || c == U';') return true;
  return c == U'.' && !inside_word(t, i) && !inside_word(t, i + 1);
}

bool near_in(const std::u32string& t, const NearQuery& q, const std::u32string& a,
             const std::u32string& b) {
  if (t.find(a) == std::u32string::npos || t.find(b) == std::u32string::npos) return false;
  const std::vector<uint32_t> unit = units_of(t);
  const auto as = occurrences(t, a, unit);
  const auto bs = occurrences(t, b, unit);
  if (as.empty() || bs.empty()) return false;
  std::vector<char> ends(unit.back() + 1, 0);
  for (size_t i = 0; i < t.size(); ++i) {
    if (is_sentence_end(t, i)) ends[unit[i]] = 1;
  }
  const auto lies = [&](std::pair<uint32_t, uint32_t> x, std::pair<uint32_t, uint32_t> y) {
    if (x.second > y.first) return false;  // x first, not overlapping
    if (!q.sentence) return y.first - x.second <= q.distance;
    for (uint32_t u = x.first; u + 1 < y.second; ++u) {
      if (ends[u]) return false;
    }
    return true;
  };
  for (const auto& x : as) {
    for (const auto& y : bs) {
      if (lies(x, y) || (!q.ordered && lies(y, x))) return true;
    }
  }
  return false;
}

bool all_han(const std::u32string& s) {
  for (char32_t c : s) {
    if (!is_han(c)) return false;
  }
  return true;
}

}  // namespace

std::string NearQuery::text() const {
  const auto part = [](const std::string& p) { return all_han(squeeze(p)) ? p : "\"" + p + "\""; };
  std::string op = ordered ? "BEFORE/" : "NEAR/";
  op += sentence ? std::string("s") : std::to_string(distance);
  return part(a) + " " + op + " " + part(b);
}

std::set<unsigned> brute_force_near(const std::vector<StoredParagraph>& paragraphs,
                                    const NearQuery& q) {
  const std::u32string a = squeeze(q.a), b = squeeze(q.b);
  std::set<unsigned> hits;
  for (const StoredParagraph& p : paragraphs) {
    if (near_in(squeeze(p.record.text), q, a, b)) hits.insert(p.docid);
  }
  return hits;
}

std::vector<NearQuery> sample_near_queries(const std::vector<StoredParagraph>& paragraphs, size_t n,
                                           uint32_t seed) {
  std::mt19937 rng(seed);
  const std::vector<std::u32string> texts = squeeze_all(paragraphs);
  auto pick = [&](size_t bound) {
    return std::uniform_int_distribution<size_t>(0, bound - 1)(rng);
  };
  // A part of `t` at `from` of `len` characters, or empty: never a quote, never cutting a
  // word; Han only unless `any`.
  auto part_at = [&](const std::u32string& t, size_t from, size_t len, bool any) {
    if (from + len > t.size() || len == 0) return std::u32string();
    const std::u32string s = t.substr(from, len);
    if (s.find(U'"') != std::u32string::npos) return std::u32string();
    if (inside_word(t, from) || inside_word(t, from + len)) return std::u32string();
    if (!any && !all_han(s)) return std::u32string();
    return s;
  };
  struct Pair {
    std::string cls;
    std::u32string a, b;
  };
  std::vector<Pair> pairs;
  const size_t kinds = 6;
  for (int attempt = 0; attempt < 100000 && pairs.size() < n; ++attempt) {
    const std::u32string& t = texts[pick(texts.size())];
    if (t.size() < 8) continue;
    const size_t kind = pairs.size() % kinds;
    const size_t la = 1 + pick(5), lb = 1 + pick(5);
    const size_t from = pick(t.size());
    Pair p;
    if (kind == 0) {  // Han parts of one paragraph, a few characters apart
      p = {"han", part_at(t, from, la, false), part_at(t, from + la + pick(30), lb, false)};
    } else if (kind == 1) {  // quoted parts that may hold punctuation, Latin or digits
      p = {"any", part_at(t, from, la + 1, true), part_at(t, from + la + 1 + pick(30), lb, true)};
    } else if (kind == 2) {  // parts with letters or digits
      p = {"latin", part_at(t, from, la + 2, true), part_at(t, from + la + 2 + pick(10), lb, true)};
      bool alnum = false;
      for (char32_t c : p.a + p.b) alnum = alnum || is_alnum_ascii(c);
      if (!alnum) continue;
    } else if (kind == 3) {  // overlapping parts
      const size_t in = pick(la + 1);
      p = {"overlap", part_at(t, from, la + 1, false), part_at(t, from + in, lb + 1, false)};
    } else if (kind == 4) {  // a part with itself
      p = {"same", part_at(t, from, la, false), {}};
      p.b = p.a;
    } else {  // parts from different paragraphs
      const std::u32string& u = texts[pick(texts.size())];
      p = {"apart", part_at(t, from, la, false), part_at(u, pick(u.size()), lb, false)};
    }
    if (p.a.empty() || p.b.empty()) continue;
    if (rng() % 2) std::swap(p.a, p.b);
    pairs.push_back(std::move(p));
  }
  std::vector<NearQuery> out;
  const uint32_t distances[] = {0, 1, 5, 20, 100};
  for (const Pair& p : pairs) {
    // Each pair three times: NEAR and BEFORE at distances drawn at random, and one of NEAR/s
    // and BEFORE/s.
    for (int k = 0; k < 3; ++k) {
      NearQuery q{p.cls, schema::to_utf8(p.a), schema::to_utf8(p.b)};
      q.ordered = k == 1 || (k == 2 && rng() % 2 == 1);
      if (k == 2) {
        q.sentence = true;
        q.cls += "-s";
      } else {
        q.distance = distances[pick(std::size(distances))];
        q.cls += q.distance <= 1 ? "-0..1" : "-5..100";
      }
      out.push_back(std::move(q));
    }
  }
  return out;
}

size_t check_near_oracle(const std::string& db, const std::vector<StoredParagraph>& paragraphs,
                         const std::vector<NearQuery>& queries) {
  searcher::Searcher engine(db);
  const std::vector<std::u32string> squeezed = squeeze_all(paragraphs);
  size_t mismatches = 0;
  std::map<std::string, std::pair<size_t, size_t>> per_class;  // class -> (queries, hits)
  for (const NearQuery& q : queries) {
    const std::u32string a = squeeze(q.a), b = squeeze(q.b);
    std::set<unsigned> expected;
    for (size_t i = 0; i < paragraphs.size(); ++i) {
      if (near_in(squeezed[i], q, a, b)) expected.insert(paragraphs[i].docid);
    }
    const searcher::SearchResult r =
        engine.search(searcher::parse_query(q.text()), searcher::Page{0, paragraphs.size()});
    std::set<unsigned> got;
    for (const searcher::Hit& h : r.hits) got.insert(h.docid);
    per_class[q.cls].first++;
    per_class[q.cls].second += expected.size();
    if (got != expected || r.total != expected.size()) {
      ++mismatches;
      size_t false_pos = 0, missed = 0;
      for (unsigned d : got) false_pos += !expected.count(d);
      for (unsigned d : expected) missed += !got.count(d);
      ADD_FAILURE() << "query " << q.text() << " (" << q.cls << "): expected " << expected.size()
                    << " paragraphs, engine returned " << got.size() << " (total " << r.total
                    << "), " << false_pos << " false positives, " << missed << " missed";
    }
  }
  for (const auto& [cls, v] : per_class) {
    std::cout << "near oracle " << cls << ": " << v.first << " queries, " << v.second
              << " expected hits\n";
  }
  return mismatches;
}

}  // namespace speechdex::testing
