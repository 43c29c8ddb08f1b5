// Segment writer: postings accumulate per term in memory, then one sequential write.
#include "segment_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "segment_format.h"
#include "varint.h"

namespace speechdex::textstore {

void SegmentWriter::add_document(uint32_t docid, uint32_t length) {
  if (docid == 0 || (!docids_.empty() && docid <= docids_.back())) {
    throw std::invalid_argument("segment: document ids must increase (got " +
                                std::to_string(docid) + ")");
  }
  docids_.push_back(docid);
  lengths_.push_back(length);
}

SegmentWriter::Term& SegmentWriter::start(std::string_view term, bool positional) {
  if (docids_.empty()) throw std::invalid_argument("segment: a term before any document");
  if (term.empty()) throw std::invalid_argument("segment: an empty term");
  Term& t = terms_[std::string(term)];
  const uint32_t doc = docids_.back();
  if (t.df > 0 && (t.last_doc == doc || t.positional != positional)) {
    throw std::invalid_argument(
        "segment: term added twice to a document, or with and without "
        "positions: " +
        std::string(term));
  }
  t.positional = positional;
  // A block's first document is a delta from the last document of the block before.
  put_varint(t.postings, doc - t.last_doc);
  return t;
}

void SegmentWriter::finish(Term& t) {
  t.last_doc = docids_.back();
  if (++t.df % kBlockDocuments == 0) {
    t.blocks.emplace_back(t.last_doc, static_cast<uint32_t>(t.postings.size()));
  }
}

void SegmentWriter::add_term(std::string_view term, uint32_t wdf) {
  if (wdf == 0) throw std::invalid_argument("segment: wdf 0 for " + std::string(term));
  Term& t = start(term, false);
  put_varint(t.postings, wdf);
  finish(t);
}

void SegmentWriter::add_positional_term(std::string_view term,
                                        std::span<const uint32_t> positions) {
  if (positions.empty())
    throw std::invalid_argument("segment: no positions for " + std::string(term));
  Term& t = start(term, true);
  put_varint(t.postings, positions.size());
  uint32_t prev = 0;
  for (size_t i = 0; i < positions.size(); ++i) {
    if (i > 0 && positions[i] <= prev) {
      throw std::invalid_argument("segment: positions must increase for " + std::string(term));
    }
    put_varint(t.postings, positions[i] - prev);
    prev = positions[i];
  }
  finish(t);
}

namespace {

// write(2) all of `data`, or throw.
void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

uint64_t SegmentWriter::write(const std::string& path) const {
  std::vector<const std::pair<const std::string, Term>*> sorted;
  sorted.reserve(terms_.size());
  for (const auto& kv : terms_) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a->first < b->first; });

  // Per term in the postings section: the size of what follows, its skip table, its blocks.
  // The skip tables are built first, so every section's place is known before writing and
  // the postings go straight from the terms' buffers to the file.
  std::vector<std::string> heads(sorted.size());
  uint64_t postings_size = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const Term& t = sorted[i]->second;
    std::string skip;
    const bool partial = t.df % kBlockDocuments != 0;
    put_varint(skip, t.blocks.size() + (partial ? 1 : 0));
    uint32_t prev_doc = 0, prev_end = 0;
    auto put_block = [&](uint32_t last, uint32_t end) {
      put_varint(skip, last - prev_doc);
      put_varint(skip, end - prev_end);
      prev_doc = last;
      prev_end = end;
    };
    for (const auto& [last, end] : t.blocks) put_block(last, end);
    if (partial) put_block(t.last_doc, static_cast<uint32_t>(t.postings.size()));
    put_varint(heads[i], skip.size() + t.postings.size());
    heads[i] += skip;
    postings_size += heads[i].size() + t.postings.size();
  }

  // The dictionary: blocks of kDictionaryBlockTerms entries, each term prefix-compressed
  // against the one before; the index holds each block's first term.
  std::string dictionary, dict_index, prev_term;
  uint64_t offset = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const std::string& name = sorted[i]->first;
    const Term& t = sorted[i]->second;
    if (i % kDictionaryBlockTerms == 0) {
      put_varint(dict_index, dictionary.size());
      put_varint(dict_index, name.size());
      dict_index += name;
      prev_term.clear();
    }
    size_t shared = 0;
    while (shared < prev_term.size() && shared < name.size() && prev_term[shared] == name[shared]) {
      ++shared;
    }
    put_varint(dictionary, shared);
    put_varint(dictionary, name.size() - shared);
    dictionary.append(name, shared);
    put_varint(dictionary, t.df);
    dictionary.push_back(t.positional ? 1 : 0);
    put_varint(dictionary, offset);
    offset += heads[i].size() + t.postings.size();
    prev_term = name;
  }

  std::string documents;
  uint32_t prev_doc = 0;
  uint64_t total_length = 0;
  for (size_t i = 0; i < docids_.size(); ++i) {
    put_varint(documents, docids_[i] - prev_doc);
    put_varint(documents, lengths_[i]);
    prev_doc = docids_[i];
    total_length += lengths_[i];
  }

  SegmentFooter f;
  f.documents = docids_.size();
  f.terms = sorted.size();
  f.total_length = total_length;
  uint64_t at = kHeaderBytes;
  f.postings = {at, postings_size};
  at += postings_size;
  f.dictionary = {at, dictionary.size()};
  at += dictionary.size();
  f.dictionary_index = {at, dict_index.size()};
  at += dict_index.size();
  f.document_table = {at, documents.size()};
  at += documents.size();
  const std::string footer = encode_footer(f);

  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(tmp + ": cannot create: " + std::strerror(errno));
  try {
    // Small pieces are gathered into 1 MB writes.
    std::string buffer;
    auto emit = [&](std::string_view s) {
      if (buffer.size() + s.size() > (1u << 20)) {
        write_all(fd, buffer, tmp);
        buffer.clear();
      }
      if (s.size() > (1u << 20)) {
        write_all(fd, s, tmp);
      } else {
        buffer += s;
      }
    };
    emit(encode_header(at));
    for (size_t i = 0; i < sorted.size(); ++i) {
      emit(heads[i]);
      emit(sorted[i]->second.postings);
    }
    for (std::string_view s : {std::string_view(dictionary), std::string_view(dict_index),
                               std::string_view(documents), std::string_view(footer)}) {
      emit(s);
    }
    emit(std::string(kPaddingBytes, '\0'));
    write_all(fd, buffer, tmp);
    if (::fsync(fd) != 0) throw std::runtime_error(tmp + ": cannot sync: " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    std::remove(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot rename into place: " + why);
  }
  return at + footer.size() + kPaddingBytes;
}

}  // namespace speechdex::textstore
