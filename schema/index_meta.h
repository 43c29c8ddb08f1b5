// Writing and checking the schema version an index records in its metadata.
#pragma once

#include <string>

namespace Xapian {
class Database;
class WritableDatabase;
}  // namespace Xapian

namespace speechdex::schema {

/// Records kSchemaVersion and kTokenizerSettings in a database being written.
void write_schema_metadata(Xapian::WritableDatabase& db);

/// Checks that `db` (opened from `path`) was written with this schema version and
/// tokenizer; throws IndexError naming both versions otherwise. An empty database with
/// no version (never indexed into) is accepted.
void check_schema(const Xapian::Database& db, const std::string& path);

}  // namespace speechdex::schema
