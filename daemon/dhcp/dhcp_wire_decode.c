/* dhcp_wire_decode.c - a BOOTREQUEST from bytes, and reading its options;
 * see dhcp_wire.h. */
#include "dhcp_wire.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"

/* An area that may hold options: the options field, and when option 52
 * says so, `file` and `sname` (RFC 2132 §9.3, searched in that order). */
struct opt_area {
    const uint8_t *p;
    size_t len;
};

/* Walk one area. Pass 1 (copy == false) checks framing and sums lengths per
 * code; pass 2 copies values to their concatenated place (RFC 3396). */
static int walk_area(struct dhcp_msg *m, struct opt_area area, bool copy, uint32_t *total,
                     uint16_t *fill, const char **reason)
{
    struct rd r = rd_init(area.p, area.len);
    while (r.left) {
        uint8_t code, len;
        const uint8_t *val;
        rd_u8(&r, &code);
        if (code == DHCP_OPT_PAD)
            continue;
        if (code == DHCP_OPT_END)
            return 0;
        if (!rd_u8(&r, &len) || !rd_span(&r, len, &val)) {
            *reason = "option length runs past the end";
            return -EBADMSG;
        }
        if (!copy) {
            m->opt_present[code] = true;
            total[code] += len;
        } else {
            memcpy(m->optbuf + m->opt_off[code] + fill[code], val, len);
            fill[code] = (uint16_t)(fill[code] + len);
        }
    }
    /* A missing END is tolerated, as every real server does: many clients
     * pad to the end of the datagram and some omit it. */
    return 0;
}

/* The fixed BOOTP header (RFC 951/2131 §2): 236 bytes, a BOOTREQUEST, a
 * hardware address of at most 16 bytes. */
static int decode_header(struct rd *r, struct dhcp_msg *m, const char **reason)
{
    rd_u8(r, &m->op);
    rd_u8(r, &m->htype);
    rd_u8(r, &m->hlen);
    rd_u8(r, &m->hops);
    rd_be32(r, &m->xid);
    rd_be16(r, &m->secs);
    rd_be16(r, &m->flags);
    rd_be32(r, &m->ciaddr);
    rd_be32(r, &m->yiaddr);
    rd_be32(r, &m->siaddr);
    rd_be32(r, &m->giaddr);
    rd_bytes(r, m->chaddr, sizeof m->chaddr);
    rd_bytes(r, m->sname, sizeof m->sname);
    rd_bytes(r, m->file, sizeof m->file);
    if (r->bad) {
        *reason = "shorter than the 236-byte BOOTP header";
        return -EBADMSG;
    }
    if (m->op != BOOTREQUEST) {
        *reason = "not a BOOTREQUEST";
        return -EPROTO;
    }
    if (m->hlen > 16) {
        *reason = "hardware address length over 16";
        return -EBADMSG;
    }
    return 0;
}

/* Option 52's value, read from the options field alone before any other
 * area is walked, so that an option 52 inside file/sname can never chain
 * further (no loops). It must be exactly 1 byte: 1, 2 or 3. */
static int read_overload(struct dhcp_msg *m, struct opt_area options, const uint32_t *total,
                         const char **reason)
{
    if (total[DHCP_OPT_OVERLOAD] != 1) {
        *reason = "option 52 is not 1 byte";
        return -EBADMSG;
    }
    struct rd o = rd_init(options.p, options.len);
    while (o.left) {
        uint8_t code, l;
        rd_u8(&o, &code);
        if (code == DHCP_OPT_PAD)
            continue;
        if (code == DHCP_OPT_END || !rd_u8(&o, &l))
            break;
        if (code == DHCP_OPT_OVERLOAD && l == 1)
            rd_u8(&o, &m->overload);
        else
            rd_skip(&o, l);
    }
    if (m->overload < 1 || m->overload > 3) {
        *reason = "option 52 value not 1, 2 or 3";
        return -EBADMSG;
    }
    return 0;
}

/* Pass 1 over `file` and/or `sname` when option 52 says they hold options
 * (RFC 2132 §9.3: file first). Appends them to areas[]; none may carry
 * option 52 again. */
static int walk_overloaded(struct dhcp_msg *m, struct opt_area *areas, size_t *n_areas,
                           uint32_t *total, uint16_t *fill, const char **reason)
{
    if (m->overload & 1)
        areas[(*n_areas)++] = (struct opt_area){ m->file, sizeof m->file };
    if (m->overload & 2)
        areas[(*n_areas)++] = (struct opt_area){ m->sname, sizeof m->sname };
    for (size_t i = 1; i < *n_areas; i++) {
        uint32_t t52 = total[DHCP_OPT_OVERLOAD];
        int err = walk_area(m, areas[i], false, total, fill, reason);
        if (err < 0)
            return err;
        if (total[DHCP_OPT_OVERLOAD] != t52) {
            *reason = "option 52 inside an overloaded field";
            return -EBADMSG;
        }
    }
    return 0;
}

