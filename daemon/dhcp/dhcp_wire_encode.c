/* dhcp_wire_encode.c - a BOOTREPLY from struct dhcp_reply: the options in
 * the order the server decided, within the client's size budget, spilling
 * into `file`/`sname` with option 52 when they are free; see dhcp_wire.h. */
#include "dhcp_wire.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"

enum { AREA_OPTIONS = 0, AREA_FILE = 1, AREA_SNAME = 2, N_AREAS = 3, NOWHERE = 255 };
#define MAX_ORDERED (DHCP_REPLY_MAX_OPTS + 2)   /* the reply's options, 53 and 54 */

/* What goes where: the options in sending order and the area each was
 * placed in (NOWHERE: dropped for lack of room). */
struct encode_plan {
    const struct dhcp_out_opt *order[MAX_ORDERED];
    uint8_t where[MAX_ORDERED];
    size_t n;
    size_t area_used[N_AREAS];
    bool overloaded;
    /* 53 and 54 are built here; order[] may point at them. */
    uint8_t type_val, sid_val[4];
    struct dhcp_out_opt type_opt, sid_opt;
};

/* Space for one option in an area: `code len value`, split at 255 bytes. */
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

/* The sending order: 53, 54, forced, the client's PRL order, then the rest
 * (options always sent, or every option when there is no PRL). */
static void order_options(const struct dhcp_reply *r, struct encode_plan *p)
{
    bool used[DHCP_REPLY_MAX_OPTS] = { false };
    p->n = 0;
    if (r->msg_type != DHCP_NONE) {
        p->type_val = r->msg_type;
        struct wr sid = wr_init(p->sid_val, sizeof p->sid_val);
        wr_be32(&sid, r->server_id);
        p->type_opt = (struct dhcp_out_opt){ DHCP_OPT_MSG_TYPE, true, true, 1, &p->type_val };
        p->sid_opt = (struct dhcp_out_opt){ DHCP_OPT_SERVER_ID, true, true, 4, p->sid_val };
        p->order[p->n++] = &p->type_opt;
        if (r->server_id)
            p->order[p->n++] = &p->sid_opt;
    }
    for (size_t i = 0; i < r->n_opts; i++)
        if (r->opts[i].force) {
            p->order[p->n++] = &r->opts[i];
            used[i] = true;
        }
    for (size_t k = 0; r->prl && k < r->prl_len; k++)
        for (size_t i = 0; i < r->n_opts; i++)
            if (!used[i] && r->opts[i].code == r->prl[k]) {
                p->order[p->n++] = &r->opts[i];
                used[i] = true;
            }
    for (size_t i = 0; i < r->n_opts; i++)
        if (!used[i] && (r->opts[i].always || !r->prl)) {
            p->order[p->n++] = &r->opts[i];
            used[i] = true;
        }
}

/* Place options greedily: the options field, then file, then sname. One
 * byte of each used area is kept for END; 3 bytes of the options field for
 * option 52 itself once overload is needed. */
static int place_options(const struct dhcp_reply *r, struct encode_plan *p, size_t budget,
                         unsigned *dropped)
{
    const size_t room[N_AREAS] = {
        budget - DHCP_HEADER_LEN - 4 - 1,               /* after the cookie */
        r->file[0] == '\0' ? DHCP_FILE_LEN - 1 : 0,
        r->sname[0] == '\0' ? DHCP_SNAME_LEN - 1 : 0,
    };
    size_t *used = p->area_used;
    p->overloaded = false;
    for (size_t i = 0; i < p->n; i++) {
        size_t need = opt_wire_size(p->order[i]);
        p->where[i] = NOWHERE;
        if (used[AREA_OPTIONS] + need <= room[AREA_OPTIONS]) {
            p->where[i] = AREA_OPTIONS;
        } else {
            for (uint8_t a = AREA_FILE; a < N_AREAS; a++) {
                size_t extra = p->overloaded ? 0 : 3;   /* option 52 itself */
                if (used[a] + need <= room[a] && used[AREA_OPTIONS] + extra <= room[AREA_OPTIONS]) {
                    p->where[i] = a;
                    used[AREA_OPTIONS] += extra;
                    p->overloaded = true;
                    break;
                }
            }
        }
        if (p->where[i] == NOWHERE) {
            if (i < 2 && r->msg_type != DHCP_NONE)
                return -EMSGSIZE;   /* 53 and 54 always fit; a budget this small is invalid */
            (*dropped)++;
            continue;
        }
        used[p->where[i]] += need;
    }
    return 0;
}

