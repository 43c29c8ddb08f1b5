// Varints: 7 bits a byte, low bits first, the top bit set on every byte but the last.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace speechdex::textstore {

inline void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

/// Reads one varint at p and advances p. The caller guarantees a zero byte follows within
/// reach (a segment ends in zero padding); bits beyond 64 are dropped.
inline uint64_t get_varint(const uint8_t*& p) {
  // Most varints of a posting list (document gaps, positions within a paragraph) take one
  // byte or two: those take no loop.
  uint64_t b = *p++;
  if (b < 0x80) return b;
  uint64_t v = b & 0x7F;
  b = *p++;
  if (b < 0x80) return v | b << 7;
  v |= (b & 0x7F) << 7;
  for (unsigned shift = 14;; shift += 7) {
    b = *p++;
    if (shift < 64) v |= (b & 0x7F) << shift;
    if (b < 0x80) return v;
  }
}

/// The position after the n varints at p, or nullptr if they do not all end before `end`
/// (which must be at most the end of readable memory).
inline const uint8_t* skip_varints(const uint8_t* p, uint64_t n, const uint8_t* end) {
  // A word at a time: the top bit of each byte that ends a varint (a byte under 0x80).
  while (n > 0 && end - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    uint64_t ends = ~word & 0x8080808080808080ULL;
    // Summed by a multiply (no popcount instruction in the baseline x86-64 this is built for).
    const uint64_t count = ((ends >> 7) * 0x0101010101010101ULL) >> 56;
    if (count < n) {
      n -= count;
      p += 8;
      continue;
    }
    // The n-th end is in this word: drop the n - 1 before it, then step past its byte (the
    // lowest bits of a little-endian word are its first byte).
    static_assert(std::endian::native == std::endian::little);
    for (; n > 1; --n) ends &= ends - 1;
    return p + __builtin_ctzll(ends) / 8 + 1;
  }
  for (; n > 0 && p < end; ++p) {
    if (*p < 0x80) --n;
  }
  return n == 0 ? p : nullptr;
}

}  // namespace speechdex::textstore
