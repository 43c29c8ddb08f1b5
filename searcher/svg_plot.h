// A trend as an SVG chart for a paper: lines over years, bars for other buckets.
#pragma once

#include <string>

#include "trend.h"

namespace speechdex::searcher {

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
