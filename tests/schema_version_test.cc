// Schema versions: a database of another version is refused with both versions named.
#include <gtest/gtest.h>
#include <xapian.h>

#include "errors.h"
#include "fields.h"
#include "index_writer.h"
#include "searcher.h"
#include "test_support.h"

namespace speechdex {
namespace {

TEST(SchemaVersion, SearcherRefusesAnIndexOfThePreviousVersion) {
  testing::TempDir dir;
  const std::string db = dir.path() + "/db";
  {
    // An index as version 0 would have written it: one document, version "0".
    Xapian::WritableDatabase w(db, Xapian::DB_CREATE);
    Xapian::Document doc;
    doc.add_term("法治");
    w.add_document(doc);
    w.set_metadata(std::string(schema::kMetaSchemaVersion), "0");
    w.commit();
  }
  try {
    searcher::Searcher s(db);
    FAIL() << "opened an index of version 0";
  } catch (const IndexError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("schema version 0"), std::string::npos) << what;
    EXPECT_NE(what.find("version " + std::to_string(schema::kSchemaVersion)), std::string::npos)
        << what;
    EXPECT_EQ(e.context(), db);
  }
  const schema::Gazetteer g = schema::Gazetteer::load(testing::source_path("data"));
  const schema::Taxonomy t = schema::Taxonomy::load(testing::source_path("data/topics.tsv"));
  EXPECT_THROW(indexer::IndexWriter w(db, g, t, false), IndexError);
}

TEST(SchemaVersion, IndexRecordsVersionAndTokenizer) {
  testing::TempDir dir;
  const std::string db = dir.path() + "/db";
  testing::index_paths(db, {testing::source_path("data/sample/003_878e5e52374565a1.txt")});
  Xapian::Database d(db);
  EXPECT_EQ(d.get_metadata(std::string(schema::kMetaSchemaVersion)),
            std::to_string(schema::kSchemaVersion));
  EXPECT_EQ(d.get_metadata(std::string(schema::kMetaTokenizer)), schema::kTokenizerSettings);
  EXPECT_NO_THROW(searcher::Searcher s(db));
}

TEST(SchemaVersion, MissingDatabaseIsAUsageError) {
  EXPECT_THROW(searcher::Searcher s("/nonexistent/speechdex-db"), UsageError);
}

}  // namespace
}  // namespace speechdex
