// Corpus reading: a POSIX walk that reports what it cannot enter, encoding detection with
// ICU's converters and charset detector.
#include "corpus_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/utf8.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <utility>

#include "errors.h"
#include "normalizer.h"

namespace fs = boost::filesystem;

namespace speechdex::indexer {
namespace {

// ICU's detector must be at least this sure (0-100) of GB18030 or Big5; below it the byte
// statistics decide. Its confidence for a few lines of Chinese is often 10-30 whichever
// encoding they are in, so those are left to the statistics.
constexpr int32_t kDetectorFloor = 50;
// Above this share of double-byte characters with a second byte below 0xA1, text is Big5:
// GB2312 has none and GBK only in rare characters, Big5 in about four of ten.
constexpr double kBig5LowTrailShare = 0.12;

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

std::string errno_text(int e) { return std::strerror(e); }

// Converts `bytes` with ICU's converter `encoding` to UTF-16, stopping at the first illegal
// or unmapped sequence unless `lossy`, which puts U+FFFD in its place and goes on. Returns
// false if the converter does not exist or (unless lossy) a sequence does not convert.
struct Conversion {
  std::u16string text;
  size_t bad = 0;                        ///< sequences that did not convert
  size_t first_bad = std::string::npos;  ///< byte offset of the first
};
bool convert(const char* encoding, std::string_view bytes, bool lossy, Conversion& out) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> conv(ucnv_open(encoding, &status),
                                                          &ucnv_close);
  if (U_FAILURE(status)) return false;
  ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  out = Conversion{};
  out.text.reserve(bytes.size());
  const char* src = bytes.data();
  const char* const end = bytes.data() + bytes.size();
  std::u16string buffer(1 << 16, u'\0');
  for (;;) {
    UChar* target = reinterpret_cast<UChar*>(buffer.data());
    status = U_ZERO_ERROR;
    ucnv_toUnicode(conv.get(), &target, target + buffer.size(), &src, end, nullptr, true, &status);
    out.text.append(buffer.data(),
                    static_cast<size_t>(target - reinterpret_cast<UChar*>(buffer.data())));
    if (status == U_BUFFER_OVERFLOW_ERROR) continue;
    if (U_SUCCESS(status)) return true;
    if (status != U_ILLEGAL_CHAR_FOUND && status != U_INVALID_CHAR_FOUND &&
        status != U_TRUNCATED_CHAR_FOUND) {
      return false;
    }
    char invalid[32];
    int8_t length = sizeof invalid;
    UErrorCode ignored = U_ZERO_ERROR;
    ucnv_getInvalidChars(conv.get(), invalid, &length, &ignored);
    const size_t at = static_cast<size_t>(src - bytes.data()) - static_cast<size_t>(length);
    ++out.bad;
    out.first_bad = std::min(out.first_bad, at);
    if (!lossy) return false;
    out.text.push_back(u'\uFFFD');
    ucnv_reset(conv.get());
  }
}

std::string to_utf8(const std::u16string& u16) {
  std::string out;
  out.reserve(u16.size() * 3);
  for (size_t i = 0; i < u16.size(); ++i) {
    char32_t c = u16[i];
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < u16.size() && u16[i + 1] >= 0xDC00 &&
        u16[i + 1] < 0xE000) {
      c = 0x10000 + ((c - 0xD800) << 10) + (u16[i + 1] - 0xDC00);
      ++i;
    }
    schema::append_utf8(c, out);
  }
  return out;
}

// Well-formed multi-byte characters and ill-formed sequences in UTF-8 bytes, and the offset
// of the first ill-formed one.
struct Utf8Scan {
  size_t multibyte = 0, invalid = 0, first_invalid = std::string::npos;
};
Utf8Scan scan_utf8(std::string_view b) {
  Utf8Scan s;
  const auto* p = reinterpret_cast<const uint8_t*>(b.data());
  const auto n = static_cast<int64_t>(b.size());
  for (int64_t i = 0; i < n;) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const int64_t start = i;
    // U8_NEXT takes int32 offsets: step through the text in windows.
    const int32_t window = static_cast<int32_t>(std::min<int64_t>(n - start, 8));
    int32_t j = 0;
    UChar32 c;
    U8_NEXT(p + start, j, window, c);
    i = start + j;
    if (c < 0) {
      if (s.invalid++ == 0) s.first_invalid = static_cast<size_t>(start);
    } else {
      ++s.multibyte;
    }
  }
  return s;
}

