// Segment frame: header, footer, section bounds, checksums.
#include "segment_format.h"

#include <xxhash.h>

#include <cstring>
#include <stdexcept>
#include <utility>

#include "varint.h"

namespace speechdex::textstore {

std::string encode_header(uint64_t footer_offset) {
  std::string h(kMagic);
  put_fixed64(h, footer_offset);
  return h;
}

std::string encode_footer(const SegmentFooter& f) {
  std::string out;
  for (uint64_t v : {f.documents, f.terms, f.total_length}) put_varint(out, v);
  for (const Section* s :
       {&f.postings, &f.dictionary, &f.dictionary_index, &f.document_table, &f.checksums}) {
    put_varint(out, s->offset);
    put_varint(out, s->size);
  }
  return out;
}

uint64_t footer_hash(std::string_view header, std::string_view checksums, std::string_view footer) {
  XXH3_state_t* state = XXH3_createState();
  if (state == nullptr) throw std::bad_alloc();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, header.data(), header.size());
  XXH3_64bits_update(state, checksums.data(), checksums.size());
  XXH3_64bits_update(state, footer.data(), footer.size());
  const uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

uint64_t page_hash(const void* data, size_t size) { return XXH3_64bits(data, size); }

void put_fixed64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t get_fixed64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

SegmentFooter decode_frame(const uint8_t* data, uint64_t size, const std::string& path) {
  auto fail = [&](const std::string& why) { return std::runtime_error(path + ": " + why); };
  if (size < kHeaderBytes + kFooterHashBytes + kPaddingBytes ||
      std::memcmp(data, kMagic.data(), kMagic.size() - 2) != 0) {
    throw fail("not a speechdex text segment");
  }
  unsigned format = 0;
  for (const auto& [magic, version] : {std::pair{kMagic, kFormat}, std::pair{kMagicSizedLists, 5u},
                                       std::pair{kMagicWithoutRuns, 4u}}) {
    if (std::memcmp(data, magic.data(), magic.size()) == 0) format = version;
  }
  if (format == 0) throw fail("text segment of another format version; rebuild the index");
  const uint64_t footer = get_fixed64(data + 8);
  // The footer is at most 13 varints of 10 bytes and its hash, and ends before the padding.
  const uint64_t end = size - kPaddingBytes - kFooterHashBytes;
  if (footer < kHeaderBytes || footer >= end || end - footer > 130)
    throw fail("truncated text segment");
  for (uint64_t i = size - kPaddingBytes; i < size; ++i) {
    if (data[i] != 0) throw fail("truncated text segment");
  }
  const uint8_t* p = data + footer;
  SegmentFooter f;
  f.format = format;
  f.documents = get_varint(p);
  f.terms = get_varint(p);
  f.total_length = get_varint(p);
  for (Section* s :
       {&f.postings, &f.dictionary, &f.dictionary_index, &f.document_table, &f.checksums}) {
    s->offset = get_varint(p);
    s->size = get_varint(p);
    if (s->offset < kHeaderBytes || s->offset > footer || s->size > footer - s->offset) {
      throw fail("corrupt text segment (section out of bounds)");
    }
  }
  if (p != data + end) throw fail("corrupt text segment (footer)");
  const uint64_t pages = (f.checksums.offset - kHeaderBytes + kPageBytes - 1) / kPageBytes;
  if (f.checksums.size != pages * 8 || f.checksums.offset + f.checksums.size != footer) {
    throw fail("corrupt text segment (checksum table)");
  }
  if (kVerifyChecksums &&
      footer_hash({reinterpret_cast<const char*>(data), kHeaderBytes},
                  {reinterpret_cast<const char*>(data + f.checksums.offset), f.checksums.size},
                  {reinterpret_cast<const char*>(data + footer), end - footer}) !=
          get_fixed64(data + end)) {
    throw fail("corrupt text segment (footer checksum)");
  }
  return f;
}

}  // namespace speechdex::textstore
