// The field table's look-ups and the key encodings that go with the value slots.
#include "fields.h"

#include <stdexcept>

namespace speechdex::schema {

const Field* find_field(std::string_view name) {
  for (const Field& f : kFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const Field& field(std::string_view name) {
  const Field* f = find_field(name);
  if (f == nullptr) throw std::logic_error("no field named " + std::string(name));
  return *f;
}

std::string encode_key(uint64_t key) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(key & 0xFF);
    key >>= 8;
  }
  return out;
}

uint64_t decode_key(std::string_view value) {
  if (value.size() != 8) return 0;
  uint64_t key = 0;
  for (char c : value) key = (key << 8) | static_cast<uint8_t>(c);
  return key;
}

uint64_t stable_hash(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  // FNV-1a alone mixes the last bytes poorly.
  return mix64(h);
}

uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

std::string hex_key(uint64_t key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kDigits[key & 0xF];
    key >>= 4;
  }
  return out;
}

uint64_t source_key(std::string_view canonical_path) { return stable_hash(canonical_path); }

uint64_t speech_key(uint64_t source, int speech) {
  return stable_hash(hex_key(source) + "#" + std::to_string(speech));
}

std::string boolean_term(const Field& f, std::string_view value) {
  std::string t(f.prefix);
  t.append(value);
  return t;
}

std::string source_term(uint64_t source) { return boolean_term(field("source"), hex_key(source)); }

std::string source_term(std::string_view canonical_path) {
  return source_term(source_key(canonical_path));
}

}  // namespace speechdex::schema
