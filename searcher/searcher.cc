// Searching with exact counts: the match runs with check_at_least = document count, so
// Xapian checks every candidate; its estimates become exact and match spies see every
// matching document.
#include "searcher.h"

#include <boost/filesystem.hpp>
#include <unordered_map>

#include "errors.h"
#include "fields.h"
#include "filters.h"
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

const schema::Gazetteer& Searcher::gazetteer() {
  if (!gazetteer_) {
    gazetteer_ = schema::Gazetteer::deserialize(
        db_->get_metadata(std::string(schema::kMetaGazetteer)), path_);
  }
  return *gazetteer_;
}

const schema::Taxonomy& Searcher::taxonomy() {
  if (!taxonomy_) {
    taxonomy_ = schema::Taxonomy::parse(db_->get_metadata(std::string(schema::kMetaTopics)),
                                        path_ + " (topics)");
  }
  return *taxonomy_;
}

SearchResult Searcher::search(const ParsedQuery& query, const Page& page) {
  SearchRequest r;
  r.query = query;
  r.page = page;
  return search(r);
}

SearchResult Searcher::search(const SearchRequest& request) {
  try {
    return run(request);
  } catch (const Xapian::DatabaseModifiedError&) {
    db_->reopen();
    return run(request);
  } catch (const Xapian::Error& e) {
    throw IndexError("search failed: " + e.get_msg(), path_);
  }
}

SearchResult Searcher::run(const SearchRequest& request) {
  Xapian::Query query = request.query.query;
  std::vector<FilterSpec> filters = request.filters;
  filters.insert(filters.end(), request.query.filters.begin(), request.query.filters.end());
  if (!filters.empty()) {
    const FilterQueries f = build_filters(filters, gazetteer(), taxonomy());
    if (f.keep) query = Xapian::Query(Xapian::Query::OP_FILTER, query, *f.keep);
    if (f.drop) query = Xapian::Query(Xapian::Query::OP_AND_NOT, query, *f.drop);
  }
  Xapian::Enquire enquire(*db_);
  enquire.set_query(query);
  if (request.group_by_speech) enquire.set_collapse_key(schema::kSlotSpeech);
  if (request.sort == Sort::kYear)
    enquire.set_sort_by_value_then_relevance(schema::kSlotYear, false);
  if (request.sort == Sort::kYearDescending) {
    enquire.set_sort_by_value_then_relevance(schema::kSlotYear, true);
  }
  std::optional<FacetCollector> facets;
  if (!request.facets.empty()) facets.emplace(request.facets, taxonomy(), enquire);
  // Match spies see every matching paragraph, collapsed or not: counting speech keys gives
  // the exact number of matching paragraphs, overall and per speech.
  Xapian::ValueCountMatchSpy speeches(schema::kSlotSpeech);
  if (request.group_by_speech) enquire.add_matchspy(&speeches);

  const Xapian::doccount all = db_->get_doccount();
  const Xapian::MSet mset =
      enquire.get_mset(static_cast<Xapian::doccount>(request.page.offset),
                       static_cast<Xapian::doccount>(request.page.limit), all);
  SearchResult result;
  result.total = mset.get_matches_estimated();
  result.total_paragraphs = result.total;
  std::unordered_map<std::string, uint64_t> per_speech;
  if (request.group_by_speech) {
    result.total_paragraphs = 0;
    for (auto it = speeches.values_begin(); it != speeches.values_end(); ++it) {
      per_speech[*it] = it.get_termfreq();
      result.total_paragraphs += it.get_termfreq();
    }
  }
  size_t rank = request.page.offset;
  for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
    Hit h;
    h.docid = *it;
    h.score = it.get_weight();
    h.rank = ++rank;
    if (request.records) {
      h.record = schema::ParagraphRecord::from_data(it.get_document().get_data());
    }
    if (request.group_by_speech) {
      h.speech_matches = per_speech[it.get_document().get_value(schema::kSlotSpeech)];
    }
    result.hits.push_back(std::move(h));
  }
  if (facets) {
    result.facets = facets->collect(result.total_paragraphs,
                                    facets->needs_gazetteer() ? &gazetteer() : nullptr);
  }
  return result;
}

schema::ParagraphRecord Searcher::record(unsigned docid) {
  try {
    return schema::ParagraphRecord::from_data(db_->get_document(docid).get_data());
  } catch (const Xapian::DocNotFoundError&) {
    throw UsageError("no paragraph with id " + std::to_string(docid), path_);
  }
}

}  // namespace speechdex::searcher
