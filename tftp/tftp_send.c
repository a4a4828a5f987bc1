/* tftp_send.c - a transfer's blocks onto the wire (see tftp_send.h). */
#include "tftp_send.h"

#include <errno.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "tftp_wire.h"

#define READ_AHEAD (16u << 10)      /* read-ahead per transfer: lock-step, netascii */

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* Bytes in blocks first..last, which lie back to back in the file. */
static size_t run_bytes(const struct tftp_session *s, uint32_t first, uint32_t last)
{
    return (size_t)(tftp_block_offset(s, last) + tftp_block_length(s, last) -
                    tftp_block_offset(s, first));
}

/* Read at least `need` bytes at `off` into buf (up to `size`). Returns
 * the bytes read, or -1 with *why set. */
static ssize_t read_at_least(const struct tftp_sender *tx, uint8_t *buf, size_t size, uint64_t off,
                             size_t need, const char **why)
{
    size_t got = 0;
    if (tx->mem) {
        if (off > tx->mem_len || need > tx->mem_len - off) {
            *why = "read past the end of the data";
            return -1;
        }
        got = tx->mem_len - off < size ? (size_t)(tx->mem_len - off) : size;
        memcpy(buf, tx->mem + off, got);
        return (ssize_t)got;
    }
    while (got < need) {
        ssize_t r = pread(tx->file_fd, buf + got, size - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            /* The file shrank or failed under us. */
            *why = r < 0 ? strerror(errno) : "file changed while sending";
            return -1;
        }
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Blocks first..first+count-1 of the file, back to back. Small runs
 * (lock-step: one block per ACK) come from a per-transfer read-ahead buffer
 * refilled every READ_AHEAD bytes, so most ACKs cost no read at all; bigger
 * runs are read into the buffer shared by all transfers. NULL after a read
 * error (*why says which). */
static const uint8_t *read_blocks(struct tftp_sender *x, const struct tftp_session *s,
                                  uint32_t first, uint32_t count, size_t *bytes, const char **why)
{
    uint64_t off = tftp_block_offset(s, first);
    *bytes = run_bytes(s, first, first + count - 1);
    if (*bytes == 0)
        return x->shared->data;     /* the empty final block: nothing to read */
    if (*bytes <= READ_AHEAD / 2) {
        if (off >= x->ahead_off && off + *bytes <= x->ahead_off + x->ahead_len)
            return x->ahead + (off - x->ahead_off);
        if (!x->ahead && !(x->ahead = malloc(READ_AHEAD)))
            goto shared;
        uint64_t left = s->size - off;
        size_t want = left < READ_AHEAD ? (size_t)left : READ_AHEAD;
        x->ahead_len = 0;
        ssize_t got = read_at_least(x, x->ahead, want, off, *bytes, why);
        if (got < 0)
            return NULL;
        x->ahead_off = off;
        x->ahead_len = (size_t)got;
        return x->ahead;
    }
shared:
    if (read_at_least(x, x->shared->data, *bytes, off, *bytes, why) < 0)
        return NULL;
    return x->shared->data;
}

struct ascii_input {
    struct tftp_sender *x;
    const char **why;
};

/* The netascii converter's input: the file through the read-ahead buffer. */
static ssize_t ascii_read_cb(void *ctx, uint64_t off, const uint8_t **data)
{
    struct ascii_input *in = ctx;
    struct tftp_sender *x = in->x;
    if (off < x->ahead_off || off >= x->ahead_off + x->ahead_len) {
        if (!x->ahead && !(x->ahead = malloc(READ_AHEAD)))
            return -ENOMEM;
        uint64_t left = x->ascii->in_size - off;
        size_t want = left < READ_AHEAD ? (size_t)left : READ_AHEAD;
        x->ahead_len = 0;
        if (read_at_least(x, x->ahead, want, off, want, in->why) < 0)
            return -EIO;
        x->ahead_off = off;
        x->ahead_len = want;
    }
    *data = x->ahead + (off - x->ahead_off);
    return (ssize_t)(x->ahead_off + x->ahead_len - off);
}

/* Netascii blocks first..first+*count-1, converted into the shared buffer;
 * *count shrinks when the file ends first. NULL after an error. */
static const uint8_t *ascii_blocks(struct tftp_sender *x, uint32_t first, uint32_t *count,
                                   size_t *bytes, const char **why)
{
    struct ascii_input in = { x, why };
    long made = tftp_netascii_blocks(x->ascii, first, *count, ascii_read_cb, &in, x->shared->data,
                                     bytes);
    if (made < 0) {
        if (!*why)
            *why = made == -EINVAL ? "netascii block outside the window" : strerror((int)-made);
        return NULL;
    }
    *count = (uint32_t)made;
    return x->shared->data;
}

/* Header and data iovecs for `count` blocks starting at `first`, whose
 * `bytes` lie back to back at `data`: full blocks, the last maybe short. */
static void block_iovecs(struct tftp_send_buf *b, uint16_t blksize, uint32_t first, uint32_t count,
                         const uint8_t *data, size_t bytes)
{
    size_t pos = 0;
    for (uint32_t i = 0; i < count; i++) {
        size_t len = bytes - pos < blksize ? bytes - pos : blksize;
        tftp_build_data_header((uint16_t)(first + i), b->hdrs[i]);
        b->iov[i][0] = (struct iovec){ b->hdrs[i], 4 };
        b->iov[i][1] = (struct iovec){ (void *)(data + pos), len };
        pos += len;
    }
}

/* One datagram per block, all in one sendmmsg. Returns how many went out. */
static uint32_t send_mmsg(struct tftp_sender *x, uint32_t count)
{
    struct mmsghdr *msgs = x->shared->msgs;
    for (uint32_t i = 0; i < count; i++) {
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_name = &x->peer;
        msgs[i].msg_hdr.msg_namelen = sizeof x->peer;
        msgs[i].msg_hdr.msg_iov = x->shared->iov[i];
        msgs[i].msg_hdr.msg_iovlen = 2;
    }
    uint32_t done = 0;
    while (done < count) {
        int sent = sendmmsg(x->sock, msgs + done, count - done, 0);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            break;      /* EAGAIN/ENOBUFS: the timeout resends from here */
        }
        done += (uint32_t)sent;
    }
    return done;
}

/* UDP GSO (UDP_SEGMENT): the whole run of blocks goes down the stack as one
 * buffer that the kernel (or the NIC) cuts into one datagram per block, every
 * one 4 + blksize bytes except a short final block. One pass through the
 * stack instead of one per block. Returns how many blocks went out, or -1
 * when this socket cannot do GSO (the caller falls back to sendmmsg). */
static int send_gso(struct tftp_sender *x, uint16_t blksize, uint32_t count)
{
    /* The segment size rides on each send (not the socket), so single
     * datagrams never meet the GSO checks. */
    union {
        char buf[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = { .msg_name = &x->peer, .msg_namelen = sizeof x->peer,
                          .msg_iov = &x->shared->iov[0][0], .msg_iovlen = 2 * (size_t)count,
                          .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t segment = (uint16_t)(4 + blksize);
    memcpy(CMSG_DATA(cm), &segment, sizeof segment);
    for (;;) {
        if (sendmsg(x->sock, &msg, 0) >= 0)
            return (int)count;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == ENOBUFS || errno == ECONNREFUSED || errno == EHOSTUNREACH ||
            errno == ENETUNREACH)
            return 0;   /* full, or an ICMP error reported here: the timeout resends */
        return -1;      /* EIO, EINVAL, EMSGSIZE: no GSO on this path */
    }
}

/* After a send, while the client works through it: have the first run of
 * what comes next (block `next` on) in the read-ahead buffer, so the ACK
 * that asks for it is answered without a read. A window of 16 blocks of
 * 1468 bytes is 23 KiB, more than the buffer, so without this every
 * window's first run was read after its ACK. A read error here is left for
 * the real read to report. */
static void prefetch_next(struct tftp_sender *x, const struct tftp_session *s, uint32_t next)
{
    if (x->ascii || next > s->last_block)
        return;
    uint32_t last = min_u32(next + (x->gso_blocks ? x->gso_lead : 1) - 1, s->last_block);
    const char *ignored = NULL;
    size_t bytes;
    if (run_bytes(s, next, last) <= READ_AHEAD / 2)    /* else read_blocks uses the shared buffer */
        (void)read_blocks(x, s, next, last - next + 1, &bytes, &ignored);
}

long tftp_send_blocks(struct tftp_sender *x, const struct tftp_session *s, uint32_t first,
                      uint32_t last, const char **why)
{
    uint32_t per_chunk = TFTP_SEND_BUF_BYTES / s->blksize;
    if (x->gso_blocks && per_chunk > x->gso_blocks)
        per_chunk = x->gso_blocks;
    if (per_chunk > TFTP_SEND_BATCH)
        per_chunk = TFTP_SEND_BATCH;
    if (per_chunk == 0)
        per_chunk = 1;
    long sent = 0;
    for (uint32_t n = first; n <= last;) {
        uint32_t run = n == first && x->gso_blocks ? x->gso_lead : per_chunk;
        uint32_t asked = last - n + 1 > run ? run : last - n + 1, count = asked;
        size_t bytes;
        const uint8_t *data = x->ascii ? ascii_blocks(x, n, &count, &bytes, why)
                                       : read_blocks(x, s, n, count, &bytes, why);
        if (!data)
            return -1;
        if (count == 0)
            break;      /* netascii: past the end */
        block_iovecs(x->shared, s->blksize, n, count, data, bytes);
        int done = -1;
        if (x->gso_blocks && count > 1) {
            done = send_gso(x, s->blksize, count);
            if (done < 0) {
                const char *err = strerror(errno);
                if (x->rl)
                    log_limited(x->rl, LOG_DEBUG, "TFTP: UDP GSO refused (%s), sending block "
                                "by block", err);
                else
                    log_debug("TFTP: UDP GSO refused (%s), sending block by block", err);
                x->gso_blocks = 0;
            }
        }
        if (done < 0)
            done = (int)send_mmsg(x, count);
        sent += done;
        if ((uint32_t)done < asked)
            return sent;
        n += count;
    }
    prefetch_next(x, s, last + 1);
    return sent;
}

#define GSO_RUN_BLOCKS 8
#define GSO_LEAD_BLOCKS 4

void tftp_sender_setup_gso(struct tftp_sender *tx, uint16_t blksize, uint16_t windowsize)
{
    tx->gso_blocks = tx->gso_lead = 0;
    if (windowsize < 2)
        return;
    /* The kernel takes at most 64 segments and 64 KiB in one send. Runs of 8
     * keep the first datagrams of a window reaching the client while the
     * rest are still being cut: one big run was no faster, and GSO runs
     * cost the server much less CPU than sendmmsg (docs/tftp.md).
     *
     * A window's first run is shorter. The client sleeps until its first
     * datagram lands, then works through the window more slowly than we
     * send the rest; the sooner it wakes, the more of its work overlaps
     * ours. A lead of 4 (runs 4, 8, 4 for a window of 16) did best in A/B
     * runs with atftp; 1 or 2 cost more sends than they saved. */
    uint32_t fit = 65000u / (4u + blksize);
    /* cppcheck 2.10 misjudges the range of `fit` (it is 0..16250). */
    // cppcheck-suppress knownConditionTrueFalse
    if (fit < 2)
        return;
    tx->gso_blocks = min_u32(fit, GSO_RUN_BLOCKS);
    tx->gso_lead = min_u32(fit, GSO_LEAD_BLOCKS);
}

void tftp_sender_free(struct tftp_sender *tx)
{
    if (tx->file_fd >= 0)
        close(tx->file_fd);
    tx->file_fd = -1;
    free(tx->mem);
    tx->mem = NULL;
    free(tx->ascii);
    free(tx->ahead);
    tx->ascii = NULL;
    tx->ahead = NULL;
}
