// Occurrences and KWIC rows: counted with the tokenizer the index uses, shown in context.
#include "kwic.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "normalizer.h"
#include "printer.h"
#include "tokenizer.h"

namespace speechdex::searcher {
namespace {

// Text as one line: newlines, tabs and other control characters shown as spaces, so a
// context never breaks a KWIC line or its columns.
std::string one_line(const std::u32string& text, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    const char32_t c = text[i];
    schema::append_utf8(c < 0x20 || c == 0x7F ? U' ' : c, out);
  }
  return out;
}

std::string year_text(const Hit& h) {
  return h.record.year ? std::to_string(h.record.year) : std::string("?");
}

// A key that sorts a row by its context: the left context read right to left, or the right
// context read left to right (code point order).
std::u32string context_key(const KwicRow& r, bool left) {
  std::u32string key = schema::to_utf32(left ? r.pre : r.post);
  if (left) std::reverse(key.begin(), key.end());
  return key;
}

}  // namespace

std::vector<Range> find_occurrences(const std::string& text,
                                    const std::vector<std::vector<std::string>>& highlights) {
  std::vector<Range> out;
  if (highlights.empty()) return out;
  const std::vector<schema::Unit> units = schema::tokenize(text);
  // As in find_matches: each unit is tried only against the highlights that start with it.
  std::unordered_map<std::string_view, std::vector<const std::vector<std::string>*>> by_first;
  for (const auto& seq : highlights) {
    if (!seq.empty() && seq.size() <= units.size()) by_first[seq.front()].push_back(&seq);
  }
  for (size_t i = 0; i < units.size() && !by_first.empty();) {
    size_t longest = 0;
    const auto found = by_first.find(units[i].text);
    if (found != by_first.end()) {
      for (const std::vector<std::string>* seq : found->second) {
        if (seq->size() > units.size() - i || seq->size() <= longest) continue;
        bool ok = true;
        for (size_t k = 1; k < seq->size() && ok; ++k) ok = units[i + k].text == (*seq)[k];
        if (ok) longest = seq->size();
      }
    }
    if (longest == 0) {
      ++i;
      continue;
    }
    out.emplace_back(units[i].begin, units[i + longest - 1].end);
    i += longest;
  }
  return out;
}

Totals count_totals(Searcher& searcher, const SearchRequest& request) {
  SearchRequest all = request;
  all.page = {0, SIZE_MAX};  // every match; offset 0, so offset + limit cannot overflow
  all.facets.clear();
  all.group_by_speech = false;
  all.sort = Sort::kRelevance;
  all.records = false;  // read one record at a time below, not all of them at once
  Totals t;
  // The search and the records it hits from one snapshot, however long the reading takes.
  searcher.on_one_snapshot([&] {
    std::vector<unsigned> ids;
    searcher.for_each_match(all, [&](unsigned id) { ids.push_back(id); });
    t = Totals{};
    t.paragraphs = ids.size();
    std::unordered_set<std::string> speeches;
    for (unsigned id : ids) {
      const schema::ParagraphRecord r = searcher.record(id);
      speeches.insert(r.speech_id);
      t.occurrences += find_occurrences(r.text, request.query.highlights).size();
    }
    t.speeches = speeches.size();
  });
  return t;
}

std::vector<KwicRow> kwic_rows(const SearchResult& result, const ParsedQuery& query,
                               const KwicOptions& options) {
  std::vector<KwicRow> rows;
  for (const Hit& h : result.hits) {
    const std::string& text = h.record.text;
    const std::u32string chars = schema::to_utf32(text);
    for (const Range& r : to_char_ranges(text, find_occurrences(text, query.highlights))) {
      KwicRow row;
      row.hit = &h;
      row.from = r.first;
      row.to = r.second;
      const size_t pre_from = r.first > options.context ? r.first - options.context : 0;
      const size_t post_to = std::min(chars.size(), r.second + options.context);
      row.pre = one_line(chars, pre_from, r.first);
      row.keyword = one_line(chars, r.first, r.second);
      row.post = one_line(chars, r.second, post_to);
      rows.push_back(std::move(row));
    }
  }
  auto by = [&](auto key) {
    std::stable_sort(rows.begin(), rows.end(),
                     [&](const KwicRow& a, const KwicRow& b) { return key(a) < key(b); });
  };
  switch (options.sort) {
    case KwicSort::kRank:
      break;
    case KwicSort::kLeft:
      by([](const KwicRow& r) { return context_key(r, true); });
      break;
    case KwicSort::kRight:
      by([](const KwicRow& r) { return context_key(r, false); });
      break;
    case KwicSort::kYear:
      by([](const KwicRow& r) {
        const int y = r.hit->record.year;
        return std::make_pair(y == 0, y);
      });
      break;
    case KwicSort::kCounty:
      by([](const KwicRow& r) {
        const std::string& c = r.hit->record.county_code;
        return std::make_pair(c.empty(), c);
      });
      break;
    case KwicSort::kSource:
      by([](const KwicRow& r) {
        return std::make_tuple(r.hit->record.source, r.hit->record.speech, r.hit->record.paragraph);
      });
      break;
  }
  return rows;
}

