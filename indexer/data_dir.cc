// The default data folder: the installation's share/speechdex, else the source tree's data/.
#include "data_dir.h"

#include <boost/filesystem.hpp>

namespace speechdex::indexer {

std::string default_data_dir() {
  namespace fs = boost::filesystem;
  // SPEECHDEX_DATA_DIR_FROM_BINDIR is the install layout's path from the programs' folder to
  // the data (../share/speechdex with GNUInstallDirs' defaults); the prefix itself is not
  // compiled in, as `cmake --install --prefix` and CPack choose it after the build.
  boost::system::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path() / SPEECHDEX_DATA_DIR_FROM_BINDIR;
    if (fs::is_regular_file(installed / "admin-divisions.tsv", ec)) {
      return installed.lexically_normal().string();
    }
  }
  return SPEECHDEX_SOURCE_DATA_DIR;
}

}  // namespace speechdex::indexer
