// Printers. Machine formats (JSON Lines, CSV) are stable and documented in docs/output.md;
// the table is for people and may change.
#include "printer.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "kwic.h"
#include "normalizer.h"
#include "snippets.h"

namespace speechdex::searcher {
namespace {

constexpr const char* kMatchOpen = "«";
constexpr const char* kMatchClose = "»";

std::string format_score(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", s);
  return buf;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string how(const schema::ParagraphRecord& r, const std::string& field) {
  auto it = r.how.find(field);
  return it == r.how.end() ? "" : it->second;
}

std::string location(const Hit& h) {
  return h.record.speech_id + " ¶" + std::to_string(h.record.paragraph);
}

// County · year · role · topics, with ? for what is unknown.
std::string metadata_line(const Hit& h) {
  const schema::ParagraphRecord& r = h.record;
  std::string out = r.county.empty() ? "county ?" : r.county + " (" + r.province + ")";
  out += " · " + (r.year ? std::to_string(r.year) : std::string("year ?"));
  out += " · " + (r.role.empty() ? std::string("role ?") : r.role);
  if (!r.topics.empty()) out += " · " + join(r.topics);
  if (h.speech_matches > 0) {
    out += " · " + std::to_string(h.speech_matches) + " matching paragraph" +
           (h.speech_matches == 1 ? "" : "s") + " in this speech";
  }
  if (h.copies > 0)
    out += " (+" + std::to_string(h.copies) + (h.copies == 1 ? " copy)" : " copies)");
  return out;
}

std::string snippet(const Hit& h, const ParsedQuery& query, const std::string& open,
                    const std::string& close) {
  return render(make_snippet(h.record.text, find_matches(h.record.text, query.highlights)), open,
                close);
}

class TablePrinter : public Printer {
 public:
  TablePrinter(std::ostream& out, bool color) : out_(out), color_(color) {}

  void print(const std::string& query_text, const ParsedQuery& query, const SearchResult& result,
             bool grouped) override {
    const std::string dim = color_ ? "\033[2m" : "", bold = color_ ? "\033[1m" : "";
    const std::string off = color_ ? "\033[0m" : "";
    out_ << bold;
    if (grouped) {
      out_ << result.total << (result.total == 1 ? " speech (" : " speeches (")
           << result.total_paragraphs << " paragraphs) match ";
    } else {
      out_ << result.total << (result.total == 1 ? " paragraph matches " : " paragraphs match ");
    }
    out_ << query_text << off;
    if (result.dedup != Dedup::kNone) {
      out_ << dim << " [--dedup " << dedup_name(result.dedup) << ": each "
           << dedup_name(result.dedup) << " cluster counted once; " << result.matched_paragraphs
           << " paragraphs before]" << off;
    }
    if (!result.hits.empty()) {
      out_ << dim << " (showing " << result.hits.front().rank << "–" << result.hits.back().rank
           << ")" << off;
    }
    out_ << "\n";
    const size_t rank_width =
        std::to_string(result.hits.empty() ? 0 : result.hits.back().rank).size();
    for (const Hit& h : result.hits) block(query, h, rank_width);
    for (const Facet& f : result.facets) {
      out_ << "\n" << bold << f.name << off << "\n";
      size_t shown = 0;
      for (const FacetBucket& b : f.buckets) {
        if (shown++ == 30) {
          out_ << "  … " << f.buckets.size() - 30 << " more\n";
          break;
        }
        out_ << "  " << b.count << "\t" << b.label << (b.label != b.key ? " [" + b.key + "]" : "")
             << "\n";
      }
      out_ << "  " << f.unknown << "\t(unknown)\n";
    }
    const std::string more = more_line(result);
    if (!more.empty()) out_ << "\n" << dim << more << off << "\n";
  }

  void hit(const ParsedQuery& query, const Hit& h) override {
    block(query, h, std::to_string(h.rank).size());
  }

  void end(const std::string& query_text, uint64_t hits) override {
    const std::string bold = color_ ? "\033[1m" : "", off = color_ ? "\033[0m" : "";
    out_ << "\n"
         << bold << hits << (hits == 1 ? " paragraph matches " : " paragraphs match ") << query_text
         << off << "\n";
  }

  void explain(unsigned docid, const schema::ParagraphRecord& r) override {
    auto line = [&](const std::string& k, const std::string& v) {
      out_ << k << std::string(k.size() < 14 ? 14 - k.size() : 1, ' ') << v << "\n";
    };
    line("id", std::to_string(docid));
    line("speech", r.speech_id);
    line("paragraph", std::to_string(r.paragraph) + " (" + r.kind + ")");
    if (r.kind == schema::kKindBoilerplate) line("  set aside by", how(r, "kind"));
    line("title", r.title);
    line("section", r.section);
    line("subsection", r.subsection);
    line("text", r.text);
    line("county", r.county.empty()
                       ? "(unknown)"
                       : r.county + " " + r.county_code + ", " + r.city + ", " + r.province);
    line("  found by", how(r, "county"));
    line("year", r.year ? std::to_string(r.year) : "(unknown)");
    line("  found by", how(r, "year"));
    line("role", r.role.empty() ? "(unknown)" : r.role);
    line("  found by", how(r, "role"));
    if (!r.speaker.empty()) line("speaker", r.speaker + " (" + how(r, "speaker") + ")");
    if (!r.date.empty()) line("date", r.date + " (" + how(r, "date") + ")");
    line("topics", r.topics.empty() ? "(none)" : join(r.topics));
    line("  found by", how(r, "topics"));
    line("speech topics", r.speech_topics.empty() ? "(none)" : join(r.speech_topics));
  }

 private:
  // One hit: rank, location and score; title › section › subsection; metadata; snippet.
  void block(const ParsedQuery& query, const Hit& h, size_t rank_width) {
    const std::string dim = color_ ? "\033[2m" : "", bold = color_ ? "\033[1m" : "";
    const std::string match_on = color_ ? "\033[1;31m" : "", off = color_ ? "\033[0m" : "";
    const std::string indent(rank_width + 2, ' ');
    const std::string rank = std::to_string(h.rank);
    out_ << "\n"
         << std::string(rank_width > rank.size() ? rank_width - rank.size() : 0, ' ') << rank
         << ". " << bold << location(h) << off << dim << "  " << format_score(h.score) << off
         << "\n";
    std::string where = h.record.title.empty() ? "(no title)" : h.record.title;
    if (!h.record.section.empty()) where += " › " + h.record.section;
    if (!h.record.subsection.empty()) where += " › " + h.record.subsection;
    out_ << indent << dim << clip(where, 96) << off << "\n";
    out_ << indent << dim << metadata_line(h) << off << "\n";
    out_ << indent << snippet(h, query, match_on, off) << "\n";
  }

  std::ostream& out_;
  bool color_;
};

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A hit's JSON object; with `only`, just those keys (the matches, snippet and occurrences
// tokenize the text, the costliest part of a row: an --all export of ids alone skips it).
nlohmann::json hit_json(const Hit& h, const ParsedQuery& query,
                        const std::vector<std::string>& only = {}) {
  auto wanted = [&](const char* key) {
    return only.empty() || std::find(only.begin(), only.end(), key) != only.end();
  };
  const schema::ParagraphRecord& r = h.record;
  nlohmann::json j = {{"rank", h.rank},
                      {"score", std::stod(format_score(h.score))},
                      {"id", h.docid},
                      {"speech_id", r.speech_id},
                      {"paragraph", r.paragraph},
                      {"source", r.source},
                      {"speech", r.speech},
                      {"kind", r.kind},
                      {"title", r.title},
                      {"section", r.section},
                      {"subsection", r.subsection},
                      {"text", r.text},
                      {"county", r.county},
                      {"county_code", r.county_code},
                      {"province", r.province},
                      {"year", r.year ? nlohmann::json(r.year) : nlohmann::json(nullptr)},
                      {"role", r.role},
                      {"topics", r.topics},
                      {"speech_matches", h.speech_matches},
                      {"copies", h.copies}};
  if (wanted("matches") || wanted("snippet")) {
    const auto matches = find_matches(r.text, query.highlights);
    nlohmann::json ranges = nlohmann::json::array();
    for (const Range& m : to_char_ranges(r.text, matches)) ranges.push_back({m.first, m.second});
    j["matches"] = ranges;
    j["snippet"] = render(make_snippet(r.text, matches), kMatchOpen, kMatchClose);
  }
  if (wanted("occurrences")) {
    j["occurrences"] = find_occurrences(r.text, query.highlights).size();
  }
  if (wanted("fields")) {
    j["fields"] = r.fields.empty() ? nlohmann::json::object()
                                   : nlohmann::json::parse(r.fields, nullptr, false);
  }
  return j;
}

nlohmann::json summary_json(const SearchResult& result) {
  nlohmann::json facets = nlohmann::json::object(), labels = nlohmann::json::object();
  for (const Facet& f : result.facets) {
    nlohmann::json counts = nlohmann::json::object(), names = nlohmann::json::object();
    for (const FacetBucket& b : f.buckets) {
      counts[b.key] = b.count;
      if (b.label != b.key) names[b.key] = b.label;
    }
    counts["unknown"] = f.unknown;
    facets[f.name] = counts;
    if (!names.empty()) labels[f.name] = names;
  }
  nlohmann::json j = {{"total", result.total},
                      {"paragraphs", result.total_paragraphs},
                      {"facets", facets},
                      {"labels", labels}};
  if (result.occurrences) j["occurrences"] = *result.occurrences;
  if (result.dedup != Dedup::kNone) {
    j["dedup"] = dedup_name(result.dedup);
    j["matched_paragraphs"] = result.matched_paragraphs;
  }
  if (!result.skipped_shards.empty()) {
    j["partial"] = true;
    j["skipped_shards"] = result.skipped_shards;
  }
  return j;
}

// The hit's columns named in `fields`, in that order.
nlohmann::ordered_json pick(const nlohmann::json& all, const std::vector<std::string>& fields) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const std::string& f : fields) j[f] = all.at(f);
  return j;
}

// A JSON value as a CSV cell: strings as they are, null empty, a list of strings joined by
// commas (topics), anything else as JSON writes it.
std::string cell(const nlohmann::ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  if (v.is_array() &&
      std::all_of(v.begin(), v.end(), [](const auto& e) { return e.is_string(); })) {
    std::string out;
    for (const auto& e : v) {
      if (!out.empty()) out += ',';
      out += e.get_ref<const std::string&>();
    }
    return out;
  }
  return v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

class JsonPrinter : public Printer {
 public:
  JsonPrinter(std::ostream& out, std::vector<std::string> fields)
      : out_(out), fields_(std::move(fields)) {}
  void print(const std::string&, const ParsedQuery& query, const SearchResult& result,
             bool) override {
    if (!result.facets.empty() || !result.skipped_shards.empty()) {
      out_ << summary_line(result) << "\n";
    }
    for (const Hit& h : result.hits) hit(query, h);
  }
  void hit(const ParsedQuery& query, const Hit& h) override {
    if (fields_.empty()) {
      out_ << dump(hit_json(h, query)) << "\n";
    } else {
      out_ << pick(hit_json(h, query, fields_), fields_)
                  .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
           << "\n";
    }
  }
  void explain(unsigned docid, const schema::ParagraphRecord& r) override {
    nlohmann::json j = nlohmann::json::parse(r.to_json());
    j["id"] = docid;
    out_ << dump(j) << "\n";
  }

 private:
  std::ostream& out_;
  std::vector<std::string> fields_;
};

class CsvPrinter : public Printer {
 public:
  CsvPrinter(std::ostream& out, std::vector<std::string> fields)
      : out_(out), fields_(std::move(fields)) {}
  void print(const std::string&, const ParsedQuery& query, const SearchResult& result,
             bool) override {
    begin();
    for (const Hit& h : result.hits) hit(query, h);
  }
  void begin() override {
    if (!fields_.empty()) {
      row(fields_);
      return;
    }
    row({"rank",    "score",          "id",     "speech_id", "paragraph",  "source",
         "speech",  "kind",           "title",  "section",   "subsection", "text",
         "snippet", "county_code",    "county", "province",  "year",       "role",
         "topics",  "speech_matches", "copies"});
  }
  void hit(const ParsedQuery& query, const Hit& h) override {
    if (!fields_.empty()) {
      const nlohmann::ordered_json j = pick(hit_json(h, query, fields_), fields_);
      std::vector<std::string> cells;
      for (const auto& [key, value] : j.items()) cells.push_back(cell(value));
      row(cells);
      return;
    }
    {
      const schema::ParagraphRecord& r = h.record;
      row({std::to_string(h.rank),
           format_score(h.score),
           std::to_string(h.docid),
           r.speech_id,
           std::to_string(r.paragraph),
           r.source,
           std::to_string(r.speech),
           r.kind,
           r.title,
           r.section,
           r.subsection,
           r.text,
           snippet(h, query, kMatchOpen, kMatchClose),
           r.county_code,
           r.county,
           r.province,
           r.year ? std::to_string(r.year) : "",
           r.role,
           join(r.topics),
           std::to_string(h.speech_matches),
           std::to_string(h.copies)});
    }
  }
  void explain(unsigned docid, const schema::ParagraphRecord& r) override {
    row({"id", "speech_id", "paragraph", "county_code", "county", "province", "year", "role",
         "topics", "county_how", "year_how", "role_how", "topics_how"});
    row({std::to_string(docid), r.speech_id, std::to_string(r.paragraph), r.county_code, r.county,
         r.province, r.year ? std::to_string(r.year) : "", r.role, join(r.topics), how(r, "county"),
         how(r, "year"), how(r, "role"), how(r, "topics")});
  }

 private:
  void row(const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) out_ << (i ? "," : "") << csv_field(fields[i]);
    out_ << "\r\n";
  }
  std::ostream& out_;
  std::vector<std::string> fields_;
};

}  // namespace

