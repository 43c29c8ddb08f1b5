// Reading the corpus: walking paths to files, reading bytes, detecting the encoding.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace speechdex::indexer {

/// A file to index.
struct SourceFile {
  std::string path;            ///< as the user named it (lexically normal), for display
  std::string canonical_path;  ///< absolute canonical path: identifies the file in the index
  uint64_t size = 0;
  int64_t mtime = 0;  ///< seconds since the epoch
};

/// Receives a warning: what is wrong and the path it concerns.
using Warn = std::function<void(const std::string& what, const std::string& path)>;

/// How to walk folders.
struct WalkOptions {
  bool hidden = false;                    ///< enter entries whose name starts with '.'
  uint64_t max_file_size = 100ull << 20;  ///< larger files are reported and skipped
};

/// What a walk found besides the files to read.
struct WalkResult {
  std::vector<SourceFile> files;  ///< sorted by path within each folder, no file twice
  size_t skipped = 0;             ///< reported and not read: too large, a loop, a broken link
  size_t failed = 0;              ///< reported: a folder or file that cannot be read
  size_t hidden = 0;              ///< hidden entries not entered (WalkOptions::hidden)
  /// Files in folders whose name is not of a supported format, by extension ("" for none):
  /// not read, and not problems (a folder of speeches may hold a manifest or images).
  std::map<std::string, size_t> other_formats;
  /// Canonical paths of the folders walked, for removing what was deleted under them.
  std::vector<std::string> roots;
  /// Canonical paths of the named paths that do not exist (reported), for removing a file
  /// the index holds that was deleted.
  std::vector<std::string> missing;
};

/// True if a file with this name is read when found in a folder: .txt, .text, .md, .docx,
/// .html, .htm, .xhtml, .pdf, .jsonl (any case).
bool is_supported_name(const std::string& path);

/// Expands `paths` into files: a folder yields its files of supported formats (recursively,
/// sorted), a file is taken whatever its name. Every problem is reported through `warn` and
/// the walk goes on: a path that does not exist, a folder or file that cannot be read, a
/// symbolic link that loops back to a folder above it (found by device and inode) or leads
/// nowhere, a file larger than the limit.
WalkResult collect_files(const std::vector<std::string>& paths, const WalkOptions& options,
                         const Warn& warn);

/// How to decode bytes to text.
struct DecodeOptions {
  /// Decode as this encoding (an ICU converter name such as "gb18030", "big5", "utf-8"),
  /// "" to detect.
  std::string encoding;
  /// Replace what does not decode with U+FFFD and say so, instead of refusing the file.
  bool lossy = false;
};

/// A file's text decoded to UTF-8, with its line endings made '\n'.
struct DecodedText {
  std::string utf8;
  std::string encoding;  ///< "utf-8", "utf-16le", "utf-16be", "gb18030", "big5", ...
  /// With DecodeOptions::lossy, what was replaced ("3 invalid bytes replaced, the first at
  /// byte 120"); "" when the text decoded cleanly.
  std::string replaced;
};

/// Decodes bytes. Detection, unless an encoding is given: a byte order mark (UTF-8,
/// UTF-16LE/BE), strict UTF-8, then ICU's charset detector between GB18030 (which covers
/// GBK and GB2312) and Big5 (Big5-HKSCS), trusted above a confidence floor; below it, the
/// byte statistics of the two. The chosen encoding must decode every byte: otherwise an
/// InputError (without context; the caller adds the path) names the encodings tried and
/// the byte offset where each failed, unless `options.lossy`. Bytes with NUL and no UTF-16
/// byte order mark are binary, not text.
DecodedText decode_text(const std::string& bytes, const DecodeOptions& options = {});

/// Bytes converted to UTF-8 by one ICU converter.
struct Converted {
  std::string utf8;
  size_t bad = 0;                        ///< sequences that did not convert
  size_t first_bad = std::string::npos;  ///< byte offset of the first
};
/// Converts `bytes` with ICU's converter `icu` ("GB18030", "Big5-HKSCS", "UTF-16LE", ...),
/// stopping at the first illegal or unmapped sequence unless `lossy`, which puts U+FFFD in
/// its place and goes on. Throws InputError if ICU has no such converter.
Converted convert_bytes(const std::string& icu, std::string_view bytes, bool lossy);

/// Reads a file's bytes; throws InputError naming the file if it cannot be read.
std::string read_file(const SourceFile& file);

/// Reads and decodes a file; throws InputError naming the file.
DecodedText read_text(const SourceFile& file, const DecodeOptions& options = {});

}  // namespace speechdex::indexer
