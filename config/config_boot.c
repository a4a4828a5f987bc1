/* config_boot.c - the `boot:` section: boot classes, what they match and
 * what they send (filename, next-server, PXELINUX options 208-211). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "arch.h"
#include "boot_url.h"
#include "config_ctx.h"

const char *const cfg_keys_match[] = { "arch", "vendor-class", "user-class", "mac", NULL };
const char *const cfg_keys_pxelinux[] = { "magic", "configfile", "pathprefix", "reboottime", NULL };
const char *const cfg_keys_class[] = { "name", "match", "filename", "next-server",
    "server-name", "pxelinux", "options", NULL };

static bool load_mac_match(struct cfg_ctx *c, const struct ynode *n, const char *path,
                           struct config_mac_match *m)
{
    const char *text;
    if (!cfg_scalar(c, n, path, &text))
        return false;
    /* "52:54:00", "52:54:00:*" or a full address: a prefix of 1-6 bytes. */
    const char *p = text;
    m->len = 0;
    while (*p && m->len < 6) {
        if (*p == '*')
            break;
        unsigned v;
        int used;
        if (sscanf(p, "%2x%n", &v, &used) != 1 || used != 2)
            goto bad;
        m->bytes[m->len++] = (uint8_t)v;
        p += 2;
        if (*p == ':' || *p == '-')
            p++;
        else if (*p)
            goto bad;
    }
    if (*p == '*')
        p++;
    if (*p || m->len == 0)
        goto bad;
    return true;
bad:
    cfg_error(c, n, path, "expected a MAC address or prefix like 52:54:00:12:34:56 or 52:54:00:*, not '%s'", text);
    return false;
}

static void load_match(struct cfg_ctx *c, const struct ynode *n, const char *path,
                       struct config_boot_class *b)
{
    char sub[CFG_PATHLEN];
    const struct ynode *x;
    if (!cfg_check_keys(c, n, path, cfg_keys_match))
        return;
    if ((x = ytree_get(n, "arch"))) {
        char **names = NULL;
        size_t count = 0;
        snprintf(sub, sizeof sub, "%s.arch", path);
        if (cfg_string_list(c, x, sub, &names, &count)) {
            b->arch = calloc(count ? count : 1, sizeof *b->arch);
            for (size_t i = 0; i < count && b->arch; i++) {
                int a = arch_from_name(names[i]);
                const struct ynode *at = x->kind == YNODE_SEQ ? x->items[i] : x;
                char ipath[CFG_PATHLEN];
                snprintf(ipath, sizeof ipath, x->kind == YNODE_SEQ ? "%s[%zu]" : "%s", sub, i);
                if (a < 0)
                    cfg_error(c, at, ipath, "unknown architecture '%s' (expected a number 0-65535 or a name such as bios, efi-ia32, efi-x64, efi-bc, efi-arm64, efi-x64-http)", names[i]);
                else
                    b->arch[b->n_arch++] = (uint16_t)a;
            }
            for (size_t i = 0; i < count; i++)
                free(names[i]);
            free(names);
        }
    }
    if ((x = ytree_get(n, "vendor-class"))) {
        snprintf(sub, sizeof sub, "%s.vendor-class", path);
        cfg_string_list(c, x, sub, &b->vendor_class, &b->n_vendor_class);
    }
    if ((x = ytree_get(n, "user-class"))) {
        snprintf(sub, sizeof sub, "%s.user-class", path);
        cfg_string_list(c, x, sub, &b->user_class, &b->n_user_class);
    }
    if ((x = ytree_get(n, "mac"))) {
        snprintf(sub, sizeof sub, "%s.mac", path);
        if (x->kind == YNODE_MAP) {
            cfg_error(c, x, sub, "expected a MAC prefix or a list of them");
        } else {
            size_t count = x->kind == YNODE_SEQ ? x->n : 1;
            b->mac = calloc(count ? count : 1, sizeof *b->mac);
            for (size_t i = 0; i < count && b->mac; i++) {
                char ipath[CFG_PATHLEN];
                snprintf(ipath, sizeof ipath, x->kind == YNODE_SEQ ? "%s[%zu]" : "%s", sub, i);
                if (load_mac_match(c, x->kind == YNODE_SEQ ? x->items[i] : x, ipath,
                                   &b->mac[b->n_mac]))
                    b->n_mac++;
            }
        }
    }
}

static bool text_option(struct config_boot_class *b, uint8_t code, const char *text,
                        struct config_pos pos)
{
    struct config_option opt = { .code = code, .force = true, .pos = pos };
    size_t len = strlen(text);
    if (len == 0 || len > 255)
        return false;
    opt.len = (uint8_t)len;
    memcpy(opt.data, text, len);
    return cfg_option_put(&b->options, &b->n_options, &opt);
}

