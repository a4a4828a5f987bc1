/* config_tree.c - libyaml events -> struct ynode tree; --set overrides. */
#include "config_tree.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define YTREE_MAX_DEPTH 64      /* profiles are shallow; deep nesting is hostile */

static struct ynode *ynode_new(enum ynode_kind kind, const char *origin, yaml_mark_t mark,
                               bool from_file)
{
    struct ynode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->origin = origin;
    if (from_file) {
        n->line = (unsigned)mark.line + 1;
        n->column = (unsigned)mark.column + 1;
    }
    return n;
}

void ytree_free(struct ynode *node)
{
    if (!node)
        return;
    for (size_t i = 0; i < node->n; i++) {
        ytree_free(node->items[i]);
        if (node->keys)
            ytree_free(node->keys[i]);
    }
    free(node->items);
    free(node->keys);
    free(node->value);
    free(node);
}

static int ynode_push(struct ynode *parent, struct ynode *key, struct ynode *value)
{
    struct ynode **items = realloc(parent->items, (parent->n + 1) * sizeof *items);
    if (!items)
        return -ENOMEM;
    parent->items = items;
    if (parent->kind == YNODE_MAP) {
        struct ynode **keys = realloc(parent->keys, (parent->n + 1) * sizeof *keys);
        if (!keys)
            return -ENOMEM;
        parent->keys = keys;
        parent->keys[parent->n] = key;
    }
    parent->items[parent->n++] = value;
    return 0;
}

struct ytree_parser {
    yaml_parser_t parser;
    const char *origin;
    bool from_file;
    char *err;
    size_t err_size;
    unsigned err_line, err_col;
};

static void perr(struct ytree_parser *p, yaml_mark_t mark, const char *msg);

/* libyaml's own error: its problem, and what it was parsing. */
static void perr_yaml(struct ytree_parser *p)
{
    char msg[300];
    snprintf(msg, sizeof msg, "%s%s%s", p->parser.problem ? p->parser.problem : "YAML syntax error",
             p->parser.context ? " " : "", p->parser.context ? p->parser.context : "");
    perr(p, p->parser.problem_mark, msg);
}

static void perr(struct ytree_parser *p, yaml_mark_t mark, const char *msg)
{
    p->err_line = (unsigned)mark.line + 1;
    p->err_col = (unsigned)mark.column + 1;
    snprintf(p->err, p->err_size, "%s", msg);
}

static struct ynode *parse_node(struct ytree_parser *p, yaml_event_t *ev, int depth);

static struct ynode *parse_scalar(struct ytree_parser *p, const yaml_event_t *ev)
{
    struct ynode *n = ynode_new(YNODE_SCALAR, p->origin, ev->start_mark, p->from_file);
    if (!n)
        return NULL;
    n->value = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (!n->value) {
        free(n);
        return NULL;
    }
    if (memchr(ev->data.scalar.value, 0, ev->data.scalar.length)) {
        perr(p, ev->start_mark, "NUL character in a value");
        ytree_free(n);
        return NULL;
    }
    return n;
}

/* A mapping's key (`ev`, already taken): a scalar not yet in `map`. Then
 * takes the event that starts its value into *value_ev. NULL on error. */
static struct ynode *parse_key(struct ytree_parser *p, struct ynode *map, yaml_event_t *ev,
                               int depth, yaml_event_t *value_ev)
{
    if (ev->type != YAML_SCALAR_EVENT) {
        perr(p, ev->start_mark, "expected a plain key");
        return NULL;
    }
    struct ynode *key = parse_node(p, ev, depth);
    if (!key)
        return NULL;
    if (ytree_get(map, key->value)) {
        char msg[300];
        snprintf(msg, sizeof msg, "duplicate key '%.256s'", key->value);
        perr(p, (yaml_mark_t){ 0, key->line - 1, key->column - 1 }, msg);
        if (!p->from_file)
            p->err_line = p->err_col = 0;
        ytree_free(key);
        return NULL;
    }
    if (!yaml_parser_parse(&p->parser, value_ev)) {
        perr_yaml(p);
        ytree_free(key);
        return NULL;
    }
    return key;
}

