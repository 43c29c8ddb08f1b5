// Writing and checking the schema version an index records in its metadata.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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
/// Reads the state from a database's metadata (by decode_text_store).
TextStoreState read_text_store(const Xapian::Database& db);
/// Decodes the state from its two metadata values as written by write_text_store: segment
/// names one a line, and the deleted ids as varints of their gaps. Never reads past either
/// value, whatever its bytes.
TextStoreState decode_text_store(std::string_view segments, std::string_view deleted);
/// Sets the metadata; it takes effect with the next commit.
void write_text_store(Xapian::WritableDatabase& db, const TextStoreState& state);

/// Checks that `db` (opened from `path`) was written with this schema version and
/// tokenizer; throws IndexError naming both versions otherwise. An empty database with
/// no version (never indexed into) is accepted.
void check_schema(const Xapian::Database& db, const std::string& path);

}  // namespace speechdex::schema
