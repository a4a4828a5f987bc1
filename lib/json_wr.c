/* json_wr.c - see json_wr.h. */
#include "json_wr.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_wr_init(struct json_wr *w, char *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = cap;
    w->first[0] = true;
}

/* Append n bytes, keeping one byte for the final NUL; all or nothing. */
static void put(struct json_wr *w, const char *s, size_t n)
{
    if (w->overflow)
        return;
    if (w->cap == 0 || n > w->cap - 1 - w->len) {
        w->overflow = true;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* Before any value: the comma, and the checks of where a value may go. */
static void before_value(struct json_wr *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0 && w->is_obj[w->depth])
        w->misuse = true;           /* a value in an object needs its key first */
    if (w->depth == 0 && !w->first[0])
        w->misuse = true;           /* one top-level value only */
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = false;
}

static void open_level(struct json_wr *w, bool obj)
{
    before_value(w);
    put(w, obj ? "{" : "[", 1);
    if (w->depth + 1 >= JSON_WR_MAX_DEPTH) {
        w->misuse = true;
        return;
    }
    w->depth++;
    w->first[w->depth] = true;
    w->is_obj[w->depth] = obj;
}

static void close_level(struct json_wr *w, bool obj)
{
    if (w->depth == 0 || w->is_obj[w->depth] != obj || w->after_key) {
        w->misuse = true;
        return;
    }
    w->depth--;
    put(w, obj ? "}" : "]", 1);
}

void json_obj_begin(struct json_wr *w) { open_level(w, true); }
void json_obj_end(struct json_wr *w) { close_level(w, true); }
void json_arr_begin(struct json_wr *w) { open_level(w, false); }
void json_arr_end(struct json_wr *w) { close_level(w, false); }

/* The string's text between quotes, escaped (RFC 8259 §7). */
static void put_escaped(struct json_wr *w, const unsigned char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    put(w, "\"", 1);
    for (size_t i = 0; i < len && !w->overflow; i++) {
        unsigned char c = s[i];
        char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
        if (c == '"' || c == '\\') {
            char two[2] = { '\\', (char)c };
            put(w, two, 2);
        } else if (c == '\n') {
            put(w, "\\n", 2);
        } else if (c == '\t') {
            put(w, "\\t", 2);
        } else if (c < 0x20 || c >= 0x7f) {
            put(w, esc, sizeof esc);
        } else {
            put(w, (const char *)&c, 1);
        }
    }
    put(w, "\"", 1);
}

void json_key(struct json_wr *w, const char *key)
{
    if (w->depth == 0 || !w->is_obj[w->depth] || w->after_key) {
        w->misuse = true;
        return;
    }
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = false;
    put_escaped(w, (const unsigned char *)key, strlen(key));
    put(w, ":", 1);
    w->after_key = true;
}

void json_strn(struct json_wr *w, const void *s, size_t len)
{
    before_value(w);
    put_escaped(w, s, len);
}

void json_str(struct json_wr *w, const char *s)
{
    if (!s) {
        json_null(w);
        return;
    }
    json_strn(w, s, strlen(s));
}

/* A number or literal already formatted. */
static void put_raw(struct json_wr *w, const char *text, int n)
{
    before_value(w);
    if (n < 0) {
        w->misuse = true;
        return;
    }
    put(w, text, (size_t)n);
}

void json_int(struct json_wr *w, int64_t v)
{
    char t[24];
    put_raw(w, t, snprintf(t, sizeof t, "%" PRId64, v));
}

void json_uint(struct json_wr *w, uint64_t v)
{
    char t[24];
    put_raw(w, t, snprintf(t, sizeof t, "%" PRIu64, v));
}

void json_double(struct json_wr *w, double v)
{
    char t[40];
    if (!isfinite(v)) {
        json_null(w);
        return;
    }
    put_raw(w, t, snprintf(t, sizeof t, "%.3f", v));
}

void json_bool(struct json_wr *w, bool v)
{
    put_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void json_null(struct json_wr *w)
{
    put_raw(w, "null", 4);
}

void json_kv_str(struct json_wr *w, const char *key, const char *v)
{
    json_key(w, key);
    json_str(w, v);
}

void json_kv_int(struct json_wr *w, const char *key, int64_t v)
{
    json_key(w, key);
    json_int(w, v);
}

void json_kv_uint(struct json_wr *w, const char *key, uint64_t v)
{
    json_key(w, key);
    json_uint(w, v);
}

void json_kv_double(struct json_wr *w, const char *key, double v)
{
    json_key(w, key);
    json_double(w, v);
}

void json_kv_bool(struct json_wr *w, const char *key, bool v)
{
    json_key(w, key);
    json_bool(w, v);
}

int json_wr_finish(struct json_wr *w)
{
    if (w->cap > 0)
        w->buf[w->len] = '\0';
    if (w->overflow)
        return -EMSGSIZE;
    if (w->misuse || w->depth != 0 || w->after_key || w->first[0])
        return -EINVAL;
    return 0;
}

int json_wr_render(size_t first_cap, size_t max_cap, int (*fill)(struct json_wr *w, void *ctx),
                   void *ctx, char **out, size_t *len)
{
    int err = -EMSGSIZE;
    for (size_t cap = first_cap ? first_cap : 64; cap <= max_cap && err == -EMSGSIZE; cap *= 2) {
        char *buf = malloc(cap);
        struct json_wr w;
        if (!buf)
            return -ENOMEM;
        json_wr_init(&w, buf, cap);
        err = fill(&w, ctx);
        if (err == 0)
            err = json_wr_finish(&w);
        if (err == 0) {
            *out = buf;
            *len = w.len;
            return 0;
        }
        free(buf);
        if (cap > max_cap / 2)
            break;
    }
    return err;
}
