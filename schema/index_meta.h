// Writing and checking the schema version an index records in its metadata.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace Xapian {
class Database;
class WritableDatabase;
}  // namespace Xapian

namespace speechdex::schema {

/// Records kSchemaVersion and kTokenizerSettings in a database being written.
void write_schema_metadata(Xapian::WritableDatabase& db);

/// The text store's state as a database's metadata records it.
struct TextStoreState {
  std::vector<std::string> segments;  ///< file names in the database's kTextDir, oldest first
  std::vector<uint32_t> deleted;      ///< sorted ids of deleted documents segments still hold
};
TextStoreState read_text_store(const Xapian::Database& db);
/// Sets the metadata; it takes effect with the next commit.
void write_text_store(Xapian::WritableDatabase& db, const TextStoreState& state);

/// Checks that `db` (opened from `path`) was written with this schema version and
/// tokenizer; throws IndexError naming both versions otherwise. An empty database with
/// no version (never indexed into) is accepted.
void check_schema(const Xapian::Database& db, const std::string& path);

}  // namespace speechdex::schema
