// Paragraph records: references in the document data, each speech's records once in the
// metadata (docs/index.md).
#include "record.h"

#include <unicode/utf8.h>
#include <zdict.h>
#include <zstd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "errors.h"
#include "fields.h"
#include "segment_format.h"
#include "varint.h"
#include "zstd_frame.h"

namespace speechdex::schema {

std::string ParagraphRecord::to_json() const {
  nlohmann::json j = {{"source", source},
                      {"speech", speech},
                      {"speech_id", speech_id},
                      {"paragraph", paragraph},
                      {"kind", kind},
                      {"title", title},
                      {"section", section},
                      {"subsection", subsection},
                      {"text", text},
                      {"county_code", county_code},
                      {"county", county},
                      {"city", city},
                      {"province", province},
                      {"year", year},
                      {"role", role},
                      {"speaker", speaker},
                      {"date", date},
                      {"topics", topics},
                      {"speech_topics", speech_topics},
                      {"how", how}};
  if (!fields.empty()) j["fields"] = nlohmann::json::parse(fields, nullptr, false);
  // Every string is valid UTF-8 (text is decoded, paths printable_path()); should one not
  // be, it is printed with U+FFFD rather than failing.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

// The first byte of a paragraph reference and of a speech's records: their format.
constexpr char kRefFormat = 1;
constexpr char kSpeechFormat = 1;
// A speech's records compressed with a dictionary: the format byte, the dictionary's id (8
// bytes big-endian), then as format 1.
constexpr char kSpeechDictionaryFormat = 2;
// zstd's level for a speech's records: level 3 (its default) compresses 20 MB of speeches in
// 0.13 s to 10.7 MB; level 9 takes five times as long for 3% less (docs/index.md).
constexpr int kZstdLevel = 3;
// A speech's records decompress to at most this (a bound against damaged sizes).
constexpr uint64_t kMaxSpeechBytes = uint64_t{1} << 32;
// RecordReader keeps at most this many decoded speeches.
constexpr size_t kCachedSpeeches = 256;

[[noreturn]] void damaged(const std::string& what) {
  throw IndexError("a paragraph record is damaged: " + what + "; re-index the file", "");
}

void put_string(std::string& out, std::string_view s) {
  textstore::put_varint(out, s.size());
  out.append(s);
}

void put_strings(std::string& out, const std::vector<std::string>& v) {
  textstore::put_varint(out, v.size());
  for (const std::string& s : v) put_string(out, s);
}

void put_map(std::string& out, const std::map<std::string, std::string>& m) {
  textstore::put_varint(out, m.size());
  for (const auto& [k, v] : m) {
    put_string(out, k);
    put_string(out, v);
  }
}

// An int as a zigzag varint (a year may be negative in a damaged manifest).
void put_int(std::string& out, int v) {
  const auto u = static_cast<uint32_t>(v);
  textstore::put_varint(out, (u << 1) ^ (v < 0 ? 0xFFFFFFFFu : 0u));
}

// Reads what the put_ functions wrote, every read checked against the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint64_t varint() {
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
      if (pos_ >= in_.size() || shift > 63) damaged("a number runs past its end");
      const auto b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) return v;
    }
  }
  // A count of items that take at least a byte each.
  size_t count() {
    const uint64_t n = varint();
    if (n > in_.size() - pos_) damaged("a count exceeds the data");
    return static_cast<size_t>(n);
  }
  int number() {
    const uint64_t v = varint();
    if (v > INT_MAX) damaged("a number is out of range");
    return static_cast<int>(v);
  }
  int zigzag() {
    const uint64_t v = varint();
    if (v > UINT32_MAX) damaged("a number is out of range");
    const auto u = static_cast<uint32_t>(v);
    return static_cast<int>((u >> 1) ^ (0u - (u & 1)));
  }
  std::string string() {
    const size_t n = count();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<std::string> strings() {
    std::vector<std::string> v(count());
    for (std::string& s : v) s = string();
    return v;
  }
  std::map<std::string, std::string> map() {
    std::map<std::string, std::string> m;
    for (size_t n = count(); n > 0; --n) {
      std::string k = string();
      m[std::move(k)] = string();
    }
    return m;
  }
  uint64_t fixed64() {
    if (in_.size() - pos_ < 8) damaged("it is too short");
    const uint64_t v = decode_key(in_.substr(pos_, 8));
    pos_ += 8;
    return v;
  }
  bool done() const { return pos_ == in_.size(); }
  size_t pos() const { return pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

std::string ParagraphRef::to_data() const {
  std::string out(1, kRefFormat);
  out += encode_key(source_key);
  textstore::put_varint(out, static_cast<uint32_t>(speech));
  textstore::put_varint(out, static_cast<uint32_t>(paragraph));
  return out;
}

ParagraphRef ParagraphRef::from_data(std::string_view data) {
  if (data.empty() || data[0] != kRefFormat) {
    damaged("its document data is not a paragraph reference of this format");
  }
  Reader in(data.substr(1));
  ParagraphRef r;
  r.source_key = in.fixed64();
  r.speech = in.number();
  r.paragraph = in.number();
  if (!in.done()) damaged("its document data has bytes after the reference");
  return r;
}

std::string speech_meta_prefix(uint64_t source_key) {
  return std::string(kMetaSpeechPrefix) + hex_key(source_key) + ":";
}

std::string speech_meta_key(uint64_t source_key, int speech) {
  return speech_meta_prefix(source_key) + std::to_string(speech);
}

std::string SpeechRecords::encode(std::span<const ParagraphRecord> paragraphs) {
  return compress(serialize(paragraphs), nullptr);
}

std::string SpeechRecords::serialize(std::span<const ParagraphRecord> paragraphs) {
  std::string body;
  // The how entries every paragraph has alike are the speech's; the others each paragraph's.
  std::map<std::string, std::string> shared;
  if (!paragraphs.empty()) shared = paragraphs.front().how;
  for (const ParagraphRecord& r : paragraphs) {
    std::erase_if(shared, [&](const auto& kv) {
      const auto it = r.how.find(kv.first);
      return it == r.how.end() || it->second != kv.second;
    });
  }
  const ParagraphRecord first = paragraphs.empty() ? ParagraphRecord{} : paragraphs.front();
  for (std::string_view s : {std::string_view(first.source), std::string_view(first.speech_id),
                             std::string_view(first.title), std::string_view(first.county_code),
                             std::string_view(first.county), std::string_view(first.city),
                             std::string_view(first.province), std::string_view(first.role),
                             std::string_view(first.speaker), std::string_view(first.date),
                             std::string_view(first.fields)}) {
    put_string(body, s);
  }
  put_int(body, first.speech);
  put_int(body, first.year);
  put_strings(body, first.speech_topics);
  put_map(body, shared);
  textstore::put_varint(body, paragraphs.size());
  for (const ParagraphRecord& r : paragraphs) {
    put_int(body, r.paragraph);
    put_string(body, r.kind);
    put_string(body, r.section);
    put_string(body, r.subsection);
    put_strings(body, r.topics);
    std::map<std::string, std::string> own;
    for (const auto& [k, v] : r.how) {
      if (!shared.contains(k)) own.emplace(k, v);
    }
    put_map(body, own);
    put_string(body, r.text);
  }
  return body;
}

std::string SpeechRecords::compress(std::string_view body, const RecordDictionary* dictionary) {
  std::string out(1, dictionary ? kSpeechDictionaryFormat : kSpeechFormat);
  if (dictionary) out += encode_key(dictionary->id());
  textstore::put_varint(out, body.size());
  // One context a thread, reused.
  thread_local const ZstdContext cctx = checksummed_context(kZstdLevel);
  ZSTD_CCtx_refCDict(cctx.get(), dictionary ? dictionary->cdict_ : nullptr);
  append_frame(out, body, cctx.get(), "a speech's records");
  return out;
}

uint64_t SpeechRecords::dictionary_of(std::string_view value) {
  if (!value.empty() && value[0] == kSpeechFormat) return 0;
  if (value.empty() || value[0] != kSpeechDictionaryFormat) {
    damaged("its speech's records are not of this format");
  }
  Reader head(value.substr(1));
  const uint64_t id = head.fixed64();
  if (id == 0) damaged("its speech's records name no dictionary");
  return id;
}

SpeechRecords SpeechRecords::decode(std::string_view value, const RecordDictionary* dictionary) {
  const uint64_t id = dictionary_of(value);
  if (id != 0 && (dictionary == nullptr || dictionary->id() != id)) {
    damaged("its speech's records need the dictionary " + hex_key(id) +
            ", which the index does not hold");
  }
  const size_t start = id == 0 ? 1 : 9;
  Reader head(value.substr(start));
  const uint64_t size = head.varint();
  if (size > kMaxSpeechBytes) damaged("its speech's records claim an impossible size");
  std::string body(size, '\0');
  const std::string_view frame = value.substr(start + head.pos());
  // One context a thread, reused (as compress() reuses its own).
  thread_local const std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(),
                                                                             ZSTD_freeDCtx);
  const size_t n =
      id == 0
          ? ZSTD_decompressDCtx(dctx.get(), body.data(), body.size(), frame.data(), frame.size())
          : ZSTD_decompress_usingDDict(dctx.get(), body.data(), body.size(), frame.data(),
                                       frame.size(), dictionary->ddict_);
  if (ZSTD_isError(n) || n != size) damaged("its speech's records do not decompress");
  Reader in(body);
  SpeechRecords s;
  ParagraphRecord& r = s.speech_;
  for (std::string* f : {&r.source, &r.speech_id, &r.title, &r.county_code, &r.county, &r.city,
                         &r.province, &r.role, &r.speaker, &r.date, &r.fields}) {
    *f = in.string();
  }
  r.speech = in.zigzag();
  r.year = in.zigzag();
  r.speech_topics = in.strings();
  r.how = in.map();
  s.own_.resize(in.count());
  for (Own& o : s.own_) {
    o.paragraph = in.zigzag();
    o.kind = in.string();
    o.section = in.string();
    o.subsection = in.string();
    o.topics = in.strings();
    o.how = in.map();
    o.text = in.string();
  }
  if (!in.done()) damaged("its speech's records have bytes after the last paragraph");
  return s;
}

ParagraphRecord SpeechRecords::with(const Own& own) const {
  ParagraphRecord r = speech_;
  r.paragraph = own.paragraph;
  r.kind = own.kind;
  r.section = own.section;
  r.subsection = own.subsection;
  r.text = own.text;
  r.topics = own.topics;
  for (const auto& [k, v] : own.how) r.how[k] = v;
  return r;
}

ParagraphRecord SpeechRecords::paragraph(int paragraph) const {
  // Paragraphs are numbered from 1 in order: the n-th is at n - 1.
  if (paragraph >= 1 && static_cast<size_t>(paragraph) <= own_.size() &&
      own_[static_cast<size_t>(paragraph - 1)].paragraph == paragraph) {
    return with(own_[static_cast<size_t>(paragraph - 1)]);
  }
  for (const Own& o : own_) {
    if (o.paragraph == paragraph) return with(o);
  }
  damaged("its speech's records have no paragraph " + std::to_string(paragraph));
}

std::vector<ParagraphRecord> SpeechRecords::paragraphs() const {
  std::vector<ParagraphRecord> out;
  out.reserve(own_.size());
  for (const Own& o : own_) out.push_back(with(o));
  return out;
}

ParagraphRecord RecordReader::read(Xapian::docid docid) {
  return read_data(db_.get_document(docid).get_data());
}

ParagraphRecord RecordReader::read_data(std::string_view data) {
  const ParagraphRef ref = ParagraphRef::from_data(data);
  const std::string key = speech_meta_key(ref.source_key, ref.speech);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    const std::string value = db_.get_metadata(key);
    if (value.empty()) damaged("its speech's records are missing (" + key + ")");
    // Kept while few: a page of hits, or paragraphs read in document order, reuse them.
    if (cache_.size() >= kCachedSpeeches) cache_.clear();
    it = cache_
             .emplace(key, std::make_shared<const SpeechRecords>(
                               SpeechRecords::decode(value, dictionary(value))))
             .first;
  }
  return it->second->paragraph(ref.paragraph);
}

