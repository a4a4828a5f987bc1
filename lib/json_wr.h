/* json_wr.h - a small JSON writer into a caller's buffer of fixed size.
 *
 * It never writes past the buffer: once a value does not fit, the writer
 * remembers the overflow, writes nothing more, and json_wr_finish says so
 * (the caller may retry with a bigger buffer). Commas and nesting are
 * tracked here, so callers only say what comes next. Strings are escaped
 * for JSON (RFC 8259 §7): quote, backslash and control characters, and
 * every byte >= 0x80 as \u00XX, so bytes a client sent (hostnames, file
 * names) that are not UTF-8 still give valid JSON. Pure: no I/O. */
#ifndef NETBOOTD_JSON_WR_H
#define NETBOOTD_JSON_WR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_WR_MAX_DEPTH 16

struct json_wr {
    char *buf;
    size_t cap, len;
    bool overflow;          /* something did not fit: the text is cut short */
    bool misuse;            /* nesting too deep, a key outside an object, unbalanced */
    bool after_key;         /* a key was written: its value comes next */
    unsigned depth;
    bool first[JSON_WR_MAX_DEPTH];  /* nothing written yet at this level */
    bool is_obj[JSON_WR_MAX_DEPTH];
};

void json_wr_init(struct json_wr *w, char *buf, size_t cap);

void json_obj_begin(struct json_wr *w);
void json_obj_end(struct json_wr *w);
void json_arr_begin(struct json_wr *w);
void json_arr_end(struct json_wr *w);
/* Inside an object: the next value's name. */
void json_key(struct json_wr *w, const char *key);

void json_str(struct json_wr *w, const char *s);         /* NULL: null */
void json_strn(struct json_wr *w, const void *s, size_t len);
void json_int(struct json_wr *w, int64_t v);
void json_uint(struct json_wr *w, uint64_t v);
void json_double(struct json_wr *w, double v);            /* NaN, inf: null */
void json_bool(struct json_wr *w, bool v);
void json_null(struct json_wr *w);

/* "key": value, in one call. */
void json_kv_str(struct json_wr *w, const char *key, const char *v);
void json_kv_int(struct json_wr *w, const char *key, int64_t v);
void json_kv_uint(struct json_wr *w, const char *key, uint64_t v);
void json_kv_double(struct json_wr *w, const char *key, double v);
void json_kv_bool(struct json_wr *w, const char *key, bool v);

/* NUL-terminates the text (which needs one byte more than len). 0 when
 * the document is complete and fitted; -EMSGSIZE when it did not fit;
 * -EINVAL when it was not well formed (unbalanced, a key misplaced). */
int json_wr_finish(struct json_wr *w);

/* A whole document in a malloc'd buffer: fill(w, ctx) writes it, into
 * first_cap bytes, then twice as many while it does not fit, up to max_cap.
 * fill returns 0 or a negative errno of its own. 0 with *out (the text,
 * NUL-terminated, *len bytes), -ENOMEM, -EMSGSIZE past max_cap, -EINVAL
 * when fill wrote something ill-formed, or fill's error. */
int json_wr_render(size_t first_cap, size_t max_cap, int (*fill)(struct json_wr *w, void *ctx),
                   void *ctx, char **out, size_t *len);

#endif
