// What `--db` names: an index folder, a folder of index folders, or a Xapian stub file of
// `auto PATH` lines; several of them search as one (docs/scaling.md).
#pragma once

#include <string>
#include <vector>

namespace speechdex::searcher {

/// The index folders `given` names, in order: an index folder is itself; a folder that is
/// not an index but holds index folders is those, in name order; a file is read as a Xapian
/// stub file whose `auto PATH` lines (PATH relative to the file's folder unless absolute;
/// blank lines and `#` comments skipped) name index folders or folders of them. Throws
/// UsageError naming the path (or the stub's line) for anything else: a missing path, a
/// folder with no index in it, a stub line of another kind, an index named twice.
std::vector<std::string> resolve_databases(const std::vector<std::string>& given);

/// Which searcher `--db` and `--remote` call for: the store layout's (Searcher: index
/// folders, folders of them, stubs of `auto` lines naming them) or the Xapian layout's
/// (XapianSearcher, docs/scaling.md: `--remote`, Xapian-layout databases, stub files with
/// `remote` lines or lines naming Xapian-layout databases). Throws UsageError naming the
/// path (or stub line) that mixes the two: they cannot be searched as one. A folder holding
/// both is its index folders; `notes` (if given) gets a line naming the shards left out.
enum class Layout { kStore, kXapian };
Layout layout_of(const std::vector<std::string>& dbs, const std::vector<std::string>& remotes,
                 std::vector<std::string>* notes = nullptr);

/// A line of a Xapian stub file: its kind (`auto`, `remote`, ...), the rest of the line
/// trimmed, that rest as a path resolved from the stub's folder unless absolute, and where
/// it is ("FILE:LINE") for messages.
struct StubLine {
  std::string kind, argument, path, where;
};
/// The lines of a stub file, blank lines and `#` comments skipped. Throws UsageError if the
/// file cannot be read.
std::vector<StubLine> read_stub_file(const std::string& stub);

/// How deep stub files may name stub files (deeper is taken for a loop).
constexpr int kMaxStubDepth = 8;

/// What a folder is to `--db`: a speechdex index folder (it has its stub, or glass files of
/// the layout before schema 5), a plain Xapian database of the Xapian layout (`--layout
/// xapian`; its metadata says so), or neither. Opens at most one database.
enum class FolderKind { kNone, kIndex, kShard };
FolderKind folder_kind(const std::string& path);
inline bool is_index_folder(const std::string& path) {
  return folder_kind(path) == FolderKind::kIndex;
}
inline bool is_xapian_layout_folder(const std::string& path) {
  return folder_kind(path) == FolderKind::kShard;
}

/// The index folders and the Xapian-layout shards directly inside `folder`, each in path
/// order; what the two searchers take a folder of them for.
struct FolderContents {
  std::vector<std::string> indexes, shards;
};
FolderContents folder_contents(const std::string& folder);

/// What identifies a database path when two names are compared ("named twice"): its
/// canonical path, or the path itself if it has none.
std::string identity_of(const std::string& path);

}  // namespace speechdex::searcher
