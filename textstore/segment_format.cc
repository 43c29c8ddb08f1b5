// Segment frame: header, footer, section bounds.
#include "segment_format.h"

#include <cstring>
#include <stdexcept>

#include "varint.h"

namespace speechdex::textstore {

std::string encode_header(uint64_t footer_offset) {
  std::string h(kMagic);
  for (int i = 0; i < 8; ++i) h.push_back(static_cast<char>((footer_offset >> (8 * i)) & 0xFF));
  return h;
}

std::string encode_footer(const SegmentFooter& f) {
  std::string out;
  for (uint64_t v : {f.documents, f.terms, f.total_length}) put_varint(out, v);
  for (const Section* s : {&f.postings, &f.dictionary, &f.dictionary_index, &f.document_table}) {
    put_varint(out, s->offset);
    put_varint(out, s->size);
  }
  return out;
}

SegmentFooter decode_frame(const uint8_t* data, uint64_t size, const std::string& path) {
  auto fail = [&](const std::string& why) { return std::runtime_error(path + ": " + why); };
  if (size < kHeaderBytes + kPaddingBytes ||
      std::memcmp(data, kMagic.data(), kMagic.size() - 2) != 0) {
    throw fail("not a speechdex text segment");
  }
  if (std::memcmp(data, kMagic.data(), kMagic.size()) != 0) {
    throw fail("text segment of another format version");
  }
  uint64_t footer = 0;
  for (int i = 0; i < 8; ++i) footer |= static_cast<uint64_t>(data[8 + i]) << (8 * i);
  // The footer is at most 11 varints of 10 bytes, and ends before the padding.
  const uint64_t end = size - kPaddingBytes;
  if (footer < kHeaderBytes || footer >= end || end - footer > 110)
    throw fail("truncated text segment");
  for (uint64_t i = end; i < size; ++i) {
    if (data[i] != 0) throw fail("truncated text segment");
  }
  const uint8_t* p = data + footer;
  SegmentFooter f;
  f.documents = get_varint(p);
  f.terms = get_varint(p);
  f.total_length = get_varint(p);
  for (Section* s : {&f.postings, &f.dictionary, &f.dictionary_index, &f.document_table}) {
    s->offset = get_varint(p);
    s->size = get_varint(p);
    if (s->offset < kHeaderBytes || s->offset > footer || s->size > footer - s->offset) {
      throw fail("corrupt text segment (section out of bounds)");
    }
  }
  if (p != data + end) throw fail("corrupt text segment (footer)");
  return f;
}

}  // namespace speechdex::textstore
