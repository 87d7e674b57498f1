#include <zlib.h>

// zlib's init entry points are macros, which Swift cannot import; these wrap them.
static inline int czlib_inflate_init_gzip(z_stream *s) {
    // 15 + 32: accept gzip and zlib headers (auto-detect), full 32 KiB window.
    return inflateInit2(s, 15 + 32);
}
static inline int czlib_deflate_init_gzip(z_stream *s, int level) {
    // 15 + 16: write a gzip header and trailer.
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