void print_kwic_table(std::ostream& out, const std::vector<KwicRow>& rows,
                      const SearchResult& result, bool color) {
  const std::string dim = color ? "\033[2m" : "", match_on = color ? "\033[1;31m" : "";
  const std::string off = color ? "\033[0m" : "";
  auto where = [](const KwicRow& r) {
    return r.hit->record.speech_id + " ¶" + std::to_string(r.hit->record.paragraph);
  };
  size_t where_width = 0, year_width = 0, pre_width = 0;
  for (const KwicRow& r : rows) {
    where_width = std::max(where_width, display_width(where(r)));
    year_width = std::max(year_width, display_width(year_text(*r.hit)));
    pre_width = std::max(pre_width, display_width(r.pre));
  }
  auto pad = [](size_t width, size_t used) { return std::string(width - used, ' '); };
  for (const KwicRow& r : rows) {
    const std::string w = where(r), y = year_text(*r.hit);
    out << dim << w << pad(where_width, display_width(w)) << "  " << y
        << pad(year_width, display_width(y)) << off << "  " << pad(pre_width, display_width(r.pre))
        << r.pre << " " << match_on << r.keyword << off << (r.post.empty() ? "" : " ") << r.post
        << "\n";
  }
  const std::string more = more_line(result);
  if (!more.empty()) out << dim << more << off << "\n";
}

namespace {

// A KWIC row in the machine formats: the columns in order, defined once for JSON and CSV.
nlohmann::ordered_json row_json(const KwicRow& r) {
  const schema::ParagraphRecord& p = r.hit->record;
  return {{"docname", r.hit->docid},
          {"from", r.from},
          {"to", r.to},
          {"pre", r.pre},
          {"keyword", r.keyword},
          {"post", r.post},
          {"speech_id", p.speech_id},
          {"county", p.county},
          {"year", p.year ? nlohmann::ordered_json(p.year) : nlohmann::ordered_json(nullptr)}};
}

// A JSON value as a CSV cell: strings as they are, null empty, numbers as JSON writes them.
std::string cell(const nlohmann::ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

void csv_row(std::ostream& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << csv_field(fields[i]);
  out << "\r\n";
}

}  // namespace

const std::vector<std::string>& kwic_field_names() {
  static const std::vector<std::string> names = [] {
    KwicRow empty;
    Hit none;
    empty.hit = &none;
    // The JSON object must outlive the loop over its items() (a temporary would not).
    const nlohmann::ordered_json columns = row_json(empty);
    std::vector<std::string> keys;
    for (const auto& [key, value] : columns.items()) keys.push_back(key);
    return keys;
  }();
  return names;
}

namespace {

// The row's columns, or only `fields` in their order.
nlohmann::ordered_json picked_row(const KwicRow& r, const std::vector<std::string>& fields) {
  nlohmann::ordered_json all = row_json(r);
  if (fields.empty()) return all;
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const std::string& f : fields) j[f] = all.at(f);
  return j;
}

}  // namespace

void print_kwic_json(std::ostream& out, const std::vector<KwicRow>& rows,
                     const std::vector<std::string>& fields) {
  for (const KwicRow& r : rows) {
    out << picked_row(r, fields).dump(-1, ' ', false,
                                      nlohmann::ordered_json::error_handler_t::replace)
        << "\n";
  }
}

void print_kwic_csv(std::ostream& out, const std::vector<KwicRow>& rows,
                    const std::vector<std::string>& fields, bool header) {
  if (header) csv_row(out, fields.empty() ? kwic_field_names() : fields);
  for (const KwicRow& r : rows) {
    const nlohmann::ordered_json row = picked_row(r, fields);
    std::vector<std::string> cells;
    for (const auto& [key, value] : row.items()) cells.push_back(cell(value));
    csv_row(out, cells);
  }
}

void print_kwic(std::ostream& out, Format format, const SearchResult& result,
                const std::vector<KwicRow>& rows, bool color,
                const std::vector<std::string>& fields) {
  switch (format) {
    case Format::kJson:
      if (!result.facets.empty()) out << summary_line(result) << "\n";
      print_kwic_json(out, rows, fields);
      break;
    case Format::kCsv:
      print_kwic_csv(out, rows, fields);
      break;
    case Format::kTable:
    default:
      print_kwic_table(out, rows, result, color);
  }
}

void print_totals(std::ostream& out, Format format, const Totals& t) {
  switch (format) {
    case Format::kJson:
      out << nlohmann::ordered_json{{"paragraphs", t.paragraphs},
                                    {"speeches", t.speeches},
                                    {"occurrences", t.occurrences}}
                 .dump()
          << "\n";
      break;
    case Format::kCsv:
      csv_row(out, {"paragraphs", "speeches", "occurrences"});
      csv_row(out, {std::to_string(t.paragraphs), std::to_string(t.speeches),
                    std::to_string(t.occurrences)});
      break;
    case Format::kTable:
    default:
      out << t.paragraphs << (t.paragraphs == 1 ? " paragraph, " : " paragraphs, ") << t.speeches
          << (t.speeches == 1 ? " speech, " : " speeches, ") << t.occurrences
          << (t.occurrences == 1 ? " occurrence\n" : " occurrences\n");
  }
}

}  // namespace speechdex::searcher
