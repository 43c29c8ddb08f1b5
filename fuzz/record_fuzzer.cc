// Fuzz target: document data -> ParagraphRecord::from_data. Data that is not a paragraph
// record is an IndexError; a record that parses writes back to data that parses to it again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "errors.h"
#include "fuzz_check.h"
#include "record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using speechdex::schema::ParagraphRecord;
  ParagraphRecord r;
  try {
    r = ParagraphRecord::from_data(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const speechdex::IndexError&) {
    return 0;
  }
  const std::string again = r.to_data();
  FUZZ_CHECK(ParagraphRecord::from_data(again).to_data() == again);
  return 0;
}
