// libxml2 set up once per process, before the first parse: what its documentation asks of
// programs that parse from several threads.
#pragma once

#include <libxml/parser.h>

namespace speechdex::indexer {

/// Calls xmlInitParser() the first time, from whichever thread gets here first; a C++
/// static makes the other threads wait for it.
inline void init_libxml2() {
  static const bool initialized = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialized;
}

}  // namespace speechdex::indexer