/* Give every present option its place in optbuf (codes in order, each
 * option's instances concatenated). */
static int lay_out_values(struct dhcp_msg *m, const uint32_t *total, const char **reason)
{
    uint32_t off = 0;
    for (int code = 0; code < 256; code++) {
        if (!m->opt_present[code])
            continue;
        if (off + total[code] > sizeof m->optbuf) {
            *reason = "options too long";
            return -EMSGSIZE;
        }
        m->opt_off[code] = (uint16_t)off;
        m->opt_len[code] = (uint16_t)total[code];
        off += total[code];
    }
    return 0;
}

int dhcp_wire_decode(const uint8_t *buf, size_t len, struct dhcp_msg *m, const char **reason)
{
    uint32_t total[256];
    uint16_t fill[256];
    struct rd r = rd_init(buf, len);
    uint32_t magic;

    memset(m->opt_present, 0, sizeof m->opt_present);
    memset(m->opt_len, 0, sizeof m->opt_len);
    m->has_cookie = false;
    m->overload = 0;
    *reason = NULL;

    if (len > DHCP_MAX_MSG) {
        *reason = "datagram too large";
        return -EMSGSIZE;
    }
    int err = decode_header(&r, m, reason);
    if (err < 0)
        return err;
    if (r.left == 0)
        return 0;       /* RFC 951 BOOTP request without vendor area */
    if (!rd_be32(&r, &magic) || magic != DHCP_MAGIC) {
        /* An RFC 951 BOOTP request: a 64-byte vendor area without the
         * RFC 1048 cookie carries no options. Anything else is garbage. */
        if (len == DHCP_HEADER_LEN + 64)
            return 0;
        *reason = "bad magic cookie";
        return -EBADMSG;
    }
    m->has_cookie = true;

    struct opt_area areas[3] = { { r.p, r.left } };
    size_t n_areas = 1;
    memset(total, 0, sizeof total);
    if ((err = walk_area(m, areas[0], false, total, fill, reason)) < 0)
        return err;
    if (m->opt_present[DHCP_OPT_OVERLOAD] &&
        ((err = read_overload(m, areas[0], total, reason)) < 0 ||
         (err = walk_overloaded(m, areas, &n_areas, total, fill, reason)) < 0))
        return err;
    if ((err = lay_out_values(m, total, reason)) < 0)
        return err;
    memset(fill, 0, sizeof fill);
    for (size_t i = 0; i < n_areas; i++)
        walk_area(m, areas[i], true, total, fill, reason);
    return 0;
}

const uint8_t *dhcp_msg_opt(const struct dhcp_msg *m, uint8_t code, size_t *len)
{
    if (!m->opt_present[code])
        return NULL;
    if (len)
        *len = m->opt_len[code];
    return m->optbuf + m->opt_off[code];
}

int dhcp_msg_type(const struct dhcp_msg *m)
{
    size_t len;
    const uint8_t *v = dhcp_msg_opt(m, DHCP_OPT_MSG_TYPE, &len);
    if (!v)
        return DHCP_NONE;
    if (len != 1 || v[0] < DHCPDISCOVER || v[0] > DHCPINFORM)
        return -1;
    return v[0];
}

bool dhcp_msg_opt_u32(const struct dhcp_msg *m, uint8_t code, uint32_t *out)
{
    size_t len;
    const uint8_t *v = dhcp_msg_opt(m, code, &len);
    if (!v || len != 4)
        return false;
    *out = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
    return true;
}

bool dhcp_msg_opt_ip(const struct dhcp_msg *m, uint8_t code, uint32_t *out)
{
    return dhcp_msg_opt_u32(m, code, out);
}

bool dhcp_msg_arch(const struct dhcp_msg *m, uint16_t *out)
{
    size_t len;
    const uint8_t *v = dhcp_msg_opt(m, DHCP_OPT_ARCH, &len);
    /* RFC 4578 §2.1: a list of 16-bit types; the first is the one in use. */
    if (!v || len < 2 || len % 2)
        return false;
    *out = (uint16_t)(v[0] << 8 | v[1]);
    return true;
}

uint16_t dhcp_msg_max_size(const struct dhcp_msg *m)
{
    size_t len;
    const uint8_t *v = dhcp_msg_opt(m, DHCP_OPT_MAX_SIZE, &len);
    uint16_t size = DHCP_MIN_MSG;
    if (v && len == 2) {
        uint16_t asked = (uint16_t)(v[0] << 8 | v[1]);
        if (asked > size)
            size = asked;
    }
    if (size > DHCP_MAX_MSG)
        size = DHCP_MAX_MSG;
    return size;
}

const char *dhcp_msg_type_name(int type)
{
    static const char *const names[] = { "BOOTP", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST",
        "DHCPDECLINE", "DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM" };
    if (type < 0 || type > DHCPINFORM)
        return "DHCP?";
    return names[type];
}
