/* bytes.h - bounds-checked cursors for reading and writing wire formats.
 *
 * Every packet parser in netbootd reads through struct rd and every builder
 * writes through struct wr. A read past the end or a write past the capacity
 * fails (returns false) and poisons the cursor, so a parser can do a run of
 * reads and check once; nothing ever touches memory outside the buffer. */
#ifndef NETBOOTD_BYTES_H
#define NETBOOTD_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
    const uint8_t *p;
    size_t left;
    bool bad;               /* set by any failed read; sticky */
};

static inline struct rd rd_init(const void *buf, size_t len)
{
    struct rd r = { (const uint8_t *)buf, len, false };
    return r;
}

static inline bool rd_fail(struct rd *r)
{
    r->bad = true;
    r->left = 0;
    return false;
}

static inline bool rd_u8(struct rd *r, uint8_t *out)
{
    if (r->left < 1)
        return rd_fail(r);
    *out = r->p[0];
    r->p += 1;
    r->left -= 1;
    return true;
}

static inline bool rd_be16(struct rd *r, uint16_t *out)
{
    if (r->left < 2)
        return rd_fail(r);
    *out = (uint16_t)((r->p[0] << 8) | r->p[1]);
    r->p += 2;
    r->left -= 2;
    return true;
}

static inline bool rd_be32(struct rd *r, uint32_t *out)
{
    if (r->left < 4)
        return rd_fail(r);
    *out = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) |
           ((uint32_t)r->p[2] << 8) | (uint32_t)r->p[3];
    r->p += 4;
    r->left -= 4;
    return true;
}

/* Copy n bytes out. */
static inline bool rd_bytes(struct rd *r, void *out, size_t n)
{
    if (r->left < n)
        return rd_fail(r);
    memcpy(out, r->p, n);
    r->p += n;
    r->left -= n;
    return true;
}

/* Borrow n bytes in place (no copy). */
static inline bool rd_span(struct rd *r, size_t n, const uint8_t **out)
{
    if (r->left < n)
        return rd_fail(r);
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static inline bool rd_skip(struct rd *r, size_t n)
{
    if (r->left < n)
        return rd_fail(r);
    r->p += n;
    r->left -= n;
    return true;
}

/* A NUL-terminated string that must end inside the buffer. *out points into
 * the buffer; *len excludes the NUL. */
static inline bool rd_cstr(struct rd *r, const char **out, size_t *len)
{
    const uint8_t *nul = memchr(r->p, 0, r->left);
    if (!nul)
        return rd_fail(r);
    size_t n = (size_t)(nul - r->p);
    *out = (const char *)r->p;
    if (len)
        *len = n;
    r->p += n + 1;
    r->left -= n + 1;
    return true;
}

struct wr {
    uint8_t *p;             /* start of buffer */
    size_t cap;
    size_t len;             /* bytes written so far */
    bool bad;               /* set by any write that did not fit; sticky */
};

static inline struct wr wr_init(void *buf, size_t cap)
{
    struct wr w = { (uint8_t *)buf, cap, 0, false };
    return w;
}

static inline size_t wr_room(const struct wr *w)
{
    return w->bad ? 0 : w->cap - w->len;
}

static inline bool wr_bytes(struct wr *w, const void *src, size_t n)
{
    if (w->bad || w->cap - w->len < n) {
        w->bad = true;
        return false;
    }
    if (n)
        memcpy(w->p + w->len, src, n);
    w->len += n;
    return true;
}

static inline bool wr_u8(struct wr *w, uint8_t v)
{
    return wr_bytes(w, &v, 1);
}

static inline bool wr_be16(struct wr *w, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
    return wr_bytes(w, b, 2);
}

static inline bool wr_be32(struct wr *w, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    return wr_bytes(w, b, 4);
}

static inline bool wr_zero(struct wr *w, size_t n)
{
    if (w->bad || w->cap - w->len < n) {
        w->bad = true;
        return false;
    }
    memset(w->p + w->len, 0, n);
    w->len += n;
    return true;
}

/* Write a string and its terminating NUL. */
static inline bool wr_cstr(struct wr *w, const char *s)
{
    return wr_bytes(w, s, strlen(s) + 1);
}

/* One hexadecimal digit's value (either case), or -1: for the text forms
 * of bytes (the lease journal's client ids, PostgreSQL's bytea, URLs' %XX). */
static inline int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