// The byte statistics of GB18030 and Big5: the share of double-byte characters whose
// second byte is below 0xA1.
double low_trail_share(std::string_view b) {
  size_t pairs = 0, low = 0;
  for (size_t i = 0; i + 1 < b.size(); ++i) {
    const auto lead = static_cast<uint8_t>(b[i]);
    if (lead < 0x81 || lead == 0xFF) continue;
    const auto trail = static_cast<uint8_t>(b[i + 1]);
    if (trail >= 0x30 && trail <= 0x39) {  // a GB18030 four-byte sequence
      i += 3;
      continue;
    }
    ++pairs;
    if (trail < 0xA1) ++low;
    ++i;
  }
  return pairs == 0 ? 0.0 : static_cast<double>(low) / static_cast<double>(pairs);
}

// "gb18030" or "big5" as ICU's detector or, below its floor, the byte statistics say.
std::string guess_cjk(std::string_view b) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, decltype(&ucsdet_close)> det(ucsdet_open(&status),
                                                                 &ucsdet_close);
  if (U_SUCCESS(status)) {
    ucsdet_setText(det.get(), b.data(), static_cast<int32_t>(std::min<size_t>(b.size(), 1 << 20)),
                   &status);
    int32_t n = 0;
    const UCharsetMatch** matches = ucsdet_detectAll(det.get(), &n, &status);
    for (int32_t i = 0; U_SUCCESS(status) && i < n; ++i) {
      const std::string name = ucsdet_getName(matches[i], &status);
      const int32_t confidence = ucsdet_getConfidence(matches[i], &status);
      if (confidence < kDetectorFloor) break;  // matches come most confident first
      if (name == "GB18030") return "gb18030";
      if (name == "Big5") return "big5";
    }
  }
  return low_trail_share(b) > kBig5LowTrailShare ? "big5" : "gb18030";
}

// ICU's converter for an encoding name as users and web pages write it.
std::string converter_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name == "gb2312" || name == "gbk" || name == "cp936" || name == "x-gbk") return "gb18030";
  // Big5-HKSCS is a superset of Big5 (the Hong Kong characters), so it reads both.
  if (name == "big5" || name == "big5-hkscs" || name == "x-x-big5") return "big5-hkscs";
  return name;
}

