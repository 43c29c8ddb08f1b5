// Normalization: ICU NFKC_Casefold plus a per-character Traditional->Simplified map.
#include "normalizer.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "t2s_table.h"

namespace speechdex::schema {
namespace {

constexpr uint32_t kMultiFlag = 0x80000000u;

std::u32string from_unicode_string(const icu::UnicodeString& s) {
  std::u32string out;
  out.reserve(static_cast<size_t>(s.length()));
  for (int32_t i = 0; i < s.length();) {
    UChar32 c = s.char32At(i);
    out.push_back(static_cast<char32_t>(c));
    i += U16_LENGTH(c);
  }
  return out;
}

icu::UnicodeString to_unicode_string(std::u32string_view s) {
  icu::UnicodeString out;
  for (char32_t c : s) out.append(static_cast<UChar32>(c));
  return out;
}

}  // namespace

void append_utf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string to_utf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char32_t c : s) append_utf8(c, out);
  return out;
}

std::u32string to_utf32(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto n = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT_OR_FFFD(p, i, n, c);
    out.push_back(static_cast<char32_t>(c));
  }
  return out;
}

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return false;
  }
  return true;
}

Normalizer::Normalizer() : bmp_(0x10000, 0), bmp_boundary_(0x10000, 0) {
  UErrorCode status = U_ZERO_ERROR;
  nfkc_cf_ = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU NFKC_Casefold is unavailable");
  multi_.emplace_back();  // index 0: the empty mapping (default ignorables).
}

Normalizer::~Normalizer() = default;

Normalizer& Normalizer::thread_instance() {
  thread_local Normalizer instance;
  return instance;
}

std::u32string Normalizer::compute(char32_t c) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString once =
      nfkc_cf_->normalize(icu::UnicodeString(static_cast<UChar32>(c)), status);
  if (U_FAILURE(status)) return std::u32string(1, c);
  icu::UnicodeString mapped;
  for (char32_t x : from_unicode_string(once)) mapped.append(static_cast<UChar32>(simplified(x)));
  const icu::UnicodeString twice = nfkc_cf_->normalize(mapped, status);
  if (U_FAILURE(status)) return std::u32string(1, c);
  return from_unicode_string(twice);
}

char32_t simplified(char32_t c) {
  const T2sEntry* end = kT2sTable + kT2sTableSize;
  const T2sEntry* it =
      std::lower_bound(kT2sTable, end, c, [](const T2sEntry& e, char32_t x) { return e.from < x; });
  return it != end && it->from == c ? it->to : c;
}

void Normalizer::append_char(char32_t c, std::u32string& out) {
  if (c < 0x10000) {
    uint32_t& slot = bmp_[c];
    if (slot == 0) {
      std::u32string m = compute(c);
      if (m.size() == 1) {
        slot = static_cast<uint32_t>(m[0]) + 1;
      } else if (m.empty()) {
        slot = kMultiFlag;
      } else {
        slot = kMultiFlag | static_cast<uint32_t>(multi_.size());
        multi_.push_back(std::move(m));
      }
    }
    if (slot & kMultiFlag) {
      out += multi_[slot & ~kMultiFlag];
    } else {
      out.push_back(static_cast<char32_t>(slot - 1));
    }
    return;
  }
  auto it = astral_.find(c);
  if (it == astral_.end()) it = astral_.emplace(c, compute(c)).first;
  out += it->second;
}

bool Normalizer::boundary_before(UChar32 c) {
  if (c < 0 || c >= 0x10000) return nfkc_cf_->hasBoundaryBefore(c);
  uint8_t& known = bmp_boundary_[static_cast<size_t>(c)];
  if (known == 0) known = nfkc_cf_->hasBoundaryBefore(c) ? 2 : 1;
  return known == 2;
}

void Normalizer::append_segment(std::u32string_view segment, std::u32string& out) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString s = nfkc_cf_->normalize(to_unicode_string(segment), status);
  if (U_FAILURE(status)) {
    out += segment;
    return;
  }
  // Each code point of a normalized segment is mapped like a lone character: the
  // mapping of an already normalized character is its Traditional->Simplified form.
  for (char32_t c : from_unicode_string(s)) append_char(c, out);
}

std::string Normalizer::normalize(std::string_view utf8) {
  std::u32string out;
  normalize(utf8, out, nullptr);
  return to_utf8(out);
}

void Normalizer::normalize(std::string_view utf8, std::u32string& out,
                           std::vector<uint32_t>* source_offsets) {
  out.clear();
  out.reserve(utf8.size());
  if (source_offsets) {
    source_offsets->clear();
    source_offsets->reserve(utf8.size() + 1);
  }
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto n = static_cast<int32_t>(utf8.size());
  // A segment runs from a character with a normalization boundary before it up to the
  // next such character; ICU guarantees segments normalize independently.
  std::u32string segment;
  int32_t segment_start = 0;
  auto flush = [&]() {
    if (segment.empty()) return;
    const size_t before = out.size();
    if (segment.size() == 1) {
      append_char(segment[0], out);
    } else {
      append_segment(segment, out);
    }
    if (source_offsets) {
      source_offsets->insert(source_offsets->end(), out.size() - before,
                             static_cast<uint32_t>(segment_start));
    }
    segment.clear();
  };
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT_OR_FFFD(p, i, n, c);
    if (!segment.empty() && boundary_before(c)) flush();
    if (segment.empty()) segment_start = start;
    segment.push_back(static_cast<char32_t>(c));
  }
  flush();
  if (source_offsets) source_offsets->push_back(static_cast<uint32_t>(utf8.size()));
}

}  // namespace speechdex::schema
