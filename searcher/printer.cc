// Printers. Machine formats (JSON Lines, CSV) are stable and documented; the table is for
// people and may change.
#include "printer.h"

#include <unicode/uchar.h>

#include <cstdio>
#include <nlohmann/json.hpp>

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

// Cuts text to at most `width` columns, adding "…" when cut.
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

std::string location(const Hit& h) {
  return h.record.speech_id + " ¶" + std::to_string(h.record.paragraph);
}

class TablePrinter : public Printer {
 public:
  TablePrinter(std::ostream& out, bool color) : out_(out), color_(color) {}

  void print(const std::string& query_text, const ParsedQuery& query,
             const SearchResult& result) override {
    const std::string dim = color_ ? "\033[2m" : "", bold = color_ ? "\033[1m" : "";
    const std::string match_on = color_ ? "\033[1;31m" : "", off = color_ ? "\033[0m" : "";
    out_ << bold << result.total
         << (result.total == 1 ? " paragraph matches " : " paragraphs match ") << query_text << off;
    if (!result.hits.empty()) {
      out_ << dim << " (showing " << result.hits.front().rank << "–" << result.hits.back().rank
           << ")" << off;
    }
    out_ << "\n";
    const size_t rank_width =
        std::to_string(result.hits.empty() ? 0 : result.hits.back().rank).size();
    const std::string indent(rank_width + 2, ' ');
    for (const Hit& h : result.hits) {
      const std::string rank = std::to_string(h.rank);
      out_ << "\n"
           << std::string(rank_width - rank.size(), ' ') << rank << ". " << bold << location(h)
           << off << dim << "  " << format_score(h.score) << off << "\n";
      std::string where = h.record.title.empty() ? "(no title)" : h.record.title;
      if (!h.record.section.empty()) where += " › " + h.record.section;
      if (!h.record.subsection.empty()) where += " › " + h.record.subsection;
      out_ << indent << dim << clip(where, 96) << off << "\n";
      const auto matches = find_matches(h.record.text, query.highlights);
      out_ << indent << render(make_snippet(h.record.text, matches), match_on, off) << "\n";
    }
  }

 private:
  std::ostream& out_;
  bool color_;
};

nlohmann::json hit_json(const Hit& h, const ParsedQuery& query) {
  const auto matches = find_matches(h.record.text, query.highlights);
  nlohmann::json ranges = nlohmann::json::array();
  for (const Range& r : to_char_ranges(h.record.text, matches))
    ranges.push_back({r.first, r.second});
  return {{"rank", h.rank},
          {"score", std::stod(format_score(h.score))},
          {"id", h.docid},
          {"speech_id", h.record.speech_id},
          {"paragraph", h.record.paragraph},
          {"source", h.record.source},
          {"speech", h.record.speech},
          {"kind", h.record.kind},
          {"title", h.record.title},
          {"section", h.record.section},
          {"subsection", h.record.subsection},
          {"text", h.record.text},
          {"snippet", render(make_snippet(h.record.text, matches), kMatchOpen, kMatchClose)},
          {"matches", ranges}};
}

class JsonPrinter : public Printer {
 public:
  explicit JsonPrinter(std::ostream& out) : out_(out) {}
  void print(const std::string&, const ParsedQuery& query, const SearchResult& result) override {
    for (const Hit& h : result.hits) {
      out_ << hit_json(h, query).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
           << "\n";
    }
  }

 private:
  std::ostream& out_;
};

std::string csv_field(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

class CsvPrinter : public Printer {
 public:
  explicit CsvPrinter(std::ostream& out) : out_(out) {}
  void print(const std::string&, const ParsedQuery& query, const SearchResult& result) override {
    out_ << "rank,score,id,speech_id,paragraph,source,speech,kind,title,section,subsection,text,"
            "snippet\r\n";
    for (const Hit& h : result.hits) {
      const auto matches = find_matches(h.record.text, query.highlights);
      out_ << h.rank << ',' << format_score(h.score) << ',' << h.docid << ','
           << csv_field(h.record.speech_id) << ',' << h.record.paragraph << ','
           << csv_field(h.record.source) << ',' << h.record.speech << ','
           << csv_field(h.record.kind) << ',' << csv_field(h.record.title) << ','
           << csv_field(h.record.section) << ',' << csv_field(h.record.subsection) << ','
           << csv_field(h.record.text) << ','
           << csv_field(render(make_snippet(h.record.text, matches), kMatchOpen, kMatchClose))
           << "\r\n";
    }
  }

 private:
  std::ostream& out_;
};

}  // namespace

size_t display_width(const std::string& utf8) {
  size_t w = 0;
  for (char32_t c : schema::to_utf32(utf8)) {
    const int ea = u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_EAST_ASIAN_WIDTH);
    w += (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) ? 2 : 1;
  }
  return w;
}

std::unique_ptr<Printer> make_printer(Format format, std::ostream& out, bool color) {
  switch (format) {
    case Format::kJson:
      return std::make_unique<JsonPrinter>(out);
    case Format::kCsv:
      return std::make_unique<CsvPrinter>(out);
    case Format::kTable:
    default:
      return std::make_unique<TablePrinter>(out, color);
  }
}

}  // namespace speechdex::searcher
