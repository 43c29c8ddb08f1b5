// What the fuzz targets share: a check that stops the process where an invariant fails.
#pragma once

#include <cstdio>
#include <cstdlib>

/// Aborts with the failed condition and its place when `condition` is false, in every build
/// (a fuzzer reports the abort as a crash and keeps the input).
#define FUZZ_CHECK(condition)                                                            \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)
