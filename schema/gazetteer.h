// The gazetteer of county-level divisions: names, stems, former names, provinces.
#pragma once

#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pair_filter.h"

namespace speechdex::schema {

/// One county-level division.
struct Division {
  std::string code;      ///< 6 digits
  std::string name;      ///< 巴东县
  std::string city;      ///< 恩施土家族苗族自治州
  std::string province;  ///< 湖北省
  std::string stem;      ///< 巴东 ("" when shorter than two characters, as for 和县)
};

/// How a name refers to divisions.
enum class NameKind : uint8_t { kFull, kFormer, kStem };

/// A name and the divisions it may refer to (several for 朝阳区, 长安区, 朝阳).
struct NameEntry {
  NameKind kind;
  std::vector<uint32_t> divisions;  ///< indexes into Gazetteer::divisions()
  /// The name's stem (the name itself for a stem) is an everyday word: 会同县, 比如.
  bool word = false;
  /// The name has a one-character stem, so it hides inside ordinary text: 和县, 开县.
  bool one_char = false;
};

/// The gazetteer: data/admin-divisions.tsv (code, county, city, province), former names
/// from data/county-aliases.tsv (old_name, new_name, city, province, ...) and the stems
/// that are everyday words from data/county-stem-words.tsv (stem, example, meaning).
class Gazetteer {
 public:
  /// Parses the three tables (their text, with header lines). `origin` names them in
  /// errors; throws InputError naming the table and line of a malformed row.
  static Gazetteer parse(std::string_view divisions, std::string_view aliases,
                         std::string_view stem_words, const std::string& origin);

  /// Reads the three tables from a data folder.
  static Gazetteer load(const std::string& data_dir);

  /// Serializes the tables for the index metadata (parse() reads it back).
  std::string serialize() const;
  /// Reads what serialize() wrote.
  static Gazetteer deserialize(std::string_view text, const std::string& origin);

  const std::vector<Division>& divisions() const { return divisions_; }
  const Division* by_code(std::string_view code) const;

  /// The entry for an exact name (full name, former name or stem), or nullptr.
  const NameEntry* find(std::string_view name) const;
  /// Length in characters of the longest name.
  size_t max_name_chars() const { return max_name_chars_; }
  /// Length in characters of the longest name that starts with these two characters
  /// (UTF-8), or 0 if no name does: lets a scan skip most positions with one look-up.
  size_t max_name_chars_from(std::string_view first_two) const;
  /// False if no name starts with the first character of `text` (UTF-8); true if one may.
  /// One bit test: a scan calls it at every character, before anything costlier.
  bool may_start_name(std::string_view text) const {
    return has_bit(first_chars_, first_char_bit(text));
  }

  /// Divisions a user means by `text`: a code, a full, former or short name (巴东县, 巴东,
  /// 定陶县, 422823). Empty if none.
  std::vector<const Division*> resolve(std::string_view text) const;

  /// Province name for a 2-digit province code (42 -> 湖北省); "" if unknown.
  std::string province_name(std::string_view code2) const;
  /// 2-digit province codes a user means by `text` (湖北, 湖北省, 42); empty if none.
  std::vector<std::string> resolve_province(std::string_view text) const;

  /// Up to `n` names closest to `text` (edit distance over characters), for errors.
  std::vector<std::string> suggest(std::string_view text, size_t n) const;

  /// Short form of a city or province name (西安市 -> 西安, 湖北省 -> 湖北, 广西壮族自治区 ->
  /// 广西).
  static std::string short_region(std::string_view name);
  /// The stem of a county name (巴东县 -> 巴东, 长阳土家族自治县 -> 长阳); "" if it would
  /// be shorter than two characters.
  static std::string stem_of(std::string_view name);

 private:
  void add_name(const std::string& name, NameKind kind, uint32_t division);

  std::vector<Division> divisions_;
  std::unordered_map<std::string, uint32_t> by_code_;
  // Transparent hashing: look-ups by string_view build no strings.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, NameEntry, Hash, std::equal_to<>> names_;
  std::unordered_map<std::string, std::string> provinces_;  // code2 -> name
  std::unordered_map<std::string, bool> stem_words_;
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>>
      prefix2_;  // first two chars -> max
  size_t max_name_chars_ = 0;
  // The code points of the first two characters of UTF-8 `text` (0 for none), decoded as
  // normalizer.cc decodes (ICU's U8_NEXT_OR_FFFD).
  static std::pair<uint32_t, uint32_t> first_two_code_points(std::string_view text) {
    const auto* p = reinterpret_cast<const uint8_t*>(text.data());
    const auto n = static_cast<int32_t>(std::min<size_t>(text.size(), 8));
    int32_t i = 0;
    UChar32 a = 0, b = 0;
    if (i < n) U8_NEXT_OR_FFFD(p, i, n, a);
    if (i < n) U8_NEXT_OR_FFFD(p, i, n, b);
    return {static_cast<uint32_t>(a), static_cast<uint32_t>(b)};
  }
  // A bit for each first character of a name, by its code point's low 16 bits (8 KB).
  static uint32_t first_char_bit(std::string_view text) {
    return first_two_code_points(text).first & 0xFFFF;
  }
  static bool has_bit(const std::vector<uint64_t>& bits, uint32_t bit) {
    return (bits[bit / 64] >> (bit % 64)) & 1;
  }
  std::vector<uint64_t> first_chars_ = std::vector<uint64_t>(1024, 0);
  // The first two characters of each name (a million bits, 128 KB, about 9,000 set): most
  // pairs that start no name are ruled out here.
  PairFilter first_pairs_{20};
  std::string divisions_text_, aliases_text_, stem_words_text_;
};

/// Edit distance between two strings, counted in characters.
size_t edit_distance(std::string_view a, std::string_view b);

/// Reads a whole data file; throws InputError("cannot read " + what, path).
std::string read_data_file(const std::string& path, const std::string& what);

/// Splits tab-separated text into rows of fields, skipping the header and blank lines.
/// Each row carries its 1-based line number.
struct TsvRow {
  size_t line;
  std::vector<std::string> fields;
};
std::vector<TsvRow> parse_tsv(std::string_view text);

}  // namespace speechdex::schema
