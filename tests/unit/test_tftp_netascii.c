/* test_tftp_netascii.c - netascii converted block by block: pairs split
 * across blocks, a file of whole blocks ending in an empty block, resends
 * from the window's first block, the end found on the way (the session's
 * size set late), and no tsize offered for netascii. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_util.h"
#include "tftp_netascii.h"
#include "tftp_send.h"
#include "tftp_session.h"
#include "tftp_wire.h"

/* The whole-file conversion, as the reference. */
static size_t encode_all(const uint8_t *in, size_t len, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '\n' || in[i] == '\r') {
            out[o++] = '\r';
            out[o++] = in[i] == '\n' ? '\n' : '\0';
        } else {
            out[o++] = in[i];
        }
    }
    return o;
}

/* The read callback over a buffer, handing out at most `chunk` bytes at a
 * time (as the read-ahead does) and nothing past `len`. */
struct mem_file {
    const uint8_t *data;
    size_t len, chunk;
    unsigned reads;
};

static ssize_t mem_read(void *ctx, uint64_t off, const uint8_t **data)
{
    struct mem_file *f = ctx;
    f->reads++;
    if (off >= f->len)
        return 0;
    *data = f->data + off;
    size_t left = f->len - (size_t)off;
    return (ssize_t)(left < f->chunk ? left : f->chunk);
}

static void test_netascii_step(void **state)
{
    (void)state;
    struct tftp_netascii_pos pos = { 0, -1 };
    uint8_t out[16];
    assert_int_equal(tftp_netascii_step(&pos, (const uint8_t *)"a\nb\rc", 5, out, sizeof out), 7);
    assert_memory_equal(out, "a\r\nb\r\0c", 7);
    assert_int_equal(pos.in_off, 5);
    /* Room for the CR only: the LF is owed to the next output. */
    pos = (struct tftp_netascii_pos){ 0, -1 };
    assert_int_equal(tftp_netascii_step(&pos, (const uint8_t *)"a\nb", 3, out, 2), 2);
    assert_memory_equal(out, "a\r", 2);
    assert_int_equal(pos.carry, '\n');
    assert_int_equal(pos.in_off, 2);
    assert_int_equal(tftp_netascii_step(&pos, (const uint8_t *)"b", 1, out, 8), 2);
    assert_memory_equal(out, "\nb", 2);
    assert_int_equal(pos.carry, -1);
    /* A bare CR split the same way owes a NUL. */
    pos = (struct tftp_netascii_pos){ 0, -1 };
    assert_int_equal(tftp_netascii_step(&pos, (const uint8_t *)"\r", 1, out, 1), 1);
    assert_int_equal(pos.carry, 0);
    assert_int_equal(tftp_netascii_step(&pos, NULL, 0, out, 1), 1);
    assert_int_equal(out[0], 0);
    assert_int_equal(tftp_netascii_size_bound(10), 20);
}

/* Blocks of `blksize` from a stream over `in`; every block checked against
 * the reference; returns the number of blocks. */
static uint32_t stream_all(const uint8_t *in, size_t len, uint16_t blksize, uint16_t window,
                           const uint8_t *ref, size_t ref_len)
{
    struct tftp_netascii *na = tftp_netascii_new(len, blksize, window);
    assert_non_null(na);
    struct mem_file f = { in, len, 7 };
    uint8_t *out = malloc((size_t)blksize * window);
    uint32_t acked = 0;
    for (;;) {
        size_t bytes;
        long made = tftp_netascii_blocks(na, acked + 1, window, mem_read, &f, out, &bytes);
        assert_true(made >= 1 && made <= window);
        uint64_t off = (uint64_t)acked * blksize;
        assert_true(off + bytes <= ref_len);
        assert_memory_equal(out, ref + off, bytes);
        /* A resend of the same window converts the same bytes again. */
        size_t again;
        assert_int_equal(tftp_netascii_blocks(na, acked + 1, (uint32_t)made, mem_read, &f, out, &again),
                         made);
        assert_int_equal(again, bytes);
        assert_memory_equal(out, ref + off, bytes);
        if (made < window || (na->ended && acked + (uint32_t)made == na->size / blksize + 1)) {
            acked += (uint32_t)made;
            break;
        }
        /* The client acknowledges half the window (a gap signal): the next
         * burst starts inside what was already converted. */
        acked += made > 1 ? (uint32_t)made / 2 : 1;
    }
    assert_true(na->ended);
    assert_int_equal(na->size, ref_len);
    assert_int_equal(acked, ref_len / blksize + 1);
    free(out);
    free(na);
    return acked;
}

