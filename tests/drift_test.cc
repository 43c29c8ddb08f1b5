// Drift: every term the query side makes for a sentence is in the document indexed from it.
#include <gtest/gtest.h>
#include <xapian.h>

#include <set>

#include "index_writer.h"
#include "query_parser.h"
#include "test_support.h"

namespace speechdex {
namespace {

// Collects the terms a paragraph sends to the text store.
struct TermSet : indexer::TermSink {
  std::set<std::string> terms;
  void add_term(std::string_view t, uint32_t) override { terms.emplace(t); }
  void add_occurrence(std::string_view t, uint32_t) override { terms.emplace(t); }
};

void expect_no_drift(const std::string& sentence, const std::string& title) {
  indexer::SourceFile file{"x.txt", "/x.txt", 0, 0};
  indexer::Speech speech{title, {{sentence, "text", "一、总体要求", "(一)抓好落实", 1, 1, ""}}, {}};
  const schema::Taxonomy taxonomy = schema::Taxonomy::load(testing::source_path("data/topics.tsv"));
  indexer::SpeechMetadata meta;
  meta.topics.resize(1);
  meta.topics_how.resize(1);
  TermSet sink;
  indexer::build_document(file, 1, speech, meta, 0, taxonomy, sink);
  const std::set<std::string>& terms = sink.terms;
  for (const std::string& q : {sentence, "\"" + sentence + "\"", "title:\"" + title + "\"",
                               std::string("heading:总体要求"), std::string("heading:抓好落实")}) {
    for (const std::string& t : searcher::parse_query(q).query.terms()) {
      EXPECT_TRUE(terms.count(t)) << "term '" << t << "' of query " << q << " not indexed";
    }
  }
}

TEST(Drift, QueryTermsOfASentenceAreInItsDocument) {
  const char* sentences[] = {
      "深化“3348”网格化管理，借鉴新时代“枫桥经验”。",
      "全面小康社会综合实现程度77.15%，年平均进度1.9个百分点。",
      "ＰＭ２．５浓度下降，ＧＤＰ增長７．５％。",
      "脫貧攻堅取得決定性勝利",
      "第九 ，科学处理六种关系。 一是法治与发展的关系。",
      "充分利用贫困地区IPO绿色通道政策，New York 与 e\u0301tude。",
      "（一）依法行政意识明显增强。",
  };
  for (const char* s : sentences) expect_no_drift(s, "在全县依法行政工作會議上的講話");
}

}  // namespace
}  // namespace speechdex
