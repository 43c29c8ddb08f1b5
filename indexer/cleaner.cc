// Boilerplate rules. Every rule is about the kind of line (an address, a field list, a
// preview, an advert), so a new website's furniture is caught without listing its name.
#include "cleaner.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <bit>

#include "normalizer.h"

namespace speechdex::indexer {
namespace {

struct Weighted {
  std::string_view word;
  int weight;
};

// Vocabulary of websites that host documents and of their adverts (normalized forms).
// Strong words hardly occur in a speech; weak ones do, so they only add up.
constexpr std::array<Weighted, 31> kAdvertWords = {{
    {"小编", 2},     {"禁止外传", 2}, {"仅供学习", 2}, {"仅供参考", 2}, {"会员", 2}, {"订阅", 2},
    {"qq群", 2},     {"公众号", 2},   {"范文", 2},     {"侵删", 2},     {"转载", 2}, {"本站", 2},
    {"版权所有", 2}, {"扫码", 2},     {"二维码", 2},   {"微信号", 2},   {"整理", 1}, {"下载", 1},
    {"免费", 1},     {"资料", 1},     {"平台", 1},     {"生成", 1},     {"文档", 1}, {"举报", 1},
    {"倒卖", 1},     {"权益", 1},     {"网友", 1},     {"分享", 1},     {"关注", 1}, {"docx", 1},
    {"word", 1},
}};

// Field names of publication metadata, followed by a colon.
constexpr std::array<std::string_view, 12> kMetadataFields = {
    "来源:", "作者:",     "更新时间:", "发布时间:", "发布日期:", "责任编辑:",
    "编辑:", "浏览次数:", "点击数:",   "阅读量:",   "日期:",     "时间:"};

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool has_url(std::string_view norm) {
  if (norm.find("http://") != std::string_view::npos ||
      norm.find("https://") != std::string_view::npos ||
      norm.find("www.") != std::string_view::npos) {
    return true;
  }
  for (std::string_view tld : {".com", ".cn", ".net", ".org"}) {
    for (size_t at = norm.find(tld); at != std::string_view::npos; at = norm.find(tld, at + 1)) {
      const size_t end = at + tld.size();
      if (at > 0 && is_ascii_alnum(norm[at - 1]) &&
          (end == norm.size() || !is_ascii_alnum(norm[end]))) {
        return true;
      }
    }
  }
  return false;
}

bool is_metadata(std::string_view norm, size_t chars) {
  if (chars > 150) return false;
  int fields = 0;
  bool starts = false;
  for (std::string_view f : kMetadataFields) {
    const size_t at = norm.find(f);
    if (at == std::string_view::npos) continue;
    ++fields;
    if (at == 0) starts = true;
  }
  return fields >= 2 || (starts && chars <= 60);
}

size_t count_chars(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Removes `[name: value]` markers left by document converters ([bookmark: _Toc1]).
std::string strip_artifacts(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '[') {
      size_t j = i + 1;
      while (j < s.size() && (is_ascii_alnum(s[j]) || s[j] == '_')) ++j;
      if (j > i + 1 && j < s.size() && s[j] == ':') {
        size_t k = j + 1;
        while (k < s.size() && s[k] != ']' && static_cast<unsigned char>(s[k]) >= 0x20 &&
               static_cast<unsigned char>(s[k]) < 0x7F) {
          ++k;
        }
        if (k < s.size() && s[k] == ']') {
          i = k + 1;
          continue;
        }
      }
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

std::string without_space(std::string_view norm) {
  std::string out;
  out.reserve(norm.size());
  for (char c : norm) {
    if (c != ' ' && c != '\t') out.push_back(c);
  }
  return out;
}

// Removes the last `n` code points' worth of bytes from the end boundary and returns the
// `n` code points before the trailing dots.
std::string_view tail_chars(std::string_view s, size_t n) {
  size_t i = s.size();
  size_t taken = 0;
  while (i > 0 && taken < n) {
    --i;
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++taken;
  }
  return s.substr(i);
}

}  // namespace

std::string trim(std::string_view s) {
  auto is_space = [](UChar32 c) { return u_isUWhiteSpace(c) || c == 0xFEFF || c == 0x200B; };
  // Code points are read from each end only as far as the spaces go; what lies between is
  // copied as it is, but for bytes that are not UTF-8, each of which becomes U+FFFD (as
  // reading every code point would make it).
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto n = static_cast<int32_t>(s.size());
  int32_t b = 0;
  while (b < n) {
    int32_t next = b;
    UChar32 c;
    U8_NEXT_OR_FFFD(p, next, n, c);
    if (!is_space(c)) break;
    b = next;
  }
  int32_t e = n;
  while (e > b) {
    int32_t before = e;
    UChar32 c;
    U8_PREV_OR_FFFD(p, b, before, c);
    if (!is_space(c)) break;
    e = before;
  }
  const std::string_view middle = s.substr(static_cast<size_t>(b), static_cast<size_t>(e - b));
  if (schema::is_valid_utf8(middle)) return std::string(middle);
  return schema::to_utf8(schema::to_utf32(middle));
}

// The advert words by a hash of their first three bytes: the words a line's position may
// start (a bit each). One pass over a line, where a find() per word took 31.
struct AdvertIndex {
  static size_t bucket(const char* p) {
    return (static_cast<uint8_t>(p[0]) * 131u + static_cast<uint8_t>(p[1]) * 31u +
            static_cast<uint8_t>(p[2])) &
           255u;
  }
  std::array<uint32_t, 256> words{};
  AdvertIndex() {
    static_assert(kAdvertWords.size() <= 32);
    for (size_t k = 0; k < kAdvertWords.size(); ++k) {
      words[bucket(kAdvertWords[k].word.data())] |= 1u << k;
    }
  }
};

int advert_weight(std::string_view norm) {
  static const AdvertIndex index;
  uint32_t found = 0;
  for (size_t i = 0; i + 3 <= norm.size(); ++i) {
    // A word starts a character: a continuation byte starts none.
    if ((static_cast<uint8_t>(norm[i]) & 0xC0) == 0x80) continue;
    for (uint32_t m = index.words[AdvertIndex::bucket(norm.data() + i)] & ~found; m != 0;
         m &= m - 1) {
      const auto k = static_cast<size_t>(std::countr_zero(m));
      if (norm.substr(i).starts_with(kAdvertWords[k].word)) found |= 1u << k;
    }
  }
  int w = 0;
  bool strong = false;
  for (size_t k = 0; k < kAdvertWords.size(); ++k) {
    if ((found >> k & 1u) != 0) {
      w += kAdvertWords[k].weight;
      strong = strong || kAdvertWords[k].weight >= 2;
    }
  }
  // Weak words alone (平台, 整理, 资料) are everyday words of speeches.
  return strong ? w : 0;
}

std::vector<std::string_view> cut_long(std::string_view text, size_t limit) {
  std::vector<std::string_view> pieces;
  static constexpr std::string_view kEnds[] = {"。", "！", "？", "；", "!", "?", ";"};
  while (text.size() > limit) {
    size_t cut = 0;
    for (std::string_view e : kEnds) {
      const size_t at = text.rfind(e, limit - e.size());
      if (at != std::string_view::npos && at + e.size() > cut) cut = at + e.size();
    }
    if (cut < limit / 2) {
      // No sentence end in reach: the last character boundary within the limit.
      cut = limit;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      if (cut == 0) cut = limit;
    }
    pieces.push_back(text.substr(0, cut));
    text.remove_prefix(cut);
  }
  pieces.push_back(text);
  return pieces;
}

std::vector<Line> clean(std::string_view utf8_text, bool classify) {
  std::vector<Line> lines;
  schema::Normalizer& normalizer = schema::Normalizer::thread_instance();
  int number = 0;
  size_t start = 0;
  while (start <= utf8_text.size()) {
    size_t end = utf8_text.find('\n', start);
    if (end == std::string_view::npos) end = utf8_text.size();
    ++number;
    for (std::string_view piece : cut_long(utf8_text.substr(start, end - start))) {
      Line line;
      line.number = number;
      line.text = trim(strip_artifacts(piece));
      line.norm = without_space(normalizer.normalize(line.text));
      lines.push_back(std::move(line));
    }
    start = end + 1;
    if (end + 1 >= utf8_text.size()) break;  // no empty line after a final newline
  }

  for (Line& line : lines) {
    if (line.norm.empty()) {
      line.cls = LineClass::kBlank;
      continue;
    }
    if (!classify) continue;
    const size_t chars = count_chars(line.norm);
    const int advert = advert_weight(line.norm);
    if (has_url(line.norm)) {
      line.cls = LineClass::kBoilerplate;
      line.reason = "url";
    } else if (is_metadata(line.norm, chars)) {
      line.cls = LineClass::kBoilerplate;
      line.reason = "metadata";
    } else if ((advert >= 3 && chars <= 300) || advert >= 6) {
      line.cls = LineClass::kBoilerplate;
      line.reason = "advert";
    }
  }

  // Teasers: a line ending in an ellipsis ("…" normalizes to "...") whose last characters
  // before it occur again elsewhere in the file (possibly across a line break). The file's
  // text is joined only if a line might be one.
  const bool ellipsis = classify && std::any_of(lines.begin(), lines.end(), [](const Line& l) {
                          return l.cls == LineClass::kContent && l.norm.ends_with("..");
                        });
  std::string all;
  std::vector<size_t> line_start;
  for (size_t i = 0; ellipsis && i < lines.size(); ++i) {
    line_start.push_back(all.size());
    all += lines[i].norm;
  }
  for (size_t i = 0; ellipsis && i < lines.size(); ++i) {
    Line& line = lines[i];
    if (line.cls != LineClass::kContent) continue;
    std::string_view n(line.norm);
    if (n.size() < 2 || n.substr(n.size() - 2) != "..") continue;
    while (!n.empty() && n.back() == '.') n.remove_suffix(1);
    const std::string_view tail = tail_chars(n, 12);
    if (count_chars(tail) < 12) continue;
    const size_t own_begin = line_start[i], own_end = own_begin + line.norm.size();
    for (size_t at = all.find(tail); at != std::string::npos; at = all.find(tail, at + 1)) {
      if (at + tail.size() <= own_begin || at >= own_end) {
        line.cls = LineClass::kBoilerplate;
        line.reason = "teaser";
        break;
      }
    }
  }
  return lines;
}

}  // namespace speechdex::indexer
