// Varints: 7 bits a byte, low bits first, the top bit set on every byte but the last.
#pragma once

#include <cstdint>
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
  uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    const uint8_t b = *p++;
    if (shift < 64) v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (b < 0x80) return v;
  }
}

/// Skips n varints at p.
inline void skip_varints(const uint8_t*& p, uint64_t n) {
  for (; n > 0; --n) {
    while (*p++ & 0x80) {
    }
  }
}

}  // namespace speechdex::textstore
