// The segment file's frame: header, section table (the footer) and padding. Private to
// textstore/.
//   header:   "SDXSEG" + 2-byte format version, then the footer's offset (8 bytes, little-endian)
//   sections: postings, dictionary, dictionary index, document table
//   footer:   varints: documents, terms, total length, then offset and size of each section
//   padding:  kPaddingBytes zero bytes, so a varint read can never run off the mapping
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace speechdex::textstore {

inline constexpr std::string_view kMagic = "SDXSEG03";
inline constexpr uint64_t kHeaderBytes = 16;
inline constexpr uint64_t kPaddingBytes = 16;

struct Section {
  uint64_t offset = 0, size = 0;
};

struct SegmentFooter {
  uint64_t documents = 0, terms = 0, total_length = 0;
  Section postings, dictionary, dictionary_index, document_table;
};

std::string encode_header(uint64_t footer_offset);
std::string encode_footer(const SegmentFooter& f);

/// Reads and checks the frame of a segment of `size` bytes at `data`; throws
/// std::runtime_error naming `path` if it is not a segment, of another version, or truncated.
SegmentFooter decode_frame(const uint8_t* data, uint64_t size, const std::string& path);

}  // namespace speechdex::textstore
