/* fuzz_tftp.c - TFTP request parsing, negotiation and path clean-up, then
 * the rest of the input as a script of ACKs and timeouts for a session,
 * and as a file sent in netascii block by block (with resends), which must
 * equal its whole-file conversion. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tftp_netascii.h"
#include "tftp_path.h"
#include "tftp_session.h"
#include "tftp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
    const uint8_t *data;
    size_t len;
};

/* The file's bytes, at most 7 at a time (the converter must cope with
 * short reads). */
static ssize_t read_input(void *ctx, uint64_t off, const uint8_t **data)
{
    const struct input *in = ctx;
    if (off >= in->len)
        return 0;
    *data = in->data + off;
    return in->len - off < 7 ? (ssize_t)(in->len - off) : 7;
}

/* The input as a netascii file: blksize and window from its first bytes,
 * then each window resent from a point the input picks, as a client's
 * gap signals would. Every block must match the whole-file conversion. */
static void netascii_stream(const uint8_t *data, size_t size)
{
    if (size < 3)
        return;
    uint16_t blk = (uint16_t)(8 + data[0] % 64);
    uint16_t win = (uint16_t)(1 + data[1] % 8);
    struct input in = { data, size };
    uint8_t *ref = malloc(2 * size + 1), *out = malloc((size_t)blk * win);
    size_t ref_len = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n' || data[i] == '\r') {
            ref[ref_len++] = '\r';
            ref[ref_len++] = data[i] == '\n' ? '\n' : '\0';
        } else {
            ref[ref_len++] = data[i];
        }
    }
    struct tftp_netascii *na = tftp_netascii_new(size, blk, win);
    uint32_t acked = 0;
    for (size_t step = 2; na && step < 4 * size + 8; step++) {
        size_t bytes;
        long made = tftp_netascii_blocks(na, acked + 1, win, read_input, &in, out, &bytes);
        if (made < 1 || made > win || (uint64_t)acked * blk + bytes > ref_len ||
            memcmp(out, ref + (size_t)acked * blk, bytes) != 0)
            abort();
        uint32_t top = acked + (uint32_t)made;
        if (na->ended && top == na->size / blk + 1) {
            if (na->size != ref_len)
                abort();
            break;
        }
        acked += 1 + data[step % size] % (uint32_t)made;     /* within what was sent */
    }
    free(na);
    free(ref);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tftp_request req;
    struct tftp_accepted acc;
    const char *why;
    char rel[TFTP_MAX_FILENAME + 1];
    if (tftp_parse_request(data, size, &req, &why) == 0) {
        struct tftp_limits lim = { 1468, 64 };
        tftp_negotiate(&req, &lim, size * 1000, &acc);
        uint8_t oack[512];
        if (tftp_accepted_any(&acc) && tftp_build_oack(&acc, oack, sizeof oack) == 0)
            abort();
        for (int bs = 0; bs < 2; bs++)
            if (tftp_path_clean(req.filename, req.filename_len, bs, rel, sizeof rel) == 0) {
                /* Never absolute, never a ".." component. */
                if (rel[0] == '/' || strcmp(rel, "..") == 0 || strncmp(rel, "../", 3) == 0 ||
                    strstr(rel, "/../") || (strlen(rel) >= 3 && strcmp(rel + strlen(rel) - 3, "/..") == 0))
                    abort();
            }
    }
    netascii_stream(data, size);
    /* Session script: 2 bytes per event; high bit of the first = timeout. */
    if (size < 6)
        return 0;
    struct tftp_session s;
    struct tftp_send w;
    uint16_t blk = (uint16_t)(8 + (data[0] << 8 | data[1]) % 2000);
    uint16_t win = (uint16_t)(1 + data[2] % 64);
    uint64_t fsize = (uint64_t)(data[3] << 8 | data[4]) * 37;
    tftp_session_start(&s, fsize, blk, win, 1000, data[5] & 1, 3, data[5] & 2, 0, &w);
    int64_t now = 0;
    for (size_t i = 6; i + 1 < size && s.state != TFTP_SESSION_DONE &&
                       s.state != TFTP_SESSION_FAILED; i += 2) {
        now += data[i + 1] & 0x0f;      /* round trips of 0..15 ms */
        uint32_t was_sent = s.sent;
        if (data[i] & 0x80) {
            now += 5000;
            tftp_session_on_timeout(&s, now, &w);
        } else {
            tftp_session_on_ack(&s, (uint16_t)((data[i] & 0x7f) << 8 | data[i + 1]), now, &w);
        }
        /* What goes out lies in the window after the last ACK and the file,
         * and is either that whole window (a fresh one or a resend) or only
         * blocks never sent before (a slide while a resend is under way). */
        if (w.first <= w.last &&
            (w.first <= s.acked || w.last > s.last_block || w.last > s.acked + s.windowsize ||
             (w.first != s.acked + 1 && w.first != was_sent + 1)))
            abort();
        if (s.acked > s.last_block)
            abort();
        /* The timeout: negotiated ones never move; measured ones stay
         * between the floor and the 16 s backoff ceiling. */
        if (s.adaptive ? s.timeout_ms < TFTP_MIN_TIMEOUT_MS || s.timeout_ms > 16000
                       : s.timeout_ms != 1000)
            abort();
        if (s.state != TFTP_SESSION_DONE && s.state != TFTP_SESSION_FAILED &&
            s.deadline_ms > now + s.timeout_ms)
            abort();
    }
    return 0;
}
