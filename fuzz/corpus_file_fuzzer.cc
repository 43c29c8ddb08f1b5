// Fuzz target: a corpus file's bytes -> decode_text (encoding detection and decoding) -> the
// cleaner, the speech splitter (both modes) and the metadata extractor, as the indexer reads
// every file. Undecodable bytes are an InputError; decoded text is UTF-8 with '\n' endings.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cleaner.h"
#include "corpus_reader.h"
#include "data_dir.h"
#include "errors.h"
#include "fuzz_check.h"
#include "metadata_extractor.h"
#include "normalizer.h"
#include "speech_splitter.h"

namespace {

// The vocabularies the indexer reads by default (the source tree's data/), loaded once per
// process.
struct Vocabularies {
  std::string data = speechdex::indexer::default_data_dir();
  speechdex::schema::Gazetteer gazetteer = speechdex::schema::Gazetteer::load(data);
  speechdex::schema::Taxonomy taxonomy = speechdex::schema::Taxonomy::load(data + "/topics.tsv");
  speechdex::indexer::MetadataExtractor extractor{gazetteer, taxonomy};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Vocabularies vocabularies;
  using namespace speechdex::indexer;
  DecodedText text;
  try {
    text = decode_text(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const speechdex::InputError&) {
    return 0;
  }
  FUZZ_CHECK(speechdex::schema::is_valid_utf8(text.utf8));
  FUZZ_CHECK(text.utf8.find('\r') == std::string::npos);
  for (const SplitResult& split : {split_speeches(clean(text.utf8)), split_lines(text.utf8)}) {
    for (const auto& speech : split.speeches) (void)vocabularies.extractor.extract(speech);
  }
  return 0;
}
