/* tftp_netascii.c - netascii converted block by block (see tftp_netascii.h). */
#include "tftp_netascii.h"

#include <errno.h>
#include <stdlib.h>

size_t tftp_netascii_step(struct tftp_netascii_pos *pos, const uint8_t *in, size_t len,
                          uint8_t *out, size_t cap)
{
    size_t o = 0, i = 0;
    if (pos->carry >= 0 && cap > 0) {
        out[o++] = (uint8_t)pos->carry;
        pos->carry = -1;
    }
    while (i < len && o < cap) {
        uint8_t c = in[i++];
        if (c != '\n' && c != '\r') {
            out[o++] = c;
            continue;
        }
        /* RFC 1350 (netascii, RFC 764): end of line is CR LF, a bare CR
         * is CR NUL. The pair may straddle two blocks. */
        uint8_t second = c == '\n' ? '\n' : '\0';
        out[o++] = '\r';
        if (o < cap)
            out[o++] = second;
        else
            pos->carry = second;
    }
    pos->in_off += i;
    return o;
}

uint64_t tftp_netascii_size_bound(uint64_t in_size)
{
    return in_size > UINT64_MAX / 2 ? UINT64_MAX : in_size * 2;
}

struct tftp_netascii *tftp_netascii_new(uint64_t in_size, uint16_t blksize, uint16_t window)
{
    if (window < 1)
        window = 1;
    if (window > TFTP_NETASCII_MAX_WINDOW)
        window = TFTP_NETASCII_MAX_WINDOW;
    uint32_t slots = (uint32_t)window + 1;
    struct tftp_netascii *na = calloc(1, sizeof *na + slots * sizeof na->ring[0]);
    if (!na)
        return NULL;
    na->in_size = in_size;
    na->blksize = blksize ? blksize : 512;
    na->slots = slots;
    na->known = 1;
    na->ring[1 % slots] = (struct tftp_netascii_pos){ 0, -1 };
    return na;
}

/* One block from pos on: up to blksize bytes, fewer only at the end. */
static int one_block(const struct tftp_netascii *na, struct tftp_netascii_pos *pos,
                     tftp_netascii_read_fn read, void *ctx, uint8_t *out, size_t *len)
{
    size_t o = 0;
    while (o < na->blksize) {
        const uint8_t *data = NULL;
        size_t avail = 0;
        if (pos->carry < 0) {
            if (pos->in_off >= na->in_size)
                break;
            ssize_t got = read(ctx, pos->in_off, &data);
            if (got < 0)
                return (int)got;
            if (got == 0)
                return -EIO;
            uint64_t left = na->in_size - pos->in_off;
            avail = (uint64_t)got < left ? (size_t)got : (size_t)left;
        }
        o += tftp_netascii_step(pos, data, avail, out + o, na->blksize - o);
    }
    *len = o;
    return 0;
}

long tftp_netascii_blocks(struct tftp_netascii *na, uint32_t first, uint32_t count,
                          tftp_netascii_read_fn read, void *ctx, uint8_t *out, size_t *bytes)
{
    *bytes = 0;
    if (first == 0 || first > na->known || na->known - first >= na->slots)
        return -EINVAL;
    struct tftp_netascii_pos pos = na->ring[first % na->slots];
    long made = 0;
    for (uint32_t n = first; (uint32_t)made < count; n++) {
        if (na->ended && (uint64_t)(n - 1) * na->blksize > na->size)
            break;      /* past the final block */
        size_t len = 0;
        int err = one_block(na, &pos, read, ctx, out + *bytes, &len);
        if (err < 0)
            return err;
        *bytes += len;
        made++;
        /* A short block is the last; a full one that used up the input is
         * followed by an empty last block. */
        if (!na->ended && (len < na->blksize || (pos.carry < 0 && pos.in_off >= na->in_size))) {
            na->ended = true;
            na->size = (uint64_t)(n - 1) * na->blksize + len;
        }
        /* A block inside the window ends where the next one starts. */
        na->ring[(n + 1) % na->slots] = pos;
        if (n + 1 > na->known)
            na->known = n + 1;
    }
    return made;
}