/* A sequence or a mapping, from its start event to its end event. */
static struct ynode *parse_collection(struct ytree_parser *p, const yaml_event_t *ev, int depth)
{
    bool is_map = ev->type == YAML_MAPPING_START_EVENT;
    yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
    struct ynode *n = ynode_new(is_map ? YNODE_MAP : YNODE_SEQ, p->origin, ev->start_mark,
                                p->from_file);
    if (!n)
        return NULL;
    for (;;) {
        yaml_event_t child;
        if (!yaml_parser_parse(&p->parser, &child)) {
            perr_yaml(p);
            ytree_free(n);
            return NULL;
        }
        if (child.type == end) {
            yaml_event_delete(&child);
            return n;
        }
        struct ynode *key = NULL;
        if (is_map) {
            yaml_event_t key_ev = child;
            key = parse_key(p, n, &key_ev, depth, &child);
            yaml_event_delete(&key_ev);
            if (!key) {
                ytree_free(n);
                return NULL;
            }
        }
        struct ynode *value = parse_node(p, &child, depth);
        yaml_event_delete(&child);
        if (!value || ynode_push(n, key, value) < 0) {
            ytree_free(key);
            ytree_free(value);
            ytree_free(n);
            return NULL;
        }
    }
}

/* Parse one node starting with `ev` (already taken). Returns the node or NULL. */
static struct ynode *parse_node(struct ytree_parser *p, yaml_event_t *ev, int depth)
{
    if (depth > YTREE_MAX_DEPTH) {
        perr(p, ev->start_mark, "nesting too deep");
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return parse_scalar(p, ev);
    case YAML_ALIAS_EVENT:
        perr(p, ev->start_mark, "aliases (*name) are not supported in profiles");
        return NULL;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return parse_collection(p, ev, depth + 1);
    default:
        perr(p, ev->start_mark, "unexpected YAML event");
        return NULL;
    }
}

static struct ynode *parse_document(const char *origin, bool from_file, const char *buf,
                                    size_t len, char *err, size_t err_size,
                                    unsigned *err_line, unsigned *err_col)
{
    struct ytree_parser p = { .origin = origin, .from_file = from_file, .err = err,
                              .err_size = err_size };
    struct ynode *root = NULL;
    yaml_event_t ev;
    bool done = false;

    err[0] = '\0';
    if (!yaml_parser_initialize(&p.parser)) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&p.parser, (const unsigned char *)buf, len);
    while (!done) {
        if (!yaml_parser_parse(&p.parser, &ev)) {
            perr_yaml(&p);
            ytree_free(root);
            root = NULL;
            goto out;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
        case YAML_ALIAS_EVENT:
            if (root) {
                perr(&p, ev.start_mark, "only one YAML document is allowed");
                yaml_event_delete(&ev);
                ytree_free(root);
                root = NULL;
                goto out;
            }
            root = parse_node(&p, &ev, 0);
            if (!root) {
                yaml_event_delete(&ev);
                goto out;
            }
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    if (!root) {
        yaml_mark_t start = { 0, 0, 0 };
        root = ynode_new(YNODE_MAP, origin, start, from_file);
    }
out:
    yaml_parser_delete(&p.parser);
    if (err_line)
        *err_line = from_file ? p.err_line : 0;
    if (err_col)
        *err_col = from_file ? p.err_col : 0;
    return root;
}

struct ynode *ytree_parse(const char *origin, const char *buf, size_t len,
                          char *err, size_t err_size, unsigned *err_line, unsigned *err_col)
{
    return parse_document(origin, true, buf, len, err, err_size, err_line, err_col);
}

struct ynode *ytree_get(const struct ynode *map, const char *key)
{
    if (!map || map->kind != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->value, key) == 0)
            return map->items[i];
    return NULL;
}

/* One step of a --set path: a key, or an [index] into a list. */
struct set_step {
    char key[128];
    long index;     /* -1: a key step */
};

static int parse_set_path(const char *path, size_t len, struct set_step *steps, size_t max,
                          size_t *n_out, char *err, size_t err_size)
{
    size_t n = 0, i = 0;
    while (i < len) {
        if (n == max) {
            snprintf(err, err_size, "key path too long");
            return -1;
        }
        struct set_step *s = &steps[n];
        if (path[i] == '[') {
            char *end;
            s->index = strtol(path + i + 1, &end, 10);
            if (end == path + i + 1 || *end != ']' || s->index < 0 || s->index > 100000) {
                snprintf(err, err_size, "expected [N] with a list index in the key path");
                return -1;
            }
            s->key[0] = '\0';
            i = (size_t)(end - path) + 1;
        } else {
            size_t k = 0;
            while (i < len && path[i] != '.' && path[i] != '[') {
                if (k + 1 >= sizeof s->key || !(isalnum((unsigned char)path[i]) ||
                                                 path[i] == '-' || path[i] == '_')) {
                    snprintf(err, err_size, "expected a key path like tftp.root or subnets[0].range");
                    return -1;
                }
                s->key[k++] = path[i++];
            }
            if (k == 0) {
                snprintf(err, err_size, "expected a key path like tftp.root or subnets[0].range");
                return -1;
            }
            s->key[k] = '\0';
            s->index = -1;
        }
        n++;
        if (i < len && path[i] == '.') {
            i++;
            if (i == len) {
                snprintf(err, err_size, "key path ends with '.'");
                return -1;
            }
        }
    }
    if (n == 0) {
        snprintf(err, err_size, "empty key path");
        return -1;
    }
    *n_out = n;
    return 0;
}