static void write_header(struct wr *w, const struct dhcp_reply *r)
{
    uint8_t sname[DHCP_SNAME_LEN] = { 0 }, file[DHCP_FILE_LEN] = { 0 };
    memcpy(sname, r->sname, strnlen(r->sname, sizeof sname));
    memcpy(file, r->file, strnlen(r->file, sizeof file));
    wr_u8(w, BOOTREPLY);
    wr_u8(w, r->htype);
    wr_u8(w, r->hlen);
    wr_u8(w, r->hops);
    wr_be32(w, r->xid);
    wr_be16(w, 0);
    wr_be16(w, r->flags);
    wr_be32(w, r->ciaddr);
    wr_be32(w, r->yiaddr);
    wr_be32(w, r->siaddr);
    wr_be32(w, r->giaddr);
    wr_bytes(w, r->chaddr, sizeof r->chaddr);
    wr_bytes(w, sname, sizeof sname);
    wr_bytes(w, file, sizeof file);
    wr_be32(w, DHCP_MAGIC);
}

/* The options field: when overloaded, 53 first (conventional) and 52 right
 * after it; then END, padded to the BOOTP minimum length. */
static void write_options_field(struct wr *w, const struct encode_plan *p)
{
    size_t i = 0;
    if (p->overloaded) {
        uint8_t ov = (uint8_t)((p->area_used[AREA_FILE] ? 1 : 0) |
                               (p->area_used[AREA_SNAME] ? 2 : 0));
        struct dhcp_out_opt o52 = { DHCP_OPT_OVERLOAD, true, true, 1, &ov };
        if (p->n > 0 && p->where[0] == AREA_OPTIONS && p->order[0] == &p->type_opt)
            opt_write(w, p->order[i++]);
        opt_write(w, &o52);
    }
    for (; i < p->n; i++)
        if (p->where[i] == AREA_OPTIONS)
            opt_write(w, p->order[i]);
    wr_u8(w, DHCP_OPT_END);
    while (w->len < DHCP_BOOTP_MIN_LEN && !w->bad)
        wr_u8(w, DHCP_OPT_PAD);
}

/* file and sname, when they carry options, each ending with END. */
static int write_overload_areas(uint8_t *buf, const struct encode_plan *p)
{
    for (uint8_t a = AREA_FILE; a < N_AREAS; a++) {
        if (!p->area_used[a])
            continue;
        struct wr aw = a == AREA_FILE ? wr_init(buf + DHCP_FILE_OFFSET, DHCP_FILE_LEN)
                                      : wr_init(buf + DHCP_SNAME_OFFSET, DHCP_SNAME_LEN);
        for (size_t i = 0; i < p->n; i++)
            if (p->where[i] == a)
                opt_write(&aw, p->order[i]);
        wr_u8(&aw, DHCP_OPT_END);
        if (aw.bad)
            return -EMSGSIZE;
    }
    return 0;
}

int dhcp_wire_encode(const struct dhcp_reply *r, uint8_t *buf, size_t cap, size_t *len,
                     unsigned *dropped)
{
    struct encode_plan plan = { .n = 0 };
    *dropped = 0;
    size_t budget = (r->max_size < DHCP_MIN_MSG ? DHCP_MIN_MSG : r->max_size) - DHCP_IP_UDP_HEADERS;
    if (budget > cap)
        budget = cap;
    if (budget < DHCP_HEADER_LEN + 4 + 1)
        return -EMSGSIZE;

    order_options(r, &plan);
    int err = place_options(r, &plan, budget, dropped);
    if (err < 0)
        return err;
    struct wr w = wr_init(buf, cap);
    write_header(&w, r);
    write_options_field(&w, &plan);
    if (w.bad || write_overload_areas(buf, &plan) < 0)
        return -EMSGSIZE;
    *len = w.len;
    return 0;
}