/* `pxelinux:` is sugar for the forced options 208-211 (RFC 5071). */
static void load_pxelinux(struct cfg_ctx *c, const struct ynode *n, const char *path,
                          struct config_boot_class *b)
{
    char sub[CFG_PATHLEN];
    const struct ynode *x;
    struct config_pos pos = { n->line, n->column };
    if (!cfg_check_keys(c, n, path, cfg_keys_pxelinux))
        return;
    if ((x = ytree_get(n, "magic"))) {
        bool magic = false;
        snprintf(sub, sizeof sub, "%s.magic", path);
        if (cfg_bool(c, x, sub, &magic) && magic) {
            struct config_option opt = { .code = 208, .force = true, .len = 4,
                                         .data = { 0xf1, 0x00, 0x74, 0x7e }, .pos = pos };
            cfg_option_put(&b->options, &b->n_options, &opt);
        }
    }
    static const struct { const char *key; uint8_t code; } texts[] = {
        { "configfile", 209 }, { "pathprefix", 210 } };
    for (size_t i = 0; i < 2; i++) {
        if (!(x = ytree_get(n, texts[i].key)))
            continue;
        const char *text;
        snprintf(sub, sizeof sub, "%s.%s", path, texts[i].key);
        if (cfg_scalar(c, x, sub, &text) && !text_option(b, texts[i].code, text, pos))
            cfg_error(c, x, sub, "expected text of 1 to 255 bytes");
    }
    if ((x = ytree_get(n, "reboottime"))) {
        unsigned long v;
        snprintf(sub, sizeof sub, "%s.reboottime", path);
        if (cfg_seconds(c, x, sub, 0, 0xfffffffful, &v)) {
            struct config_option opt = { .code = 211, .force = true, .len = 4, .pos = pos,
                .data = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v } };
            cfg_option_put(&b->options, &b->n_options, &opt);
        }
    }
}

/* The boot file must fit the BOOTP `file` field once `${server}` is
 * filled in, and a URL must be one the firmware can fetch: the problem is
 * reported at its column inside the value. */
static void check_filename(struct cfg_ctx *c, const struct ynode *x, const char *path,
                           const char *name)
{
    size_t at, longest = boot_url_expanded_max(name);
    if (strlen(name) > 127) {
        cfg_error(c, x, path, "expected a file name of at most 127 bytes (the BOOTP `file` field)");
        return;
    }
    if (longest > 127) {
        cfg_error(c, x, path, "with " BOOT_URL_SERVER " filled in this can reach %zu bytes, more "
                  "than the 127 of the BOOTP `file` field", longest);
        return;
    }
    const char *why = boot_url_is_url(name) ? boot_url_problem(name, &at) : NULL;
    if (!why)
        return;
    struct ynode where = *x;
    if (where.line)
        where.column += (unsigned)at + (x->plain ? 0u : 1u);
    cfg_error(c, &where, path, "%s in URL '%s'", why, name);
}

void cfg_load_class(struct cfg_ctx *c, const struct ynode *n, const char *path,
                    struct config_boot_class *b, size_t index)
{
    char sub[CFG_PATHLEN];
    const struct ynode *x;

    b->pos.line = n->line;
    b->pos.column = n->column;
    if (!cfg_check_keys(c, n, path, cfg_keys_class))
        return;
    if ((x = ytree_get(n, "name"))) {
        snprintf(sub, sizeof sub, "%s.name", path);
        cfg_string(c, x, sub, &b->name);
    }
    if (!b->name && asprintf(&b->name, "class%zu", index) < 0)
        b->name = NULL;
    if ((x = ytree_get(n, "match"))) {
        snprintf(sub, sizeof sub, "%s.match", path);
        load_match(c, x, sub, b);
    }
    if ((x = ytree_get(n, "filename"))) {
        b->filename_pos = (struct config_pos){ x->line, x->column };
        snprintf(sub, sizeof sub, "%s.filename", path);
        if (cfg_string(c, x, sub, &b->filename) && b->filename)
            check_filename(c, x, sub, b->filename);
    }
    if ((x = ytree_get(n, "next-server"))) {
        snprintf(sub, sizeof sub, "%s.next-server", path);
        cfg_ipv4(c, x, sub, &b->next_server);
    }
    if ((x = ytree_get(n, "server-name"))) {
        snprintf(sub, sizeof sub, "%s.server-name", path);
        if (cfg_string(c, x, sub, &b->server_name) && b->server_name && strlen(b->server_name) > 63)
            cfg_error(c, x, sub, "expected a server name of at most 63 bytes (the BOOTP `sname` field)");
    }
    if ((x = ytree_get(n, "options"))) {
        snprintf(sub, sizeof sub, "%s.options", path);
        cfg_options(c, x, sub, &b->options, &b->n_options);
    }
    if ((x = ytree_get(n, "pxelinux"))) {
        snprintf(sub, sizeof sub, "%s.pxelinux", path);
        load_pxelinux(c, x, sub, b);
    }
}
