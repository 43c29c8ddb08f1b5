// Fuzz target: a speech's records (the metadata value, SpeechRecords::decode) and a
// paragraph reference (the document data, ParagraphRef::from_data). Data that is neither is
// an IndexError; what decodes encodes again to what decodes to the same records.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "errors.h"
#include "fuzz_check.h"
#include "record.h"

namespace {

std::string json_of(const std::vector<speechdex::schema::ParagraphRecord>& records) {
  std::string out;
  for (const auto& r : records) out += r.to_json() + "\n";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using speechdex::schema::ParagraphRef;
  using speechdex::schema::SpeechRecords;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    const ParagraphRef ref = ParagraphRef::from_data(in);
    FUZZ_CHECK(ref.to_data() == in);
  } catch (const speechdex::IndexError&) {
  }
  std::vector<speechdex::schema::ParagraphRecord> records;
  try {
    const SpeechRecords s = SpeechRecords::decode(in);
    records = s.paragraphs();
    for (const auto& r : records) FUZZ_CHECK(s.paragraph(r.paragraph).paragraph == r.paragraph);
  } catch (const speechdex::IndexError&) {
    return 0;
  }
  const std::string again = SpeechRecords::encode(records);
  FUZZ_CHECK(json_of(SpeechRecords::decode(again).paragraphs()) == json_of(records));
  return 0;
}
