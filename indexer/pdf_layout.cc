// The layout rules of pdf_layout.h. The thresholds are in ems of the line's font size, so
// they hold at any scale. The measurements behind them are from LibreOffice's output
// (tests/data/formats/speech.pdf and speech-block.pdf): a full line ends within 1.5 points of
// the text block's edge or hangs a punctuation mark up to an em into the margin; a
// paragraph's last line ends at least 1.5 ems short when justified, a character short when
// ragged; lines of a paragraph are 0.35 to 0.45 em apart and 10 points of space after a
// paragraph add 0.48 em; an indentation is 2 ems; a word processor's gap between CJK and Latin
// text is 0.25 em. An em is the line's box height where the font size is not given: 1.3 times
// the font size for the Noto CJK fonts.
#include "pdf_layout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <unordered_map>

#include "normalizer.h"

namespace speechdex::indexer {
namespace {

constexpr double kBandFraction = 0.15;  // of the page's height, at the top and the bottom
constexpr double kBucketPoints = 4;     // heights of furniture compared in 4-point buckets
constexpr double kIndentEms = 0.75;
constexpr double kFullSlackEms = 1.0 / 3;
constexpr double kExtraGapEms = 0.25;
constexpr double kSizeTolerance = 0.15;
constexpr double kWideGapEms = 1.0;
constexpr double kCentredEms = 1.0;
constexpr double kFlushEms = 0.1;
constexpr double kLongLineEms = 3;
constexpr double kMinBlockFraction = 0.8;
constexpr size_t kFullPageLines = 5;
// Coordinates beyond this are clamped, so hostile numbers cannot overflow a computation.
constexpr double kMaxCoordinate = 1e6;

bool is_space(char32_t c) {
  return c <= 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0x3000 || (c >= 0x2000 && c <= 0x200B) ||
         c == 0x202F || c == 0x205F || c == 0xFEFF;
}

// CJK characters and the punctuation Chinese text sets full width (— ‘ ’ “ ” … ·): no space
// is ever needed next to them.
bool is_cjk(char32_t c) {
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE10 && c <= 0xFE1F) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFFEF) ||
         (c >= 0x20000 && c <= 0x3FFFF) || (c >= 0x2014 && c <= 0x201F) || c == 0x2026 ||
         c == 0x00B7;
}

bool is_digit(char32_t c) { return (c >= U'0' && c <= U'9') || (c >= 0xFF10 && c <= 0xFF19); }

double clamp_coordinate(double v) { return std::clamp(v, -kMaxCoordinate, kMaxCoordinate); }

// The value at index q * size of the sorted values (the upper median for q = 0.5); 0 if
// there are none.
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  const auto index = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  const auto at = v.begin() + static_cast<std::ptrdiff_t>(index);
  std::nth_element(v.begin(), at, v.end());
  return *at;
}

double median(std::vector<double> v) { return quantile(std::move(v), 0.5); }

enum class Band : unsigned char { kNone, kTop, kBottom };

struct Line {
  std::u32string text;
  double left = 0;
  double top = 0;
  double right = 0;
  double bottom = 0;
  double size = 0;
  double lead = 0;  // width of the first unit
  int page = 0;
  bool typed_indent = false;
  Band band = Band::kNone;
  std::string rule;  // furniture rule, "" for text
};

// Width of the first unit of a word: its first character if that is CJK, else its leading
// run of Latin characters; estimated from the word's width, spread evenly over its
// characters.
double lead_width(const std::u32string& text, double width) {
  size_t start = 0;
  while (start < text.size() && is_space(text[start])) ++start;
  if (start == text.size()) return 0;
  size_t units = 1;
  if (!is_cjk(text[start])) {
    while (start + units < text.size() && !is_space(text[start + units]) &&
           !is_cjk(text[start + units])) {
      ++units;
    }
  }
  return width * static_cast<double>(units) / static_cast<double>(text.size());
}

bool has_text(const std::u32string& text) {
  return std::any_of(text.begin(), text.end(), [](char32_t c) { return !is_space(c); });
}

