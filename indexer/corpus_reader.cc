// Corpus reading: Boost.Filesystem walk, encoding detection with ICU converters.
#include "corpus_reader.h"

#include <unicode/ucnv.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <fstream>
#include <memory>
#include <sstream>

#include "errors.h"
#include "normalizer.h"

namespace fs = boost::filesystem;

namespace speechdex::indexer {
namespace {

bool has_txt_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".txt";
}

SourceFile make_source(const fs::path& p) {
  SourceFile f;
  f.path = p.lexically_normal().string();
  f.canonical_path = fs::canonical(p).string();
  f.size = fs::file_size(p);
  f.mtime = static_cast<int64_t>(fs::last_write_time(p));
  return f;
}

// Converts with an ICU converter that stops at the first illegal sequence.
bool convert_strict(const char* encoding, std::string_view bytes, std::string& out) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> conv(ucnv_open(encoding, &status),
                                                          &ucnv_close);
  if (U_FAILURE(status)) return false;
  ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  std::u16string u16(bytes.size() + 2, u'\0');
  const int32_t n = ucnv_toUChars(conv.get(), reinterpret_cast<UChar*>(u16.data()),
                                  static_cast<int32_t>(u16.size()), bytes.data(),
                                  static_cast<int32_t>(bytes.size()), &status);
  if (U_FAILURE(status)) return false;
  u16.resize(static_cast<size_t>(n));
  out.clear();
  for (size_t i = 0; i < u16.size(); ++i) {
    char32_t c = u16[i];
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < u16.size()) {
      c = 0x10000 + ((c - 0xD800) << 10) + (u16[i + 1] - 0xDC00);
      ++i;
    }
    schema::append_utf8(c, out);
  }
  return true;
}

// Counts well-formed multi-byte characters and ill-formed sequences in UTF-8 bytes.
void count_utf8(std::string_view b, size_t& multibyte, size_t& invalid) {
  multibyte = invalid = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(b.data());
  const auto n = static_cast<int32_t>(b.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) {
      ++invalid;
    } else if (i - start > 1) {
      ++multibyte;
    }
  }
}

std::string unify_line_endings(std::string s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::vector<SourceFile> collect_files(const std::vector<std::string>& paths, const Warn& warn) {
  std::vector<SourceFile> files;
  for (const std::string& arg : paths) {
    const fs::path p(arg);
    boost::system::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      warn("no such file or folder", arg);
      continue;
    }
    try {
      if (fs::is_directory(st)) {
        std::vector<fs::path> found;
        fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied);
        for (; it != fs::recursive_directory_iterator(); ++it) {
          if (fs::is_regular_file(it->status()) && has_txt_extension(it->path())) {
            found.push_back(it->path());
          }
        }
        std::sort(found.begin(), found.end());
        for (const fs::path& f : found) files.push_back(make_source(f));
      } else if (fs::is_regular_file(st)) {
        files.push_back(make_source(p));
      } else {
        warn("not a regular file or folder", arg);
      }
    } catch (const fs::filesystem_error& e) {
      warn(e.code().message(), e.path1().string());
    }
  }
  return files;
}

DecodedText decode_text(const std::string& bytes) {
  DecodedText d;
  std::string_view b(bytes);
  if (b.size() >= 2 && (static_cast<uint8_t>(b[0]) == 0xFF && static_cast<uint8_t>(b[1]) == 0xFE)) {
    d.encoding = "utf-16le";
    if (!convert_strict("UTF-16LE", b.substr(2), d.utf8)) {
      throw InputError("invalid UTF-16LE text", "");
    }
  } else if (b.size() >= 2 &&
             (static_cast<uint8_t>(b[0]) == 0xFE && static_cast<uint8_t>(b[1]) == 0xFF)) {
    d.encoding = "utf-16be";
    if (!convert_strict("UTF-16BE", b.substr(2), d.utf8)) {
      throw InputError("invalid UTF-16BE text", "");
    }
  } else {
    if (b.find('\0') != std::string_view::npos) {
      throw InputError("binary file (contains NUL bytes), not text", "");
    }
    if (b.size() >= 3 && b.substr(0, 3) == "\xEF\xBB\xBF") b.remove_prefix(3);
    size_t multibyte = 0, invalid = 0;
    count_utf8(b, multibyte, invalid);
    if (invalid == 0) {
      d.encoding = "utf-8";
      d.utf8 = std::string(b);
    } else if (multibyte >= 100 * invalid) {
      // UTF-8 with a few damaged bytes: GB18030 would turn all of it into mojibake.
      d.encoding = "utf-8 (" + std::to_string(invalid) + " invalid bytes replaced)";
      d.utf8 = schema::to_utf8(schema::to_utf32(b));
    } else if (convert_strict("GB18030", b, d.utf8)) {
      d.encoding = "gb18030";
    } else {
      throw InputError("not text in UTF-8, UTF-16 or GB18030", "");
    }
  }
  d.utf8 = unify_line_endings(std::move(d.utf8));
  return d;
}

DecodedText read_text(const SourceFile& file) {
  std::ifstream in(file.path, std::ios::binary);
  if (!in) throw InputError("cannot open file", file.path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError("read error", file.path);
  try {
    return decode_text(ss.str());
  } catch (const InputError& e) {
    throw InputError(e.what(), file.path);
  }
}

}  // namespace speechdex::indexer
