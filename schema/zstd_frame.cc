// zstd frames with their content checksum.
#include "zstd_frame.h"

#include <new>

#include "errors.h"

namespace speechdex::schema {

ZstdContext checksummed_context(int level) {
  ZstdContext c(ZSTD_createCCtx(), ZSTD_freeCCtx);
  if (!c) throw std::bad_alloc();
  ZSTD_CCtx_setParameter(c.get(), ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(c.get(), ZSTD_c_checksumFlag, 1);
  return c;
}

void append_frame(std::string& out, std::string_view body, ZSTD_CCtx* context, const char* what) {
  const size_t head = out.size();
  out.resize(head + ZSTD_compressBound(body.size()));
  const size_t n =
      ZSTD_compress2(context, out.data() + head, out.size() - head, body.data(), body.size());
  if (ZSTD_isError(n)) {
    std::string message = "cannot compress ";
    message += what;
    message += ": ";
    message += ZSTD_getErrorName(n);
    throw IndexError(message, "");
  }
  out.resize(head + n);
}

}  // namespace speechdex::schema
