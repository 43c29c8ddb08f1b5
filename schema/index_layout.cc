// The index folder's layout: stub, generations, text store, lock and work folder.
#include "index_layout.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "errors.h"
#include "fields.h"

namespace speechdex::schema {
namespace fs = boost::filesystem;

namespace {

constexpr std::string_view kGenerationPrefix = "records.";
constexpr std::string_view kStubBackend = "glass ";

// fsync()s `path` (a file or a folder); throws IndexError naming it.
void sync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IndexError(std::string("cannot open to sync: ") + std::strerror(errno), path);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw IndexError(std::string("cannot sync: ") + std::strerror(err), path);
}

}  // namespace

std::string stub_path(const std::string& db) { return db + "/XAPIANDB"; }
std::string text_dir(const std::string& db) { return db + "/" + std::string(kTextDir); }
std::string lock_path(const std::string& db) { return db + "/lock"; }
std::string work_dir(const std::string& db) { return db + "/work"; }

bool is_generation_name(const std::string& name) {
  if (name.size() <= kGenerationPrefix.size() || name.rfind(kGenerationPrefix, 0) != 0) {
    return false;
  }
  for (size_t i = kGenerationPrefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  return true;
}

std::string live_generation(const std::string& db) {
  std::ifstream in(stub_path(db));
  if (!in) return "";
  std::string line;
  std::getline(in, line);
  const std::string name =
      line.rfind(kStubBackend, 0) == 0 ? line.substr(kStubBackend.size()) : std::string();
  if (!is_generation_name(name)) {
    throw IndexError("the stub file does not name a records generation: '" + line + "'",
                     stub_path(db));
  }
  return name;
}

void set_live_generation(const std::string& db, const std::string& name) {
  const std::string stub = stub_path(db), tmp = stub + ".tmp";
  {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw IndexError(std::string("cannot create: ") + std::strerror(errno), tmp);
    const std::string text = std::string(kStubBackend) + name + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok) {
      ::unlink(tmp.c_str());
      throw IndexError(std::string("cannot write: ") + std::strerror(err), tmp);
    }
  }
  if (std::rename(tmp.c_str(), stub.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw IndexError(std::string("cannot rename into place: ") + std::strerror(err), stub);
  }
  sync_path(db);
}

std::string next_generation(const std::string& db) {
  unsigned long highest = 0;
  if (fs::is_directory(db)) {
    for (const fs::directory_entry& e : fs::directory_iterator(db)) {
      const std::string name = e.path().filename().string();
      if (is_generation_name(name)) {
        highest = std::max(highest, std::stoul(name.substr(kGenerationPrefix.size())));
      }
    }
  }
  return std::string(kGenerationPrefix) + std::to_string(highest + 1);
}

bool is_old_layout(const std::string& db) {
  return !fs::exists(stub_path(db)) && fs::exists(db + "/iamglass");
}

void sync_tree(const std::string& dir) {
  try {
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      if (fs::is_regular_file(e.status())) sync_path(e.path().string());
    }
  } catch (const fs::filesystem_error& e) {
    throw IndexError("cannot list: " + e.code().message(), dir);
  }
  sync_path(dir);
}

}  // namespace speechdex::schema