// Groups a page's words into lines (see assemble_pdf_text).
void add_lines(const PdfPage& page, int index, std::vector<Line>& lines) {
  const size_t first = lines.size();
  bool space_after_previous = false;
  for (const PdfWord& w : page.words) {
    if (!std::isfinite(w.left) || !std::isfinite(w.top) || !std::isfinite(w.right) ||
        !std::isfinite(w.bottom) || !std::isfinite(w.font_size)) {
      continue;
    }
    std::u32string text = schema::to_utf32(w.text);
    if (text.empty()) continue;
    const double left = clamp_coordinate(std::min(w.left, w.right));
    const double right = clamp_coordinate(std::max(w.left, w.right));
    const double top = clamp_coordinate(std::min(w.top, w.bottom));
    const double bottom = clamp_coordinate(std::max(w.top, w.bottom));
    double size = w.font_size > 0 ? std::min(w.font_size, kMaxCoordinate) : bottom - top;
    if (size <= 0) size = 1;

    if (lines.size() > first) {
      Line& line = lines.back();
      const double overlap = std::min(bottom, line.bottom) - std::max(top, line.top);
      const double shorter = std::min(bottom - top, line.bottom - line.top);
      if (overlap >= 0.5 * shorter && left >= line.right - 0.5 * size) {
        if (space_after_previous || left - line.right >= kWideGapEms * std::max(size, line.size)) {
          line.text += U' ';
        }
        line.text += text;
        line.right = std::max(line.right, right);
        line.top = std::min(line.top, top);
        line.bottom = std::max(line.bottom, bottom);
        line.size = std::max(line.size, size);
        space_after_previous = w.space_after;
        continue;
      }
    }
    Line line;
    line.lead = lead_width(text, right - left);
    line.typed_indent = is_space(text.front());
    line.text = std::move(text);
    line.left = left;
    line.top = top;
    line.right = right;
    line.bottom = bottom;
    line.size = size;
    line.page = index;
    lines.push_back(std::move(line));
    space_after_previous = w.space_after;
  }
  lines.erase(std::remove_if(lines.begin() + static_cast<std::ptrdiff_t>(first), lines.end(),
                             [](const Line& l) { return !has_text(l.text); }),
              lines.end());
}

// The line's text with white space removed and digits masked, as UTF-8.
std::string masked(const std::u32string& text) {
  std::string out;
  for (char32_t c : text) {
    if (is_space(c)) continue;
    if (is_digit(c)) {
      out += '#';
    } else {
      schema::append_utf8(c, out);
    }
  }
  return out;
}

bool similar_size(const Line& a, const Line& b) {
  return std::abs(a.size - b.size) <= kSizeTolerance * std::max(a.size, b.size);
}

// The usual gap between consecutive lines of a page, the second below the first, of about the
// same font size; furniture left out if `text_only`. The lower quartile, not the median:
// the gaps around furniture and between paragraphs are wider, and in a short document they
// may be as many as those inside paragraphs. None if no two such lines follow each other.
std::optional<double> usual_gap(const std::vector<Line>& lines, bool text_only) {
  std::vector<double> gaps;
  const Line* previous = nullptr;
  for (const Line& l : lines) {
    if (text_only && !l.rule.empty()) continue;
    if (previous != nullptr && previous->page == l.page && l.top > previous->top &&
        similar_size(*previous, l)) {
      gaps.push_back(l.top - previous->bottom);
    }
    previous = &l;
  }
  if (gaps.empty()) return std::nullopt;
  return quantile(std::move(gaps), 0.25);
}

// Marks the lines of the page's head and foot with their band: from the top (the bottom) of
// the page, the lines before the first wide gap, if they are all in the top (bottom) band.
// `order` holds the page's lines by height.
void mark_bands(std::vector<Line*>& order, double height, double gap) {
  std::sort(order.begin(), order.end(),
            [](const Line* a, const Line* b) { return a->top < b->top; });
  double reach = -kMaxCoordinate;
  for (size_t i = 0; i < order.size() && order[i]->bottom <= kBandFraction * height; ++i) {
    reach = std::max(reach, order[i]->bottom);
    if (i + 1 == order.size() ||
        order[i + 1]->top - reach >
            gap + kExtraGapEms * std::max(order[i]->size, order[i + 1]->size)) {
      for (size_t j = 0; j <= i; ++j) order[j]->band = Band::kTop;
      break;
    }
  }
  std::sort(order.begin(), order.end(),
            [](const Line* a, const Line* b) { return a->bottom > b->bottom; });
  reach = kMaxCoordinate;
  for (size_t i = 0; i < order.size() && order[i]->top >= (1 - kBandFraction) * height; ++i) {
    reach = std::min(reach, order[i]->top);
    if (i + 1 == order.size() ||
        reach - order[i + 1]->bottom >
            gap + kExtraGapEms * std::max(order[i]->size, order[i + 1]->size)) {
      for (size_t j = 0; j <= i; ++j) order[j]->band = Band::kBottom;
      break;
    }
  }
}

