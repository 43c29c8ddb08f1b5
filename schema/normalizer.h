// Text normalization shared by indexer and searcher: NFKC, case folding, Traditional->Simplified.
#pragma once

#include <unicode/uversion.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

U_NAMESPACE_BEGIN
class Normalizer2;
U_NAMESPACE_END

namespace speechdex::schema {

/// The one normalizer. It maps text to NFKC with case folding (ICU's NFKC_Casefold),
/// then maps every character from Traditional to Simplified Chinese with ICU's
/// "Traditional-Simplified" transliterator, applied per character: 長安 -> 长安,
/// ＰＭ２．５ -> pm2.5, （一） -> (一).
///
/// Per-character application is deliberate: a context-free mapping keeps substring
/// containment intact (if q occurs in t, norm(q) occurs in norm(t)), which exact search
/// relies on, and it lets each character's mapping be computed once from ICU and cached
/// instead of running the transliterator over every character. The mapping is a table
/// derived from ICU at build time (schema/tools/gen_t2s.cc), so no process pays for
/// building ICU's transliterator. Text is split only at
/// ICU normalization boundaries, so NFKC composition across characters stays correct.
///
/// Not thread-safe: use one instance per thread (see `thread_instance`).
class Normalizer {
 public:
  Normalizer();
  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  /// The calling thread's instance.
  static Normalizer& thread_instance();

  /// Normalizes UTF-8 text (invalid bytes become U+FFFD) to UTF-8.
  std::string normalize(std::string_view utf8);

  /// Normalizes UTF-8 text to code points. If `source_offsets` is given, it receives for
  /// every output code point the byte offset in `utf8` of the input character (or
  /// normalization segment) it came from, plus one final entry equal to utf8.size().
  void normalize(std::string_view utf8, std::u32string& out, std::vector<uint32_t>* source_offsets);

 private:
  // Appends the normalized form of one code point (a whole normalization segment).
  void append_char(char32_t c, std::u32string& out);
  // Appends the normalized form of a multi-code-point segment.
  void append_segment(std::u32string_view segment, std::u32string& out);
  // Computes the mapping of one code point with ICU (the slow path behind the cache).
  std::u32string compute(char32_t c);

  const icu::Normalizer2* nfkc_cf_;
  // Cache for the Basic Multilingual Plane: 0 = not computed yet; high bit set = index
  // into multi_ (a mapping to zero or several code points); otherwise code point + 1.
  std::vector<uint32_t> bmp_;
  // ICU's hasBoundaryBefore for the same plane: 0 = not asked yet, 1 = no, 2 = yes.
  std::vector<uint8_t> bmp_boundary_;
  bool boundary_before(UChar32 c);
  std::vector<std::u32string> multi_;
  std::unordered_map<char32_t, std::u32string> astral_;
};

/// The Simplified form of one character by ICU's Traditional-Simplified mapping (the
/// table derived from ICU at build time); `c` itself if it has none.
char32_t simplified(char32_t c);

/// Appends the UTF-8 encoding of `c` to `out`.
void append_utf8(char32_t c, std::string& out);

/// Encodes code points as UTF-8.
std::string to_utf8(std::u32string_view s);

/// Decodes UTF-8 (invalid bytes become U+FFFD).
std::u32string to_utf32(std::string_view utf8);

/// True if `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

}  // namespace speechdex::schema
