// Searching with exact counts: the match runs with check_at_least = document count, so
// Xapian checks every candidate and its estimate becomes the exact total.
#include "searcher.h"

#include <boost/filesystem.hpp>

#include "errors.h"
#include "index_meta.h"

namespace speechdex::searcher {

Searcher::Searcher(const std::string& path) : path_(path) {
  if (!boost::filesystem::is_directory(path)) {
    throw UsageError("no database at this path", path);
  }
  try {
    db_ = std::make_unique<Xapian::Database>(path);
  } catch (const Xapian::DatabaseNotFoundError&) {
    throw IndexError("not a speechdex database", path);
  } catch (const Xapian::Error& e) {
    throw IndexError("cannot open database: " + e.get_msg(), path);
  }
  schema::check_schema(*db_, path);
}

Searcher::~Searcher() = default;

SearchResult Searcher::search(const ParsedQuery& query, const Page& page) {
  try {
    return run(query, page);
  } catch (const Xapian::DatabaseModifiedError&) {
    db_->reopen();
    return run(query, page);
  } catch (const Xapian::Error& e) {
    throw IndexError("search failed: " + e.get_msg(), path_);
  }
}

SearchResult Searcher::run(const ParsedQuery& query, const Page& page) {
  Xapian::Enquire enquire(*db_);
  enquire.set_query(query.query);
  const Xapian::doccount all = db_->get_doccount();
  const Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(page.offset),
                                             static_cast<Xapian::doccount>(page.limit), all);
  SearchResult result;
  result.total = mset.get_matches_estimated();
  size_t rank = page.offset;
  for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
    Hit h;
    h.docid = *it;
    h.score = it.get_weight();
    h.rank = ++rank;
    h.record = schema::ParagraphRecord::from_data(it.get_document().get_data());
    result.hits.push_back(std::move(h));
  }
  return result;
}

}  // namespace speechdex::searcher
