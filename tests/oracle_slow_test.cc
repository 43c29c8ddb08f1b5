// Oracle on a 20 MB synthetic corpus from shared/bench/make-corpus (label: slow).
#include <gtest/gtest.h>

#include <boost/filesystem.hpp>

#include "oracle.h"

namespace speechdex::testing {
namespace {

TEST(OracleSlow, SynthCorpus20MbExactForSampledQueries) {
  const std::string generator = std::string(SPEECHDEX_SHARED_DIR) + "/bench/make-corpus";
  if (!boost::filesystem::exists(generator)) {
    GTEST_SKIP() << "no corpus generator at " << generator;
  }
  TempDir dir;
  const std::string corpus = dir.path() + "/synth20";
  const CommandResult gen = run_command(
      "python3 " + shell_quote(generator) + " --size-mb 20 --seed 11 --out " + shell_quote(corpus),
      true);
  ASSERT_EQ(gen.status, 0) << gen.out;
  const std::string db = dir.path() + "/db";
  index_paths(db, {corpus});
  const std::vector<StoredParagraph> paragraphs = read_all(db);
  ASSERT_GT(paragraphs.size(), 30000u);
  const std::vector<OracleQuery> queries = sample_queries(paragraphs, 240, 7);
  ASSERT_GE(queries.size(), 200u);
  EXPECT_EQ(check_oracle(db, paragraphs, queries), 0u);
  // NEAR/n, BEFORE/n, NEAR/s and BEFORE/s, each pair three times (tests/oracle.h).
  const std::vector<NearQuery> near = sample_near_queries(paragraphs, 100, 13);
  ASSERT_GE(near.size(), 300u);
  EXPECT_EQ(check_near_oracle(db, paragraphs, near), 0u);
}

}  // namespace
}  // namespace speechdex::testing