std::string unify_line_endings(std::string s) {
  if (s.find('\r') == std::string::npos) return s;
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

std::string replaced_note(const Conversion& c, size_t offset_base) {
  return std::to_string(c.bad) + (c.bad == 1 ? " invalid sequence" : " invalid sequences") +
         " replaced, the first at byte " + std::to_string(c.first_bad + offset_base);
}

// Decodes with one named encoding: all of it, or (lossy) with replacements noted.
DecodedText decode_as(const std::string& label, std::string_view b, size_t offset_base,
                      bool lossy) {
  Conversion c;
  const std::string icu = converter_name(label);
  if (!convert(icu.c_str(), b, lossy, c)) {
    if (c.first_bad == std::string::npos) throw InputError("unknown encoding '" + label + "'", "");
    throw InputError("does not decode as " + label + ": invalid bytes at byte " +
                         std::to_string(c.first_bad + offset_base) +
                         " (--lossy indexes it with replacements)",
                     "");
  }
  DecodedText d;
  d.encoding = label;
  d.utf8 = to_utf8(c.text);
  if (c.bad > 0) d.replaced = replaced_note(c, offset_base);
  return d;
}

// A size as people read it: "1.6 MB", "12.0 KB", "300 bytes".
std::string size_text(uint64_t bytes) {
  char text[32];
  if (bytes >= (1u << 20)) {
    std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / (1 << 20));
  } else if (bytes >= 1024) {
    std::snprintf(text, sizeof text, "%.1f KB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(text, sizeof text, "%llu bytes", static_cast<unsigned long long>(bytes));
  }
  return text;
}

// The walk: one folder at a time, its entries sorted, every problem reported.
class Walker {
 public:
  Walker(const WalkOptions& options, const Warn& warn, WalkResult& out)
      : options_(options), warn_(warn), out_(out) {}

  void walk_path(const std::string& arg) {
    struct stat st {};
    if (::stat(arg.c_str(), &st) != 0) {
      const int e = errno;
      struct stat lst {};
      warn_(e == ENOENT && ::lstat(arg.c_str(), &lst) == 0 ? "broken symbolic link"
            : e == ENOENT                                  ? "no such file or folder"
                                                           : errno_text(e),
            arg);
      ++out_.failed;
      boost::system::error_code ec;
      const fs::path gone = fs::weakly_canonical(fs::absolute(arg), ec);
      if (!ec) out_.missing.push_back(gone.string());
      return;
    }
    // lexically_normal("data/sample/") is "data/sample/.": no "/." is shown in paths.
    std::string path = fs::path(arg).lexically_normal().string();
    if (path.size() > 2 && path.ends_with("/.")) path.resize(path.size() - 2);
    if (S_ISDIR(st.st_mode)) {
      boost::system::error_code ec;
      out_.roots.push_back(fs::canonical(path, ec).string());
      std::vector<std::pair<dev_t, ino_t>> above;
      walk_folder(path, st, above);
    } else if (S_ISREG(st.st_mode)) {
      add_file(path, st, true);
    } else {
      warn_("not a regular file or folder", arg);
      ++out_.skipped;
    }
  }

 private:
  const WalkOptions& options_;
  const Warn& warn_;
  WalkResult& out_;
  std::set<std::pair<dev_t, ino_t>> folders_seen_, files_seen_;

  void walk_folder(const std::string& path, const struct stat& st,
                   std::vector<std::pair<dev_t, ino_t>>& above) {
    const std::pair<dev_t, ino_t> id{st.st_dev, st.st_ino};
    if (std::find(above.begin(), above.end(), id) != above.end()) {
      warn_("symbolic link loop: leads back to a folder above it, not entered", path);
      ++out_.skipped;
      return;
    }
    // A folder reached a second time through a link is walked once.
    if (!folders_seen_.insert(id).second) return;
    struct CloseDir {
      void operator()(DIR* d) const { closedir(d); }
    };
    std::unique_ptr<DIR, CloseDir> dir(opendir(path.c_str()));
    if (!dir) {
      warn_("cannot read folder: " + errno_text(errno), path);
      ++out_.failed;
      return;
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* e = readdir(dir.get())) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    if (errno != 0) {
      warn_("cannot read folder: " + errno_text(errno), path);
      ++out_.failed;
    }
    dir.reset();
    std::sort(names.begin(), names.end());
    above.push_back(id);
    for (const std::string& name : names) {
      const std::string child = path == "/" ? "/" + name : path + "/" + name;
      if (name[0] == '.' && !options_.hidden) {
        ++out_.hidden;
        continue;
      }
      struct stat cst {};
      if (::stat(child.c_str(), &cst) != 0) {
        const int e = errno;
        struct stat lst {};
        warn_(e == ENOENT && ::lstat(child.c_str(), &lst) == 0 ? "broken symbolic link"
                                                               : errno_text(e),
              child);
        ++out_.skipped;
        continue;
      }
      if (S_ISDIR(cst.st_mode)) {
        walk_folder(child, cst, above);
      } else if (S_ISREG(cst.st_mode)) {
        if (is_supported_name(child)) {
          add_file(child, cst, false);
        } else {
          ++out_.other_formats[lower_extension(child)];
        }
      }
      // Sockets, pipes and devices in a folder are not documents: passed over.
    }
    above.pop_back();
  }

  void add_file(const std::string& path, const struct stat& st, bool named) {
    // The same file reached twice (a link, or named twice) is read once.
    if (!files_seen_.insert({st.st_dev, st.st_ino}).second) return;
    if (static_cast<uint64_t>(st.st_size) > options_.max_file_size) {
      warn_("larger than --max-file-size (" + size_text(static_cast<uint64_t>(st.st_size)) + " > " +
                size_text(options_.max_file_size) + "), not read",
            path);
      ++out_.skipped;
      return;
    }
    (void)named;
    SourceFile f;
    f.path = path;
    boost::system::error_code ec;
    f.canonical_path = fs::canonical(path, ec).string();
    if (ec) f.canonical_path = fs::absolute(path).lexically_normal().string();
    f.size = static_cast<uint64_t>(st.st_size);
    f.mtime = static_cast<int64_t>(st.st_mtime);
    out_.files.push_back(std::move(f));
  }
};

}  // namespace