const RecordDictionary* RecordReader::dictionary(std::string_view value) {
  const uint64_t id = SpeechRecords::dictionary_of(value);
  if (id == 0) return nullptr;
  auto it = dictionaries_.find(id);
  if (it == dictionaries_.end()) {
    std::shared_ptr<const RecordDictionary> d = stored_record_dictionary(db_, id);
    // Missing: decode() says which dictionary the speech needs.
    if (!d) return nullptr;
    it = dictionaries_.emplace(id, std::move(d)).first;
  }
  return it->second.get();
}

std::shared_ptr<const RecordDictionary> stored_record_dictionary(const Xapian::Database& db,
                                                                 uint64_t id) {
  std::string bytes = db.get_metadata(record_dictionary_key(id));
  if (bytes.empty()) return nullptr;
  std::shared_ptr<const RecordDictionary> d = RecordDictionary::load(std::move(bytes));
  if (d->id() != id) damaged("the records dictionary " + hex_key(id) + " is damaged");
  return d;
}

RecordDictionary::RecordDictionary(std::string bytes)
    : bytes_(std::move(bytes)), id_(textstore::page_hash(bytes_.data(), bytes_.size())) {
  // zstd would take any bytes as raw content; a trained dictionary starts with its magic.
  if (ZSTD_getDictID_fromDict(bytes_.data(), bytes_.size()) == 0) {
    damaged("a records dictionary is not a zstd dictionary");
  }
  cdict_ = ZSTD_createCDict(bytes_.data(), bytes_.size(), kZstdLevel);
  ddict_ = ZSTD_createDDict(bytes_.data(), bytes_.size());
  if (cdict_ == nullptr || ddict_ == nullptr) {
    ZSTD_freeCDict(cdict_);
    ZSTD_freeDDict(ddict_);
    damaged("a records dictionary cannot be loaded");
  }
}

