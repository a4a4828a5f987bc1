/* config_ctx.h - internals shared by the loader's files: the diagnostic
 * context and the typed scalar readers. Not used outside config/. */
#ifndef NETBOOTD_CONFIG_CTX_H
#define NETBOOTD_CONFIG_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "config_tree.h"

#define CFG_PATHLEN 512      /* a key path in messages: subnets[0].options[3] */

struct cfg_ctx {
    const char *name;           /* file name as shown in messages */
    struct config_diag *diag;
    struct config *cfg;
};

/* "file:line:col: path: message" (or "--set: path: message"). */
void cfg_error(struct cfg_ctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void cfg_warning(struct cfg_ctx *c, const struct ynode *at, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Report every key of `map` that is not in the NULL-terminated `allowed`
 * list, suggesting the closest allowed one. false if `map` is not a map. */
bool cfg_check_keys(struct cfg_ctx *c, const struct ynode *map, const char *path,
                    const char *const *allowed);

/* Typed readers: each reports its own error and returns false on a bad value. */
bool cfg_scalar(struct cfg_ctx *c, const struct ynode *n, const char *path, const char **out);
bool cfg_string(struct cfg_ctx *c, const struct ynode *n, const char *path, char **out);
bool cfg_bool(struct cfg_ctx *c, const struct ynode *n, const char *path, bool *out);
bool cfg_uint(struct cfg_ctx *c, const struct ynode *n, const char *path,
              unsigned long min, unsigned long max, unsigned long *out);
bool cfg_seconds(struct cfg_ctx *c, const struct ynode *n, const char *path,
                 unsigned long min, unsigned long max, unsigned long *out);
bool cfg_ipv4(struct cfg_ctx *c, const struct ynode *n, const char *path, uint32_t *out);
/* A scalar or a list of scalars. */
bool cfg_ipv4_list(struct cfg_ctx *c, const struct ynode *n, const char *path,
                   uint32_t **out, size_t *n_out);
bool cfg_string_list(struct cfg_ctx *c, const struct ynode *n, const char *path,
                     char ***out, size_t *n_out);

/* The http: section (config_http.c): read it, then fill its defaults. */
void cfg_load_http(struct cfg_ctx *c, const struct ynode *n, struct config *cfg);
/* The metrics: section (config_http.c). */
void cfg_load_metrics(struct cfg_ctx *c, const struct ynode *n, struct config *cfg);
void cfg_finish_http(struct cfg_ctx *c, const struct ynode *root, struct config *cfg);

/* The keys each mapping accepts (NULL-terminated), one table per mapping,
 * used both by the loader and by config_known_keys() (config_keys.c). */
extern const char *const cfg_keys_root[];       /* config_load.c */
extern const char *const cfg_keys_tftp[];
extern const char *const cfg_keys_leases[];
extern const char *const cfg_keys_leases_pg[];  /* config_leases_pg.c */
extern const char *const cfg_keys_http[];      /* config_http.c */
extern const char *const cfg_keys_metrics[];   /* config_http.c */
extern const char *const cfg_keys_subnet[];     /* config_subnets.c */
extern const char *const cfg_keys_range[];
extern const char *const cfg_keys_host[];
extern const char *const cfg_keys_class[];      /* config_boot.c */
extern const char *const cfg_keys_match[];
extern const char *const cfg_keys_pxelinux[];
extern const char *const cfg_keys_option[];     /* config_options.c */

/* leases.backend and leases.postgresql (config_leases_pg.c). */
void cfg_load_leases_backend(struct cfg_ctx *c, const struct ynode *leases,
                             struct config_leases *l);

/* Sections read by their own files; each reports its own errors. */
void cfg_load_subnet(struct cfg_ctx *c, const struct ynode *n, const char *path,
                     struct config_subnet *s);                      /* config_subnets.c */
void cfg_load_host(struct cfg_ctx *c, const struct ynode *n, const char *path,
                   struct config_host *h);                          /* config_subnets.c */
void cfg_load_class(struct cfg_ctx *c, const struct ynode *n, const char *path,
                    struct config_boot_class *b, size_t index);     /* config_boot.c */

/* Option parsing (config_options.c). */
bool cfg_options(struct cfg_ctx *c, const struct ynode *n, const char *path,
                 struct config_option **out, size_t *n_out);
/* Add or replace an already-encoded option in a list. */
bool cfg_option_put(struct config_option **list, size_t *n, const struct config_option *opt);

/* Semantic checks across the whole model (config_check.c). */
void cfg_check_semantics(struct cfg_ctx *c, const struct ynode *root);
/* Warn about boot classes that can never match (config_classes.c); needs
 * hosts[].boot resolved. */
void cfg_check_classes(struct cfg_ctx *c, const struct ynode *root);
/* A class's boot file given as a URL (config_check_url.c): when it names
 * this netbootd's own TFTP or HTTP server, warn (at `at`, profile path
 * `path`) if the file is not under the root that serves it. */
void cfg_check_boot_url(struct cfg_ctx *c, const struct ynode *at, const char *path,
                        const char *url, int tftp_root_fd);

#endif