static void test_netascii_blocks_match_whole_file(void **state)
{
    (void)state;
    enum { LEN = 5000 };
    static uint8_t in[LEN], ref[2 * LEN];
    for (size_t i = 0; i < LEN; i++) {
        unsigned r = (unsigned)(i * 2654435761u) >> 24;
        in[i] = r < 40 ? '\n' : r < 80 ? '\r' : (uint8_t)('a' + r % 26);
    }
    size_t ref_len = encode_all(in, LEN, ref);
    const uint16_t sizes[] = { 8, 9, 512, 1468 };
    const uint16_t windows[] = { 1, 4, 64 };
    for (size_t b = 0; b < 4; b++)
        for (size_t w = 0; w < 3; w++)
            stream_all(in, LEN, sizes[b], windows[w], ref, ref_len);
    /* Lines that end exactly at block edges and pairs cut by them. */
    for (size_t len = 0; len <= 12; len++)
        for (uint16_t blk = 8; blk <= 10; blk++) {
            uint8_t ref2[32];
            size_t n = encode_all((const uint8_t *)"abcdefg\nxy\r\n", len, ref2);
            stream_all((const uint8_t *)"abcdefg\nxy\r\n", len, blk, 2, ref2, n);
        }
}

/* A conversion that fills its last block exactly ends with an empty block;
 * one whose pair is cut by the edge of a full block does not end there. */
static void test_netascii_edges(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t bytes;
    struct mem_file f = { (const uint8_t *)"abc\n", 4, 64 };
    struct tftp_netascii *na = tftp_netascii_new(4, 5, 4);
    assert_int_equal(tftp_netascii_blocks(na, 1, 4, mem_read, &f, out, &bytes), 2);
    assert_int_equal(bytes, 5);
    assert_memory_equal(out, "abc\r\n", 5);
    assert_true(na->ended);
    assert_int_equal(na->size, 5);
    free(na);

    f = (struct mem_file){ (const uint8_t *)"abcd\n", 5, 64 };
    na = tftp_netascii_new(5, 5, 1);
    assert_int_equal(tftp_netascii_blocks(na, 1, 1, mem_read, &f, out, &bytes), 1);
    assert_memory_equal(out, "abcd\r", 5);
    assert_false(na->ended);     /* the LF is still owed */
    assert_int_equal(tftp_netascii_blocks(na, 2, 1, mem_read, &f, out, &bytes), 1);
    assert_int_equal(bytes, 1);
    assert_int_equal(out[0], '\n');
    assert_true(na->ended);
    assert_int_equal(na->size, 6);
    assert_int_equal(tftp_netascii_blocks(na, 3, 1, mem_read, &f, out, &bytes), 0);
    /* Older than the window (block 1 is gone with window 1): refused. */
    assert_int_equal(tftp_netascii_blocks(na, 1, 1, mem_read, &f, out, &bytes), -EINVAL);
    assert_int_equal(tftp_netascii_blocks(na, 0, 1, mem_read, &f, out, &bytes), -EINVAL);
    free(na);

    /* A zero-length file: one empty block. */
    na = tftp_netascii_new(0, 512, 1);
    assert_int_equal(tftp_netascii_blocks(na, 1, 1, mem_read, &f, out, &bytes), 1);
    assert_int_equal(bytes, 0);
    assert_true(na->ended);
    assert_int_equal(na->size, 0);
    free(na);

    /* The file shrank under us: an error, not a short transfer. */
    f = (struct mem_file){ (const uint8_t *)"abcdef", 3, 64 };
    na = tftp_netascii_new(6, 512, 1);
    assert_int_equal(tftp_netascii_blocks(na, 1, 1, mem_read, &f, out, &bytes), -EIO);
    free(na);
}

