// Paragraph and speech structure from cleaned lines. The rules read the normalized text
// (NFKC: ，->, ：->: （）->()) so full-width and half-width forms behave alike.
#include "speech_splitter.h"

#include <algorithm>
#include <array>
#include <optional>

#include "normalizer.h"
#include "record.h"

namespace speechdex::indexer {
namespace {

using schema::to_utf32;

int cn_digit(char32_t c) {
  static constexpr std::u32string_view kDigits = U"〇一二三四五六七八九";
  const size_t at = kDigits.find(c);
  if (at != std::u32string_view::npos) return static_cast<int>(at);
  if (c == U'两') return 2;
  return -1;
}

// Parses a Chinese numeral of up to 99 (一, 十, 十二, 二十, 二十三) at the start of s.
std::optional<int> parse_cn_number(std::u32string_view s, size_t& len) {
  len = 0;
  int value = 0;
  if (!s.empty() && s[0] == U'十') {
    value = 10;
    len = 1;
    if (s.size() > 1 && cn_digit(s[1]) > 0) {
      value += cn_digit(s[1]);
      len = 2;
    }
    return value;
  }
  if (s.empty() || cn_digit(s[0]) <= 0) return std::nullopt;
  value = cn_digit(s[0]);
  len = 1;
  if (s.size() > 1 && s[1] == U'十') {
    value *= 10;
    len = 2;
    if (s.size() > 2 && cn_digit(s[2]) > 0) {
      value += cn_digit(s[2]);
      len = 3;
    }
  }
  return value;
}

std::optional<int> parse_arabic(std::u32string_view s, size_t& len) {
  len = 0;
  int value = 0;
  while (len < s.size() && len < 3 && s[len] >= U'0' && s[len] <= U'9') {
    value = value * 10 + static_cast<int>(s[len] - U'0');
    ++len;
  }
  if (len == 0 || len == 3) return std::nullopt;
  return value;
}

bool is_sentence_end(char32_t c) {
  return c == U'。' || c == U'!' || c == U'?' || c == U';' || c == U':' || c == U'.' || c == U'…';
}

bool is_closing(char32_t c) {
  return c == U'”' || c == U'’' || c == U'"' || c == U'\'' || c == U')' || c == U'」' ||
         c == U'』' || c == U'】' || c == U'》' || c == U']';
}

// Characters after which a line cannot end: the text is certainly cut.
bool is_dangling(char32_t c) {
  return c == U'、' || c == U',' || c == U'(' || c == U'《' || c == U'“' || c == U'「' ||
         c == U'【' || c == U'第';
}

bool starts_with(std::u32string_view s, std::u32string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}

bool ends_with(std::u32string_view s, std::u32string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// A whole line in brackets: a date or a note under a title, (2019年3月5日).
bool is_parenthetical(std::u32string_view s) {
  return s.size() >= 3 && s.front() == U'(' && s.back() == U')' && s.find(U')') == s.size() - 1;
}

// The heading part of a heading paragraph: up to its first sentence end when the
// paragraph goes on after it, else the whole text when it is short.
std::string heading_text(const std::string& text) {
  const std::u32string u = to_utf32(text);
  for (size_t i = 0; i < u.size() && i < 60; ++i) {
    if (u[i] == U'。' || u[i] == U'；' || u[i] == U'：' || u[i] == U'！' || u[i] == U'？') {
      return schema::to_utf8(std::u32string_view(u).substr(0, i + 1));
    }
  }
  if (u.size() <= 100) return text;
  return schema::to_utf8(std::u32string_view(u).substr(0, 60)) + "…";
}

constexpr size_t kMinTitleChars = 8;

struct LineInfo {
  const Line* line;
  std::u32string norm;
  Enumerator en;
  bool marker, salutation, parenthetical;
};

struct Block {
  std::string text;
  std::u32string norm;
  int first_line, last_line;
  bool marker = false, salutation = false;
  int heading_level = 0;  // 1 or 2 for a heading in sequence
  bool item = false;      // starts with any other enumerator
};

// Heading numbers seen so far in the current speech.
struct HeadingCounters {
  int level1 = 0, level2 = 0;
  // The level a line's enumerator gives it, if it is the first or next at that level.
  int level_of(const Enumerator& e) const {
    if (e.kind == EnumKind::kCnComma && (e.value == 1 || e.value == level1 + 1)) return 1;
    if (e.kind == EnumKind::kCnParen && (e.value == 1 || e.value == level2 + 1)) return 2;
    return 0;
  }
  void see(int level, int value) {
    if (level == 1) {
      level1 = value;
      level2 = 0;
    } else if (level == 2) {
      level2 = value;
    }
  }
};

bool can_continue(const Block& b, const LineInfo& next, int next_level) {
  if (b.marker || b.salutation) return false;
  if (next.marker || next.salutation || next.parenthetical || next_level > 0) return false;
  // A complete title on its own line starts a paragraph (a fragment such as 会议上的讲话
  // is shorter than any real title).
  if (next.norm.size() >= kMinTitleChars && is_title_like(next.norm)) return false;
  if (next.en.kind != EnumKind::kNone && next.en.kind != EnumKind::kCnComma &&
      next.en.kind != EnumKind::kCnParen) {
    return false;  // an enumerated item (一是, 第一，, 1.) starts a paragraph
  }
  if (b.norm.empty()) return false;
  const char32_t last = b.norm.back();
  if (is_dangling(last)) return true;
  // A heading alone on its line is complete; a heading followed by its paragraph on
  // the same line is a paragraph like any other.
  if (b.heading_level > 0 && heading_text(b.text) == b.text) return false;
  if (ends_sentence(b.norm)) return false;
  if (is_title_like(b.norm)) return false;
  return true;
}

// Cuts paragraphs longer than kMaxParagraphBytes (cut_long); each piece keeps the
// paragraph's kind, headings and lines.
void cut_long_paragraphs(std::vector<Paragraph>& paragraphs) {
  if (std::none_of(paragraphs.begin(), paragraphs.end(),
                   [](const Paragraph& p) { return p.text.size() > kMaxParagraphBytes; })) {
    return;
  }
  std::vector<Paragraph> out;
  for (Paragraph& p : paragraphs) {
    if (p.text.size() <= kMaxParagraphBytes) {
      out.push_back(std::move(p));
      continue;
    }
    const std::string text = std::move(p.text);
    for (std::string_view piece : cut_long(text)) {
      Paragraph q = p;  // its text moved out: a copy of the rest
      q.text = trim(piece);
      if (!q.text.empty()) out.push_back(std::move(q));
    }
  }
  paragraphs.swap(out);
}

}  // namespace

Enumerator parse_enumerator(std::u32string_view s) {
  size_t len = 0;
  if (!s.empty() && s[0] == U'(') {
    const std::u32string_view rest = std::u32string_view(s).substr(1);
    if (auto v = parse_cn_number(rest, len); v && len < rest.size() && rest[len] == U')') {
      return {EnumKind::kCnParen, *v};
    }
    if (auto v = parse_arabic(rest, len); v && len < rest.size() && rest[len] == U')') {
      return {EnumKind::kNumParen, *v};
    }
    return {};
  }
  if (!s.empty() && s[0] == U'第') {
    const std::u32string_view rest = std::u32string_view(s).substr(1);
    if (auto v = parse_cn_number(rest, len);
        v && len < rest.size() && (rest[len] == U'、' || rest[len] == U',' || rest[len] == U':')) {
      return {EnumKind::kDi, *v};
    }
    return {};
  }
  if (auto v = parse_cn_number(s, len); v && len < s.size()) {
    if (s[len] == U'、' ||
        (s[len] == U'.' && (len + 1 == s.size() || s[len + 1] < U'0' || s[len + 1] > U'9'))) {
      return {EnumKind::kCnComma, *v};
    }
    if (s[len] == U'是' && *v <= 20) return {EnumKind::kShi, *v};
    return {};
  }
  if (auto v = parse_arabic(s, len); v && len < s.size()) {
    const bool digit_follows = len + 1 < s.size() && s[len + 1] >= U'0' && s[len + 1] <= U'9';
    if (s[len] == U'、' || (s[len] == U'.' && !digit_follows)) return {EnumKind::kNumComma, *v};
  }
  return {};
}

bool ends_sentence(std::u32string_view s) {
  while (!s.empty() && is_closing(s.back())) {
    if (s.back() == U')' && s.size() >= 2 && !is_sentence_end(s[s.size() - 2])) {
      return false;  // 发展(摘要) ends a title, not a sentence
    }
    s.remove_suffix(1);
  }
  return !s.empty() && is_sentence_end(s.back());
}

bool is_title_like(std::u32string_view s) {
  if (s.size() < 4 || s.size() > 80) return false;
  // Drop a short addition in brackets: (摘要), (节选), (2019年3月5日).
  if (!s.empty() && s.back() == U')') {
    const size_t open = s.rfind(U'(');
    if (open != std::u32string::npos && s.size() - open <= 14) s = s.substr(0, open);
  }
  while (!s.empty() && (s.back() == U'"' || s.back() == U'”')) s.remove_suffix(1);
  static constexpr std::array<std::u32string_view, 8> kEndings = {
      U"讲话", U"致辞", U"发言", U"讲稿", U"报告", U"主持词", U"讲话提纲", U"汇报"};
  for (std::u32string_view e : kEndings) {
    if (ends_with(s, e)) return true;
  }
  return false;
}

bool is_salutation(std::u32string_view s) {
  if (s.size() < 3 || s.size() > 30) return false;
  if (s.back() != U':' && s.back() != U',' && s.back() != U'!') return false;
  for (std::u32string_view w : {U"同志们", U"代表", U"委员", U"朋友们", U"来宾", U"领导"}) {
    if (s.find(w) != std::u32string::npos) return true;
  }
  return false;
}

bool is_speech_marker(std::u32string_view norm) {
  std::u32string s;
  for (char32_t c : norm) {
    if (c != U' ' && c != U'\t') s.push_back(c);
  }
  while (!s.empty() && (s.front() == U'>' || s.front() == U'【' || s.front() == U'[')) {
    s.erase(0, 1);
  }
  while (!s.empty() && (s.back() == U'】' || s.back() == U']')) s.pop_back();
  size_t len = 0;
  if (starts_with(s, U"篇")) {
    const std::u32string_view rest = std::u32string_view(s).substr(1);
    return (parse_cn_number(rest, len) || parse_arabic(rest, len)) && len == rest.size();
  }
  if (starts_with(s, U"第") && ends_with(s, U"篇")) {
    const std::u32string_view mid = std::u32string_view(s).substr(1, s.size() - 2);
    return (parse_cn_number(mid, len) || parse_arabic(mid, len)) && len == mid.size();
  }
  return false;
}

// The same five of UTF-8 text.
Enumerator parse_enumerator(std::string_view norm) { return parse_enumerator(to_utf32(norm)); }
bool ends_sentence(std::string_view norm) { return ends_sentence(to_utf32(norm)); }
bool is_title_like(std::string_view norm) { return is_title_like(to_utf32(norm)); }
bool is_salutation(std::string_view norm) { return is_salutation(to_utf32(norm)); }
bool is_speech_marker(std::string_view norm) { return is_speech_marker(to_utf32(norm)); }

SplitResult split_lines(std::string_view text) {
  SplitResult result;
  Speech speech;
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    std::string line = trim(text.substr(start, end - start));
    if (!line.empty()) {
      speech.paragraphs.push_back(
          {std::move(line), std::string(schema::kKindText), "", "", number, number, ""});
    }
    start = end + 1;
  }
  cut_long_paragraphs(speech.paragraphs);
  if (!speech.paragraphs.empty()) result.speeches.push_back(std::move(speech));
  return result;
}

SplitResult split_speeches(const std::vector<Line>& lines, bool front_matter) {
  SplitResult result;

  // Pass 1: content lines -> blocks (paragraph candidates), rejoining hard wraps.
  std::vector<Block> blocks;
  std::vector<Paragraph> set_aside;  // in line order once front matter is added (below)
  HeadingCounters counters;
  bool open = false;
  for (const Line& line : lines) {
    if (line.cls != LineClass::kContent) {
      if (line.cls == LineClass::kBoilerplate) {
        ++result.boilerplate_lines;
        Paragraph p{
            line.text,  std::string(schema::kKindBoilerplate), "", "", line.number, line.number,
            line.reason};
        set_aside.push_back(std::move(p));
      }
      open = false;
      continue;
    }
    LineInfo info{&line, to_utf32(line.norm), {}, false, false, false};
    info.en = parse_enumerator(info.norm);
    info.marker = is_speech_marker(info.norm);
    info.salutation = is_salutation(info.norm);
    info.parenthetical = is_parenthetical(info.norm);
    if (info.marker || info.salutation) counters = HeadingCounters{};
    const int level = counters.level_of(info.en);
    // A paragraph stops growing at the limit: the rest of a huge line starts the next one.
    if (open && blocks.back().text.size() + line.text.size() <= kMaxParagraphBytes &&
        can_continue(blocks.back(), info, level)) {
      Block& b = blocks.back();
      const char last = b.text.empty() ? ' ' : b.text.back();
      const char first = line.text.empty() ? ' ' : line.text.front();
      if (std::isalnum(static_cast<unsigned char>(last)) &&
          std::isalnum(static_cast<unsigned char>(first))) {
        b.text.push_back(' ');
      }
      b.text += line.text;
      b.norm += info.norm;
      b.last_line = line.number;
      continue;
    }
    Block b;
    b.text = line.text;
    b.norm = info.norm;
    b.first_line = b.last_line = line.number;
    b.marker = info.marker;
    b.salutation = info.salutation;
    b.heading_level = level;
    b.item = info.en.kind != EnumKind::kNone && level == 0;
    if (level > 0) counters.see(level, info.en.value);
    blocks.push_back(std::move(b));
    open = true;
  }

  // Pass 2: front matter. The speech starts at the first title, marker or salutation
  // near the top; a short non-sentence just before a salutation is a title too.
  // A salutation follows block k, perhaps after a few short lines under a title (a date,
  // a subtitle, the speaker's name).
  auto salutation_follows = [&](size_t k) {
    for (size_t j = k + 1; j < blocks.size() && j <= k + 4; ++j) {
      if (blocks[j].salutation) return true;
      if (blocks[j].marker || blocks[j].heading_level > 0 || blocks[j].norm.size() > 40 ||
          ends_sentence(blocks[j].norm)) {
        return false;
      }
    }
    return false;
  };
  auto title_at = [&](size_t k) {
    const std::u32string& n = blocks[k].norm;
    if (is_title_like(n)) return true;
    return k + 1 < blocks.size() && blocks[k + 1].salutation && blocks[k].norm.size() <= 60 &&
           !ends_sentence(n) && !blocks[k].marker && blocks[k].heading_level == 0;
  };
  size_t first = 0;
  for (size_t k = 0; front_matter && k < blocks.size() && k < 20; ++k) {
    if (blocks[k].marker || blocks[k].salutation || title_at(k)) {
      first = k;
      break;
    }
  }
  for (size_t k = 0; k < first; ++k) {
    result.front_matter_lines += blocks[k].last_line - blocks[k].first_line + 1;
    Paragraph p{blocks[k].text,
                std::string(schema::kKindBoilerplate),
                "",
                "",
                blocks[k].first_line,
                blocks[k].last_line,
                "front matter"};
    set_aside.push_back(std::move(p));
  }
  std::stable_sort(set_aside.begin(), set_aside.end(), [](const Paragraph& a, const Paragraph& b) {
    return a.first_line < b.first_line;
  });

  // Pass 3: speeches, titles and headings. A speech has its own title or not yet, and its
  // body has started once a salutation, a sentence or a heading is in it; lines under a
  // title (speaker, date) do not start the body.
  std::string file_title;
  Speech* cur = nullptr;
  bool own_title = false, started = false;
  auto start_speech = [&](const std::string& title, bool is_own) {
    result.speeches.emplace_back();
    cur = &result.speeches.back();
    cur->title = title;
    own_title = is_own;
    started = false;
  };
  auto opening_line = [&](const Block& b) {
    return b.norm.size() <= 40 && b.heading_level == 0 && !b.salutation && !ends_sentence(b.norm);
  };
  std::string section, subsection;
  for (size_t k = first; k < blocks.size(); ++k) {
    const Block& b = blocks[k];
    if (b.marker) {
      if (cur == nullptr || started) start_speech(file_title, false);
      section.clear();
      subsection.clear();
      continue;
    }
    const bool titled = is_title_like(b.norm);
    const bool untitled_head =
        !titled && title_at(k) && (cur == nullptr || (!own_title && !started));
    if (titled || untitled_head) {
      bool take = false;
      if (cur == nullptr) {
        if (file_title.empty()) file_title = b.text;
        start_speech(b.text, true);
        take = true;
      } else if (!started && !own_title) {
        cur->title = b.text;
        own_title = true;
        take = true;
      } else if (started && salutation_follows(k)) {
        start_speech(b.text, true);
        take = true;
      }
      if (take) {
        cur->paragraphs.push_back(
            {b.text, std::string(schema::kKindTitle), "", "", b.first_line, b.last_line, ""});
        section.clear();
        subsection.clear();
        continue;
      }
    }
    if (cur == nullptr) start_speech(file_title, false);
    if (!opening_line(b)) started = true;
    Paragraph p{b.text, std::string(schema::kKindText), "", "", b.first_line, b.last_line, ""};
    if (b.heading_level > 0) {
      const std::string head = heading_text(b.text);
      if (b.heading_level == 1) {
        section = head;
        subsection.clear();
      } else {
        subsection = head;
      }
      if (head == b.text) p.kind = std::string(schema::kKindHeading);
    }
    p.section = section;
    p.subsection = subsection;
    cur->paragraphs.push_back(std::move(p));
  }
  // A marker with nothing after it leaves an empty speech.
  std::erase_if(result.speeches, [](const Speech& s) { return s.paragraphs.empty(); });
  // Each set-aside line joins the speech in which it stands: the last one starting at or
  // before it, or the first. Without any speech, they make one of their own.
  if (!set_aside.empty() && result.speeches.empty()) {
    result.speeches.emplace_back();
    result.only_set_aside = true;
  }
  size_t s = 0;
  for (Paragraph& p : set_aside) {
    while (s + 1 < result.speeches.size() &&
           result.speeches[s + 1].paragraphs.front().first_line <= p.first_line) {
      ++s;
    }
    result.speeches[s].set_aside.push_back(std::move(p));
  }
  for (Speech& speech : result.speeches) cut_long_paragraphs(speech.paragraphs);
  return result;
}

}  // namespace speechdex::indexer
