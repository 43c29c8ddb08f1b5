// Charts as SVG for a paper: lines over years, bars for other buckets (trends, adoption).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trend.h"

namespace speechdex::searcher {

/// One line (or one colour of bars) of a chart: a value per x slot.
struct ChartSeries {
  std::string name;            ///< in the legend
  std::vector<double> values;  ///< one per slot of Chart::x_labels
};

/// What a chart shows. The y axis starts at 0 and ends at a round number above the largest
/// value, with about five ticks.
struct Chart {
  std::string title, x_title, y_title;
  std::vector<std::string> x_labels;  ///< one per slot
  /// Lines: each slot's place on a numeric x axis (years: missing ones stay gaps).
  /// Empty: bars, grouped per slot, slots evenly spaced (labels slanted when many).
  std::vector<double> x_values;
  bool integer_ticks = false;        ///< y ticks at whole numbers only (counts)
  std::vector<ChartSeries> series;   ///< lines or bar colours, with a legend
  std::vector<std::string> caption;  ///< lines of small text under the chart
};

/// The chart as a standalone SVG document (960 px wide; fonts named so that a CJK font
/// renders Chinese labels).
std::string chart_svg(const Chart& chart);

/// 12,345: a count with thousands separators, for captions.
std::string thousands(uint64_t n);

/// The chart of a one-field trend: occurrences per 10,000 characters by bucket, one line
/// per query over years (bars grouped by bucket for counties, provinces, topics, roles),
/// axis titles in Chinese, a legend of the queries and a caption naming the queries, the
/// corpus (`corpus`, e.g. the database path, and its speeches, paragraphs and characters)
/// and the filters (`filters`, "" if none). The bucket of paragraphs with no value is left
/// out and the caption says how many paragraphs it holds. Series with an error are left out.
/// Throws UsageError for a two-field trend.
std::string trend_svg(const TrendResult& result, const std::string& corpus,
                      const std::string& filters);

}  // namespace speechdex::searcher
