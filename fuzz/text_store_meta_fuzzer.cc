// Fuzz target: the text store's metadata -> decode_text_store. The input is the segment
// names value, a NUL, then the deleted ids value (no NUL: names only). Any bytes decode.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "index_meta.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view names = input.substr(0, nul);
  const std::string_view deleted =
      nul == std::string_view::npos ? std::string_view() : input.substr(nul + 1);
  const speechdex::schema::TextStoreState state =
      speechdex::schema::decode_text_store(names, deleted);
  for (const std::string& name : state.segments) {
    FUZZ_CHECK(!name.empty() && name.find('\n') == std::string::npos);
  }
  FUZZ_CHECK(state.deleted.size() <= deleted.size());  // a varint takes a byte at least
  return 0;
}
