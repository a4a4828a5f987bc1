/* tmpl.c - the template engine (see tmpl.h): one walk over the template
 * that hands out literal text and placeholders; scanning and rendering
 * are two ways of consuming them. */
#include "tmpl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9');
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

bool tmpl_name_valid(const char *s, size_t len)
{
    if (len == 0 || len > TMPL_NAME_MAX || !name_start(s[0]))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!name_char(s[i]))
            return false;
    return true;
}

void tmpl_varset_init(struct tmpl_varset *set)
{
    set->n = 0;
    set->used = 0;
}

/* Copy s into the set's buffer; NULL when it is full. */
static const char *set_copy(struct tmpl_varset *set, const char *s)
{
    size_t len = strlen(s) + 1;
    if (len > sizeof set->buf - set->used)
        return NULL;
    char *at = set->buf + set->used;
    memcpy(at, s, len);
    set->used += len;
    return at;
}

int tmpl_varset_add(struct tmpl_varset *set, const char *name, const char *value)
{
    size_t len = strlen(name);
    if (!tmpl_name_valid(name, len))
        return -EINVAL;
    if (tmpl_varset_get(set, name, len))
        return 0;   /* the first value stays */
    if (set->n >= TMPL_MAX_VARS)
        return -ENOSPC;
    size_t used = set->used;
    const char *n = set_copy(set, name), *v = n ? set_copy(set, value ? value : "") : NULL;
    if (!v) {
        set->used = used;
        return -ENOSPC;
    }
    set->v[set->n++] = (struct tmpl_var){ n, v };
    return 0;
}

const char *tmpl_varset_get(const struct tmpl_varset *set, const char *name, size_t len)
{
    for (size_t i = 0; i < set->n; i++)
        if (strncmp(set->v[i].name, name, len) == 0 && set->v[i].name[len] == '\0')
            return set->v[i].value;
    return NULL;
}

/* What a walk hands out: literal text (n bytes) and placeholders. */
struct walker {
    int (*text)(struct walker *w, const char *s, size_t n);
    int (*var)(struct walker *w, const char *name, size_t n, unsigned line, unsigned col);
    struct tmpl_error *err;
};

static int fail(struct tmpl_error *err, unsigned line, unsigned col, const char *what, int rc)
{
    if (err) {
        err->line = line;
        err->column = col;
        err->name[0] = '\0';
        err->what = what;
    }
    return rc;
}

/* The placeholder whose `{{` is at src[at]: its name in [*ns, *ne) and the
 * offset just past its `}}`, or 0 with the reason in *why. */
static size_t placeholder(const char *src, size_t len, size_t at, size_t *ns, size_t *ne,
                          const char **why)
{
    size_t j = at + 2;
    while (j < len && blank(src[j]))
        j++;
    *ns = j;
    while (j < len && name_char(src[j]))
        j++;
    *ne = j;
    while (j < len && blank(src[j]))
        j++;
    if (j + 1 < len && src[j] == '}' && src[j + 1] == '}') {
        if (*ne - *ns > TMPL_NAME_MAX) {
            *why = "variable name too long";
            return 0;
        }
        if (tmpl_name_valid(src + *ns, *ne - *ns))
            return j + 2;
    }
    bool open = true;
    for (size_t k = at + 2; k + 1 < len && src[k] != '\n'; k++)
        if (src[k] == '}' && src[k + 1] == '}')
            open = false;
    *why = open ? "unterminated {{ (no }} on its line; write {{{{ for a literal {{)"
                : "expected {{name}} (a name is letters, digits and _; {{{{ is a literal {{)";
    return 0;
}

static int walk(const char *src, size_t len, struct walker *w)
{
    unsigned line = 1;
    size_t line_start = 0, lit = 0, i = 0;
    int rc;
    while (i < len) {
        if (src[i] == '\n') {
            line++;
            line_start = ++i;
            continue;
        }
        if (src[i] != '{' || i + 1 >= len || src[i + 1] != '{') {
            i++;
            continue;
        }
        unsigned col = (unsigned)(i - line_start + 1);
        if (i > lit && (rc = w->text(w, src + lit, i - lit)) != 0)
            return rc;
        if (i + 3 < len && src[i + 2] == '{' && src[i + 3] == '{') {
            if ((rc = w->text(w, "{{", 2)) != 0)
                return rc;
            lit = i = i + 4;
            continue;
        }
        size_t ns, ne;
        const char *why = NULL;
        size_t end = placeholder(src, len, i, &ns, &ne, &why);
        if (!end)
            return fail(w->err, line, col, why, -EINVAL);
        if ((rc = w->var(w, src + ns, ne - ns, line, col)) != 0)
            return rc;
        lit = i = end;
    }
    if (len > lit && (rc = w->text(w, src + lit, len - lit)) != 0)
        return rc;
    return 0;
}

/* ---- scan ---- */

struct scanner {
    struct walker w;
    tmpl_scan_cb cb;
    void *ctx;
};

static int scan_text(struct walker *w, const char *s, size_t n)
{
    (void)w, (void)s, (void)n;
    return 0;
}

static int scan_var(struct walker *w, const char *name, size_t n, unsigned line, unsigned col)
{
    struct scanner *sc = (struct scanner *)w;
    char buf[TMPL_NAME_MAX + 1];
    memcpy(buf, name, n);   /* n <= TMPL_NAME_MAX: checked by placeholder() */
    buf[n] = '\0';
    return sc->cb(buf, line, col, sc->ctx);
}

int tmpl_scan(const char *src, size_t len, tmpl_scan_cb cb, void *ctx, struct tmpl_error *err)
{
    struct scanner sc = { { scan_text, scan_var, err }, cb, ctx };
    return walk(src, len, &sc.w);
}

/* ---- render ---- */

struct renderer {
    struct walker w;
    const struct tmpl_varset *vars;
    char *buf;
    size_t len, cap, max;
    unsigned line, col;     /* of the placeholder being inserted, for errors */
};

static int put(struct renderer *r, const char *s, size_t n)
{
    if (n > r->max - r->len)
        return fail(r->w.err, r->line, r->col, "rendered output too large", -EMSGSIZE);
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n + 1)
            cap *= 2;
        char *b = realloc(r->buf, cap);
        if (!b)
            return fail(r->w.err, r->line, r->col, "out of memory", -ENOMEM);
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, s, n);
    r->len += n;
    r->buf[r->len] = '\0';
    return 0;
}

static int render_text(struct walker *w, const char *s, size_t n)
{
    return put((struct renderer *)w, s, n);
}

static int render_var(struct walker *w, const char *name, size_t n, unsigned line, unsigned col)
{
    struct renderer *r = (struct renderer *)w;
    r->line = line;
    r->col = col;
    const char *v = tmpl_varset_get(r->vars, name, n);
    if (!v) {
        fail(w->err, line, col, "undefined variable", -ENOENT);
        if (w->err) {
            memcpy(w->err->name, name, n);
            w->err->name[n] = '\0';
        }
        return -ENOENT;
    }
    return put(r, v, strlen(v));
}

int tmpl_render(const char *src, size_t len, const struct tmpl_varset *vars, size_t max_out,
                char **out, size_t *out_len, struct tmpl_error *err)
{
    struct renderer r = { { render_text, render_var, err }, vars, NULL, 0, 0, max_out, 1, 1 };
    int rc = walk(src, len, &r.w);
    if (rc == 0 && !r.buf)
        rc = put(&r, "", 0);
    if (rc != 0) {
        free(r.buf);
        return rc;
    }
    *out = r.buf;
    *out_len = r.len;
    return 0;
}