/* The session runs on the upper bound until the size is found: the window
 * planned past the real end ends at the final block, whose ACK ends it. */
static void test_session_size_set_late(void **state)
{
    (void)state;
    struct tftp_session s;
    struct tftp_send w;
    tftp_session_start(&s, tftp_netascii_size_bound(1000), 512, 8, 1000, true, 5, false, 0, &w);
    assert_int_equal(s.last_block, 4);
    assert_int_equal(w.last, 4);
    tftp_session_set_size(&s, 1100);    /* blocks 1, 2 full, 3 short */
    assert_int_equal(s.last_block, 3);
    assert_int_equal(s.sent, 3);
    tftp_session_on_ack(&s, 3, 5, &w);
    assert_int_equal(s.state, TFTP_SESSION_DONE);
    assert_true(s.measured);            /* the final block's ACK ended the sample */
}

/* Netascii asks for no tsize (the size is known only at the end). */
static void test_netascii_no_tsize(void **state)
{
    (void)state;
    const uint8_t rrq[] = "\0\1f\0netascii\0tsize\0" "0\0blksize\0" "1024";
    struct tftp_request r;
    const char *why;
    assert_int_equal(tftp_parse_request(rrq, sizeof rrq, &r, &why), 0);
    assert_true(r.netascii && r.has_tsize);
    struct tftp_limits lim = { 1468, 64 };
    struct tftp_accepted acc;
    tftp_negotiate(&r, &lim, 1000, &acc);
    assert_false(acc.tsize);
    assert_true(acc.blksize);
}

/* Through the sender over loopback: a netascii window whose end is found
 * mid-window sends only up to the final block. */
static void test_sender_netascii_over_loopback(void **state)
{
    (void)state;
    char path[] = "/tmp/netbootd-ascii-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    static uint8_t file[3000], ref[6000];
    for (size_t i = 0; i < sizeof file; i++)
        file[i] = i % 13 == 0 ? '\n' : i % 17 == 0 ? '\r' : (uint8_t)('A' + i % 26);
    assert_int_equal(write(fd, file, sizeof file), (ssize_t)sizeof file);
    size_t ref_len = encode_all(file, sizeof file, ref);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof addr;
    int rx = socket(AF_INET, SOCK_DGRAM, 0), txs = socket(AF_INET, SOCK_DGRAM, 0);
    assert_int_equal(bind(rx, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(getsockname(rx, (struct sockaddr *)&addr, &alen), 0);
    static struct tftp_send_buf shared;
    struct tftp_sender tx = { .sock = txs, .peer = addr, .file_fd = fd, .shared = &shared,
                              .ascii = tftp_netascii_new(sizeof file, 512, 16) };
    tftp_sender_setup_gso(&tx, 512, 16);
    struct tftp_session s;
    struct tftp_send w;
    tftp_session_start(&s, tftp_netascii_size_bound(sizeof file), 512, 16, 1000, true, 5, false, 0,
                       &w);
    const char *why = NULL;
    long sent = tftp_send_blocks(&tx, &s, w.first, w.last, &why);
    assert_int_equal(sent, (long)(ref_len / 512 + 1));
    assert_true(tx.ascii->ended);
    assert_int_equal(tx.ascii->size, ref_len);
    for (long b = 1; b <= sent; b++) {
        uint8_t dgram[600];
        size_t want = (size_t)b * 512 <= ref_len ? 512 : ref_len - (size_t)(b - 1) * 512;
        assert_int_equal(recv(rx, dgram, sizeof dgram, MSG_DONTWAIT), 4 + (ssize_t)want);
        assert_int_equal((dgram[2] << 8) | dgram[3], b);
        assert_memory_equal(dgram + 4, ref + (b - 1) * 512, want);
    }
    tftp_sender_free(&tx);
    close(txs);
    close(rx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_netascii_step),
        cmocka_unit_test(test_netascii_blocks_match_whole_file),
        cmocka_unit_test(test_netascii_edges),
        cmocka_unit_test(test_session_size_set_late),
        cmocka_unit_test(test_netascii_no_tsize),
        cmocka_unit_test(test_sender_netascii_over_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
