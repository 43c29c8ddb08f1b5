// Snippets and KWIC: where a query's parts occur in a paragraph, and a window around them.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace speechdex::searcher {

/// A byte range [first, second) in a paragraph's text.
using Range = std::pair<size_t, size_t>;

/// The byte ranges of `text` where any highlight (a sequence of normalized unit texts)
/// occurs, found by the same tokenizer the index uses; sorted, overlaps merged.
std::vector<Range> find_matches(const std::string& text,
                                const std::vector<std::vector<std::string>>& highlights);

/// Converts byte ranges of `text` to code point ranges.
std::vector<Range> to_char_ranges(const std::string& text, const std::vector<Range>& bytes);

/// A piece of a snippet, matched or not.
struct Segment {
  std::string text;
  bool match = false;
};

/// A window of `text` of at most `width` characters around its first match (the start
/// of the text if there is none), cut into segments; "…" marks text left out at either end.
std::vector<Segment> make_snippet(const std::string& text, const std::vector<Range>& matches,
                                  size_t width = 160);

/// Renders segments with `open` and `close` around each match.
std::string render(const std::vector<Segment>& segments, const std::string& open,
                   const std::string& close);

}  // namespace speechdex::searcher
