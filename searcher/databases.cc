// Resolving `--db` to index folders.
#include "databases.h"

#include <xapian.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <fstream>
#include <optional>
#include <set>

#include "errors.h"
#include "fields.h"
#include "index_layout.h"

namespace speechdex::searcher {

namespace fs = boost::filesystem;

FolderKind folder_kind(const std::string& path) {
  if (!fs::is_directory(path)) return FolderKind::kNone;
  if (fs::exists(schema::stub_path(path))) return FolderKind::kIndex;
  if (!schema::is_old_layout(path)) return FolderKind::kNone;
  // Glass files at the top: a database of the Xapian layout, or an index of the layout
  // before schema 5 (the searcher says to rebuild it).
  try {
    if (Xapian::Database(path).get_metadata(std::string(schema::kMetaLayout)) ==
        schema::kLayoutXapian) {
      return FolderKind::kShard;
    }
  } catch (const Xapian::Error&) {
  }
  return FolderKind::kIndex;
}

FolderContents folder_contents(const std::string& folder) {
  FolderContents out;
  for (const fs::directory_entry& e : fs::directory_iterator(folder)) {
    switch (folder_kind(e.path().string())) {
      case FolderKind::kIndex:
        out.indexes.push_back(e.path().string());
        break;
      case FolderKind::kShard:
        out.shards.push_back(e.path().string());
        break;
      case FolderKind::kNone:
        break;
    }
  }
  std::sort(out.indexes.begin(), out.indexes.end());
  std::sort(out.shards.begin(), out.shards.end());
  return out;
}

std::string identity_of(const std::string& path) {
  boost::system::error_code ec;
  const fs::path canonical = fs::canonical(path, ec);
  return ec ? path : canonical.string();
}

namespace {

void resolve(const std::string& path, int depth, std::vector<std::string>& out);

// The `auto PATH` lines of a Xapian stub file.
void read_stub(const std::string& stub, int depth, std::vector<std::string>& out) {
  for (const StubLine& l : read_stub_file(stub)) {
    if (l.kind != "auto" || l.argument.empty()) {
      throw UsageError(
          "a stub file names speechdex indexes by 'auto PATH' lines only; this "
          "line is '" +
              l.kind + " " + l.argument + "'",
          l.where);
    }
    resolve(l.path, depth + 1, out);
  }
}

void resolve(const std::string& path, int depth, std::vector<std::string>& out) {
  if (depth > kMaxStubDepth) throw UsageError("stub files nest too deep (a loop?)", path);
  if (is_index_folder(path)) {
    out.push_back(path);
    return;
  }
  if (fs::is_regular_file(path)) return read_stub(path, depth, out);
  if (!fs::is_directory(path)) throw UsageError("no database at this path", path);
  const std::vector<std::string> inside = folder_contents(path).indexes;
  if (inside.empty()) {
    // An index no run has committed to yet has its writer's lock only: the searcher says so.
    if (fs::exists(schema::lock_path(path))) {
      out.push_back(path);
      return;
    }
    throw UsageError("no database at this path (not an index, nor a folder of indexes)", path);
  }
  out.insert(out.end(), inside.begin(), inside.end());
}

}  // namespace

namespace {

Layout layout_of_path(const std::string& path, int depth, std::vector<std::string>& notes) {
  if (depth > kMaxStubDepth) throw UsageError("stub files nest too deep (a loop?)", path);
  const FolderKind kind = folder_kind(path);
  if (kind == FolderKind::kIndex) return Layout::kStore;
  if (kind == FolderKind::kShard) return Layout::kXapian;
  if (fs::is_directory(path)) {
    // A folder of index folders, of Xapian-layout shards, or of nothing (resolve says so).
    // Holding both, it is its index folders (as --help says), and the note names the
    // shards left out.
    const FolderContents inside = folder_contents(path);
    const bool store = !inside.indexes.empty();
    const std::vector<std::string>& shards = inside.shards;
    if (store && !shards.empty()) {
      std::string names;
      for (const std::string& n : shards) {
        names += (names.empty() ? "" : ", ") + fs::path(n).filename().string();
      }
      notes.push_back(path + " also holds Xapian-layout shards (" + names +
                      "), not searched with its index folders; name them with --db to search "
                      "them");
    }
    return store || shards.empty() ? Layout::kStore : Layout::kXapian;
  }
  if (!fs::is_regular_file(path)) return Layout::kStore;  // nothing: resolve says so
  std::optional<Layout> layout;
  for (const StubLine& l : read_stub_file(path)) {
    const Layout here =
        l.kind == "remote" ? Layout::kXapian : layout_of_path(l.path, depth + 1, notes);
    if (layout && *layout != here) {
      throw UsageError(
          "this stub names both speechdex index folders and Xapian-layout shards; "
          "they cannot be searched as one",
          l.where);
    }
    layout = here;
  }
  return layout.value_or(Layout::kStore);
}

}  // namespace

Layout layout_of(const std::vector<std::string>& dbs, const std::vector<std::string>& remotes,
                 std::vector<std::string>* notes) {
  std::optional<Layout> layout;
  std::vector<std::string> left_out;
  if (!remotes.empty()) layout = Layout::kXapian;
  for (const std::string& db : dbs) {
    const Layout here = layout_of_path(db, 0, left_out);
    if (layout && *layout != here) {
      throw UsageError(
          "speechdex index folders and Xapian-layout shards (--remote, --layout "
          "xapian) cannot be searched as one",
          db);
    }
    layout = here;
  }
  if (notes) notes->insert(notes->end(), left_out.begin(), left_out.end());
  return layout.value_or(Layout::kStore);
}

std::vector<StubLine> read_stub_file(const std::string& stub) {
  std::ifstream in(stub);
  if (!in) throw UsageError("cannot read this file", stub);
  const fs::path dir = fs::path(stub).parent_path();
  std::vector<StubLine> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto space = line.find_first_of(" \t", first);
    StubLine l{line.substr(first, space - first),
               space == std::string::npos ? "" : line.substr(space), "",
               stub + ":" + std::to_string(number)};
    l.argument.erase(0, l.argument.find_first_not_of(" \t"));
    l.argument.erase(l.argument.find_last_not_of(" \t\r") + 1);
    const fs::path arg(l.argument);
    l.path = (arg.is_absolute() ? arg : dir / arg).lexically_normal().string();
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<std::string> resolve_databases(const std::vector<std::string>& given) {
  std::vector<std::string> out;
  for (const std::string& g : given) resolve(g, 0, out);
  std::set<std::string> seen;
  for (const std::string& p : out) {
    if (!seen.insert(identity_of(p)).second) {
      throw UsageError("this index is named twice: its documents would count twice", p);
    }
  }
  return out;
}

}  // namespace speechdex::searcher
