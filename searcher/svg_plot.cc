// SVG written by hand: a few elements, fonts named so that a CJK font renders the labels
// (rsvg-convert with fonts-noto-cjk turns it into PNG).
#include "svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "errors.h"

namespace speechdex::searcher {
namespace {

constexpr double kWidth = 960, kHeight = 560;
constexpr double kLeft = 90, kRight = 190, kTop = 60, kBottom = 130;
constexpr const char* kFont = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC',sans-serif";
// Okabe and Ito's palette: told apart by readers with colour vision deficiencies too.
constexpr const char* kColors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                   "#E69F00", "#56B4E9", "#000000", "#F0E442"};

std::string xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out.push_back(c);
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A tick label: as few decimals as the step needs.
std::string tick_label(double v, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// A step of 1, 2 or 5 times a power of ten giving about five ticks up to `max`.
double nice_step(double max) {
  if (max <= 0) return 1;
  const double raw = max / 5;
  const double p = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * p) return m * p;
  }
  return 10 * p;
}

const char* axis_name(const std::string& field) {
  return field == "year"       ? "年份"
         : field == "county"   ? "县"
         : field == "province" ? "省份"
         : field == "topic"    ? "主题"
                               : "讲话人职务";
}

}  // namespace

std::string chart_svg(const Chart& chart) {
  const bool lines = !chart.x_values.empty();
  const size_t slots = chart.x_labels.size();
  double max = 0;
  for (const ChartSeries& s : chart.series) {
    for (double v : s.values) max = std::max(max, v);
  }
  const double step = chart.integer_ticks ? std::max(1.0, nice_step(max)) : nice_step(max);
  const double top = std::max(step, std::ceil(max / step) * step);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto y_of = [&](double v) { return kTop + plot_h * (1 - v / top); };

  // x: numbers (years) on a numeric scale, gaps stay gaps; otherwise slots.
  const double x_min = lines && slots ? chart.x_values.front() : 0;
  const double x_max = lines && slots ? chart.x_values.back() : 0;
  auto x_of = [&](size_t slot) {
    if (lines) {
      const double x = chart.x_values[slot];
      return x_max == x_min ? kLeft + plot_w / 2
                            : kLeft + 30 + (plot_w - 60) * (x - x_min) / (x_max - x_min);
    }
    return kLeft + plot_w * (static_cast<double>(slot) + 0.5) / static_cast<double>(slots);
  };

  // Slanted slot labels (many bars) take room below the axis: the figure grows by it.
  const bool slanted = !lines && slots > 8;
  size_t widest = 0;  // in terminal columns: a CJK character is 2, about 13 px at 13 px
  for (const std::string& l : chart.x_labels) widest = std::max(widest, display_width(l));
  const double drop = slanted ? static_cast<double>(widest) * 6.5 * 0.87 + 16 : 20;
  const double caption_h = 20 * static_cast<double>(std::max<size_t>(chart.caption.size(), 2));
  const double height = kHeight + drop - 20 + caption_h - 40;

  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\""
    << num(height) << "\" viewBox=\"0 0 " << kWidth << " " << num(height) << "\" font-family=\""
    << kFont << "\" font-size=\"14\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << kLeft << "\" y=\"32\" font-size=\"18\" font-weight=\"bold\">"
    << xml(chart.title) << "</text>\n";

  // Grid and y axis.
  for (double v = 0; v <= top + step / 2; v += step) {
    const double y = y_of(v);
    o << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_w << "\" y1=\"" << num(y)
      << "\" y2=\"" << num(y) << "\" stroke=\"#dddddd\"/>\n";
    o << "<text x=\"" << kLeft - 8 << "\" y=\"" << num(y + 5) << "\" text-anchor=\"end\">"
      << tick_label(v, step) << "</text>\n";
  }
  o << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft << "\" y1=\"" << kTop << "\" y2=\""
    << kTop + plot_h << "\" stroke=\"black\"/>\n";
  o << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_w << "\" y1=\"" << kTop + plot_h
    << "\" y2=\"" << kTop + plot_h << "\" stroke=\"black\"/>\n";
  o << "<text transform=\"translate(28," << num(kTop + plot_h / 2)
    << ") rotate(-90)\" text-anchor=\"middle\" font-size=\"15\">" << xml(chart.y_title)
    << "</text>\n";
  o << "<text x=\"" << num(kLeft + plot_w / 2) << "\" y=\"" << num(kTop + plot_h + drop + 42)
    << "\" text-anchor=\"middle\" font-size=\"15\">" << xml(chart.x_title) << "</text>\n";

  // x labels: every one if they fit, else every k-th.
  const size_t every = lines ? std::max<size_t>(1, slots / 12) : 1;
  for (size_t k = 0; k < slots; ++k) {
    if (k % every != 0 && k + 1 != slots) continue;
    const double x = x_of(k), y = kTop + plot_h + 20;
    o << "<line x1=\"" << num(x) << "\" x2=\"" << num(x) << "\" y1=\"" << kTop + plot_h
      << "\" y2=\"" << kTop + plot_h + 5 << "\" stroke=\"black\"/>\n";
    o << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" text-anchor=\""
      << (slanted ? "end" : "middle") << "\""
      << (slanted ? " font-size=\"13\" transform=\"rotate(-60," + num(x) + "," + num(y) + ")\""
                  : "")
      << ">" << xml(chart.x_labels[k]) << "</text>\n";
  }

  // Data.
  for (size_t q = 0; q < chart.series.size(); ++q) {
    const char* color = kColors[q % std::size(kColors)];
    const ChartSeries& s = chart.series[q];
    if (lines) {
      std::string points;
      for (size_t k = 0; k < slots; ++k) {
        points += num(x_of(k)) + "," + num(y_of(s.values[k])) + " ";
      }
      o << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2.5\" points=\""
        << points << "\"/>\n";
      for (size_t k = 0; k < slots; ++k) {
        o << "<circle cx=\"" << num(x_of(k)) << "\" cy=\"" << num(y_of(s.values[k]))
          << "\" r=\"4\" fill=\"" << color << "\"/>\n";
      }
    } else {
      const double slot = plot_w / static_cast<double>(std::max<size_t>(1, slots));
      const double bar = slot * 0.8 / static_cast<double>(chart.series.size());
      for (size_t k = 0; k < slots; ++k) {
        const double v = s.values[k];
        const double x =
            kLeft + slot * static_cast<double>(k) + slot * 0.1 + bar * static_cast<double>(q);
        o << "<rect x=\"" << num(x) << "\" y=\"" << num(y_of(v)) << "\" width=\"" << num(bar)
          << "\" height=\"" << num(kTop + plot_h - y_of(v)) << "\" fill=\"" << color << "\"/>\n";
      }
    }
    // Legend.
    const double ly = kTop + 10 + 24 * static_cast<double>(q);
    const double lx = kLeft + plot_w + 20;
    o << "<rect x=\"" << lx << "\" y=\"" << num(ly - 10) << "\" width=\"18\" height=\"12\" fill=\""
      << color << "\"/>\n";
    o << "<text x=\"" << lx + 26 << "\" y=\"" << num(ly + 1) << "\">" << xml(s.name) << "</text>\n";
  }

  // Caption: what was counted, over what.
  for (size_t i = 0; i < chart.caption.size(); ++i) {
    const double y = height - 16 - 20 * static_cast<double>(chart.caption.size() - 1 - i);
    o << "<text x=\"" << kLeft << "\" y=\"" << num(y) << "\" font-size=\"13\" fill=\"#333333\">"
      << xml(chart.caption[i]) << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

std::string thousands(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s.push_back(',');
    s.push_back(digits[i]);
  }
  return s;
}

std::string trend_svg(const TrendResult& result, const std::string& corpus,
                      const std::string& filters) {
  if (result.fields.size() != 1) {
    throw UsageError(
        "--plot draws a trend over one field, not " + std::to_string(result.fields.size()),
        "--plot");
  }
  const std::string& field = result.fields[0];
  Chart chart;
  std::vector<size_t> shown;  // buckets drawn: those with a value
  uint64_t unknown = 0;
  for (size_t i = 0; i < result.buckets.size(); ++i) {
    if (result.buckets[i].keys[0].empty()) {
      unknown += result.buckets[i].paragraphs;
      continue;
    }
    shown.push_back(i);
    chart.x_labels.push_back(result.buckets[i].labels[0]);
    if (field == "year") chart.x_values.push_back(std::stod(result.buckets[i].keys[0]));
  }
  std::string queries;
  for (const TrendSeries& s : result.series) {
    if (!s.error.empty()) continue;
    ChartSeries series{s.query, {}};
    for (size_t i : shown) series.values.push_back(per_10k_chars(s.counts[i], result.buckets[i]));
    chart.series.push_back(std::move(series));
    chart.title.append(chart.title.empty() ? "「" : "、「").append(s.query).append("」");
    queries.append(queries.empty() ? "" : "；").append(s.query);
  }
  chart.title.append(" 按").append(axis_name(field)).append("的出现频率");
  chart.y_title = "每万字出现次数";
  chart.x_title = axis_name(field);
  std::string line2 = "语料：" + corpus + "，" + thousands(result.whole.speeches) + " 篇讲话，" +
                      thousands(result.whole.paragraphs) + " 段，" + thousands(result.whole.chars) +
                      " 字";
  if (!filters.empty()) line2 += "；筛选：" + filters;
  if (unknown > 0) {
    line2.append("；未知").append(axis_name(field)).append("的 ").append(thousands(unknown));
    line2.append(" 段未画出");
  }
  chart.caption = {"检索式：" + queries + "（出现次数为段落中不重叠的匹配数）", line2};
  return chart_svg(chart);
}

}  // namespace speechdex::searcher