void mark_furniture(std::vector<Line>& lines, const std::vector<PdfPage>& pages) {
  // Without a usual gap, any gap of a quarter em sets the head and foot apart.
  const double gap = usual_gap(lines, false).value_or(0);
  for (size_t begin = 0, end = 0; begin < lines.size(); begin = end) {
    std::vector<Line*> order;
    for (end = begin; end < lines.size() && lines[end].page == lines[begin].page; ++end) {
      order.push_back(&lines[end]);
    }
    const double height = pages[static_cast<size_t>(lines[begin].page)].height;
    if (height > 0) mark_bands(order, std::min(height, kMaxCoordinate), gap);
  }

  // Pages on which each masked text stands in a band, by 4-point bucket of height.
  std::unordered_map<std::string, std::set<int>> pages_at;
  auto key = [](Band band, long bucket, const std::string& text) {
    return std::to_string(static_cast<int>(band)) + ' ' + std::to_string(bucket) + ' ' + text;
  };
  auto bucket_of = [](const Line& l) { return std::lround(l.top / kBucketPoints); };
  for (const Line& l : lines) {
    if (l.band != Band::kNone) pages_at[key(l.band, bucket_of(l), masked(l.text))].insert(l.page);
  }
  for (Line& l : lines) {
    if (l.band == Band::kNone) continue;
    if (is_page_number(schema::to_utf8(l.text))) {
      l.rule = "page number";
      continue;
    }
    const std::string text = masked(l.text);
    const long bucket = bucket_of(l);
    for (long b = bucket - 1; b <= bucket + 1; ++b) {
      const auto at = pages_at.find(key(l.band, b, text));
      if (at != pages_at.end() && (at->second.size() >= 2 || *at->second.begin() != l.page)) {
        l.rule = l.band == Band::kTop ? "page header" : "page footer";
        break;
      }
    }
  }
}

// The text block of each page (see assemble_pdf_text) and the usual gap between lines.
struct Block {
  std::vector<double> left;  // by page
  double width = 0;
  double gap = 0;
};

Block measure(const std::vector<Line>& lines, size_t page_count, double page_width) {
  std::vector<size_t> count(page_count, 0);
  std::vector<double> page_left(page_count, kMaxCoordinate);
  for (const Line& l : lines) {
    if (!l.rule.empty()) continue;
    const auto p = static_cast<size_t>(l.page);
    ++count[p];
    page_left[p] = std::min(page_left[p], l.left);
  }
  std::vector<double> full_page_lefts;
  double any_left = kMaxCoordinate;
  for (size_t p = 0; p < page_count; ++p) {
    if (count[p] >= kFullPageLines) full_page_lefts.push_back(page_left[p]);
    any_left = std::min(any_left, page_left[p]);
  }
  const bool have_full_pages = !full_page_lefts.empty();
  const double usual_left = have_full_pages ? median(full_page_lefts) : any_left;

  Block block;
  block.left.resize(page_count);
  for (size_t p = 0; p < page_count; ++p) {
    block.left[p] = count[p] >= kFullPageLines ? page_left[p] : std::min(page_left[p], usual_left);
  }

  std::vector<double> widths;
  std::vector<double> sizes;
  for (const Line& l : lines) {
    if (!l.rule.empty()) continue;
    const auto p = static_cast<size_t>(l.page);
    if (!have_full_pages || count[p] >= kFullPageLines) {
      widths.push_back(l.right - block.left[p]);
      sizes.push_back(l.size);
    }
  }
  if (!widths.empty()) {
    const double longest = *std::max_element(widths.begin(), widths.end());
    const double em = median(sizes);
    std::vector<double> long_widths;
    for (double w : widths) {
      if (w >= longest - kLongLineEms * em) long_widths.push_back(w);
    }
    block.width = median(long_widths);
  }
  // A page of short lines alone is not a block of full ones: the block is at least most of
  // the page's width less its left margin on both sides.
  if (usual_left < kMaxCoordinate && page_width > 0) {
    block.width = std::max(block.width, kMinBlockFraction * (page_width - 2 * usual_left));
  }
  // Without a usual gap, no gap is taken for paragraph spacing.
  block.gap = usual_gap(lines, true).value_or(std::numeric_limits<double>::infinity());
  return block;
}

