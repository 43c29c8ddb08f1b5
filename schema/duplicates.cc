// MinHash signatures and the duplicate table's encoding.
#include "duplicates.h"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

#include "errors.h"
#include "fields.h"
#include "gazetteer.h"
#include "varint.h"
#include "zstd_frame.h"

namespace speechdex::schema {

namespace {

// The MinHash functions: h_i(x) = high 32 bits of (a_i * x + b_i) mod 2^64, a_i odd
// (multiply-shift, Dietzfelbinger et al.), with a_i and b_i from splitmix64 at a fixed
// seed. Changing any of this changes every signature: a schema version bump.
struct HashFamily {
  std::array<uint64_t, kMinHashes> a, b;
  HashFamily() {
    uint64_t state = 0x5eedd0c5u;
    auto next = [&state] {
      uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return z ^ (z >> 31);
    };
    for (size_t i = 0; i < kMinHashes; ++i) {
      a[i] = next() | 1;
      b[i] = next();
    }
  }
};

const HashFamily& family() {
  static const HashFamily f;
  return f;
}

// Each function's minimum over the shingles' hashes. Compiled twice, and the loader picks
// the copy the processor can run (GCC's target_clones): with AVX-512 (x86-64-v4) eight
// 64-bit products at once (vpmullq), which SSE2 and AVX2 lack. The same integer arithmetic
// either way, so the same signatures.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v4", "default")))
#endif
void add_shingles(MinHash& m, const uint64_t* xs, size_t n) {
  const HashFamily& f = family();
  for (size_t s = 0; s < n; ++s) {
    const uint64_t x = xs[s];
    for (size_t i = 0; i < kMinHashes; ++i) {
      const auto h = static_cast<uint32_t>((f.a[i] * x + f.b[i]) >> 32);
      m.mins[i] = std::min(m.mins[i], h);
    }
  }
  m.shingles += static_cast<uint32_t>(n);
}

void put_u32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

uint32_t get_u32(std::string_view in, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return v;
}

}  // namespace

void MinHash::merge(const MinHash& other) {
  for (size_t i = 0; i < kMinHashes; ++i) mins[i] = std::min(mins[i], other.mins[i]);
  shingles += other.shingles;
}

namespace {

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_chinese_numeral(std::string_view s) {
  static const std::string_view kNumerals[] = {"一", "二", "三", "四", "五", "六", "七",
                                               "八", "九", "十", "〇", "零", "百"};
  return std::find(std::begin(kNumerals), std::end(kNumerals), s) != std::end(kNumerals);
}

}  // namespace

MinHash minhash(const std::vector<Unit>& units, const Gazetteer* places) {
  // The placeholders: what a template leaves to fill in (docs/duplicates.md).
  static const uint64_t kNumber = stable_hash("\x01number");
  static const uint64_t kPlace = stable_hash("\x01place");
  std::vector<uint64_t> hashes;
  hashes.reserve(units.size());
  // A leading list marker's numeral (一、 （二） 3.) is a number.
  size_t marker_end = 0;
  {
    size_t i = 0;
    while (i < units.size() && units[i].punctuation && i < 1) ++i;
    size_t j = i;
    while (j < units.size() && j < i + 3 && is_chinese_numeral(units[j].text)) ++j;
    if (j > i && j < units.size() && units[j].punctuation) marker_end = j;
  }
  for (size_t i = 0; i < units.size();) {
    const Unit& u = units[i];
    if (u.punctuation) {
      ++i;
      continue;
    }
    if (i < marker_end || (u.kind == UnitKind::kWord && is_digits(u.text))) {
      if (hashes.empty() || hashes.back() != kNumber) hashes.push_back(kNumber);
      i = std::max(i + 1, i < marker_end ? marker_end : i + 1);
      continue;
    }
    // A county's name, full, former or short (but not a short name that is an everyday
    // word, or of one character): the longest that starts here.
    size_t matched = 0;
    if (places && u.kind == UnitKind::kChar && i + 1 < units.size() &&
        units[i + 1].kind == UnitKind::kChar && places->may_start_name(u.text)) {
      std::string name = u.text + units[i + 1].text;
      const size_t longest = places->max_name_chars_from(name);
      std::string candidate = u.text;
      for (size_t len = 1; i + len <= units.size() && len <= longest; ++len) {
        if (len > 1) {
          if (units[i + len - 1].kind != UnitKind::kChar || units[i + len - 1].punctuation) break;
          candidate += units[i + len - 1].text;
        }
        if (len < 2) continue;
        const NameEntry* e = places->find(candidate);
        if (e && !(e->kind == NameKind::kStem && (e->word || e->one_char))) matched = len;
      }
    }
    if (matched > 0) {
      hashes.push_back(kPlace);
      i += matched;
      continue;
    }
    hashes.push_back(stable_hash(u.text));
    ++i;
  }
  MinHash m;
  if (hashes.empty()) return m;
  // A shingle's hash: the units' hashes combined in order (a polynomial in a large odd
  // constant), mixed once more so that the multiply-shift functions see every bit.
  const size_t k = std::min(kShingleUnits, hashes.size());
  std::vector<uint64_t> shingles;
  shingles.reserve(hashes.size() - k + 1);
  for (size_t i = 0; i + k <= hashes.size(); ++i) {
    uint64_t x = 0;
    for (size_t j = i; j < i + k; ++j) x = x * 0x9e3779b97f4a7c15ULL + hashes[j];
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 32;
    shingles.push_back(x);
  }
  add_shingles(m, shingles.data(), shingles.size());
  return m;
}

std::string encode_signature(const MinHash& m) {
  std::string out;
  out.reserve(4 + kMinHashes);
  put_u32(out, m.shingles);
  for (uint32_t v : m.mins) out.push_back(static_cast<char>(v & ((1u << kSignatureBits) - 1)));
  return out;
}

std::optional<Signature> decode_signature(std::string_view value) {
  if (value.size() != 4 + kMinHashes) return std::nullopt;
  Signature s;
  s.shingles = get_u32(value, 0);
  std::memcpy(s.bits.data(), value.data() + 4, kMinHashes);
  return s;
}

double similarity(const Signature& a, const Signature& b) {
  size_t equal = 0;
  for (size_t i = 0; i < kMinHashes; ++i) equal += a.bits[i] == b.bits[i];
  // b-bit MinHash: two different minima agree in their low bits by chance with
  // probability c, so P(equal) = J + (1 - J) c.
  constexpr double c = 1.0 / (1u << kSignatureBits);
  const double p = static_cast<double>(equal) / kMinHashes;
  return std::clamp((p - c) / (1 - c), 0.0, 1.0);
}

namespace {

constexpr std::string_view kTableMagic = "speechdex-duplicates 2\n";
// The table before (every entry 4 bytes big-endian, uncompressed): still read.
constexpr std::string_view kTableMagicV1 = "speechdex-duplicates 1\n";

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

}  // namespace

std::string DuplicateTable::encode() const {
  // Each column as varints of what is mostly 0 or 1: a paragraph's and a speech's earliest
  // member as the distance back from the id, the order as the step from the id before; then
  // zstd. On the poetry's 311,828 paragraphs that is 36 KB where 4 bytes an entry was 3.7 MB.
  auto at = [](const std::vector<uint32_t>& column, Xapian::docid id) -> int64_t {
    return id < column.size() ? column[id] : 0;
  };
  std::string body;
  for (const std::vector<uint32_t>* column : {&paragraph, &speech}) {
    for (Xapian::docid id = 0; id <= last_docid; ++id) {
      textstore::put_varint(body, zigzag(int64_t{id} - at(*column, id)));
    }
  }
  int64_t prev = 0;
  for (Xapian::docid id = 0; id <= last_docid; ++id) {
    textstore::put_varint(body, zigzag(at(order, id) - prev));
    prev = at(order, id);
  }
  std::string out(kTableMagic);
  put_u32(out, last_docid);
  put_u32(out, doccount);
  // With zstd's checksum of the content, so that damage is an error, not another table.
  append_frame(out, body, checksummed_context(ZSTD_CLEVEL_DEFAULT).get(), "the duplicate table");
  return out;
}

DuplicateTable DuplicateTable::decode(std::string_view bytes, const std::string& where) {
  const bool v1 = bytes.substr(0, kTableMagicV1.size()) == kTableMagicV1;
  if ((!v1 && bytes.substr(0, kTableMagic.size()) != kTableMagic) ||
      bytes.size() < kTableMagic.size() + 8) {
    throw IndexError("the duplicate table is damaged or of another version", where);
  }
  DuplicateTable t;
  size_t at = kTableMagic.size();
  t.last_docid = get_u32(bytes, at);
  t.doccount = get_u32(bytes, at + 4);
  at += 8;
  const size_t n = static_cast<size_t>(t.last_docid) + 1;
  auto damaged = [&](const char* what) {
    return IndexError(std::string("the duplicate table is damaged (") + what + ")", where);
  };
  if (v1) {
    if (bytes.size() != at + 3 * 4 * n) throw damaged("wrong size");
    for (std::vector<uint32_t>* column : {&t.paragraph, &t.speech, &t.order}) {
      column->resize(n);
      for (size_t id = 0; id < n; ++id, at += 4) (*column)[id] = get_u32(bytes, at);
    }
    return t;
  }
  const std::string_view frame = bytes.substr(at);
  // Every entry is a varint of at most 5 bytes (zigzag of a difference of two 32-bit ids).
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size < 3 * n ||
      size > 15 * uint64_t{n}) {
    throw damaged("wrong size");
  }
  std::string body(static_cast<size_t>(size) + 16, '\0');  // a damaged varint stops in the padding
  const size_t got = ZSTD_decompress(body.data(), size, frame.data(), frame.size());
  if (ZSTD_isError(got) || got != size) throw damaged("does not decompress");
  const auto* p = reinterpret_cast<const uint8_t*>(body.data());
  const uint8_t* const end = p + size;
  for (std::vector<uint32_t>* column : {&t.paragraph, &t.speech, &t.order}) {
    column->resize(n);
    int64_t prev = 0;
    for (size_t id = 0; id < n; ++id) {
      const int64_t d = unzigzag(textstore::get_varint(p));
      const int64_t v = column == &t.order ? prev + d : static_cast<int64_t>(id) - d;
      if (p > end || v < 0 || v > int64_t{UINT32_MAX}) throw damaged("an entry out of range");
      (*column)[id] = static_cast<uint32_t>(v);
      prev = v;
    }
  }
  if (p != end) throw damaged("wrong size");
  return t;
}

