// The index folder: which files and folders make an index, and which one is live.
#pragma once

#include <string>
#include <vector>

namespace speechdex::schema {

// An index is a folder (docs/index.md):
//   XAPIANDB    a Xapian stub naming the live records generation: "glass records.N"
//   records.N/  the records (a Xapian glass database): document data, value slots,
//               metadata naming the live segments and the deleted ids
//   text/       the text store's segment files (N.seg)
//   lock        held by the one writer for its whole run; says who and since when
//   work/       a writer's temporary work (shards of --jobs, compaction); removed by the
//               next writer
// Xapian opens the folder through its stub, so a reader always sees one whole generation;
// compaction writes the next generation beside the live one and switches the stub by an
// atomic rename.

/// The stub file of the index at `db`.
std::string stub_path(const std::string& db);
/// The folder of the text store of the index at `db`.
std::string text_dir(const std::string& db);
/// The writer's lock file.
std::string lock_path(const std::string& db);
/// The writer's work folder.
std::string work_dir(const std::string& db);

/// The name of the live records generation ("records.3"), "" if the folder has no stub.
/// Throws IndexError if the stub is not one this program writes.
std::string live_generation(const std::string& db);
/// Points the stub at generation `name` (a folder of `db`): written to a temporary file,
/// synced and renamed over the stub, then the folder is synced. Throws IndexError.
void set_live_generation(const std::string& db, const std::string& name);
/// A generation name one higher than any in the folder ("records.1" in an empty one).
std::string next_generation(const std::string& db);
/// True if `name` is the name of a records generation.
bool is_generation_name(const std::string& name);

/// True if the folder holds an index of the layout before schema 5 (glass files at its top).
bool is_old_layout(const std::string& db);

/// Syncs every file of the folder `dir` and the folder itself (a generation before the stub
/// names it). Throws IndexError naming the file.
void sync_tree(const std::string& dir);

}  // namespace speechdex::schema