RecordDictionary::~RecordDictionary() {
  ZSTD_freeCDict(cdict_);
  ZSTD_freeDDict(ddict_);
}

std::shared_ptr<const RecordDictionary> RecordDictionary::load(std::string bytes) {
  return std::shared_ptr<const RecordDictionary>(new RecordDictionary(std::move(bytes)));
}

std::shared_ptr<const RecordDictionary> RecordDictionary::train(
    const std::vector<std::string>& samples, size_t capacity) {
  std::string all;
  std::vector<size_t> sizes;
  for (const std::string& s : samples) {
    all += s;
    sizes.push_back(s.size());
  }
  std::string bytes(capacity, '\0');
  const size_t n = ZDICT_trainFromBuffer(bytes.data(), bytes.size(), all.data(), sizes.data(),
                                         static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) return nullptr;
  bytes.resize(n);
  return load(std::move(bytes));
}

std::string record_dictionary_key(uint64_t id) {
  return std::string(kMetaRecordDictionaryPrefix) + hex_key(id);
}

std::string printable_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  const auto* p = reinterpret_cast<const uint8_t*>(path.data());
  const auto n = static_cast<int32_t>(path.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(p, i, n, c);
    if (c < 0) {
      for (int32_t k = start; k < i; ++k) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\x%02X", p[k]);
        out += buf;
      }
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out.append(path.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
    }
  }
  return out;
}

}  // namespace speechdex::schema