Converted convert_bytes(const std::string& icu, std::string_view bytes, bool lossy) {
  Conversion c;
  const bool whole = convert(icu.c_str(), bytes, lossy, c);
  if (!whole && c.first_bad == std::string::npos) {
    throw InputError("ICU has no converter " + icu, "");
  }
  Converted out;
  if (whole) out.utf8 = to_utf8(c.text);
  out.bad = c.bad;
  out.first_bad = c.first_bad;
  return out;
}

bool is_supported_name(const std::string& path) {
  static const std::set<std::string> kExtensions = {".txt", ".text",  ".md",  ".docx", ".html",
                                                    ".htm", ".xhtml", ".pdf", ".jsonl"};
  return kExtensions.count(lower_extension(path)) > 0;
}

WalkResult collect_files(const std::vector<std::string>& paths, const WalkOptions& options,
                         const Warn& warn) {
  WalkResult result;
  Walker walker(options, warn, result);
  for (const std::string& arg : paths) walker.walk_path(arg);
  return result;
}

DecodedText decode_text(const std::string& bytes, const DecodeOptions& options) {
  DecodedText d;
  std::string_view b(bytes);
  const auto starts = [&](std::string_view bom) { return b.substr(0, bom.size()) == bom; };
  if (!options.encoding.empty()) {
    d = decode_as(options.encoding, b, 0, options.lossy);
  } else if (starts("\xFF\xFE")) {
    d = decode_as("utf-16le", b.substr(2), 2, options.lossy);
  } else if (starts("\xFE\xFF")) {
    d = decode_as("utf-16be", b.substr(2), 2, options.lossy);
  } else {
    if (const size_t nul = b.find('\0'); nul != std::string_view::npos) {
      throw InputError("binary, not text (a NUL byte at byte " + std::to_string(nul) + ")", "");
    }
    size_t base = 0;
    if (starts("\xEF\xBB\xBF")) {
      b.remove_prefix(3);
      base = 3;
    }
    const Utf8Scan scan = scan_utf8(b);
    if (scan.invalid == 0) {
      d.encoding = "utf-8";
      d.utf8 = std::string(b);
    } else if (base == 3 || scan.multibyte >= 100 * scan.invalid) {
      // UTF-8 with a few damaged bytes: another encoding would make all of it mojibake.
      if (!options.lossy) {
        throw InputError("invalid UTF-8 at byte " + std::to_string(scan.first_invalid + base) +
                             " (" + std::to_string(scan.invalid) +
                             " invalid sequences; --lossy indexes it with replacements)",
                         "");
      }
      d = decode_as("utf-8", b, base, true);
    } else {
      const std::string first = guess_cjk(b);
      const std::string second = first == "gb18030" ? "big5" : "gb18030";
      Conversion c1, c2;
      if (convert(converter_name(first).c_str(), b, false, c1)) {
        d.encoding = first;
        d.utf8 = to_utf8(c1.text);
      } else if (convert(converter_name(second).c_str(), b, false, c2)) {
        d.encoding = second;
        d.utf8 = to_utf8(c2.text);
      } else if (options.lossy) {
        // The encoding that went furthest before its first bad byte.
        const bool first_better = c1.first_bad >= c2.first_bad;
        d = decode_as(first_better ? first : second, b, base, true);
      } else {
        throw InputError("not text in a supported encoding: UTF-8 fails at byte " +
                             std::to_string(scan.first_invalid + base) + ", " + first +
                             " at byte " + std::to_string(c1.first_bad + base) + ", " + second +
                             " at byte " + std::to_string(c2.first_bad + base) +
                             " (--encoding names it; --lossy indexes it with replacements)",
                         "");
      }
    }
  }
  d.utf8 = unify_line_endings(std::move(d.utf8));
  return d;
}

std::string read_file(const SourceFile& file) {
  const int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError("cannot open: " + errno_text(errno), file.path);
  std::string bytes;
  bytes.reserve(file.size);
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      throw InputError("read error: " + errno_text(e), file.path);
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return bytes;
}

DecodedText read_text(const SourceFile& file, const DecodeOptions& options) {
  const std::string bytes = read_file(file);
  try {
    return decode_text(bytes, options);
  } catch (const InputError& e) {
    throw InputError(e.what(), file.path);
  }
}

}  // namespace speechdex::indexer
