// Where the indexer finds its vocabularies (gazetteer tables, topic taxonomy) by default.
#pragma once

#include <string>

namespace speechdex::indexer {

/// The data folder --data defaults to: share/speechdex of the installation this program
/// belongs to (found from the program's own path, /proc/self/exe, so an installed program
/// works wherever its prefix is and after the source and build folders are gone), or, when
/// no installed admin-divisions.tsv sits there (a program run from a build folder), the
/// data/ folder of the source tree it was built from.
std::string default_data_dir();

/// The rule default_data_dir() follows, in words, for --help and the man page (which are
/// made from a build folder's program and installed elsewhere, so name no path).
inline constexpr const char* kDefaultDataDirRule =
    "PREFIX/share/speechdex of the installation, or the source tree's data/ when run from a "
    "build folder";

}  // namespace speechdex::indexer
