/* config_classes.c - boot classes that can never match.
 *
 * Classes are tried in order and the first match wins (dhcp_classify.c),
 * so a class is dead when a class before it matches every client it
 * matches: a class with no `match:` takes everyone after it, and a class
 * whose criteria are all looser than a later one's shadows that one too.
 * Such a class still serves the reservations that name it (hosts[].boot),
 * so those are not reported. */
#include <stdio.h>
#include <string.h>

#include "config_ctx.h"

static bool arch_covered(const struct config_boot_class *a, const struct config_boot_class *b)
{
    if (!a->n_arch)
        return true;
    if (!b->n_arch)
        return false;
    for (size_t i = 0; i < b->n_arch; i++) {
        bool in = false;
        for (size_t k = 0; k < a->n_arch && !in; k++)
            in = a->arch[k] == b->arch[i];
        if (!in)
            return false;
    }
    return true;
}

/* Option 60 matches by prefix: b's prefix "PXEClient:Arch:00007" only
 * lets through clients that a's "PXEClient" lets through too. */
static bool vendor_covered(const struct config_boot_class *a, const struct config_boot_class *b)
{
    if (!a->n_vendor_class)
        return true;
    if (!b->n_vendor_class)
        return false;
    for (size_t i = 0; i < b->n_vendor_class; i++) {
        bool in = false;
        for (size_t k = 0; k < a->n_vendor_class && !in; k++)
            in = strncmp(b->vendor_class[i], a->vendor_class[k], strlen(a->vendor_class[k])) == 0;
        if (!in)
            return false;
    }
    return true;
}

/* Option 77 matches when it holds one of the names exactly. */
static bool user_covered(const struct config_boot_class *a, const struct config_boot_class *b)
{
    if (!a->n_user_class)
        return true;
    if (!b->n_user_class)
        return false;
    for (size_t i = 0; i < b->n_user_class; i++) {
        bool in = false;
        for (size_t k = 0; k < a->n_user_class && !in; k++)
            in = strcmp(b->user_class[i], a->user_class[k]) == 0;
        if (!in)
            return false;
    }
    return true;
}

static bool mac_covered(const struct config_boot_class *a, const struct config_boot_class *b)
{
    if (!a->n_mac)
        return true;
    if (!b->n_mac)
        return false;
    for (size_t i = 0; i < b->n_mac; i++) {
        bool in = false;
        for (size_t k = 0; k < a->n_mac && !in; k++)
            in = a->mac[k].len <= b->mac[i].len &&
                 memcmp(a->mac[k].bytes, b->mac[i].bytes, a->mac[k].len) == 0;
        if (!in)
            return false;
    }
    return true;
}

bool config_class_covers(const struct config_boot_class *a, const struct config_boot_class *b)
{
    return arch_covered(a, b) && vendor_covered(a, b) && user_covered(a, b) && mac_covered(a, b);
}

bool config_class_matches_all(const struct config_boot_class *b)
{
    return !b->n_arch && !b->n_vendor_class && !b->n_user_class && !b->n_mac;
}

static bool named_by_host(const struct config *cfg, size_t index)
{
    for (size_t h = 0; h < cfg->n_hosts; h++)
        if (cfg->hosts[h].boot_index == (int)index)
            return true;
    return false;
}

/* The node of boot[i].match, else of boot[i], for the message's position;
 * *has_match says which. */
static const struct ynode *class_node(const struct ynode *root, size_t i, bool *has_match)
{
    const struct ynode *list = ytree_get(root, "boot");
    *has_match = false;
    if (!list || list->kind != YNODE_SEQ || i >= list->n)
        return root;
    const struct ynode *m = ytree_get(list->items[i], "match");
    *has_match = m != NULL;
    return m ? m : list->items[i];
}

void cfg_check_classes(struct cfg_ctx *c, const struct ynode *root)
{
    const struct config *cfg = c->cfg;
    char path[64];
    for (size_t j = 1; j < cfg->n_boot; j++) {
        const struct config_boot_class *b = &cfg->boot[j];
        if (named_by_host(cfg, j))
            continue;
        for (size_t i = 0; i < j; i++) {
            const struct config_boot_class *a = &cfg->boot[i];
            if (!config_class_covers(a, b))
                continue;
            bool has_match;
            const struct ynode *at = class_node(root, j, &has_match);
            snprintf(path, sizeof path, "boot[%zu]%s", j, has_match ? ".match" : "");
            if (config_class_matches_all(a))
                cfg_warning(c, at, path, "class '%s' can never match: boot[%zu] '%s' "
                            "(line %u) before it matches every client", b->name, i, a->name,
                            a->pos.line);
            else
                cfg_warning(c, at, path, "class '%s' can never match: every client it "
                            "matches is taken first by boot[%zu] '%s' (line %u)", b->name, i,
                            a->name, a->pos.line);
            break;
        }
    }
}
