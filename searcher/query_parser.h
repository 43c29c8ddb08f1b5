// Query text -> a text store query (textstore/match.h), by the grammar in docs/query.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "match.h"

namespace speechdex::searcher {

/// A metadata filter as typed (county:巴东, year:2015..2020); the searcher resolves it.
struct FilterSpec {
  std::string field;  ///< county, province, year, topic or role
  std::string value;
  bool negated = false;  ///< -county:巴东 excludes
};

/// The deepest a query may nest: each '(' and each exclusion (- or NOT) opens a level, so
/// `((a))` and `- -a` are 2 deep. Deeper queries are refused (QueryError): the parser and
/// every walk over the query tree recurse once per level. Chains of AND and OR are not
/// nesting: `a OR b OR c …` of any length is one level, one n-ary node.
inline constexpr size_t kMaxQueryDepth = 100;

/// The largest n of NEAR/n and BEFORE/n.
inline constexpr uint32_t kMaxNearDistance = 100000;

/// Fields that filter by metadata.
bool is_filter_field(std::string_view name);

/// A parsed query: the text store query and what to highlight in hits.
struct ParsedQuery {
  textstore::Query query = textstore::Query::all();
  /// Unit sequences (normalized unit texts) that positive parts of the query look for in
  /// the paragraph text; a snippet marks their occurrences.
  std::vector<std::vector<std::string>> highlights;
  /// True if the query has no positive text part (only exclusions, or only filters): it
  /// matches all paragraphs but the excluded ones.
  bool only_negative = false;
  /// Metadata filters typed inline, in order.
  std::vector<FilterSpec> filters;
};

/// Parses query text. The grammar (docs/query.md):
///   query   := or ('OR' or)*            (OR binds loosest)
///   or      := unary+                   (parts separated by spaces are ANDed; AND allowed)
///   unary   := ('-' | 'NOT') unary | '(' query ')' | field ':' atom | near
///   near    := atom (('NEAR' | 'BEFORE') '/' (n | 's') atom)?   (binds tightest)
///   atom    := '"' text '"' | word
/// A word is read as units (see schema/tokenizer.h); punctuation inside it splits it into
/// runs that are ANDed, each run matching exactly as a substring. Quoted text is one run,
/// punctuation included. Fields: title:, heading:; filters: county:, province:, year:,
/// topic:, role: (collected in `filters`, resolved by the searcher). A query of filters
/// alone is valid.
/// A NEAR part is one run (a word with punctuation inside must be quoted); a run of one unit
/// becomes a textstore kUnit, a longer one its bigram or phrase of bigrams (width 2).
/// Throws QueryError (context: the query, or the start of a long one and its length) for unbalanced
/// quotes or parentheses, an unknown field, an operator with nothing to apply to, a query with no
/// searchable text, one nested deeper than kMaxQueryDepth, or a NEAR or BEFORE with a bad
/// distance or without a text part on either side.
ParsedQuery parse_query(std::string_view text);

}  // namespace speechdex::searcher
