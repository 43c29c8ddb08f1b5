// The segment file's frame: header, sections, checksums, footer and padding. Private to
// textstore/.
//   header:    "SDXSEG" + 2-byte format version, then the footer's offset (8 bytes, little-endian)
//   sections:  postings, dictionary, dictionary index, document table
//   checksums: XXH3-64 of every page of kPageBytes from the end of the header to the start of
//              the checksums (8 bytes each, little-endian; the last page may be shorter)
//   footer:    varints: documents, terms, total length, then offset and size of each section
//              (the checksums last), then 8 bytes: XXH3-64 of header, checksums and footer
//   padding:   kPaddingBytes zero bytes, so a varint read can never run off the mapping
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace speechdex::textstore {

inline constexpr std::string_view kMagic = "SDXSEG06";
/// The formats before (docs/index.md), still read: 05 sized each list in the list and kept
/// every block's skip entry whole; 04 had no lists of runs either.
inline constexpr std::string_view kMagicSizedLists = "SDXSEG05";
inline constexpr std::string_view kMagicWithoutRuns = "SDXSEG04";
/// The format kMagic names, the one written (SegmentFooter::format: 6, 5 or 4 as read).
inline constexpr unsigned kFormat = 6;
inline constexpr uint64_t kHeaderBytes = 16;
inline constexpr uint64_t kPaddingBytes = 16;
/// Bytes a page checksum covers. A reader verifies a page the first time it reads from it,
/// so a rare term costs the hash of the pages its few bytes sit in: 64 KiB pages cost a
/// cold one-character query 5.86M instructions on 20 MB of make-corpus, 16 KiB 5.77M, 8 KiB
/// 5.76M, 4 KiB 5.79M (the table, hashed whole at open, grows as pages shrink).
inline constexpr uint64_t kPageBytes = 16 * 1024;
inline constexpr uint64_t kFooterHashBytes = 8;

struct Section {
  uint64_t offset = 0, size = 0;
};

struct SegmentFooter {
  unsigned format = kFormat;  ///< from the header's magic
  uint64_t documents = 0, terms = 0, total_length = 0;
  Section postings, dictionary, dictionary_index, document_table, checksums;
};

std::string encode_header(uint64_t footer_offset);
/// The footer's varints, without its hash.
std::string encode_footer(const SegmentFooter& f);
/// The footer's hash: of the header, the checksum table and the footer's varints.
uint64_t footer_hash(std::string_view header, std::string_view checksums, std::string_view footer);
/// A page's checksum.
uint64_t page_hash(const void* data, size_t size);
void put_fixed64(std::string& out, uint64_t v);
uint64_t get_fixed64(const uint8_t* p);

/// Reads and checks the frame of a segment of `size` bytes at `data`, the footer's hash
/// included; throws std::runtime_error naming `path` if it is not a segment, of another
/// version, truncated or damaged.
SegmentFooter decode_frame(const uint8_t* data, uint64_t size, const std::string& path);

/// True in fuzzing builds, which skip checksums so that the fuzzer reaches the structure
/// behind them (the libFuzzer convention FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION).
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
inline constexpr bool kVerifyChecksums = false;
#else
inline constexpr bool kVerifyChecksums = true;
#endif

}  // namespace speechdex::textstore
