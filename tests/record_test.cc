// Paragraph records: document data round-trips, and data that is not a record is an
// IndexError, whatever its numbers.
#include "record.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "errors.h"

namespace speechdex::schema {
namespace {

ParagraphRecord example() {
  ParagraphRecord r;
  r.source = "data/sample/a.txt";
  r.speech = 2;
  r.speech_id = "data/sample/a.txt#2";
  r.paragraph = 7;
  r.kind = std::string(kKindText);
  r.text = "要抓好依法行政。";
  r.county_code = "422823";
  r.year = 2020;
  r.topics = {"rule_of_law"};
  r.how = {{"county", "dateline"}};
  return r;
}

TEST(Record, RoundTrips) {
  const std::string data = example().to_data();
  EXPECT_EQ(ParagraphRecord::from_data(data).to_data(), data);
}

// A float out of int's range was converted to int: undefined behaviour (UBSan, the record
// fuzz target; tests/data/fuzz/record/).
TEST(Record, NumbersThatAreNotIntsAreRefused) {
  const std::string data = example().to_data();
  for (const char* bad : {"1.77778e+22", "2.5", "-1e30", "2147483648", "-2147483649",
                          "18446744073709551615", "\"2020\"", "null"}) {
    std::string damaged = data;
    const std::string year = "\"year\":2020";
    ASSERT_NE(damaged.find(year), std::string::npos) << damaged;
    damaged.replace(damaged.find(year), year.size(), std::string("\"year\":") + bad);
    EXPECT_THROW(ParagraphRecord::from_data(damaged), IndexError) << bad;
  }
  std::string edge = data;
  edge.replace(edge.find("\"year\":2020"), 11, "\"year\":-2147483648");
  EXPECT_EQ(ParagraphRecord::from_data(edge).year, INT32_MIN);
}

}  // namespace
}  // namespace speechdex::schema
