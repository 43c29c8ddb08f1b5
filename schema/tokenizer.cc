// Tokenizer: splits normalized text into character and word units and names their terms.
#include "tokenizer.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include <unordered_set>

#include "normalizer.h"

namespace speechdex::schema {
namespace {

// Scripts written without spaces between words: each character is a unit of its own.
bool is_unspaced_script(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  switch (uscript_getScript(c, &status)) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_HANGUL:
    case USCRIPT_BOPOMOFO:
    case USCRIPT_YI:
      return true;
    default:
      return false;
  }
}

bool is_word_char(UChar32 c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  if (!u_isalnum(c)) {
    // Combining marks belong to the word they follow.
    const int8_t type = u_charType(c);
    return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK;
  }
  return !is_unspaced_script(c);
}

bool is_digit(UChar32 c) { return u_isdigit(c); }

bool is_separator(UChar32 c) {
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return true;
  if (c < 0x80) return c < 0x20 || c == 0x7F;
  const int8_t type = u_charType(c);
  return u_isUWhiteSpace(c) || type == U_CONTROL_CHAR || type == U_FORMAT_CHAR ||
         type == U_UNASSIGNED || type == U_SURROGATE || type == U_PRIVATE_USE_CHAR || c == 0xFFFD;
}

// Punctuation that separates text. Marks that live inside expressions (77.15%, A&B,
// 3/4, No.5#, 阿卜杜拉·艾力) are symbols of their run, not separators.
bool is_punctuation(UChar32 c) {
  if (!u_ispunct(c)) return false;
  switch (c) {
    case '%':
    case '#':
    case '&':
    case '@':
    case '*':
    case '/':
    case '\\':
    case '\'':
    case 0x00B7:
    case 0x2030:
    case 0x2031:
    case 0x30FB:
    case 0x2032:
    case 0x2033:
      return false;
    default:
      return true;
  }
}

// The four tests above, as bits, for the code points of the Basic Multilingual Plane a
// thread has met (64 KB a thread, filled as characters come): a unit's characters are
// looked up here, not asked of ICU up to five times each.
enum : uint8_t { kSeparator = 1, kWordChar = 2, kDigit = 4, kPunctuation = 8, kKnown = 128 };

uint8_t classes_by_icu(UChar32 c) {
  return static_cast<uint8_t>((is_separator(c) ? kSeparator : 0) |
                              (is_word_char(c) ? kWordChar : 0) | (is_digit(c) ? kDigit : 0) |
                              (is_punctuation(c) ? kPunctuation : 0));
}

uint8_t classes(char32_t c) {
  if (c >= 0x10000) return classes_by_icu(static_cast<UChar32>(c));
  thread_local std::vector<uint8_t> bmp(0x10000, 0);
  uint8_t& known = bmp[c];
  if (known == 0) known = classes_by_icu(static_cast<UChar32>(c)) | kKnown;
  return known;
}

}  // namespace

std::vector<Unit> tokenize(std::string_view utf8) {
  std::u32string norm;
  std::vector<uint32_t> offsets;
  Normalizer::thread_instance().normalize(utf8, norm, &offsets);

  std::vector<Unit> units;
  units.reserve(norm.size());
  // Source byte range of normalized code points [i, j).
  auto source_end = [&](size_t j) {
    // The end of the last code point is where the next differing source offset starts.
    uint32_t start = offsets[j - 1];
    size_t k = j;
    while (k < norm.size() && offsets[k] == start) ++k;
    return offsets[k];
  };
  size_t i = 0;
  while (i < norm.size()) {
    const char32_t c = norm[i];
    if ((classes(c) & kSeparator) != 0) {
      ++i;
      continue;
    }
    if ((classes(c) & kWordChar) != 0) {
      Unit u{{}, UnitKind::kWord, false, offsets[i], 0};
      size_t j = i;
      while (j < norm.size()) {
        const char32_t d = norm[j];
        if ((classes(d) & kWordChar) != 0) {
          append_utf8(norm[j], u.text);
          ++j;
        } else if (d == '.' && j > i && j + 1 < norm.size() &&
                   (classes(norm[j + 1]) & kDigit) != 0) {
          u.text.push_back('.');
          ++j;
        } else {
          break;
        }
      }
      if (u.text.size() > kMaxWordBytes) {
        // Cut at a character boundary.
        size_t cut = kMaxWordBytes;
        while (cut > 0 && (static_cast<uint8_t>(u.text[cut]) & 0xC0) == 0x80) --cut;
        u.text.resize(cut);
      }
      u.end = source_end(j);
      units.push_back(std::move(u));
      i = j;
      continue;
    }
    Unit u{{}, UnitKind::kChar, (classes(c) & kPunctuation) != 0, offsets[i], 0};
    append_utf8(c, u.text);
    u.end = source_end(i + 1);
    units.push_back(std::move(u));
    ++i;
  }
  return units;
}

void unigram_term(std::string_view prefix, const Unit& u, std::string& out) {
  out.clear();
  append_unigram_term(prefix, u, out);
}

std::string unigram_term(std::string_view prefix, const Unit& u) {
  std::string t;
  unigram_term(prefix, u, t);
  return t;
}

void bigram_term(std::string_view prefix, const Unit& a, const Unit& b, std::string& out) {
  out.clear();
  append_bigram_term(prefix, a, b, out);
}

std::string bigram_term(std::string_view prefix, const Unit& a, const Unit& b) {
  std::string t;
  bigram_term(prefix, a, b, t);
  return t;
}

std::string describe_terms(std::string_view utf8) {
  std::string unigrams, bigrams;
  std::unordered_set<std::string> seen;
  for_each_text_term(
      "", tokenize(utf8), kFirstPosition,
      [&](const std::string& t) {
        if (!seen.insert(t).second) return;
        if (!unigrams.empty()) unigrams.push_back(' ');
        unigrams += t;
      },
      [&](const std::string& t, uint32_t position) {
        bigrams += ' ' + t + '[' + std::to_string(position) + ']';
      });
  return unigrams + " |" + bigrams;
}

}  // namespace speechdex::schema
