/* ra_wire.c - see ra_wire.h. */
#include "ra_wire.h"

#include "bytes.h"

#define OPT_SOURCE_LINK_ADDR 1

/* Walk the options after a fixed header: every one has a non-zero length
 * and lies inside the message. *has_source_link is set when a source
 * link-layer address option is present. */
static bool options_well_formed(struct rd *r, bool *has_source_link)
{
    *has_source_link = false;
    while (r->left > 0) {
        uint8_t opt, units;
        if (!rd_u8(r, &opt) || !rd_u8(r, &units) || units == 0 || !rd_skip(r, units * 8u - 2))
            return false;
        if (opt == OPT_SOURCE_LINK_ADDR)
            *has_source_link = true;
    }
    return true;
}

bool ra_solicitation_valid(const uint8_t *msg, size_t len, int hop_limit, bool from_unspecified,
                           const char **why)
{
    struct rd r = rd_init(msg, len);
    uint8_t type, code;
    bool has_source_link;
    /* type, code, checksum (the kernel checked it), 4 reserved bytes */
    if (!rd_u8(&r, &type) || !rd_u8(&r, &code) || !rd_skip(&r, 6)) {
        *why = "shorter than a router solicitation (8 bytes)";
        return false;
    }
    if (type != RA_ICMP_ROUTER_SOLICIT || code != 0) {
        *why = "not a router solicitation";
        return false;
    }
    if (hop_limit != RA_HOP_LIMIT) {
        *why = "hop limit is not 255 (it was routed here)";
        return false;
    }
    if (!options_well_formed(&r, &has_source_link)) {
        *why = "malformed option";
        return false;
    }
    /* From :: there must be no source link-layer address. */
    if (has_source_link && from_unspecified) {
        *why = "source link-layer address from the unspecified address";
        return false;
    }
    return true;
}

bool ra_is_advertisement(const uint8_t *msg, size_t len)
{
    return len >= 1 && msg[0] == RA_ICMP_ROUTER_ADVERT;
}

bool ra_advertisement_valid(const uint8_t *msg, size_t len, int hop_limit, bool from_link_local,
                            const char **why)
{
    struct rd r = rd_init(msg, len);
    uint8_t type, code;
    bool has_source_link;
    /* type, code, checksum, hop limit, flags, router lifetime, reachable
     * time, retrans timer: 16 bytes (RFC 4861 §4.2) */
    if (!rd_u8(&r, &type) || !rd_u8(&r, &code) || !rd_skip(&r, 14)) {
        *why = "shorter than a router advertisement (16 bytes)";
        return false;
    }
    if (type != RA_ICMP_ROUTER_ADVERT || code != 0) {
        *why = "not a router advertisement";
        return false;
    }
    if (hop_limit != RA_HOP_LIMIT) {
        *why = "hop limit is not 255 (it was routed here)";
        return false;
    }
    if (!from_link_local) {
        *why = "source is not a link-local address";
        return false;
    }
    if (!options_well_formed(&r, &has_source_link)) {
        *why = "malformed option";
        return false;
    }
    return true;
}

size_t ra_build_advertisement(const uint8_t mac[6], uint8_t *out, size_t size)
{
    struct wr w = wr_init(out, size);
    wr_u8(&w, RA_ICMP_ROUTER_ADVERT);
    wr_u8(&w, 0);           /* code */
    wr_be16(&w, 0);         /* checksum: the kernel's */
    wr_u8(&w, 0);           /* cur hop limit: unspecified */
    wr_u8(&w, 0);           /* flags: no M (addresses), no O (other config) by DHCPv6 */
    wr_be16(&w, 0);         /* router lifetime 0: not a default router */
    wr_be32(&w, 0);         /* reachable time: unspecified */
    wr_be32(&w, 0);         /* retrans timer: unspecified */
    wr_u8(&w, OPT_SOURCE_LINK_ADDR);
    wr_u8(&w, 1);           /* length in units of 8 bytes */
    wr_bytes(&w, mac, 6);
    return w.bad ? 0 : w.len;
}

size_t ra_build_solicitation(const uint8_t mac[6], uint8_t *out, size_t size)
{
    struct wr w = wr_init(out, size);
    wr_u8(&w, RA_ICMP_ROUTER_SOLICIT);
    wr_u8(&w, 0);           /* code */
    wr_be16(&w, 0);         /* checksum: the kernel's */
    wr_be32(&w, 0);         /* reserved */
    wr_u8(&w, OPT_SOURCE_LINK_ADDR);
    wr_u8(&w, 1);
    wr_bytes(&w, mac, 6);
    return w.bad ? 0 : w.len;
}
