// ISA-L's igzip inflate (Debian libisal-dev), wrapped so Swift never touches struct inflate_state's layout.
#include <isa-l/igzip_lib.h>
#if __has_include(<isa-l.h>)
#include <isa-l.h>
#endif
#include <stdlib.h>

static inline struct inflate_state *cisal_new(void) {
    struct inflate_state *s = malloc(sizeof *s);
    if (s) {
        isal_inflate_init(s);
        s->crc_flag = ISAL_GZIP;  // parse the gzip header, check the CRC-32 and length in the trailer
    }
    return s;
}

static inline void cisal_free(struct inflate_state *s) { free(s); }

static inline void cisal_reset(struct inflate_state *s) {
    isal_inflate_reset(s);
    s->crc_flag = ISAL_GZIP;
}

static inline void cisal_set_input(struct inflate_state *s, uint8_t *p, uint32_t n) {
    s->next_in = p;
    s->avail_in = n;
}

static inline uint32_t cisal_avail_in(const struct inflate_state *s) { return s->avail_in; }
static inline uint8_t *cisal_next_in(const struct inflate_state *s) { return s->next_in; }

/// Inflates into out[0..<cap]; *produced is set. Returns 1 when the gzip member ended (trailer checked), 0 for
/// progress, or ISA-L's negative error code.
static inline int cisal_inflate(struct inflate_state *s, uint8_t *out, uint32_t cap, uint32_t *produced) {
    s->next_out = out;
    s->avail_out = cap;
    int ret = isal_inflate(s);
    *produced = cap - s->avail_out;
    if (ret < 0) return ret;
    return s->block_state == ISAL_BLOCK_FINISH ? 1 : 0;
}

/// The version of the ISA-L headers built against ("2.30.0"), or "unknown" for headers without isa-l.h.
static inline const char *cisal_version(void) {
#if defined(ISAL_MAJOR_VERSION) && defined(ISAL_MINOR_VERSION) && defined(ISAL_PATCH_VERSION)
#define CISAL_STR2(x) #x
#define CISAL_STR(x) CISAL_STR2(x)
    return CISAL_STR(ISAL_MAJOR_VERSION) "." CISAL_STR(ISAL_MINOR_VERSION) "." CISAL_STR(ISAL_PATCH_VERSION);
#else
    return "unknown";
#endif
}
