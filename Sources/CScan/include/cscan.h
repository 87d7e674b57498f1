#ifndef CSCAN_H
#define CSCAN_H
// Hot path of the record scanner: where plain string bytes end. Written in C for SSE2, which Swift's
// generic SIMD types do not compile to on Linux (measured: slower than a scalar loop).
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Number of bytes at the start of p[0..<n] that are neither '"', '\\' nor a control byte (< 0x20).
static inline size_t cscan_plain_run(const unsigned char *p, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control = _mm_set1_epi8(0x1F);
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
        int mask = _mm_movemask_epi8(m);
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
        i += 16;
    }
#endif
    while (i < n) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\' || c < 0x20) return i;
        i++;
    }
    return i;
}
/// Bit k set when p[k] (k < 64) is '"', '\\' or a control byte: the record scanner keeps this mask for the 64 bytes
/// it is in, so finding the end of each short string is a shift and a count of trailing zeros instead of a vector
/// loop whose exit the processor mispredicts. The caller guarantees 64 readable bytes.
static inline uint64_t cscan_special_mask64(const unsigned char *p) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control = _mm_set1_epi8(0x1F);
    uint64_t mask = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
        mask |= (uint64_t)(unsigned)_mm_movemask_epi8(m) << (16 * k);
    }
    return mask;
#else
    uint64_t mask = 0;
    for (int k = 0; k < 64; k++) {
        unsigned char c = p[k];
        if (c == '"' || c == '\\' || c < 0x20) mask |= (uint64_t)1 << k;
    }
    return mask;
#endif
}
#include <string.h>
#include "top_members.h"

/// The TopMember raw value of a top-level key (raw bytes), or -1 when it is not one of the names in
/// top_members.h: one table entry by a perfect hash of the last eight bytes and the length, then a comparison as
/// 8-byte words. Little-endian words, as the generator writes them (x86-64 and arm64).
static inline int cscan_top_member(const unsigned char *p, size_t n) {
    if (n < 7 || n > 32) return -1;
    uint64_t tail;
    if (n >= 8) {
        memcpy(&tail, p + n - 8, 8);
    } else {
        uint32_t t;
        memcpy(&t, p + n - 4, 4);
        tail = t;
    }
    const top_member_entry *e = &top_members[((tail ^ (uint64_t)n) * TOP_MEMBERS_MULTIPLIER) >> (64 - TOP_MEMBERS_BITS)];
    if (e->length != n || e->tail != tail) return -1;
    if (n < 8) {
        uint32_t h;
        memcpy(&h, p, 4);
        return h == e->head[0] ? e->member : -1;
    }
    uint64_t w;
    memcpy(&w, p, 8);
    if (w != e->head[0]) return -1;
    if (n > 16) {
        memcpy(&w, p + 8, 8);
        if (w != e->head[1]) return -1;
    }
    if (n > 24) {
        memcpy(&w, p + 16, 8);
        if (w != e->head[2]) return -1;
    }
    return e->member;
}

#endif
