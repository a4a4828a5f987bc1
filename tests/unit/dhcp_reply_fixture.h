/* dhcp_reply_fixture.h - a DHCP server fixture whose replies are encoded
 * to wire bytes, for tests that check replies byte by byte (proxyDHCP,
 * HTTP boot). Header-only, after test_util.h. */
#ifndef NETBOOTD_DHCP_REPLY_FIXTURE_H
#define NETBOOTD_DHCP_REPLY_FIXTURE_H

#include "dhcp_server.h"
#include "lease_pool.h"
#include "test_util.h"

struct fixture {
    struct config *cfg;
    struct lease_pool *pool;
    struct dhcp_ingress in;
    struct dhcp_decision d;
    uint8_t wire[1500];
    size_t wire_len;
};

/* Serve `profile` on tap0 (192.0.2.1/24); requests arrive broadcast from
 * port 68 on port 67. */
static inline int reply_fixture_setup(void **state, const char *profile)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->cfg = load_profile(profile, NULL, 0);
    f->pool = lease_pool_new(f->cfg);
    f->in = (struct dhcp_ingress){ 3, "tap0", IP(192, 0, 2, 1), 0xffffff00u, 0, 68,
                                   0xffffffffu, 67 };
    *state = f;
    return 0;
}

static inline int reply_fixture_teardown(void **state)
{
    struct fixture *f = *state;
    lease_pool_free(f->pool);
    config_free(f->cfg);
    free(f);
    return 0;
}

/* The option `code` in the encoded reply (options area only), or NULL. */
static inline const uint8_t *wire_opt(const struct fixture *f, uint8_t code, size_t *len)
{
    size_t off = 240;
    while (off < f->wire_len && f->wire[off] != 255) {
        if (f->wire[off] == 0) {
            off++;
            continue;
        }
        assert_true(off + 2 <= f->wire_len);
        if (f->wire[off] == code) {
            *len = f->wire[off + 1];
            return f->wire + off + 2;
        }
        off += 2u + f->wire[off + 1];
    }
    return NULL;
}

/* The big-endian 32-bit field at `off` of the encoded reply. */
static inline uint32_t wire_u32(const struct fixture *f, size_t off)
{
    return (uint32_t)f->wire[off] << 24 | (uint32_t)f->wire[off + 1] << 16 |
           (uint32_t)f->wire[off + 2] << 8 | f->wire[off + 3];
}

#endif
