/* dhcp_wire.c - DHCP decode/encode, see dhcp_wire.h. */
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
    rd_u8(&r, &m->op);
    rd_u8(&r, &m->htype);
    rd_u8(&r, &m->hlen);
    rd_u8(&r, &m->hops);
    rd_be32(&r, &m->xid);
    rd_be16(&r, &m->secs);
    rd_be16(&r, &m->flags);
    rd_be32(&r, &m->ciaddr);
    rd_be32(&r, &m->yiaddr);
    rd_be32(&r, &m->siaddr);
    rd_be32(&r, &m->giaddr);
    rd_bytes(&r, m->chaddr, sizeof m->chaddr);
    rd_bytes(&r, m->sname, sizeof m->sname);
    rd_bytes(&r, m->file, sizeof m->file);
    if (r.bad) {
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

    struct opt_area areas[3] = { { r.p, r.left }, { m->file, sizeof m->file },
                                 { m->sname, sizeof m->sname } };
    memset(total, 0, sizeof total);
    int err = walk_area(m, areas[0], false, total, fill, reason);
    if (err < 0)
        return err;
    size_t n_areas = 1;
    if (m->opt_present[DHCP_OPT_OVERLOAD]) {
        /* 52 must appear in the options field only, exactly 1 byte; its
         * value is read before the other areas are walked, so an option 52
         * inside file/sname can never chain further (no loops). */
        if (total[DHCP_OPT_OVERLOAD] != 1) {
            *reason = "option 52 is not 1 byte";
            return -EBADMSG;
        }
        struct rd o = rd_init(areas[0].p, areas[0].len);
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
        if (m->overload & 1)
            areas[n_areas++] = (struct opt_area){ m->file, sizeof m->file };
        if (m->overload & 2)
            areas[n_areas++] = (struct opt_area){ m->sname, sizeof m->sname };
        for (size_t i = 1; i < n_areas; i++) {
            bool had52 = m->opt_present[DHCP_OPT_OVERLOAD];
            uint32_t t52 = total[DHCP_OPT_OVERLOAD];
            err = walk_area(m, areas[i], false, total, fill, reason);
            if (err < 0)
                return err;
            if (total[DHCP_OPT_OVERLOAD] != t52) {
                *reason = "option 52 inside an overloaded field";
                return -EBADMSG;
            }
            m->opt_present[DHCP_OPT_OVERLOAD] = had52;
        }
    }
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

/* ---- encoding ---- */

/* Space for options in one area, writing `code len value` (split over 255). */
static size_t opt_wire_size(const struct dhcp_out_opt *o)
{
    size_t chunks = o->len ? (o->len + 254u) / 255u : 1;
    return chunks * 2 + o->len;
}

static void opt_write(struct wr *w, const struct dhcp_out_opt *o)
{
    size_t left = o->len, off = 0;
    do {
        uint8_t chunk = (uint8_t)(left > 255 ? 255 : left);
        wr_u8(w, o->code);
        wr_u8(w, chunk);
        wr_bytes(w, o->data + off, chunk);
        off += chunk;
        left -= chunk;
    } while (left);
}

int dhcp_wire_encode(const struct dhcp_reply *r, uint8_t *buf, size_t cap, size_t *len,
                     unsigned *dropped)
{
    const struct dhcp_out_opt *order[DHCP_REPLY_MAX_OPTS + 2];
    bool used[DHCP_REPLY_MAX_OPTS] = { false };
    size_t n = 0;
    uint8_t type_val, sid_val[4];
    struct dhcp_out_opt type_opt = { DHCP_OPT_MSG_TYPE, true, true, 1, &type_val };
    struct dhcp_out_opt sid_opt = { DHCP_OPT_SERVER_ID, true, true, 4, sid_val };

    *dropped = 0;
    size_t budget = (r->max_size < DHCP_MIN_MSG ? DHCP_MIN_MSG : r->max_size) - DHCP_IP_UDP_HEADERS;
    if (budget > cap)
        budget = cap;
    if (budget < DHCP_HEADER_LEN + 4 + 1)
        return -EMSGSIZE;

    /* The order: 53, 54, forced, PRL order, then the rest. */
    if (r->msg_type != DHCP_NONE) {
        type_val = r->msg_type;
        sid_val[0] = (uint8_t)(r->server_id >> 24); sid_val[1] = (uint8_t)(r->server_id >> 16);
        sid_val[2] = (uint8_t)(r->server_id >> 8);  sid_val[3] = (uint8_t)r->server_id;
        order[n++] = &type_opt;
        if (r->server_id)
            order[n++] = &sid_opt;
    }
    for (size_t i = 0; i < r->n_opts; i++)
        if (r->opts[i].force) {
            order[n++] = &r->opts[i];
            used[i] = true;
        }
    for (size_t p = 0; r->prl && p < r->prl_len; p++)
        for (size_t i = 0; i < r->n_opts; i++)
            if (!used[i] && r->opts[i].code == r->prl[p]) {
                order[n++] = &r->opts[i];
                used[i] = true;
            }
    for (size_t i = 0; i < r->n_opts; i++)
        if (!used[i] && (r->opts[i].always || !r->prl)) {
            order[n++] = &r->opts[i];
            used[i] = true;
        }

    /* Place options greedily: the options field, then file, then sname.
     * One byte of each used area is kept for END; 3 bytes of the options
     * field for option 52 itself if overload turns out to be needed. */
    size_t opt_room = budget - DHCP_HEADER_LEN - 4;     /* after the cookie */
    bool file_free = r->file[0] == '\0', sname_free = r->sname[0] == '\0';
    const size_t area_room[3] = { opt_room - 1, file_free ? sizeof r->file - 1 : 0,
                            sname_free ? sizeof r->sname - 1 : 0 };
    uint8_t where[DHCP_REPLY_MAX_OPTS + 2];
    size_t area_used[3] = { 0, 0, 0 };
    bool overloaded = false;
    for (size_t i = 0; i < n; i++) {
        size_t need = opt_wire_size(order[i]);
        where[i] = 255;
        if (area_used[0] + need <= area_room[0]) {
            where[i] = 0;
        } else {
            for (uint8_t a = 1; a < 3; a++) {
                size_t extra = overloaded ? 0 : 3;      /* option 52 itself */
                if (area_used[a] + need <= area_room[a] && area_used[0] + extra <= area_room[0]) {
                    where[i] = a;
                    area_used[0] += extra;
                    overloaded = true;
                    break;
                }
            }
        }
        if (where[i] == 255) {
            if (i < 2 && r->msg_type != DHCP_NONE)
                return -EMSGSIZE;   /* 53 and 54 always fit; a budget this small is invalid */
            (*dropped)++;
            continue;
        }
        area_used[where[i]] += need;
    }

    struct wr w = wr_init(buf, cap);
    uint8_t file[128], sname[64];
    memset(file, 0, sizeof file);
    memset(sname, 0, sizeof sname);
    memcpy(file, r->file, strnlen(r->file, sizeof file));
    memcpy(sname, r->sname, strnlen(r->sname, sizeof sname));

    wr_u8(&w, BOOTREPLY);
    wr_u8(&w, r->htype);
    wr_u8(&w, r->hlen);
    wr_u8(&w, r->hops);
    wr_be32(&w, r->xid);
    wr_be16(&w, 0);
    wr_be16(&w, r->flags);
    wr_be32(&w, r->ciaddr);
    wr_be32(&w, r->yiaddr);
    wr_be32(&w, r->siaddr);
    wr_be32(&w, r->giaddr);
    wr_bytes(&w, r->chaddr, sizeof r->chaddr);
    size_t sname_at = w.len;
    wr_bytes(&w, sname, sizeof sname);
    size_t file_at = w.len;
    wr_bytes(&w, file, sizeof file);
    wr_be32(&w, DHCP_MAGIC);
    if (overloaded) {
        uint8_t ov = (uint8_t)((area_used[1] ? 1 : 0) | (area_used[2] ? 2 : 0));
        struct dhcp_out_opt o52 = { DHCP_OPT_OVERLOAD, true, true, 1, &ov };
        /* 53 first is conventional; 52 right after it. */
        size_t i = 0;
        if (n > 0 && where[0] == 0 && order[0] == &type_opt) {
            opt_write(&w, order[0]);
            i = 1;
        }
        opt_write(&w, &o52);
        for (; i < n; i++)
            if (where[i] == 0)
                opt_write(&w, order[i]);
    } else {
        for (size_t i = 0; i < n; i++)
            if (where[i] == 0)
                opt_write(&w, order[i]);
    }
    wr_u8(&w, DHCP_OPT_END);
    while (w.len < DHCP_BOOTP_MIN_LEN && !w.bad)
        wr_u8(&w, DHCP_OPT_PAD);
    if (w.bad)
        return -EMSGSIZE;

    for (uint8_t a = 1; a < 3; a++) {
        if (!area_used[a])
            continue;
        size_t at = a == 1 ? file_at : sname_at, room = a == 1 ? sizeof file : sizeof sname;
        struct wr aw = wr_init(buf + at, room);
        for (size_t i = 0; i < n; i++)
            if (where[i] == a)
                opt_write(&aw, order[i]);
        wr_u8(&aw, DHCP_OPT_END);
        if (aw.bad)
            return -EMSGSIZE;
    }
    *len = w.len;
    return 0;
}
