// Adoption counting and its outputs. Speeches are read from value columns (speech, county,
// province, year), never from records: a query costs its match and an array look-up per
// matching paragraph, and the filtered corpus (for the curve's last year and the number
// of counties that could adopt) one more match of every paragraph.
#include "adoption.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "fields.h"

namespace speechdex::searcher {

std::vector<AdoptionSpeech> adoption_speeches(Searcher& searcher, const SearchRequest& request) {
  const ValueColumn& speech = searcher.value_column(schema::kSlotSpeech);
  const ValueColumn& county = searcher.value_column(schema::kSlotCounty);
  const ValueColumn& province = searcher.value_column(schema::kSlotProvince);
  const ValueColumn& year = searcher.value_column(schema::kSlotYear);
  std::vector<bool> seen(speech.distinct(), false);
  std::vector<AdoptionSpeech> out;
  searcher.for_each_match(request, [&](unsigned id) {
    const uint32_t s = speech.code(id);
    if (seen[s]) return;
    seen[s] = true;
    AdoptionSpeech a;
    a.speech = s;
    a.county = county.value(county.code(id));
    a.province = province.value(province.code(id));
    const std::string& y = year.value(year.code(id));
    a.year = y.empty() ? 0 : static_cast<int>(Xapian::sortable_unserialise(y));
    out.push_back(std::move(a));
  });
  return out;
}

namespace {

// A county's province code: the speech's, else the first two digits of the county code.
std::string province_of(const AdoptionSpeech& s) {
  return !s.province.empty() ? s.province : s.county.substr(0, 2);
}

// One year-by-year curve of the counties adopting in `first_years`, from `from` to `to`.
void add_curve(const std::vector<int>& first_years, int from, int to, const std::string& code,
               const std::string& name, std::vector<AdoptionYear>& curve) {
  uint64_t cumulative = 0;
  for (int y = from; y <= to; ++y) {
    const auto n = static_cast<uint64_t>(std::count(first_years.begin(), first_years.end(), y));
    cumulative += n;
    curve.push_back({code, name, y, n, cumulative});
  }
}

AdoptionResult run_once(Searcher& searcher, const SearchRequest& request,
                        const std::string& query_text, bool by_province) {
  AdoptionResult r;
  r.query = query_text;
  r.by_province = by_province;
  SearchRequest corpus = request;
  corpus.query = ParsedQuery{textstore::Query::all(), {}, true, {}};
  std::set<std::string> corpus_counties;
  for (const AdoptionSpeech& s : adoption_speeches(searcher, corpus)) {
    if (s.county.empty() || s.year == 0) continue;
    corpus_counties.insert(s.county);
    r.corpus_first_year = r.corpus_first_year ? std::min(r.corpus_first_year, s.year) : s.year;
    r.corpus_last_year = std::max(r.corpus_last_year, s.year);
  }
  r.corpus_counties = corpus_counties.size();

  struct County {
    std::string province;
    int first_year = 0;
    uint64_t speeches = 0;
    std::set<int> years;
  };
  std::map<std::string, County> counties;
  for (const AdoptionSpeech& s : adoption_speeches(searcher, request)) {
    ++r.matching_speeches;
    if (s.county.empty()) {
      ++r.unknown_county_speeches;
      continue;
    }
    if (s.year == 0) {
      ++r.unknown_year_speeches;
      continue;
    }
    ++r.adopting_speeches;
    County& c = counties[s.county];
    if (c.speeches++ == 0) c.province = province_of(s);
    c.first_year = c.first_year ? std::min(c.first_year, s.year) : s.year;
    c.years.insert(s.year);
  }
  const schema::Gazetteer& gazetteer = searcher.gazetteer();
  for (const auto& [code, c] : counties) {
    const schema::Division* d = gazetteer.by_code(code);
    const std::string province = gazetteer.province_name(c.province);
    r.counties.push_back({code, d ? d->name : code, c.province,
                          province.empty() ? c.province : province, c.first_year, c.speeches,
                          c.years.size()});
  }
  std::stable_sort(
      r.counties.begin(), r.counties.end(),
      [](const CountyAdoption& a, const CountyAdoption& b) { return a.first_year < b.first_year; });
  if (r.counties.empty()) return r;

  // The curve: every year from the first adoption to the corpus's last year.
  int from = r.counties.front().first_year, to = from;
  for (const CountyAdoption& c : r.counties) to = std::max(to, c.first_year);
  to = std::max(to, r.corpus_last_year);
  std::map<std::pair<std::string, std::string>, std::vector<int>> groups;  // by province
  for (const CountyAdoption& c : r.counties) {
    const auto key = by_province ? std::pair{c.province_code, c.province}
                                 : std::pair{std::string(), std::string()};
    groups[key].push_back(c.first_year);
  }
  for (const auto& [key, years] : groups)
    add_curve(years, from, to, key.first, key.second, r.curve);
  return r;
}

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::ordered_json summary_json(const AdoptionResult& r) {
  nlohmann::ordered_json j;
  j["query"] = r.query;
  j["adopted_counties"] = r.counties.size();
  j["corpus_counties"] = r.corpus_counties;
  j["first_year"] = r.counties.empty() ? nlohmann::ordered_json(nullptr)
                                       : nlohmann::ordered_json(r.counties.front().first_year);
  j["corpus_years"] = {r.corpus_first_year, r.corpus_last_year};
  j["matching_speeches"] = r.matching_speeches;
  j["adopting_speeches"] = r.adopting_speeches;
  j["unknown_county_speeches"] = r.unknown_county_speeches;
  j["unknown_year_speeches"] = r.unknown_year_speeches;
  return j;
}

void print_counties_table(const AdoptionResult& r, std::ostream& out, bool color) {
  out << (color ? "\x1b[1m" : "") << r.query << (color ? "\x1b[0m" : "") << "  adopted by "
      << r.counties.size() << " of " << r.corpus_counties << " counties with speeches";
  if (r.corpus_first_year) out << " (" << r.corpus_first_year << "–" << r.corpus_last_year << ")";
  out << "\n";
  std::vector<std::vector<std::string>> rows;
  for (const CountyAdoption& c : r.counties) {
    rows.push_back({std::to_string(c.first_year), c.county, c.province, std::to_string(c.speeches),
                    std::to_string(c.years), c.county_code});
  }
  print_aligned(out, {"first year", "county", "province", "speeches", "years", "code"}, rows,
                "rllrrl");
}

void print_curve_table(const AdoptionResult& r, std::ostream& out, bool color) {
  constexpr size_t kBar = 30;
  out << (color ? "\x1b[1m" : "") << r.query << (color ? "\x1b[0m" : "")
      << "  counties adopting it per year, of " << r.corpus_counties << " counties with speeches\n";
  uint64_t max = 0;  // one scale for every province's bars
  for (const AdoptionYear& y : r.curve) max = std::max(max, y.cumulative_counties);
  for (size_t i = 0; i < r.curve.size();) {
    size_t j = i;
    while (j < r.curve.size() && r.curve[j].province_code == r.curve[i].province_code) ++j;
    if (r.by_province) out << "  " << r.curve[i].province << "\n";
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> bars;
    for (size_t k = i; k < j; ++k) {
      const AdoptionYear& y = r.curve[k];
      rows.push_back({std::to_string(y.year), std::to_string(y.new_counties),
                      std::to_string(y.cumulative_counties)});
      const std::string bar =
          bar_cells(static_cast<double>(y.cumulative_counties) / static_cast<double>(max), kBar);
      bars.push_back(bar.empty() || !color ? bar : "\x1b[36m" + bar + "\x1b[0m");
    }
    print_aligned(out, {"year", "new", "cumulative"}, rows, "rrr", bars);
    i = j;
  }
}

}  // namespace

AdoptionResult run_adoption(Searcher& searcher, const SearchRequest& request,
                            const std::string& query_text, bool by_province) {
  // The corpus and the matches from one snapshot of the index.
  AdoptionResult r;
  searcher.on_one_snapshot([&] { r = run_once(searcher, request, query_text, by_province); });
  return r;
}

std::string adoption_note(const AdoptionResult& r) {
  if (r.unknown_county_speeches == 0 && r.unknown_year_speeches == 0) return "";
  return std::to_string(r.unknown_county_speeches) +
         " matching speeches of unknown county (anonymized XX县 or not found) and " +
         std::to_string(r.unknown_year_speeches) +
         " of a known county but unknown year cannot adopt; they are not counted (" +
         std::to_string(r.adopting_speeches) + " of " + std::to_string(r.matching_speeches) +
         " are)";
}

void print_adoption(const AdoptionResult& r, AdoptionView view, Format format, std::ostream& out,
                    bool color) {
  switch (format) {
    case Format::kTable: {
      if (view == AdoptionView::kCounties) {
        print_counties_table(r, out, color);
      } else {
        print_curve_table(r, out, color);
      }
      const std::string note = adoption_note(r);
      out << "  "
          << (note.empty() ? "every one of the " + std::to_string(r.matching_speeches) +
                                 " matching speeches has a county and a year"
                           : note)
          << "\n";
      return;
    }
    case Format::kCsv:
      if (view == AdoptionView::kCounties) {
        out << "\"county_code\",\"county\",\"province\",\"first_year\",\"speeches\",\"years\"\r\n";
        for (const CountyAdoption& c : r.counties) {
          out << csv_field(c.county_code) << "," << csv_field(c.county) << ","
              << csv_field(c.province) << "," << c.first_year << "," << c.speeches << "," << c.years
              << "\r\n";
        }
        return;
      }
      out << (r.by_province ? "\"province\"," : "")
          << "\"year\",\"new_counties\",\"cumulative_counties\"\r\n";
      for (const AdoptionYear& y : r.curve) {
        if (r.by_province) out << csv_field(y.province) << ",";
        out << y.year << "," << y.new_counties << "," << y.cumulative_counties << "\r\n";
      }
      return;
    case Format::kJson:
      out << dump(summary_json(r)) << "\n";
      if (view == AdoptionView::kCounties) {
        for (const CountyAdoption& c : r.counties) {
          out << dump({{"county_code", c.county_code},
                       {"county", c.county},
                       {"province", c.province},
                       {"province_code", c.province_code},
                       {"first_year", c.first_year},
                       {"speeches", c.speeches},
                       {"years", c.years}})
              << "\n";
        }
        return;
      }
      for (const AdoptionYear& y : r.curve) {
        nlohmann::ordered_json j;
        if (r.by_province) {
          j["province"] = y.province;
          j["province_code"] = y.province_code;
        }
        j["year"] = y.year;
        j["new_counties"] = y.new_counties;
        j["cumulative_counties"] = y.cumulative_counties;
        out << dump(j) << "\n";
      }
      return;
  }
}

Chart adoption_chart(const AdoptionResult& r, const std::string& corpus,
                     const std::string& filters) {
  constexpr size_t kMaxLines = 8;
  Chart chart;
  chart.title = "「" + r.query + "」的采用：累计县数";
  chart.x_title = "年份";
  chart.y_title = "已采用的县（累计）";
  chart.integer_ticks = true;
  // The curves, each from the first adoption year to the corpus's last year.
  std::vector<ChartSeries> curves;
  std::vector<uint64_t> totals;
  for (size_t i = 0; i < r.curve.size();) {
    size_t j = i;
    ChartSeries s{r.by_province ? r.curve[i].province : "全部", {}};
    for (; j < r.curve.size() && r.curve[j].province_code == r.curve[i].province_code; ++j) {
      s.values.push_back(static_cast<double>(r.curve[j].cumulative_counties));
      if (curves.empty()) {
        chart.x_labels.push_back(std::to_string(r.curve[j].year));
        chart.x_values.push_back(r.curve[j].year);
      }
    }
    totals.push_back(r.curve[j - 1].cumulative_counties);
    curves.push_back(std::move(s));
    i = j;
  }
  // The provinces with the most adopters (ties: by code).
  std::vector<size_t> order(curves.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return totals[a] > totals[b]; });
  for (size_t k = 0; k < order.size() && k < kMaxLines; ++k) {
    chart.series.push_back(std::move(curves[order[k]]));
  }
  std::string line2 = "语料：" + corpus + "，" + thousands(r.corpus_counties) + " 个县有讲话";
  if (r.corpus_first_year) {
    line2 += "（" + std::to_string(r.corpus_first_year) + "–" + std::to_string(r.corpus_last_year) +
             "）";
  }
  line2 += "，" + thousands(r.counties.size()) + " 个县采用";
  if (!filters.empty()) line2 += "；筛选：" + filters;
  chart.caption = {"检索式：" + r.query + "（某县讲话首次含检索式的年份为其采用年份）", line2};
  if (curves.size() > kMaxLines) {
    chart.caption.push_back("采用县数最多的 " + std::to_string(kMaxLines) + " 个省份已画出，其余 " +
                            std::to_string(curves.size() - kMaxLines) + " 个未画出");
  }
  if (r.unknown_county_speeches || r.unknown_year_speeches) {
    chart.caption.push_back("未计入：县未知的 " + thousands(r.unknown_county_speeches) +
                            " 篇、年份未知的 " + thousands(r.unknown_year_speeches) +
                            " 篇匹配讲话");
  }
  return chart;
}

}  // namespace speechdex::searcher
