// Schema version metadata: written by the indexer, checked by both programs.
#include "index_meta.h"

#include <xapian.h>

#include "errors.h"
#include "fields.h"
#include "varint.h"

namespace speechdex::schema {

void write_schema_metadata(Xapian::WritableDatabase& db) {
  db.set_metadata(std::string(kMetaSchemaVersion), std::to_string(kSchemaVersion));
  db.set_metadata(std::string(kMetaTokenizer), std::string(kTokenizerSettings));
}

TextStoreState read_text_store(const Xapian::Database& db) {
  return decode_text_store(db.get_metadata(std::string(kMetaTextSegments)),
                           db.get_metadata(std::string(kMetaTextDeleted)));
}

TextStoreState decode_text_store(std::string_view segments, std::string_view deleted) {
  TextStoreState s;
  for (size_t i = 0; i < segments.size();) {
    size_t j = segments.find('\n', i);
    if (j == std::string_view::npos) j = segments.size();
    if (j > i) s.segments.emplace_back(segments.substr(i, j - i));
    i = j + 1;
  }
  std::string padded(deleted);
  padded.append(16, '\0');  // a damaged last varint stops in the padding
  const auto* p = reinterpret_cast<const uint8_t*>(padded.data());
  const auto* end = p + deleted.size();
  uint64_t id = 0;
  while (p < end) {
    id += textstore::get_varint(p);
    s.deleted.push_back(static_cast<uint32_t>(id));
  }
  return s;
}

void write_text_store(Xapian::WritableDatabase& db, const TextStoreState& state) {
  std::string names;
  for (const std::string& n : state.segments) names += n + "\n";
  db.set_metadata(std::string(kMetaTextSegments), names);
  std::string deleted;
  uint32_t prev = 0;
  for (uint32_t id : state.deleted) {
    textstore::put_varint(deleted, id - prev);
    prev = id;
  }
  db.set_metadata(std::string(kMetaTextDeleted), deleted);
}

void check_schema(const Xapian::Database& db, const std::string& path) {
  const std::string version = db.get_metadata(std::string(kMetaSchemaVersion));
  const std::string tokenizer = db.get_metadata(std::string(kMetaTokenizer));
  if (version.empty() && db.get_doccount() == 0) return;
  const std::string expected = std::to_string(kSchemaVersion);
  if (version != expected) {
    throw IndexError("index has schema version " + (version.empty() ? "(none)" : version) +
                         ", this program reads version " + expected +
                         "; rebuild the index with this speechdex-index",
                     path);
  }
  if (tokenizer != kTokenizerSettings) {
    throw IndexError("index was built with tokenizer settings '" + tokenizer +
                         "', this program uses '" + std::string(kTokenizerSettings) +
                         "'; rebuild the index with this speechdex-index",
                     path);
  }
}

}  // namespace speechdex::schema
