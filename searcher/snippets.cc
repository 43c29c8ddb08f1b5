// Snippet windows cut on character boundaries around the first match.
#include "snippets.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "tokenizer.h"

namespace speechdex::searcher {
namespace {

bool is_lead(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

// Byte offset of every code point start, plus text.size().
std::vector<size_t> char_starts(const std::string& text) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < text.size(); ++i) {
    if (is_lead(text[i])) starts.push_back(i);
  }
  starts.push_back(text.size());
  return starts;
}

}  // namespace

std::vector<Range> find_matches(const std::string& text,
                                const std::vector<std::vector<std::string>>& highlights) {
  std::vector<Range> ranges;
  if (highlights.empty()) return ranges;
  const std::vector<schema::Unit> units = schema::tokenize(text);
  // The highlights by their first unit, so each unit of the text is tried only against those
  // that start with it: a query of 20,000 ORed words took 60 ms a hit when each was tried at
  // every unit.
  std::unordered_map<std::string_view, std::vector<const std::vector<std::string>*>> by_first;
  for (const auto& seq : highlights) {
    if (!seq.empty() && seq.size() <= units.size()) by_first[seq.front()].push_back(&seq);
  }
  for (size_t i = 0; i < units.size() && !by_first.empty(); ++i) {
    const auto found = by_first.find(units[i].text);
    if (found == by_first.end()) continue;
    for (const std::vector<std::string>* seq : found->second) {
      if (seq->size() > units.size() - i) continue;
      bool ok = true;
      for (size_t k = 1; k < seq->size() && ok; ++k) ok = units[i + k].text == (*seq)[k];
      if (ok) ranges.emplace_back(units[i].begin, units[i + seq->size() - 1].end);
    }
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<Range> merged;
  for (const Range& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

std::vector<Range> to_char_ranges(const std::string& text, const std::vector<Range>& bytes) {
  const std::vector<size_t> starts = char_starts(text);
  auto index = [&](size_t byte) {
    return static_cast<size_t>(std::lower_bound(starts.begin(), starts.end(), byte) -
                               starts.begin());
  };
  std::vector<Range> out;
  for (const Range& r : bytes) out.emplace_back(index(r.first), index(r.second));
  return out;
}

std::vector<Segment> make_snippet(const std::string& text, const std::vector<Range>& matches,
                                  size_t width) {
  const std::vector<size_t> starts = char_starts(text);
  const size_t chars = starts.size() - 1;
  size_t from = 0, to = chars;
  if (chars > width) {
    size_t first = 0;
    if (!matches.empty()) {
      first = static_cast<size_t>(
          std::lower_bound(starts.begin(), starts.end(), matches.front().first) - starts.begin());
    }
    const size_t before = width / 4;
    from = first > before ? first - before : 0;
    to = std::min(chars, from + width);
    if (to - from < width) from = to > width ? to - width : 0;
  }
  const size_t b0 = starts[from], b1 = starts[to];
  std::vector<Segment> out;
  if (from > 0) out.push_back({"…", false});
  size_t at = b0;
  for (const Range& m : matches) {
    if (m.second <= b0 || m.first >= b1) continue;
    const size_t mb = std::max(m.first, b0), me = std::min(m.second, b1);
    if (mb > at) out.push_back({text.substr(at, mb - at), false});
    out.push_back({text.substr(mb, me - mb), true});
    at = me;
  }
  if (at < b1) out.push_back({text.substr(at, b1 - at), false});
  if (to < chars) out.push_back({"…", false});
  return out;
}

std::string render(const std::vector<Segment>& segments, const std::string& open,
                   const std::string& close) {
  std::string out;
  for (const Segment& s : segments) {
    if (s.match) {
      out += open;
      out += s.text;
      out += close;
    } else {
      out += s.text;
    }
  }
  return out;
}

}  // namespace speechdex::searcher
