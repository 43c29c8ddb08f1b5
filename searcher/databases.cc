// Resolving `--db` to index folders.
#include "databases.h"

#include <algorithm>
#include <boost/filesystem.hpp>
#include <fstream>
#include <set>

#include "errors.h"
#include "index_layout.h"

namespace speechdex::searcher {

namespace fs = boost::filesystem;

bool is_index_folder(const std::string& path) {
  if (!fs::is_directory(path)) return false;
  return fs::exists(schema::stub_path(path)) || schema::is_old_layout(path);
}

namespace {

constexpr int kMaxStubDepth = 8;

void resolve(const std::string& path, int depth, std::vector<std::string>& out);

// The `auto PATH` lines of a Xapian stub file.
void read_stub(const std::string& stub, int depth, std::vector<std::string>& out) {
  std::ifstream in(stub);
  if (!in) throw UsageError("cannot read this file", stub);
  const fs::path dir = fs::path(stub).parent_path();
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const std::string where = stub + ":" + std::to_string(number);
    const auto space = line.find_first_of(" \t", first);
    const std::string kind = line.substr(first, space - first);
    std::string rest = space == std::string::npos ? "" : line.substr(space);
    rest.erase(0, rest.find_first_not_of(" \t"));
    rest.erase(rest.find_last_not_of(" \t\r") + 1);
    if (kind != "auto" || rest.empty()) {
      throw UsageError(
          "a stub file names speechdex indexes by 'auto PATH' lines only; this line is '" + line +
              "'",
          where);
    }
    const fs::path target = fs::path(rest).is_absolute() ? fs::path(rest) : dir / rest;
    resolve(target.lexically_normal().string(), depth + 1, out);
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
  std::vector<std::string> inside;
  for (const fs::directory_entry& e : fs::directory_iterator(path)) {
    if (is_index_folder(e.path().string())) inside.push_back(e.path().string());
  }
  if (inside.empty()) {
    // An index no run has committed to yet has its writer's lock only: the searcher says so.
    if (fs::exists(schema::lock_path(path))) {
      out.push_back(path);
      return;
    }
    throw UsageError("no database at this path (not an index, nor a folder of indexes)", path);
  }
  std::sort(inside.begin(), inside.end());
  out.insert(out.end(), inside.begin(), inside.end());
}

}  // namespace

std::vector<std::string> resolve_databases(const std::vector<std::string>& given) {
  std::vector<std::string> out;
  for (const std::string& g : given) resolve(g, 0, out);
  std::set<std::string> seen;
  for (const std::string& p : out) {
    boost::system::error_code ec;
    const fs::path canonical = fs::canonical(p, ec);
    if (!seen.insert(ec ? p : canonical.string()).second) {
      throw UsageError("this index is named twice: its documents would count twice", p);
    }
  }
  return out;
}

}  // namespace speechdex::searcher
