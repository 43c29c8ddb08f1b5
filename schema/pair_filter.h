// A filter of pairs of code points, asked at every character of a scan before a costlier
// look-up (the gazetteer's names, the taxonomy's keywords).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace speechdex::schema {

/// A bit for each pair of code points added, by a hash into 2^bits bits (a Bloom filter with
/// one hash function): may_hold() is true for every pair added and for few others.
class PairFilter {
 public:
  /// Above every code point (U+10FFFF): the second of a "pair" that is one character.
  static constexpr uint32_t kNone = 0x1FFFFF;

  explicit PairFilter(unsigned bits) : shift_(64 - bits), words_((size_t{1} << bits) / 64, 0) {}
  void add(uint32_t first, uint32_t second) {
    const uint64_t b = bit(first, second);
    words_[b / 64] |= uint64_t{1} << (b % 64);
  }
  bool may_hold(uint32_t first, uint32_t second) const {
    const uint64_t b = bit(first, second);
    return (words_[b / 64] >> (b % 64) & 1) != 0;
  }

 private:
  // Code points take 21 bits: the two side by side, multiplied by 2^64 / golden ratio, and
  // the product's top bits.
  uint64_t bit(uint32_t first, uint32_t second) const {
    return ((uint64_t{first} << 21 | second) * 0x9E3779B97F4A7C15ull) >> shift_;
  }
  unsigned shift_;
  std::vector<uint64_t> words_;
};

}  // namespace speechdex::schema