// The width of most pages (the median).
double usual_page_width(const std::vector<PdfPage>& pages) {
  std::vector<double> widths;
  for (const PdfPage& p : pages) {
    if (std::isfinite(p.width) && p.width > 0) widths.push_back(std::min(p.width, kMaxCoordinate));
  }
  return median(widths);
}

enum class Join : unsigned char { kContinue, kBreak, kSpacedBreak };

bool is_centred(const Line& l, const Block& block) {
  const double centre = block.left[static_cast<size_t>(l.page)] + block.width / 2;
  return std::abs((l.left + l.right) / 2 - centre) <= kCentredEms * l.size;
}

Join join_of(const Line& a, const Line& b, const Block& block) {
  if (a.page == b.page && b.top > a.top && b.top - a.bottom > block.gap + kExtraGapEms * a.size) {
    return Join::kSpacedBreak;
  }
  if (!similar_size(a, b)) return Join::kBreak;
  const double a_left = block.left[static_cast<size_t>(a.page)];
  const double b_left = block.left[static_cast<size_t>(b.page)];
  const double room = a_left + block.width - a.right;
  const double lead = b.lead > 0 ? b.lead : b.size;
  if (room >= lead + kFullSlackEms * a.size) return Join::kBreak;
  const bool indented = b.typed_indent || b.left - b_left >= kIndentEms * b.size;
  if (!indented) return Join::kContinue;
  const bool wrapped_centred =
      a.left - a_left >= kFlushEms * a.size && is_centred(a, block) && is_centred(b, block);
  return wrapped_centred ? Join::kContinue : Join::kBreak;
}

// True if most of the line's characters are CJK.
bool cjk_context(const std::u32string& text) {
  size_t cjk = 0;
  size_t other = 0;
  for (char32_t c : text) {
    if (is_space(c)) continue;
    (is_cjk(c) ? cjk : other) += 1;
  }
  return cjk >= other;
}

bool ends_with_hyphen(const std::u32string& text) {
  for (auto c = text.rbegin(); c != text.rend(); ++c) {
    if (is_space(*c)) continue;
    return *c == U'-' || *c == 0x2010;
  }
  return false;
}

// Collapses white space to one space, none next to a CJK character, none at the ends.
std::string tidy(const std::u32string& text) {
  std::string out;
  char32_t last = 0;
  bool space = false;
  for (char32_t c : text) {
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && last != 0 && !is_cjk(last) && !is_cjk(c)) out += ' ';
    schema::append_utf8(c, out);
    last = c;
    space = false;
  }
  return out;
}

}  // namespace

ExtractedText assemble_pdf_text(const std::vector<PdfPage>& pages) {
  std::vector<Line> lines;
  for (size_t p = 0; p < pages.size(); ++p) add_lines(pages[p], static_cast<int>(p), lines);
  mark_furniture(lines, pages);
  const Block block = measure(lines, pages.size(), usual_page_width(pages));

  ExtractedText out;
  auto emit = [&out](const std::string& text, const std::string& rule) {
    if (!out.furniture.empty()) out.utf8 += '\n';
    out.utf8 += text;
    out.furniture.push_back(rule);
  };
  std::u32string paragraph;
  const Line* last = nullptr;        // the paragraph's last line
  std::vector<const Line*> pending;  // furniture met inside the paragraph
  auto flush = [&]() {
    if (last != nullptr) emit(tidy(paragraph), "");
    for (const Line* f : pending) emit(tidy(f->text), f->rule);
    pending.clear();
    paragraph.clear();
    last = nullptr;
  };
  for (const Line& l : lines) {
    if (!l.rule.empty()) {
      if (last != nullptr) {
        pending.push_back(&l);
      } else {
        emit(tidy(l.text), l.rule);
      }
      continue;
    }
    if (last != nullptr) {
      const Join join = join_of(*last, l, block);
      if (join == Join::kContinue) {
        if (!cjk_context(last->text) && !ends_with_hyphen(last->text)) paragraph += U' ';
        paragraph += l.text;
        last = &l;
        continue;
      }
      flush();
      if (join == Join::kSpacedBreak) emit("", "");
    }
    paragraph = l.text;
    last = &l;
  }
  flush();
  return out;
}

