// Printing shared passages (--reuse) and an aligned pair (--reuse-pair): JSON Lines and CSV
// as docs/output.md defines them, tables for a terminal.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "reuse.h"

namespace speechdex::searcher {
namespace {

using Json = nlohmann::ordered_json;

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Json year_json(int year) { return year ? Json(year) : Json(nullptr); }

const char* op_name(EditOp op) {
  switch (op) {
    case EditOp::kEqual:
      return "equal";
    case EditOp::kDelete:
      return "delete";
    case EditOp::kInsert:
      return "insert";
    case EditOp::kReplace:
    default:
      return "replace";
  }
}

// Text on one terminal line: line breaks and tabs as spaces.
std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\t' || c == '\r'; }, ' ');
  return text;
}

std::string padded(const std::string& s, size_t width) {
  const size_t w = display_width(s);
  return s + std::string(width > w ? width - w : 0, ' ');
}

// 1,234
std::string grouped(size_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string plural(size_t n, const char* one, const char* many) {
  return grouped(n) + " " + (n == 1 ? one : many);
}

Json passage_json(const ReusePassage& p, const ReuseResult& r) {
  Json members = Json::array();
  for (const ReuseMember& m : p.members) {
    const ReuseSpeech& s = r.speeches[m.speech];
    members.push_back({{"speech_id", s.speech_id},
                       {"source", s.source},
                       {"start", m.start},
                       {"end", m.end},
                       {"text", m.text},
                       {"county_code", s.county_code},
                       {"year", year_json(s.year)},
                       {"county", s.county},
                       {"province", s.province}});
  }
  Json years = Json::array();
  if (p.year_min) years = {p.year_min, p.year_max};
  return {
      {"passage", p.id},
      {"central_quote", p.central_quote},
      {"central_rule", p.central_quote ? Json(p.contains_central ? "contains" : "spread") : Json()},
      {"members", members},
      {"earliest", p.earliest},
      {"years", years},
      {"counties", p.counties},
      {"provinces", p.provinces},
      {"speeches", p.speeches},
      {"chars", p.chars}};
}

void csv_row(std::ostream& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << csv_field(cells[i]);
  out << "\r\n";
}

void print_table(std::ostream& out, const ReuseResult& r, bool color) {
  const std::string bold = color ? "\033[1m" : "", dim = color ? "\033[2m" : "";
  const std::string off = color ? "\033[0m" : "";
  constexpr size_t kTextWidth = 60;
  size_t central = 0;
  std::vector<bool> in_passage(r.speeches.size(), false);
  for (const ReusePassage& p : r.passages) {
    central += p.central_quote ? 1 : 0;
    std::string head = "passage " + std::to_string(p.id) + " · " +
                       plural(p.speeches, "speech", "speeches") + " · " +
                       plural(p.chars, "character", "characters");
    if (p.year_min) {
      head += " · " + std::to_string(p.year_min);
      if (p.year_max != p.year_min) head += "–" + std::to_string(p.year_max);
    }
    head += " · " + plural(p.counties, "county", "counties") + ", " +
            plural(p.provinces, "province", "provinces");
    if (p.central_quote)
      head += p.contains_central ? " · mostly a central quote" : " · central quote";
    out << "\n" << bold << head << off << "\n";
    size_t county_width = 0, id_width = 0;
    for (const ReuseMember& m : p.members) {
      const ReuseSpeech& s = r.speeches[m.speech];
      county_width = std::max(county_width, display_width(s.county.empty() ? "?" : s.county));
      id_width = std::max(id_width, display_width(s.speech_id));
    }
    for (size_t k = 0; k < p.members.size(); ++k) {
      const ReuseMember& m = p.members[k];
      const ReuseSpeech& s = r.speeches[m.speech];
      in_passage[m.speech] = true;
      out << (k == p.earliest ? "* " : "  ") << dim << (s.year ? std::to_string(s.year) : "   ?")
          << "  " << padded(s.county.empty() ? "?" : s.county, county_width) << "  "
          << padded(s.speech_id, id_width) << "  " << m.start << "–" << m.end << off << "  "
          << clip(one_line(m.text), kTextWidth) << "\n";
    }
  }
  const size_t speeches =
      static_cast<size_t>(std::count(in_passage.begin(), in_passage.end(), true));
  out << "\n"
      << bold << plural(r.passages.size(), "passage", "passages") << " of at least "
      << plural(r.options.min_chars, "character", "characters") << " shared by "
      << grouped(speeches) << " of " << plural(r.stats.speeches, "speech", "speeches")
      << " considered; " << plural(central, "central quote", "central quotes") << off << dim
      << " (in at least " << r.stats.central.speeches << " speeches and "
      << plural(r.stats.central.provinces, "province", "provinces") << "); * probable source" << off
      << "\n";
  const ReuseStats& st = r.stats;
  out << dim << grouped(st.units) << " characters; " << grouped(st.fingerprints)
      << " fingerprints (" << grouped(st.common) << " of n-grams in more than " << r.options.max_df
      << " speeches); " << grouped(st.pairs) << " pairs aligned, " << grouped(st.extensions)
      << " seeds extended, " << grouped(st.links) << " aligned passages; " << grouped(st.rereads)
      << " speeches read again" << off << "\n";
}

}  // namespace

void print_reuse(std::ostream& out, Format format, const ReuseResult& result, bool color) {
  switch (format) {
    case Format::kJson:
      for (const ReusePassage& p : result.passages) out << dump(passage_json(p, result)) << "\n";
      break;
    case Format::kCsv:
      csv_row(out, {"passage", "central_quote", "speech_id", "source", "start", "end",
                    "county_code", "county", "province", "year", "chars", "text"});
      for (const ReusePassage& p : result.passages) {
        for (const ReuseMember& m : p.members) {
          const ReuseSpeech& s = result.speeches[m.speech];
          csv_row(out, {std::to_string(p.id), p.central_quote ? "true" : "false", s.speech_id,
                        s.source, std::to_string(m.start), std::to_string(m.end), s.county_code,
                        s.county, s.province, s.year ? std::to_string(s.year) : "",
                        std::to_string(m.end - m.start), m.text});
        }
      }
      break;
    case Format::kTable:
    default:
      print_table(out, result, color);
  }
}

namespace {

Json speech_json(const ReuseSpeech& s, size_t chars) {
  return {{"speech_id", s.speech_id},
          {"source", s.source},
          {"county_code", s.county_code},
          {"county", s.county},
          {"province", s.province},
          {"year", year_json(s.year)},
          {"chars", chars}};
}

std::string speech_line(const char* side, const ReuseSpeech& s, size_t chars) {
  std::string line = std::string(side) + "  " + s.speech_id + "  " +
                     (s.county.empty() ? "county ?" : s.county) + " · " +
                     (s.year ? std::to_string(s.year) : std::string("year ?")) + " · " +
                     plural(chars, "character", "characters");
  return line;
}

void print_pair_table(std::ostream& out, const ReusePair& pair, bool color) {
  const std::string bold = color ? "\033[1m" : "", dim = color ? "\033[2m" : "";
  const std::string red = color ? "\033[31m" : "", green = color ? "\033[32m" : "";
  const std::string off = color ? "\033[0m" : "";
  out << bold << speech_line("A", pair.a, pair.a_chars) << "\n"
      << speech_line("B", pair.b, pair.b_chars) << off << "\n";
  if (pair.passages.empty()) {
    out << "\nno shared passage\n";
    return;
  }
  size_t current = 0;
  for (const ReusePairSegment& s : pair.segments) {
    if (s.passage == 0) {
      out << "\n"
          << dim << "… " << plural(s.a_end - s.a_start, "character", "characters") << " only in A, "
          << grouped(s.b_end - s.b_start) << " only in B …" << off << "\n";
      current = 0;
      continue;
    }
    if (s.passage != current) {
      const ReusePairPassage& p = pair.passages[s.passage - 1];
      char share[16];
      std::snprintf(share, sizeof share, "%.0f%%", p.identity * 100);
      out << "\n"
          << bold << "passage " << s.passage << ": A " << p.a_start << "–" << p.a_end << ", B "
          << p.b_start << "–" << p.b_end << ", " << share << " identical" << off << "\n";
      current = s.passage;
    }
    // The white space a segment ends with belongs to it; at a passage's end it is dropped.
    const bool last = &s == &pair.segments.back() || (&s + 1)->passage != s.passage;
    auto shown = [&](const std::string& t) {
      return last ? t.substr(0, t.find_last_not_of(" \t\r\n") + 1) : t;
    };
    switch (s.op) {
      case EditOp::kEqual:
        out << shown(s.a_text);
        break;
      case EditOp::kDelete:
        out << red << "[-" << shown(s.a_text) << "-]" << off;
        break;
      case EditOp::kInsert:
        out << green << "{+" << shown(s.b_text) << "+}" << off;
        break;
      case EditOp::kReplace:
        out << red << "[-" << s.a_text << "-]" << off << green << "{+" << shown(s.b_text) << "+}"
            << off;
        break;
    }
    if (last) out << "\n";
  }
}

}  // namespace

void print_reuse_pair(std::ostream& out, Format format, const ReusePair& pair, bool color) {
  switch (format) {
    case Format::kJson: {
      Json passages = Json::array(), segments = Json::array();
      for (size_t k = 0; k < pair.passages.size(); ++k) {
        const ReusePairPassage& p = pair.passages[k];
        passages.push_back({{"passage", k + 1},
                            {"a_start", p.a_start},
                            {"a_end", p.a_end},
                            {"b_start", p.b_start},
                            {"b_end", p.b_end},
                            {"identity", std::round(p.identity * 1000) / 1000}});
      }
      for (const ReusePairSegment& s : pair.segments) {
        segments.push_back({{"op", op_name(s.op)},
                            {"a_start", s.a_start},
                            {"a_end", s.a_end},
                            {"b_start", s.b_start},
                            {"b_end", s.b_end},
                            {"passage", s.passage ? Json(s.passage) : Json(nullptr)},
                            {"a_text", s.a_text},
                            {"b_text", s.b_text}});
      }
      out << dump({{"a", speech_json(pair.a, pair.a_chars)},
                   {"b", speech_json(pair.b, pair.b_chars)},
                   {"passages", passages},
                   {"segments", segments}})
          << "\n";
      break;
    }
    case Format::kCsv:
      csv_row(out, {"op", "a_start", "a_end", "b_start", "b_end", "passage", "a_text", "b_text"});
      for (const ReusePairSegment& s : pair.segments) {
        csv_row(out, {op_name(s.op), std::to_string(s.a_start), std::to_string(s.a_end),
                      std::to_string(s.b_start), std::to_string(s.b_end),
                      s.passage ? std::to_string(s.passage) : "", s.a_text, s.b_text});
      }
      break;
    case Format::kTable:
    default:
      print_pair_table(out, pair, color);
  }
}

}  // namespace speechdex::searcher