static struct ynode *new_container(enum ynode_kind kind)
{
    struct ynode *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->origin = "--set";
    }
    return n;
}

/* The slot for mapping key `key` in `cur`, added (holding a new container
 * of `kind`, or nothing when `last`) if missing. NULL with err set. */
static struct ynode **key_slot(struct ynode *cur, const char *key, bool last,
                               enum ynode_kind kind, char *err, size_t err_size)
{
    if (cur->kind != YNODE_MAP) {
        snprintf(err, err_size, "'%s' cannot be set: its parent is not a mapping", key);
        return NULL;
    }
    for (size_t k = 0; k < cur->n; k++)
        if (strcmp(cur->keys[k]->value, key) == 0)
            return &cur->items[k];
    struct ynode *k = new_container(YNODE_SCALAR);
    struct ynode *child = last ? NULL : new_container(kind);
    if (!k || !(k->value = strdup(key)) || (!last && !child) || ynode_push(cur, k, child) < 0) {
        ytree_free(k);
        ytree_free(child);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    return &cur->items[cur->n - 1];
}

/* The slot for list index `index` in `cur`: an existing item, or one past
 * the end (appended). NULL with err set. */
static struct ynode **index_slot(struct ynode *cur, long index, bool last, enum ynode_kind kind,
                                 char *err, size_t err_size)
{
    if (cur->kind != YNODE_SEQ) {
        snprintf(err, err_size, "[%ld] cannot be set: its parent is not a list", index);
        return NULL;
    }
    if ((size_t)index > cur->n) {
        snprintf(err, err_size, "index [%ld] is past the end of a list of %zu", index, cur->n);
        return NULL;
    }
    if ((size_t)index == cur->n) {
        struct ynode *child = last ? NULL : new_container(kind);
        if ((!last && !child) || ynode_push(cur, NULL, child) < 0) {
            ytree_free(child);
            snprintf(err, err_size, "out of memory");
            return NULL;
        }
    }
    return &cur->items[index];
}

/* The value of `--set key=TEXT`: TEXT parsed as YAML, and an empty TEXT as
 * the empty string (not an empty map). NULL with err set. */
static struct ynode *set_value(const char *text, char *err, size_t err_size)
{
    unsigned el, ec;
    struct ynode *value = parse_document("--set", false, text, strlen(text), err, err_size,
                                         &el, &ec);
    if (!value || !(text[0] == '\0' || strspn(text, " \t") == strlen(text)))
        return value;
    ytree_free(value);
    value = new_container(YNODE_SCALAR);
    if (!value || !(value->value = strdup(""))) {
        ytree_free(value);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    return value;
}

int ytree_set(struct ynode *root, const char *assignment, char *err, size_t err_size)
{
    const char *eq = strchr(assignment, '=');
    struct set_step steps[32];
    size_t n_steps;

    if (!eq) {
        snprintf(err, err_size, "expected KEY=VALUE");
        return -1;
    }
    if (parse_set_path(assignment, (size_t)(eq - assignment), steps, 32, &n_steps,
                       err, err_size) < 0)
        return -1;
    struct ynode *value = set_value(eq + 1, err, err_size);
    if (!value)
        return -1;

    struct ynode *cur = root;
    for (size_t i = 0; i < n_steps; i++) {
        bool last = i + 1 == n_steps;
        enum ynode_kind next_kind = (!last && steps[i + 1].index >= 0) ? YNODE_SEQ : YNODE_MAP;
        struct ynode **slot = steps[i].index < 0
            ? key_slot(cur, steps[i].key, last, next_kind, err, err_size)
            : index_slot(cur, steps[i].index, last, next_kind, err, err_size);
        if (!slot)
            break;
        if (last) {
            ytree_free(*slot);
            *slot = value;
            return 0;
        }
        if (!*slot && !(*slot = new_container(next_kind))) {
            snprintf(err, err_size, "out of memory");
            break;
        }
        cur = *slot;
    }
    ytree_free(value);
    return -1;
}
