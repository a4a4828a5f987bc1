/* test_util.h - helpers shared by the unit tests: a DHCP request builder
 * and a profile loaded from a string. Header-only (each test is one binary). */
#ifndef NETBOOTD_TEST_UTIL_H
#define NETBOOTD_TEST_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "dhcp_wire.h"

/* A BOOTREQUEST under construction: header fields, then options appended. */
struct pkt {
    uint8_t b[1500];
    size_t len;
};

static inline void pkt_init(struct pkt *p, uint8_t type, const uint8_t mac[6], uint32_t xid)
{
    memset(p, 0, sizeof *p);
    p->b[0] = 1;            /* BOOTREQUEST */
    p->b[1] = 1;            /* Ethernet */
    p->b[2] = 6;
    p->b[4] = (uint8_t)(xid >> 24); p->b[5] = (uint8_t)(xid >> 16);
    p->b[6] = (uint8_t)(xid >> 8);  p->b[7] = (uint8_t)xid;
    memcpy(p->b + 28, mac, 6);
    p->b[236] = 99; p->b[237] = 130; p->b[238] = 83; p->b[239] = 99;
    p->len = 240;
    if (type) {
        p->b[p->len++] = 53;
        p->b[p->len++] = 1;
        p->b[p->len++] = type;
    }
}

static inline void pkt_opt(struct pkt *p, uint8_t code, const void *data, uint8_t len)
{
    p->b[p->len++] = code;
    p->b[p->len++] = len;
    memcpy(p->b + p->len, data, len);
    p->len += len;
}

static inline void pkt_opt_ip(struct pkt *p, uint8_t code, uint32_t ip)
{
    uint8_t v[4] = { (uint8_t)(ip >> 24), (uint8_t)(ip >> 16), (uint8_t)(ip >> 8), (uint8_t)ip };
    pkt_opt(p, code, v, 4);
}

static inline void pkt_set_u32(struct pkt *p, size_t off, uint32_t v)
{
    p->b[off] = (uint8_t)(v >> 24); p->b[off + 1] = (uint8_t)(v >> 16);
    p->b[off + 2] = (uint8_t)(v >> 8); p->b[off + 3] = (uint8_t)v;
}
#define PKT_CIADDR 12
#define PKT_GIADDR 24

static inline void pkt_end(struct pkt *p)
{
    p->b[p->len++] = 255;
}

static inline void pkt_decode(struct pkt *p, struct dhcp_msg *m)
{
    const char *why;
    int err = dhcp_wire_decode(p->b, p->len, m, &why);
    if (err)
        fail_msg("decode failed: %s", why);
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Load a profile from a string; fails the test on errors. */
static inline struct config *load_profile(const char *yaml, const char *const *sets, size_t n)
{
    struct config *cfg = NULL;
    struct config_diag diag = { 0 };
    int err = config_load_buffer("test.yaml", "/tmp", yaml, strlen(yaml), sets, n, &cfg, &diag);
    for (size_t i = 0; i < diag.n_errors; i++)
        print_error("%s\n", diag.errors[i]);
    config_diag_free(&diag);
    if (err)
        fail_msg("profile did not load");
    return cfg;
}

#endif
