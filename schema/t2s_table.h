// The Traditional->Simplified character table, generated at build time from ICU.
#pragma once

#include <cstddef>

namespace speechdex::schema {

/// One mapping: a Traditional character and its Simplified form.
struct T2sEntry {
  char32_t from, to;
};

/// Every Han character ICU's "Traditional-Simplified" transliterator changes, sorted by
/// `from` (schema/tools/gen_t2s.cc writes it).
extern const T2sEntry kT2sTable[];
extern const size_t kT2sTableSize;

}  // namespace speechdex::schema