namespace {

constexpr std::string_view kChunkedMagic = "speechdex-duplicates-chunks 1\n";

std::string chunk_key(uint32_t i) { return std::string(kMetaDuplicatesChunk) + std::to_string(i); }

}  // namespace

void store_duplicates(Xapian::WritableDatabase& db, const DuplicateTable& table,
                      size_t chunk_bytes) {
  const std::string bytes = table.encode();
  const size_t size = std::max<size_t>(chunk_bytes, 1);
  const auto chunks = static_cast<uint32_t>((bytes.size() + size - 1) / size);
  for (uint32_t i = 0; i < chunks; ++i) {
    db.set_metadata(chunk_key(i), bytes.substr(i * size, size));
  }
  // Chunks beyond the new count are a larger table's; an empty value removes a key.
  std::vector<std::string> stale;
  for (auto k = db.metadata_keys_begin(std::string(kMetaDuplicatesChunk));
       k != db.metadata_keys_end(std::string(kMetaDuplicatesChunk)); ++k) {
    const std::string number = (*k).substr(kMetaDuplicatesChunk.size());
    if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos ||
        number.size() > 9 || std::stoul(number) >= chunks) {
      stale.push_back(*k);
    }
  }
  for (const std::string& k : stale) db.set_metadata(k, "");
  std::string header(kChunkedMagic);
  put_u32(header, chunks);
  db.set_metadata(std::string(kMetaDuplicates), header);
}

std::optional<DuplicateTable> load_duplicates(const Xapian::Database& db,
                                              const std::string& where) {
  const std::string header = db.get_metadata(std::string(kMetaDuplicates));
  if (header.empty()) return std::nullopt;
  if (header.substr(0, kChunkedMagic.size()) != kChunkedMagic ||
      header.size() != kChunkedMagic.size() + 4) {
    // An index written before the table was chunked holds it in this one value.
    return DuplicateTable::decode(header, where);
  }
  const uint32_t chunks = get_u32(header, kChunkedMagic.size());
  std::string bytes;
  for (uint32_t i = 0; i < chunks; ++i) {
    const std::string chunk = db.get_metadata(chunk_key(i));
    if (chunk.empty()) {
      throw IndexError("the duplicate table is damaged (chunk " + std::to_string(i) + " of " +
                           std::to_string(chunks) + " is missing)",
                       where);
    }
    bytes += chunk;
  }
  return DuplicateTable::decode(bytes, where);
}

}  // namespace speechdex::schema
