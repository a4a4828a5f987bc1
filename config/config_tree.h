/* config_tree.h - a YAML document as a small tree of nodes with positions.
 *
 * libyaml gives events; the loader wants to look keys up, report unknown
 * ones with their position, and let --set overrides replace subtrees before
 * anything is interpreted. This tree is that middle step. */
#ifndef NETBOOTD_CONFIG_TREE_H
#define NETBOOTD_CONFIG_TREE_H

#include <stdbool.h>
#include <stddef.h>

enum ynode_kind { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

struct ynode {
    enum ynode_kind kind;
    unsigned line, column;      /* 1-based; 0 when the node came from --set */
    const char *origin;         /* file name shown in messages ("--set" for overrides) */
    char *value;                /* scalar text */
    bool plain;                 /* scalar was unquoted (so `null`, `~` mean nothing) */
    size_t n;                   /* sequence items, or map pairs */
    struct ynode **items;       /* sequence items; for a map, the values */
    struct ynode **keys;        /* for a map, the key scalars (same index as items) */
};

/* Parse a whole YAML document. On a syntax error returns NULL and writes
 * "line:column: problem" into err. An empty document is an empty map. */
struct ynode *ytree_parse(const char *origin, const char *buf, size_t len,
                          char *err, size_t err_size, unsigned *err_line, unsigned *err_col);

void ytree_free(struct ynode *node);

/* The value of `key` in a map, or NULL. */
struct ynode *ytree_get(const struct ynode *map, const char *key);

/* Apply one "a.b[0].c=value" override: value is parsed as YAML (flow syntax
 * for lists/maps). Missing map keys are created; an index equal to a list's
 * length appends. 0, or -1 with a message in err. */
int ytree_set(struct ynode *root, const char *assignment, char *err, size_t err_size);

#endif
