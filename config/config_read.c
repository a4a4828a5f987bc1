/* config_read.c - diagnostics and typed scalar readers for the loader.
 * Every message names the position, the key path and what was expected. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "config_ctx.h"

static bool diag_push(char ***list, size_t *n, char *msg)
{
    char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown) {
        free(msg);
        return false;
    }
    *list = grown;
    grown[(*n)++] = msg;
    return true;
}

void config_diag_add(struct config_diag *diag, char *msg)
{
    diag_push(&diag->errors, &diag->n_errors, msg);
}

void config_diag_warning(struct config_diag *diag, char *msg)
{
    diag_push(&diag->warnings, &diag->n_warnings, msg);
}

void config_diag_free(struct config_diag *diag)
{
    for (size_t i = 0; i < diag->n_errors; i++)
        free(diag->errors[i]);
    for (size_t i = 0; i < diag->n_warnings; i++)
        free(diag->warnings[i]);
    free(diag->errors);
    free(diag->warnings);
    memset(diag, 0, sizeof *diag);
}

static void cfg_vreport(struct cfg_ctx *c, bool warning, const struct ynode *at,
                        const char *path, const char *fmt, va_list ap)
{
    char text[768], where[512];
    vsnprintf(text, sizeof text, fmt, ap);
    if (at && at->line)
        snprintf(where, sizeof where, "%s:%u:%u: ", at->origin ? at->origin : c->name,
                 at->line, at->column);
    else if (at && at->origin && strcmp(at->origin, "--set") == 0)
        snprintf(where, sizeof where, "--set: ");
    else
        snprintf(where, sizeof where, "%s: ", c->name);
    char *msg = NULL;
    if (asprintf(&msg, "%s%s%s%s%s", where, warning ? "warning: " : "", path ? path : "",
                 path && *path ? ": " : "", text) < 0)
        return;
    if (warning)
        diag_push(&c->diag->warnings, &c->diag->n_warnings, msg);
    else
        diag_push(&c->diag->errors, &c->diag->n_errors, msg);
}

void cfg_error(struct cfg_ctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg_vreport(c, false, at, path, fmt, ap);
    va_end(ap);
}

void cfg_warning(struct cfg_ctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cfg_vreport(c, true, at, path, fmt, ap);
    va_end(ap);
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

bool cfg_check_keys(struct cfg_ctx *c, const struct ynode *map, const char *path,
                    const char *const *allowed)
{
    if (map->kind != YNODE_MAP) {
        cfg_error(c, map, path, "expected a mapping");
        return false;
    }
    for (size_t i = 0; i < map->n; i++) {
        const char *key = map->keys[i]->value;
        const char *best = NULL;
        size_t best_d = 99;
        bool known = false;
        for (size_t k = 0; allowed[k]; k++) {
            if (strcmp(key, allowed[k]) == 0) {
                known = true;
                break;
            }
            size_t d = edit_distance(key, allowed[k]);
            if (d < best_d) {
                best_d = d;
                best = allowed[k];
            }
        }
        if (known)
            continue;
        char full[512];
        snprintf(full, sizeof full, "%s%s%s", path, *path ? "." : "", key);
        size_t len = strlen(key);
        if (best && best_d <= (len > 6 ? 3u : 2u))
            cfg_error(c, map->keys[i], full, "unknown key (did you mean %s?)", best);
        else
            cfg_error(c, map->keys[i], full, "unknown key");
    }
    return true;
}

bool cfg_scalar(struct cfg_ctx *c, const struct ynode *n, const char *path, const char **out)
{
    if (n->kind != YNODE_SCALAR) {
        cfg_error(c, n, path, "expected a single value, not a %s",
                  n->kind == YNODE_SEQ ? "list" : "mapping");
        return false;
    }
    *out = n->value;
    return true;
}

bool cfg_string(struct cfg_ctx *c, const struct ynode *n, const char *path, char **out)
{
    const char *s;
    if (!cfg_scalar(c, n, path, &s))
        return false;
    if (n->plain && (strcmp(s, "~") == 0 || strcmp(s, "null") == 0)) {
        free(*out);
        *out = NULL;
        return true;
    }
    char *dup = strdup(s);
    if (!dup)
        return false;
    free(*out);
    *out = dup;
    return true;
}

bool cfg_bool(struct cfg_ctx *c, const struct ynode *n, const char *path, bool *out)
{
    static const char *const yes[] = { "true", "yes", "on", NULL };
    static const char *const no[] = { "false", "no", "off", NULL };
    const char *s;
    if (!cfg_scalar(c, n, path, &s))
        return false;
    for (int i = 0; yes[i]; i++)
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
    for (int i = 0; no[i]; i++)
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    cfg_error(c, n, path, "expected true or false, not '%s'", s);
    return false;
}

static bool parse_ulong(const char *s, unsigned long *out)
{
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool cfg_uint(struct cfg_ctx *c, const struct ynode *n, const char *path,
              unsigned long min, unsigned long max, unsigned long *out)
{
    const char *s;
    unsigned long v;
    if (!cfg_scalar(c, n, path, &s))
        return false;
    if (!parse_ulong(s, &v) || v < min || v > max) {
        cfg_error(c, n, path, "expected an integer between %lu and %lu, not '%s'", min, max, s);
        return false;
    }
    *out = v;
    return true;
}

bool cfg_seconds(struct cfg_ctx *c, const struct ynode *n, const char *path,
                 unsigned long min, unsigned long max, unsigned long *out)
{
    const char *s;
    if (!cfg_scalar(c, n, path, &s))
        return false;
    char num[32];
    size_t len = strlen(s);
    if (len > 0 && len < sizeof num) {
        unsigned long mult = 1, v;
        memcpy(num, s, len + 1);
        switch (num[len - 1]) {
        case 's': mult = 1; num[len - 1] = '\0'; break;
        case 'm': mult = 60; num[len - 1] = '\0'; break;
        case 'h': mult = 3600; num[len - 1] = '\0'; break;
        case 'd': mult = 86400; num[len - 1] = '\0'; break;
        default: break;
        }
        if (parse_ulong(num, &v) && v <= max / mult && v * mult >= min && v * mult <= max) {
            *out = v * mult;
            return true;
        }
    }
    cfg_error(c, n, path, "expected a duration between %lu and %lu seconds (e.g. 600, 10m, 2h, 1d), not '%s'",
              min, max, s);
    return false;
}

bool cfg_ipv4(struct cfg_ctx *c, const struct ynode *n, const char *path, uint32_t *out)
{
    const char *s;
    if (!cfg_scalar(c, n, path, &s))
        return false;
    if (!parse_ipv4_text(s, out)) {
        cfg_error(c, n, path, "%s is not an IPv4 address", s);
        return false;
    }
    return true;
}

bool cfg_ipv4_list(struct cfg_ctx *c, const struct ynode *n, const char *path,
                   uint32_t **out, size_t *n_out)
{
    size_t count = n->kind == YNODE_SEQ ? n->n : 1;
    uint32_t *list = calloc(count ? count : 1, sizeof *list);
    bool ok = list != NULL;
    if (n->kind == YNODE_MAP) {
        cfg_error(c, n, path, "expected an IPv4 address or a list of them");
        free(list);
        return false;
    }
    for (size_t i = 0; ok && i < count; i++) {
        char item[512];
        snprintf(item, sizeof item, "%s[%zu]", path, i);
        if (n->kind == YNODE_SEQ)
            ok = cfg_ipv4(c, n->items[i], item, &list[i]);
        else
            ok = cfg_ipv4(c, n, path, &list[i]);
    }
    if (!ok) {
        free(list);
        return false;
    }
    free(*out);
    *out = list;
    *n_out = count;
    return true;
}

bool cfg_string_list(struct cfg_ctx *c, const struct ynode *n, const char *path,
                     char ***out, size_t *n_out)
{
    if (n->kind == YNODE_MAP) {
        cfg_error(c, n, path, "expected a string or a list of strings");
        return false;
    }
    size_t count = n->kind == YNODE_SEQ ? n->n : 1;
    char **list = calloc(count ? count : 1, sizeof *list);
    if (!list)
        return false;
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        const struct ynode *item = n->kind == YNODE_SEQ ? n->items[i] : n;
        char ipath[512];
        snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
        const char *s;
        if (!cfg_scalar(c, item, n->kind == YNODE_SEQ ? ipath : path, &s)) {
            ok = false;
            continue;
        }
        list[i] = strdup(s);
        if (!list[i])
            ok = false;
    }
    if (!ok) {
        for (size_t i = 0; i < count; i++)
            free(list[i]);
        free(list);
        return false;
    }
    *out = list;
    *n_out = count;
    return true;
}
