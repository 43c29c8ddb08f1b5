// Paragraph records: a speech's records and a paragraph's reference round-trip, the speech's
// fields are stored once, and damaged data is a one-line IndexError, whatever its bytes.
#include "record.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "errors.h"

namespace speechdex::schema {
namespace {

ParagraphRecord example(int paragraph) {
  ParagraphRecord r;
  r.source = "data/sample/a.txt";
  r.speech = 2;
  r.speech_id = "data/sample/a.txt#2";
  r.paragraph = paragraph;
  r.kind = std::string(kKindText);
  r.title = "在全县工作会议上的讲话";
  r.section = "一、总体要求";
  r.text = "要抓好依法行政。" + std::to_string(paragraph);
  r.county_code = "422823";
  r.county = "巴东县";
  r.year = 2020;
  r.topics = {"rule_of_law"};
  r.speech_topics = {"rule_of_law", "urban"};
  r.fields = R"({"x":1})";
  r.how = {{"county", "dateline"},
           {"topics", "rule_of_law: 依法行政 " + std::to_string(paragraph)}};
  return r;
}

std::vector<ParagraphRecord> speech() {
  std::vector<ParagraphRecord> v;
  for (int p = 1; p <= 3; ++p) v.push_back(example(p));
  v[1].kind = std::string(kKindBoilerplate);
  v[1].how["kind"] = "the cleaner's rule: 来源";
  v[1].topics.clear();
  v[2].subsection = "（一）抓好落实";
  v[2].year = INT32_MIN;  // a speech field: every paragraph of a speech has the same
  v[0].year = v[1].year = INT32_MIN;
  return v;
}

TEST(Record, RoundTrips) {
  const std::vector<ParagraphRecord> records = speech();
  const std::string value = SpeechRecords::encode(records);
  const SpeechRecords decoded = SpeechRecords::decode(value);
  ASSERT_EQ(decoded.paragraphs().size(), records.size());
  for (const ParagraphRecord& r : records) {
    EXPECT_EQ(decoded.paragraph(r.paragraph).to_json(), r.to_json());
  }
  EXPECT_EQ(SpeechRecords::encode(decoded.paragraphs()), value);
  const ParagraphRef ref{0x0123456789abcdefULL, 2, 300};
  const ParagraphRef back = ParagraphRef::from_data(ref.to_data());
  EXPECT_EQ(back.source_key, ref.source_key);
  EXPECT_EQ(back.speech, 2);
  EXPECT_EQ(back.paragraph, 300);
}

// The speech's fields once, not per paragraph: a second paragraph costs about its own text.
TEST(Record, SpeechFieldsAreStoredOnce) {
  std::vector<ParagraphRecord> records;
  for (int p = 1; p <= 100; ++p) {
    records.push_back(example(p));
    records.back().title = "关于" + std::string(300, 'x') + "的讲话";
    records.back().text = "第" + std::to_string(p * 7919) + "段";
  }
  const std::string one = SpeechRecords::encode(std::span(records).first(1));
  const std::string all = SpeechRecords::encode(records);
  EXPECT_LT(all.size(), one.size() + 100 * 40) << one.size() << " " << all.size();
}

TEST(Record, DamagedDataIsAOneLineIndexError) {
  const std::string value = SpeechRecords::encode(speech());
  const std::string ref = ParagraphRef{42, 1, 1}.to_data();
  std::vector<std::string> bad = {"",
                                  "{\"source\":\"a\"}",
                                  value.substr(0, value.size() - 1),
                                  value + "x",
                                  ref.substr(0, 5),
                                  ref + "x",
                                  std::string(1, '\1') + std::string(20, '\xff')};
  for (size_t i = 1; i < value.size(); i += 7) {
    std::string damaged = value;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    bad.push_back(damaged);
  }
  for (const std::string& b : bad) {
    try {
      (void)SpeechRecords::decode(b);
      ADD_FAILURE() << "damaged records decoded: " << b.size() << " bytes";
    } catch (const IndexError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)ParagraphRef::from_data(b.substr(0, 3)), IndexError);
  }
  EXPECT_THROW((void)SpeechRecords::decode(value).paragraph(4), IndexError);
  EXPECT_THROW((void)SpeechRecords::decode(""), IndexError);
  EXPECT_THROW((void)SpeechRecords::decode(value.substr(0, value.size() / 2)), IndexError);
  EXPECT_THROW((void)ParagraphRef::from_data(ref + "x"), IndexError);
}

}  // namespace
}  // namespace speechdex::schema