std::string summary_line(const SearchResult& result) { return dump(summary_json(result)); }

std::string more_line(const SearchResult& result) {
  if (result.hits.empty() || result.hits.back().rank >= result.total) return "";
  const std::string last = std::to_string(result.hits.back().rank);
  return "showing " + std::to_string(result.hits.front().rank) + "–" + last + " of " +
         std::to_string(result.total) + "; --offset " + last + " for more";
}

std::string csv_field(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string clip(const std::string& text, size_t width) {
  if (display_width(text) <= width) return text;
  std::string out;
  size_t w = 0;
  for (char32_t c : schema::to_utf32(text)) {
    std::string one;
    schema::append_utf8(c, one);
    const size_t cw = display_width(one);
    if (w + cw + 1 > width) break;
    out += one;
    w += cw;
  }
  return out + "…";
}

size_t display_width(const std::string& utf8) {
  size_t w = 0;
  for (char32_t c : schema::to_utf32(utf8)) {
    const int ea = u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_EAST_ASIAN_WIDTH);
    w += (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) ? 2 : 1;
  }
  return w;
}

void print_aligned(std::ostream& out, const std::vector<std::string>& heads,
                   const std::vector<std::vector<std::string>>& rows, const std::string& align,
                   const std::vector<std::string>& tails) {
  std::vector<size_t> widths;
  for (const std::string& h : heads) widths.push_back(display_width(h));
  for (const auto& r : rows) {
    for (size_t k = 0; k < r.size() && k < widths.size(); ++k) {
      widths[k] = std::max(widths[k], display_width(r[k]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells, const std::string& tail) {
    std::string l;
    for (size_t k = 0; k < cells.size() && k < widths.size(); ++k) {
      const size_t w = display_width(cells[k]);
      const std::string pad(w < widths[k] ? widths[k] - w : 0, ' ');
      l.append("  ");
      const bool last = k + 1 == cells.size() && tail.empty();
      l.append(align[k] == 'l' ? cells[k] + (last ? "" : pad) : pad + cells[k]);
    }
    if (!tail.empty()) l.append("  ").append(tail);
    out << l << "\n";
  };
  line(heads, "");
  for (size_t i = 0; i < rows.size(); ++i) line(rows[i], i < tails.size() ? tails[i] : "");
}

std::string bar_cells(double fraction, size_t cells) {
  static const char* const kPartial[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  const double f = std::clamp(fraction, 0.0, 1.0);
  const size_t eighths = static_cast<size_t>(std::lround(f * static_cast<double>(cells) * 8));
  std::string bar;
  for (size_t k = 0; k < eighths / 8; ++k) bar += "█";
  return bar + kPartial[eighths % 8];
}

const std::vector<std::string>& hit_field_names() {
  static const std::vector<std::string> names = {
      "rank",   "score",       "id",       "speech_id",  "paragraph", "source",  "speech",
      "kind",   "title",       "section",  "subsection", "text",      "snippet", "matches",
      "county", "county_code", "province", "year",       "role",      "topics",  "speech_matches",
      "copies", "occurrences", "fields"};
  return names;
}

std::unique_ptr<Printer> make_printer(Format format, std::ostream& out, bool color,
                                      const std::vector<std::string>& fields) {
  switch (format) {
    case Format::kJson:
      return std::make_unique<JsonPrinter>(out, fields);
    case Format::kCsv:
      return std::make_unique<CsvPrinter>(out, fields);
    case Format::kTable:
    default:
      return std::make_unique<TablePrinter>(out, color);
  }
}

}  // namespace speechdex::searcher
