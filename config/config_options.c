/* config_options.c - `options:` entries: a code or a well-known name, a
 * type, a value, and `force`. Values are encoded to wire bytes here so the
 * DHCP encoder never needs to know option types. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_ctx.h"

enum opt_type { T_NONE, T_IP, T_IP_LIST, T_TEXT, T_U8, T_U16, T_U32, T_I32, T_BOOL, T_HEX };

static const struct { const char *name; enum opt_type type; } type_names[] = {
    { "ip", T_IP }, { "ip-list", T_IP_LIST }, { "text", T_TEXT }, { "string", T_TEXT },
    { "uint8", T_U8 }, { "uint16", T_U16 }, { "uint32", T_U32 }, { "int32", T_I32 },
    { "bool", T_BOOL }, { "hex", T_HEX },
};

/* Well-known options by name (RFC 2132, 5071), with their types. */
static const struct { const char *name; uint8_t code; enum opt_type type; } known_options[] = {
    { "subnet-mask", 1, T_IP },           { "time-offset", 2, T_I32 },
    { "routers", 3, T_IP_LIST },          { "time-servers", 4, T_IP_LIST },
    { "dns-servers", 6, T_IP_LIST },      { "log-servers", 7, T_IP_LIST },
    { "host-name", 12, T_TEXT },          { "boot-size", 13, T_U16 },
    { "domain-name", 15, T_TEXT },        { "swap-server", 16, T_IP },
    { "root-path", 17, T_TEXT },          { "ip-forwarding", 19, T_BOOL },
    { "default-ttl", 23, T_U8 },          { "interface-mtu", 26, T_U16 },
    { "broadcast-address", 28, T_IP },    { "static-routes", 33, T_IP_LIST },
    { "nis-domain", 40, T_TEXT },         { "nis-servers", 41, T_IP_LIST },
    { "ntp-servers", 42, T_IP_LIST },     { "vendor-encapsulated-options", 43, T_HEX },
    { "netbios-name-servers", 44, T_IP_LIST }, { "netbios-node-type", 46, T_U8 },
    { "tftp-server-name", 66, T_TEXT },   { "bootfile-name", 67, T_TEXT },
    { "smtp-servers", 69, T_IP_LIST },    { "domain-search", 119, T_HEX },
    { "classless-static-routes", 121, T_HEX },
    { "tftp-server-address", 150, T_IP_LIST },
    { "pxelinux-magic", 208, T_HEX },     { "pxelinux-configfile", 209, T_TEXT },
    { "pxelinux-pathprefix", 210, T_TEXT }, { "pxelinux-reboottime", 211, T_U32 },
};

/* Options the server computes from the exchange itself: a profile value
 * would contradict the protocol (RFC 2132 §9), so they are refused.
 * 50 requested address, 51 lease time, 52 overload, 53 message type,
 * 54 server id, 55 PRL, 57 max size, 58/59 T1/T2, 61 client id (echoed),
 * 82 relay agent info (echoed). */
static bool option_is_reserved(unsigned code)
{
    static const uint8_t reserved[] = { 0, 50, 51, 52, 53, 54, 55, 57, 58, 59, 61, 82, 255 };
    for (size_t i = 0; i < sizeof reserved; i++)
        if (reserved[i] == code)
            return true;
    return false;
}

static bool parse_hex_bytes(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = 0;
    while (*s) {
        if (*s == ':' || *s == ' ' || *s == '-') {
            s++;
            continue;
        }
        unsigned v;
        int used;
        if (sscanf(s, "%2x%n", &v, &used) != 1 || used != 2 || n == cap)
            return false;
        out[n++] = (uint8_t)v;
        s += 2;
    }
    *len = n;
    return n > 0;
}

