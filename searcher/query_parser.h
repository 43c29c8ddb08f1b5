// Query text -> Xapian::Query, by the grammar in docs/query.md.
#pragma once

#include <xapian.h>

#include <string>
#include <string_view>
#include <vector>

namespace speechdex::searcher {

/// A parsed query: the Xapian query and what to highlight in hits.
struct ParsedQuery {
  Xapian::Query query;
  /// Unit sequences (normalized unit texts) that positive parts of the query look for in
  /// the paragraph text; a snippet marks their occurrences.
  std::vector<std::vector<std::string>> highlights;
  /// True if the query has no positive part (only exclusions): it matches all paragraphs
  /// without the excluded ones.
  bool only_negative = false;
};

/// Parses query text. The grammar (docs/query.md):
///   query   := or ('OR' or)*            (OR binds loosest)
///   or      := unary+                   (parts separated by spaces are ANDed; AND allowed)
///   unary   := ('-' | 'NOT') unary | '(' query ')' | field ':' atom | atom
///   atom    := '"' text '"' | word
/// A word is read as units (see schema/tokenizer.h); punctuation inside it splits it into
/// runs that are ANDed, each run matching exactly as a substring. Quoted text is one run,
/// punctuation included. Fields: title:, heading:.
/// Throws QueryError (context: the query) for unbalanced quotes or parentheses, an
/// unknown field, an operator with nothing to apply to, or a query with no searchable text.
ParsedQuery parse_query(std::string_view text);

}  // namespace speechdex::searcher
