// Provenance of an export (--provenance): what was asked of which index, by which program, when.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "query_parser.h"
#include "searcher.h"

namespace speechdex::searcher {

/// What an export was asked for, as typed.
struct ProvenanceRequest {
  std::string query;                ///< the query words joined by spaces ("" for filters alone)
  std::vector<FilterSpec> filters;  ///< from the filter flags, in flag order
  /// Other options that shape the output (format, all, fields, sort, ...), name -> value.
  std::vector<std::pair<std::string, std::string>> options;
};

/// The provenance object (docs/output.md, Provenance) as one line of JSON: query,
/// filters, options, the database's absolute path, its schema version, tokenizer, document
/// count, revision and fingerprints of its gazetteer and topic tables, the program's
/// version and the time (UTC, ISO 8601). `records`: the rows written, when known.
std::string provenance_json(const Searcher& searcher, const ProvenanceRequest& request,
                            std::optional<uint64_t> records);

/// FNV-1a, 64 bits, as 16 lower-case hex digits: a fingerprint of metadata tables.
std::string fnv1a64_hex(const std::string& bytes);

}  // namespace speechdex::searcher