/* The low `n` bytes of v, most significant first. */
static void put_be(uint8_t *out, uint32_t v, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static bool encode_ip_list(struct cfg_ctx *c, const struct ynode *v, const char *path,
                           struct config_option *opt)
{
    uint32_t *ips = NULL;
    size_t n = 0;
    if (!cfg_ipv4_list(c, v, path, &ips, &n))
        return false;
    bool ok = n > 0 && n <= 63;
    if (!ok)
        cfg_error(c, v, path, "expected 1 to 63 IPv4 addresses");
    for (size_t i = 0; ok && i < n; i++)
        put_be(opt->data + 4 * i, ips[i], 4);
    opt->len = ok ? (uint8_t)(4 * n) : 0;
    free(ips);
    return ok;
}

static bool encode_text(struct cfg_ctx *c, const struct ynode *v, const char *path,
                        struct config_option *opt)
{
    const char *s;
    if (!cfg_scalar(c, v, path, &s))
        return false;
    if (strlen(s) == 0 || strlen(s) > 255) {
        cfg_error(c, v, path, "expected text of 1 to 255 bytes");
        return false;
    }
    opt->len = (uint8_t)strlen(s);
    memcpy(opt->data, s, opt->len);
    return true;
}

static bool encode_i32(struct cfg_ctx *c, const struct ynode *v, const char *path,
                       struct config_option *opt)
{
    const char *s;
    char *end;
    if (!cfg_scalar(c, v, path, &s))
        return false;
    long long x = strtoll(s, &end, 10);
    if (*s == '\0' || *end || x < -2147483648LL || x > 2147483647LL) {
        cfg_error(c, v, path, "expected an integer between -2147483648 and 2147483647, not '%s'", s);
        return false;
    }
    opt->len = 4;
    put_be(opt->data, (uint32_t)(int32_t)x, 4);
    return true;
}

static bool encode_hex(struct cfg_ctx *c, const struct ynode *v, const char *path,
                       struct config_option *opt)
{
    const char *s;
    size_t len;
    if (!cfg_scalar(c, v, path, &s))
        return false;
    if (!parse_hex_bytes(s, opt->data, sizeof opt->data, &len)) {
        cfg_error(c, v, path, "expected hex bytes like f1:00:74:7e (1 to 255 bytes), not '%s'", s);
        return false;
    }
    opt->len = (uint8_t)len;
    return true;
}

static bool encode_scalar(struct cfg_ctx *c, const struct ynode *v, const char *path,
                          enum opt_type type, struct config_option *opt)
{
    unsigned long u;
    uint32_t ip;
    bool b;
    switch (type) {
    case T_IP:
        if (!cfg_ipv4(c, v, path, &ip))
            return false;
        opt->len = 4;
        put_be(opt->data, ip, 4);
        return true;
    case T_IP_LIST:
        return encode_ip_list(c, v, path, opt);
    case T_TEXT:
        return encode_text(c, v, path, opt);
    case T_U8:
    case T_U16:
    case T_U32:
        opt->len = type == T_U8 ? 1 : type == T_U16 ? 2 : 4;
        if (!cfg_uint(c, v, path, 0, type == T_U8 ? 255ul : type == T_U16 ? 65535ul : 4294967295ul, &u))
            return false;
        put_be(opt->data, (uint32_t)u, opt->len);
        return true;
    case T_I32:
        return encode_i32(c, v, path, opt);
    case T_BOOL:
        if (!cfg_bool(c, v, path, &b))
            return false;
        opt->len = 1;
        opt->data[0] = b;
        return true;
    case T_HEX:
        return encode_hex(c, v, path, opt);
    case T_NONE:
        break;
    }
    return false;
}

bool cfg_option_put(struct config_option **list, size_t *n, const struct config_option *opt)
{
    for (size_t i = 0; i < *n; i++)
        if ((*list)[i].code == opt->code) {
            (*list)[i] = *opt;
            return true;
        }
    struct config_option *grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return false;
    *list = grown;
    grown[(*n)++] = *opt;
    return true;
}

const char *const cfg_keys_option[] = { "code", "name", "type", "value", "force", NULL };

static bool parse_one_option(struct cfg_ctx *c, const struct ynode *n, const char *path,
                             struct config_option *opt)
{
    char sub[512];
    enum opt_type type = T_NONE;
    unsigned long code = 0;
    bool ok = true;

    memset(opt, 0, sizeof *opt);
    opt->pos.line = n->line;
    opt->pos.column = n->column;
    if (!cfg_check_keys(c, n, path, cfg_keys_option))
        return false;

    const struct ynode *ncode = ytree_get(n, "code"), *nname = ytree_get(n, "name");
    const struct ynode *ntype = ytree_get(n, "type"), *nvalue = ytree_get(n, "value");
    const struct ynode *nforce = ytree_get(n, "force");
    /* `code` may itself be a well-known name: { code: ntp-servers, ... } */
    const struct ynode *id = ncode ? ncode : nname;
    if (!id) {
        cfg_error(c, n, path, "expected `code` (a number 1-254 or an option name)");
        return false;
    }
    const char *idtext;
    snprintf(sub, sizeof sub, "%s.%s", path, ncode ? "code" : "name");
    if (!cfg_scalar(c, id, sub, &idtext))
        return false;
    bool found = false;
    for (size_t i = 0; i < sizeof known_options / sizeof known_options[0]; i++)
        if (strcmp(idtext, known_options[i].name) == 0) {
            code = known_options[i].code;
            type = known_options[i].type;
            found = true;
        }
    if (!found) {
        if (!cfg_uint(c, id, sub, 1, 254, &code))
            return false;
        for (size_t i = 0; i < sizeof known_options / sizeof known_options[0]; i++)
            if (known_options[i].code == code)
                type = known_options[i].type;
    }
    if (option_is_reserved((unsigned)code)) {
        cfg_error(c, id, sub, "option %lu is set by the server itself and cannot be configured", code);
        return false;
    }
    opt->code = (uint8_t)code;
    if (ntype) {
        const char *t;
        snprintf(sub, sizeof sub, "%s.type", path);
        if (!cfg_scalar(c, ntype, sub, &t))
            return false;
        type = T_NONE;
        for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
            if (strcmp(t, type_names[i].name) == 0)
                type = type_names[i].type;
        if (type == T_NONE) {
            cfg_error(c, ntype, sub, "unknown type '%s' (expected ip, ip-list, text, uint8, uint16, uint32, int32, bool or hex)", t);
            return false;
        }
    } else if (type == T_NONE) {
        cfg_error(c, n, path, "option %lu needs a `type` (ip, ip-list, text, uint8, uint16, uint32, int32, bool or hex)", code);
        return false;
    }
    if (!nvalue) {
        cfg_error(c, n, path, "expected a `value`");
        return false;
    }
    snprintf(sub, sizeof sub, "%s.value", path);
    ok = encode_scalar(c, nvalue, sub, type, opt);
    if (nforce) {
        snprintf(sub, sizeof sub, "%s.force", path);
        ok = cfg_bool(c, nforce, sub, &opt->force) && ok;
    }
    return ok;
}

bool cfg_options(struct cfg_ctx *c, const struct ynode *n, const char *path,
                 struct config_option **out, size_t *n_out)
{
    if (n->kind != YNODE_SEQ) {
        cfg_error(c, n, path, "expected a list of options like { code: 42, type: ip-list, value: [192.0.2.1] }");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n->n; i++) {
        char sub[512];
        struct config_option opt;
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        if (!parse_one_option(c, n->items[i], sub, &opt)) {
            ok = false;
            continue;
        }
        for (size_t k = 0; k < *n_out; k++)
            if ((*out)[k].code == opt.code) {
                cfg_error(c, n->items[i], sub, "option %u is already set at line %u", opt.code,
                          (*out)[k].pos.line);
                ok = false;
            }
        if (ok && !cfg_option_put(out, n_out, &opt))
            ok = false;
    }
    return ok;
}
