// zstd frames with their content checksum: how schema/ compresses what it stores (a
// speech's records, the duplicate table), so that damage is an error when read.
#pragma once

#include <zstd.h>

#include <memory>
#include <string>
#include <string_view>

namespace speechdex::schema {

using ZstdContext = std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)>;

/// A compression context at `level` whose frames carry zstd's checksum of their content.
/// Throws std::bad_alloc if zstd cannot make one.
ZstdContext checksummed_context(int level);

/// Appends `body`, compressed by `context` (with the dictionary it refers to, if any), to
/// `out` as one frame; throws IndexError("cannot compress <what>: ...") if zstd fails.
void append_frame(std::string& out, std::string_view body, ZSTD_CCtx* context, const char* what);

}  // namespace speechdex::schema