bool is_page_number(std::string_view text) {
  // Normalized: no white space, ASCII digits, lower case.
  std::u32string s;
  for (char32_t c : schema::to_utf32(text)) {
    if (is_space(c)) continue;
    if (c >= 0xFF10 && c <= 0xFF19) c = U'0' + (c - 0xFF10);
    if (c >= 0xFF21 && c <= 0xFF3A) c = U'a' + (c - 0xFF21);
    if (c >= 0xFF41 && c <= 0xFF5A) c = U'a' + (c - 0xFF41);
    if (c >= U'A' && c <= U'Z') c = c - U'A' + U'a';
    s += c;
  }
  static constexpr std::u32string_view kDecorations =
      U"-\u2010\u2011\u2012\u2013\u2014\u2015\u2500\u2501\uFF0D_\uFF3F~\uFF5E\u00B7\u2022*=."
      U"[]()\uFF08\uFF09\u3010\u3011\u3014\u3015<>\u300A\u300B\u3008\u3009|";
  const size_t first = s.find_first_not_of(kDecorations);
  if (first == std::u32string::npos) return false;
  const size_t last = s.find_last_not_of(kDecorations);
  std::u32string_view rest = std::u32string_view(s).substr(first, last - first + 1);

  // A small cursor over `rest`: each accept_* consumes what it names.
  auto accept = [&rest](std::u32string_view word) {
    if (rest.substr(0, word.size()) != word) return false;
    rest.remove_prefix(word.size());
    return true;
  };
  auto accept_number = [&rest](bool chinese) {
    static constexpr std::u32string_view kChineseDigits = U"〇零一二三四五六七八九十百千";
    size_t n = 0;
    while (n < rest.size() && n < 6 &&
           ((rest[n] >= U'0' && rest[n] <= U'9') ||
            (chinese && kChineseDigits.find(rest[n]) != std::u32string_view::npos))) {
      ++n;
    }
    if (n == 0 || (n < rest.size() && rest[n] >= U'0' && rest[n] <= U'9')) return false;
    rest.remove_prefix(n);
    return true;
  };
  auto optional_separator = [&accept]() {  // true: the separator may be missing
    for (std::u32string_view separator : {U",", U"，", U"/", U"／", U"、"}) {
      if (accept(separator)) break;
    }
    return true;
  };
  auto accept_di = [&]() { return accept(U"第") && accept_number(true) && accept(U"页"); };
  auto accept_gong = [&]() { return accept(U"共") && accept_number(true) && accept(U"页"); };

  const std::u32string_view whole = rest;
  // 第3页, 第3页共10页, 第3页/共10页
  if (accept_di() && (rest.empty() || (optional_separator() && accept_gong() && rest.empty()))) {
    return true;
  }
  rest = whole;
  // 共10页第3页
  if (accept_gong() && optional_separator() && accept_di() && rest.empty()) return true;
  rest = whole;
  // page 3, page 3 of 10
  if (accept(U"page") && accept_number(false) &&
      (rest.empty() || (accept(U"of") && accept_number(false) && rest.empty()))) {
    return true;
  }
  rest = whole;
  // 3, 3/10, 3 of 10
  if (accept_number(false) && (rest.empty() || ((accept(U"/") || accept(U"／") || accept(U"of")) &&
                                                accept_number(false) && rest.empty()))) {
    return true;
  }
  // Roman numerals of front matter: i, iv, xii.
  return whole.size() <= 6 && std::all_of(whole.begin(), whole.end(), [](char32_t c) {
           return c == U'i' || c == U'v' || c == U'x';
         });
}

}  // namespace speechdex::indexer
