/* tmpl.h - per-machine templates: `{{name}}` placeholders replaced from a
 * set of variables (docs/templates.md).
 *
 * The syntax, all of it:
 *   {{name}}     the value of variable `name`; spaces and tabs may pad the
 *                name ({{ mac }}); a name is [A-Za-z_][A-Za-z0-9_]*, at
 *                most TMPL_NAME_MAX bytes; a placeholder ends on its line.
 *   {{{{         a literal `{{` (the only escape; `}}` alone is literal).
 *   anything else, including iPXE's and GRUB's own ${...}, is copied as is.
 * A value is inserted as it is: never read again for placeholders (no
 * recursion), and nothing in a template runs code. An undefined variable,
 * an unterminated or malformed placeholder, or an output longer than the
 * caller's bound is an error with the placeholder's line and column.
 *
 * Pure: no files, no clock (tmpl_file.c reads a template from a descriptor). */
#ifndef NETBOOTD_TMPL_H
#define NETBOOTD_TMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TMPL_NAME_MAX 64
#define TMPL_MAX_VARS 128
#define TMPL_VARSET_BYTES (32u << 10)   /* names and values of one set */
#define TMPL_OUT_MAX (1u << 20)         /* rendered size, by default */

struct tmpl_var {
    const char *name;
    const char *value;
};

/* Variables for one render: names and values copied into `buf`. A name
 * set twice keeps its first value (facts go in before per-host vars). */
struct tmpl_varset {
    size_t n;
    struct tmpl_var v[TMPL_MAX_VARS];
    size_t used;
    char buf[TMPL_VARSET_BYTES];
};

/* Where a template went wrong, for "file:line:col: what". */
struct tmpl_error {
    unsigned line, column;      /* 1-based, of the placeholder's `{{` */
    char name[TMPL_NAME_MAX + 1];   /* the variable, when undefined */
    const char *what;           /* static text */
};

/* Is `s` (len bytes) a valid variable name? */
bool tmpl_name_valid(const char *s, size_t len);

void tmpl_varset_init(struct tmpl_varset *set);
/* 0, -EINVAL (not a valid name), -ENOSPC (the set is full). */
int tmpl_varset_add(struct tmpl_varset *set, const char *name, const char *value);
/* The value of `name` (len bytes), or NULL. */
const char *tmpl_varset_get(const struct tmpl_varset *set, const char *name, size_t len);

/* Call cb for each placeholder of the template, in order (line and column
 * of its `{{`); a non-zero return from cb stops the scan and is returned.
 * 0, or -EINVAL for a malformed template (err says where and why). */
typedef int (*tmpl_scan_cb)(const char *name, unsigned line, unsigned column, void *ctx);
int tmpl_scan(const char *src, size_t len, tmpl_scan_cb cb, void *ctx, struct tmpl_error *err);

/* Render the template into a new buffer (*out, NUL-terminated, *out_len
 * bytes without the NUL; the caller frees it). 0, or -EINVAL (malformed),
 * -ENOENT (undefined variable), -EMSGSIZE (more than max_out bytes),
 * -ENOMEM; err says where. */
int tmpl_render(const char *src, size_t len, const struct tmpl_varset *vars, size_t max_out,
                char **out, size_t *out_len, struct tmpl_error *err);

/* ---- the requesting machine's facts (tmpl_facts.c) ---- */

struct tmpl_facts {
    bool has_mac;
    uint8_t mac[6];
    uint32_t ip;                /* host order; 0 = unknown */
    uint32_t server;            /* the serving interface's address; 0 = unknown */
    const char *hostname;       /* NULL or "" = unknown */
    int32_t arch;               /* DHCP option 93; -1 = unknown */
    const char *class_name;     /* NULL or "" = unknown */
};

/* The fact names, NULL-terminated: a per-host variable may not reuse one. */
extern const char *const tmpl_fact_names[];
bool tmpl_is_fact(const char *name);

/* Add the facts that are known to set: mac (52:54:00:12:34:56),
 * mac_hyphen (52-54-00-12-34-56), mac_plain (525400123456), mac_pxelinux
 * (01-52-54-00-12-34-56), ip, server, hostname, arch (its label: bios,
 * efi-x64, or the number), class. An unknown fact is left undefined, so a
 * template using it fails instead of rendering an empty value. */
int tmpl_facts_add(struct tmpl_varset *set, const struct tmpl_facts *f);

/* ---- from a descriptor (tmpl_file.c) ---- */

#define TMPL_IN_MAX (1u << 20)          /* template size */

/* Read the template open at fd (at most TMPL_IN_MAX bytes) and render it:
 * for the TFTP and HTTP servers, which open it beneath their root. Does
 * not close fd. Errors as tmpl_render, and -EFBIG (template too large),
 * -errno from read. */
int tmpl_render_fd(int fd, const struct tmpl_varset *vars, size_t max_out, char **out,
                   size_t *out_len, struct tmpl_error *err);

#endif
