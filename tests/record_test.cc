// Paragraph records: a speech's records and a paragraph's reference round-trip, the speech's
// fields are stored once, and damaged data is a one-line IndexError, whatever its bytes.
#include "record.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "errors.h"
#include "fields.h"
#include "test_support.h"

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

// Speeches of one genre: phrases drawn from a shared stock, in random orders and numbers,
// as a corpus's speeches share their vocabulary but not their texts.
std::vector<std::vector<ParagraphRecord>> genre(int speeches, unsigned seed) {
  const std::vector<std::string> stock = {"要坚持以人民为中心的发展思想",
                                          "深入推进依法行政",
                                          "加快建设法治政府",
                                          "全面推进乡村振兴",
                                          "持续优化营商环境",
                                          "扎实做好招商引资工作",
                                          "切实抓好安全生产",
                                          "不断增强群众的获得感",
                                          "各级各部门要高度重视",
                                          "认真贯彻落实上级决策部署",
                                          "确保各项任务落到实处",
                                          "同志们"};
  std::mt19937 rng(seed);
  std::vector<std::vector<ParagraphRecord>> out;
  for (int s = 1; s <= speeches; ++s) {
    std::vector<ParagraphRecord>& speech = out.emplace_back();
    for (int p = 1; p <= 6; ++p) {
      ParagraphRecord r = example(p);
      r.speech = s;
      r.text.clear();
      for (int k = 0; k < 8; ++k) r.text += stock[rng() % stock.size()] + "，";
      r.text += std::to_string(rng() % 100000) + "。";
      speech.push_back(std::move(r));
    }
  }
  return out;
}

// A dictionary trained on some speeches of a genre compresses the others to less, and
// every speech round-trips through it; a value names its dictionary, and without it (or
// with another) decoding is a one-line error naming the one it needs.
TEST(RecordDictionary, TrainedOnSomeSpeechesCompressesTheRest) {
  const auto speeches = genre(400, 7);
  std::vector<std::string> samples;
  for (size_t i = 0; i < 200; ++i) samples.push_back(SpeechRecords::serialize(speeches[i]));
  const auto dictionary = RecordDictionary::train(samples, 16384);
  ASSERT_TRUE(dictionary);
  EXPECT_LE(dictionary->bytes().size(), 16384u);
  EXPECT_EQ(RecordDictionary::load(dictionary->bytes())->id(), dictionary->id());
  size_t plain = 0, with = 0;
  for (size_t i = 200; i < speeches.size(); ++i) {
    const std::string body = SpeechRecords::serialize(speeches[i]);
    const std::string a = SpeechRecords::compress(body, nullptr);
    const std::string b = SpeechRecords::compress(body, dictionary.get());
    EXPECT_EQ(a, SpeechRecords::encode(speeches[i]));
    EXPECT_EQ(SpeechRecords::dictionary_of(a), 0u);
    ASSERT_EQ(SpeechRecords::dictionary_of(b), dictionary->id());
    const SpeechRecords back = SpeechRecords::decode(b, dictionary.get());
    ASSERT_EQ(back.paragraphs().size(), speeches[i].size());
    for (const ParagraphRecord& r : speeches[i]) {
      EXPECT_EQ(back.paragraph(r.paragraph).to_json(), r.to_json());
    }
    plain += a.size();
    with += b.size();
  }
  EXPECT_LT(with * 2, plain) << "with the dictionary " << with << " bytes, without " << plain;

  const std::string value =
      SpeechRecords::compress(SpeechRecords::serialize(speeches[0]), dictionary.get());
  std::vector<std::string> other_samples;
  for (size_t i = 0; i < 200; ++i)
    other_samples.push_back(SpeechRecords::serialize(genre(1, static_cast<unsigned>(100 + i))[0]));
  const auto other = RecordDictionary::train(other_samples, 8192);
  ASSERT_TRUE(other);
  ASSERT_NE(other->id(), dictionary->id());
  for (const RecordDictionary* d : {static_cast<const RecordDictionary*>(nullptr), other.get()}) {
    try {
      (void)SpeechRecords::decode(value, d);
      ADD_FAILURE() << "decoded without its dictionary";
    } catch (const IndexError& e) {
      EXPECT_NE(std::string(e.what()).find(hex_key(dictionary->id())), std::string::npos)
          << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
  // Damaged bytes anywhere are an error, never other records.
  for (size_t i = 1; i < value.size(); i += 5) {
    std::string damaged = value;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x21);
    EXPECT_THROW((void)SpeechRecords::decode(damaged, dictionary.get()), IndexError) << i;
  }
}

TEST(RecordDictionary, TooFewSamplesTrainNone) {
  EXPECT_EQ(RecordDictionary::train({}, 16384), nullptr);
  EXPECT_EQ(RecordDictionary::train({"短", "样本"}, 16384), nullptr);
  EXPECT_THROW((void)RecordDictionary::load(""), IndexError);
}

// RecordReader finds the dictionary a speech names in the index's metadata, and says which
// one is missing when it is not there.
TEST(RecordDictionary, ReaderLoadsItFromTheIndex) {
  const auto speeches = genre(120, 3);
  std::vector<std::string> samples;
  for (const auto& s : speeches) samples.push_back(SpeechRecords::serialize(s));
  const auto dictionary = RecordDictionary::train(samples, 8192);
  ASSERT_TRUE(dictionary);
  testing::TempDir dir;
  Xapian::WritableDatabase db(dir.path() + "/db", Xapian::DB_CREATE);
  const uint64_t source = 0x1234;
  for (const auto& s : speeches) {
    db.set_metadata(speech_meta_key(source, s[0].speech),
                    SpeechRecords::compress(SpeechRecords::serialize(s), dictionary.get()));
    for (const ParagraphRecord& r : s) {
      Xapian::Document doc;
      doc.set_data(ParagraphRef{source, r.speech, r.paragraph}.to_data());
      db.add_document(doc);
    }
  }
  db.set_metadata(record_dictionary_key(dictionary->id()), dictionary->bytes());
  db.commit();
  {
    RecordReader reader(db);
    Xapian::docid id = 0;
    for (const auto& s : speeches) {
      for (const ParagraphRecord& r : s) EXPECT_EQ(reader.read(++id).to_json(), r.to_json());
    }
  }
  db.set_metadata(record_dictionary_key(dictionary->id()), "");
  db.commit();
  RecordReader reader(db);
  try {
    (void)reader.read(1);
    ADD_FAILURE() << "read without the dictionary";
  } catch (const IndexError& e) {
    EXPECT_NE(std::string(e.what()).find(hex_key(dictionary->id())), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace speechdex::schema
