// Schema version metadata: written by the indexer, checked by both programs.
#include "index_meta.h"

#include <xapian.h>

#include "errors.h"
#include "fields.h"

namespace speechdex::schema {

void write_schema_metadata(Xapian::WritableDatabase& db) {
  db.set_metadata(std::string(kMetaSchemaVersion), std::to_string(kSchemaVersion));
  db.set_metadata(std::string(kMetaTokenizer), std::string(kTokenizerSettings));
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
