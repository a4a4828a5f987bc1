/* test_tftp.c - TFTP request parsing and negotiation, the transfer state
 * machine with injected time, netascii, and windows sent over loopback as
 * UDP GSO runs (path resolution: test_tftp_path.c). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"
#include "tftp_send.h"
#include "tftp_session.h"
#include "tftp_wire.h"

static size_t rrq(uint8_t *buf, const char *name, const char *mode, const char *const *opts,
                  size_t n_opts)
{
    size_t len = 0;
    buf[len++] = 0;
    buf[len++] = 1;
    strcpy((char *)buf + len, name);
    len += strlen(name) + 1;
    strcpy((char *)buf + len, mode);
    len += strlen(mode) + 1;
    for (size_t i = 0; i < n_opts; i++) {
        strcpy((char *)buf + len, opts[i]);
        len += strlen(opts[i]) + 1;
    }
    return len;
}

static void test_parse_requests(void **state)
{
    (void)state;
    uint8_t buf[1024];
    struct tftp_request r;
    const char *why;
    const char *edk2[] = { "tsize", "0", "blksize", "1468", "windowsize", "4" };
    size_t len = rrq(buf, "efi64/syslinux.efi", "octet", edk2, 6);
    assert_int_equal(tftp_parse_request(buf, len, &r, &why), 0);
    assert_int_equal(r.opcode, TFTP_RRQ);
    assert_int_equal(r.filename_len, 18);
    assert_false(r.netascii);
    assert_true(r.has_tsize && r.has_blksize && r.has_windowsize);
    assert_int_equal(r.blksize, 1468);
    assert_int_equal(r.windowsize, 4);
    /* Every truncation is refused or parsed without over-reading. */
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, buf, cut);
        tftp_parse_request(copy, cut, &r, &why);
        free(copy);
    }
    assert_int_equal(tftp_parse_request(buf, 6, &r, &why), -EBADMSG);     /* no NUL */
    len = rrq(buf, "x", "mail", NULL, 0);
    assert_int_equal(tftp_parse_request(buf, len, &r, &why), -EPROTONOSUPPORT);
    len = rrq(buf, "x", "NetASCII", NULL, 0);
    assert_int_equal(tftp_parse_request(buf, len, &r, &why), 0);
    assert_true(r.netascii);
    char huge[400];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    len = rrq(buf, huge, "octet", NULL, 0);
    assert_int_equal(tftp_parse_request(buf, len, &r, &why), -ENAMETOOLONG);
    len = rrq(buf, "", "octet", NULL, 0);
    assert_int_equal(tftp_parse_request(buf, len, &r, &why), -EBADMSG);
}

static void test_option_edges(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct tftp_request r;
    const char *why;
    struct { const char *name, *value; bool accepted; unsigned got; } cases[] = {
        { "blksize", "7", false, 0 },       { "blksize", "8", true, 8 },
        { "blksize", "65464", true, 65464 }, { "blksize", "65465", true, 65464 },
        { "blksize", "-1", false, 0 },      { "blksize", "12x", false, 0 },
        { "windowsize", "0", false, 0 },    { "windowsize", "1", true, 1 },
        { "windowsize", "65535", true, 65535 }, { "windowsize", "65536", false, 0 },
        { "timeout", "0", false, 0 },       { "timeout", "1", true, 1 },
        { "timeout", "255", true, 255 },    { "timeout", "256", false, 0 },
        { "BLKSIZE", "1024", true, 1024 },  /* option names are case-insensitive */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *opts[] = { cases[i].name, cases[i].value };
        size_t len = rrq(buf, "f", "octet", opts, 2);
        assert_int_equal(tftp_parse_request(buf, len, &r, &why), 0);
        bool has = r.has_blksize || r.has_windowsize || r.has_timeout;
        assert_int_equal(has, cases[i].accepted);
        if (has) {
            unsigned v = r.has_blksize ? r.blksize : r.has_windowsize ? r.windowsize : r.timeout;
            assert_int_equal(v, cases[i].got);
        }
    }
    /* A duplicate option: the first one counts. */
    const char *dup[] = { "blksize", "1024", "blksize", "512" };
    size_t len = rrq(buf, "f", "octet", dup, 4);
    assert_int_equal(tftp_parse_request(buf, len, &r, &why), 0);
    assert_int_equal(r.blksize, 1024);
}

static void test_negotiate_and_oack(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct tftp_request r;
    struct tftp_accepted a;
    const char *why;
    const char *opts[] = { "tsize", "0", "blksize", "9000", "windowsize", "100", "foo", "1" };
    size_t len = rrq(buf, "f", "octet", opts, 8);
    assert_int_equal(tftp_parse_request(buf, len, &r, &why), 0);
    struct tftp_limits lim = { 1468, 64 };
    tftp_negotiate(&r, &lim, 123456, &a);
    assert_int_equal(a.blksize_value, 1468);
    assert_int_equal(a.windowsize_value, 64);
    assert_int_equal(a.tsize_value, 123456);
    assert_false(a.timeout);
    uint8_t oack[256];
    size_t n = tftp_build_oack(&a, oack, sizeof oack);
    static const char want[] = "\x00\x06" "blksize\0" "1468\0" "tsize\0" "123456\0"
                               "windowsize\0" "64";
    assert_int_equal(n, sizeof want);
    assert_memory_equal(oack, want, sizeof want);
    /* No options: no OACK, plain 512-byte lock-step. */
    len = rrq(buf, "f", "octet", NULL, 0);
    tftp_parse_request(buf, len, &r, &why);
    tftp_negotiate(&r, &lim, 10, &a);
    assert_false(tftp_accepted_any(&a));
    assert_int_equal(a.blksize_value, 512);
    assert_int_equal(a.windowsize_value, 1);
    n = tftp_build_error(TFTP_ERR_ACCESS, "read-only server", oack, sizeof oack);
    assert_int_equal(n, 4 + 17);
    assert_memory_equal(oack, "\x00\x05\x00\x02read-only server", 21);
}

static void test_session_lockstep(void **state)
{
    (void)state;
    struct tftp_session s;
    struct tftp_send w;
    /* 1024 bytes at 512: blocks 1, 2 and an empty block 3. */
    tftp_session_start(&s, 1024, 512, 1, 1000, true, 3, false, 0, &w);
    assert_false(w.oack);
    assert_int_equal(w.first, 1);
    assert_int_equal(w.last, 1);
    assert_int_equal(s.last_block, 3);
    assert_int_equal(tftp_block_length(&s, 3), 0);
    tftp_session_on_ack(&s, 1, 10, &w);
    assert_int_equal(w.first, 2);
    assert_int_equal(w.last, 2);
    /* A duplicate ACK 1 sends nothing (Sorcerer's Apprentice). */
    tftp_session_on_ack(&s, 1, 20, &w);
    assert_true(w.first > w.last);
    assert_false(w.oack);
    /* The ACK came 10 ms after block 1: SRTT 10 ms, RTTVAR 5 ms, so the
     * timeout is 10 + 4 * 5 = 30 ms, raised to the floor of 50. */
    assert_int_equal(s.timeout_ms, TFTP_MIN_TIMEOUT_MS);
    assert_int_equal(s.deadline_ms, 10 + TFTP_MIN_TIMEOUT_MS);
    tftp_session_on_timeout(&s, 59, &w);           /* too early */
    assert_true(w.first > w.last);
    /* Timeout: resend block 2 only, and wait twice as long. */
    tftp_session_on_timeout(&s, 60, &w);
    assert_int_equal(w.first, 2);
    assert_int_equal(w.last, 2);
    assert_int_equal(s.timeout_ms, 2 * TFTP_MIN_TIMEOUT_MS);
    assert_int_equal(s.timeouts, 1);
    assert_int_equal(s.retransmitted_on_timeout, 1);
    tftp_session_on_ack(&s, 2, 1100, &w);
    assert_int_equal(w.first, 3);
    tftp_session_on_ack(&s, 3, 1200, &w);
    assert_int_equal(s.state, TFTP_SESSION_DONE);
}

static void test_session_window_and_rewind(void **state)
{
    (void)state;
    struct tftp_session s;
    struct tftp_send w;
    tftp_session_start(&s, 100 * 1468, 1468, 16, 1000, false, 5, true, 0, &w);
    assert_true(w.oack);
    assert_true(w.first > w.last);
    tftp_session_on_ack(&s, 5, 1, &w);             /* not ACK 0: ignored */
    assert_true(w.first > w.last);
    tftp_session_on_ack(&s, 0, 2, &w);
    assert_int_equal(w.first, 1);
    assert_int_equal(w.last, 16);
    /* The client saw 1..9 then a gap: ACK 9 rewinds to 10. */
    tftp_session_on_ack(&s, 9, 3, &w);
    assert_int_equal(w.first, 10);
    assert_int_equal(w.last, 25);
    /* An old ACK (5) after that: ignored, no burst. */
    tftp_session_on_ack(&s, 5, 4, &w);
    assert_true(w.first > w.last);
    /* Timeout resends from the first unacknowledged block, once. */
    tftp_session_on_timeout(&s, 500, &w);      /* too early */
    assert_true(w.first > w.last);
    tftp_session_on_timeout(&s, 1003, &w);
    assert_int_equal(w.first, 10);
    assert_int_equal(w.last, 25);
    assert_int_equal(s.timeout_ms, 1000);       /* negotiated timeout: no backoff */
    tftp_session_on_ack(&s, 25, 1004, &w);
    assert_int_equal(w.first, 26);
    /* The final window is short: 100 full blocks + an empty block 101. */
    for (uint32_t b = 41; b < 101; b += 16)
        tftp_session_on_ack(&s, (uint16_t)b, 1005, &w);
    assert_int_equal(w.last, 101);
    tftp_session_on_ack(&s, 101, 1006, &w);
    assert_int_equal(s.state, TFTP_SESSION_DONE);
}

/* The session asked the shell to send blocks first..last. */
static void expect_send(const struct tftp_send *w, uint32_t first, uint32_t last)
{
    assert_int_equal(w->first, first);
    assert_int_equal(w->last, last);
}

/* Windowed loss handling: a duplicate of the last ACK is a gap at the
 * window's first block; resends come at most once until the resent burst is
 * acknowledged, and ACKs off the window's edge after a resend (atftp counts
 * duplicates) slide the window instead of resending again. */
static void test_session_window_loss(void **state)
{
    (void)state;
    struct tftp_session s;
    struct tftp_send w;
    tftp_session_start(&s, 200 * 1468, 1468, 16, 1000, false, 5, false, 0, &w);
    assert_int_equal(w.last, 16);
    tftp_session_on_ack(&s, 16, 1, &w);
    expect_send(&w, 17, 32);
    /* Block 17 lost: the client repeats ACK 16. Resend 17..32, once. */
    tftp_session_on_ack(&s, 16, 2, &w);
    expect_send(&w, 17, 32);
    assert_int_equal(s.retransmitted, 16);
    tftp_session_on_ack(&s, 16, 3, &w);
    assert_true(w.first > w.last);
    /* The resent burst arrives: back to plain windows. */
    tftp_session_on_ack(&s, 32, 4, &w);
    expect_send(&w, 33, 48);
    /* The client re-acknowledges the resent blocks it already had: an echo
     * of our resend, not a gap (else every window would go out twice). */
    tftp_session_on_ack(&s, 32, 5, &w);
    assert_true(w.first > w.last);
    assert_int_equal(s.retransmitted, 16);
    /* The tail of that window is lost: the timeout resends 33..48. */
    tftp_session_on_timeout(&s, 1004, &w);
    expect_send(&w, 33, 48);
    assert_int_equal(s.retransmitted, 32);
    assert_int_equal(s.retransmitted_on_timeout, 16);
    /* The client counted 4 duplicates and acknowledges 44: slide to 60
     * without resending 45..48, which are on their way. */
    tftp_session_on_ack(&s, 44, 1005, &w);
    expect_send(&w, 49, 60);
    assert_int_equal(s.retransmitted, 32);
    /* Past the resent burst, a gap signal resends again (RFC 7440). */
    tftp_session_on_ack(&s, 52, 1006, &w);
    expect_send(&w, 53, 68);
    assert_int_equal(s.retransmitted, 40);
    /* A second gap inside that burst only slides; nothing new fits yet. */
    tftp_session_on_ack(&s, 54, 1007, &w);
    expect_send(&w, 69, 70);
    tftp_session_on_ack(&s, 54, 1008, &w);     /* repeated: still no resend */
    assert_true(w.first > w.last);
    assert_int_equal(s.retransmitted, 40);
    /* ... and the timeout recovers it. */
    tftp_session_on_timeout(&s, 2008, &w);
    expect_send(&w, 55, 70);

    /* Lock-step: a duplicate ACK never resends (Sorcerer's Apprentice). */
    tftp_session_start(&s, 10 * 512, 512, 1, 1000, false, 5, false, 0, &w);
    tftp_session_on_ack(&s, 1, 1, &w);
    assert_int_equal(w.first, 2);
    tftp_session_on_ack(&s, 1, 2, &w);
    assert_true(w.first > w.last);
    assert_int_equal(s.retransmitted, 0);
}

static void test_session_retries_exhausted(void **state)
{
    (void)state;
    struct tftp_session s;
    struct tftp_send w;
    tftp_session_start(&s, 10, 512, 1, 1000, false, 2, false, 0, &w);
    tftp_session_on_timeout(&s, 1000, &w);
    tftp_session_on_timeout(&s, 2000, &w);
    assert_int_equal(s.state, TFTP_SESSION_DATA);
    tftp_session_on_timeout(&s, 3000, &w);
    assert_int_equal(s.state, TFTP_SESSION_FAILED);

    /* Adaptive, after a fast round trip: the waits below 1 s (50 .. 800
     * ms) are not counted, so the client is given up on no sooner than with
     * a fixed 1 s timeout: 2 retries counted from 1 s (1.6 + 3.2 + 6.4). */
    tftp_session_start(&s, 100000, 512, 1, 1000, true, 2, false, 0, &w);
    tftp_session_on_ack(&s, 1, 1, &w);
    int64_t now = 1;
    unsigned timeouts = 0;
    while (s.state == TFTP_SESSION_DATA && timeouts < 20) {
        now = s.deadline_ms;
        tftp_session_on_timeout(&s, now, &w);
        timeouts++;
    }
    assert_int_equal(s.state, TFTP_SESSION_FAILED);
    assert_int_equal(timeouts, 8);
    assert_int_equal(now, 1 + 50 + 100 + 200 + 400 + 800 + 1600 + 3200 + 6400);
    assert_true(now - 1 >= 1000 + 2000 + 4000);
}

/* Send block after block in lock-step, each ACK `rtt` ms after its DATA. */
static int64_t ack_blocks(struct tftp_session *s, struct tftp_send *w, int64_t now,
                          unsigned n, unsigned rtt)
{
    for (unsigned i = 0; i < n && s->state == TFTP_SESSION_DATA; i++) {
        now += rtt;
        tftp_session_on_ack(s, (uint16_t)w->last, now, w);
    }
    return now;
}

/* The timeout that was not negotiated follows the measured round trip
 * (RFC 6298), between the floor and the configured timeout; a negotiated
 * one never moves. */
static void test_session_adaptive_timeout(void **state)
{
    (void)state;
    struct tftp_session s;
    struct tftp_send w;
    /* Before any sample: the configured timeout. */
    tftp_session_start(&s, 1000 * 512, 512, 1, 1000, true, 5, true, 0, &w);
    assert_int_equal(s.timeout_ms, 1000);
    /* OACK to ACK 0 is the first sample: 0 ms gives the floor. */
    tftp_session_on_ack(&s, 0, 0, &w);
    assert_int_equal(s.timeout_ms, TFTP_MIN_TIMEOUT_MS);
    /* A steady 300 ms: the timeout settles above it, below 1 s. */
    int64_t now = ack_blocks(&s, &w, 0, 40, 300);
    assert_true(s.timeout_ms > 300 && s.timeout_ms < 400);
    /* A steady 3 s: never more than the configured timeout. */
    now = ack_blocks(&s, &w, now, 10, 3000);
    assert_int_equal(s.timeout_ms, 1000);
    /* Back to 2 ms: it comes down again. */
    now = ack_blocks(&s, &w, now, 60, 2);
    assert_int_equal(s.timeout_ms, TFTP_MIN_TIMEOUT_MS);

    /* Karn: an ACK after a resend is no sample, and the backed-off timeout
     * stays until a block sent once is acknowledged. */
    tftp_session_on_timeout(&s, s.deadline_ms, &w);
    now = s.deadline_ms - 2 * TFTP_MIN_TIMEOUT_MS;
    assert_int_equal(s.timeout_ms, 2 * TFTP_MIN_TIMEOUT_MS);
    now = ack_blocks(&s, &w, now, 1, 90);       /* answers the resent block */
    assert_int_equal(s.timeout_ms, 2 * TFTP_MIN_TIMEOUT_MS);
    now = ack_blocks(&s, &w, now, 1, 1);        /* a clean sample */
    assert_int_equal(s.timeout_ms, TFTP_MIN_TIMEOUT_MS);

    /* Windowed: the sample runs from sending a burst to the ACK of its
     * last block; ACKs inside it (gap signals) end no sample. */
    tftp_session_start(&s, 200 * 1468, 1468, 16, 1000, true, 5, false, 0, &w);
    expect_send(&w, 1, 16);
    tftp_session_on_ack(&s, 16, 120, &w);
    expect_send(&w, 17, 32);
    assert_int_equal(s.timeout_ms, 120 + 4 * 60);
    assert_int_equal(s.deadline_ms, 120 + 360);

    /* The socket took only 1..20 of 17..32: the burst's last block is not
     * out yet, so its ACK gives no sample (it would time our queue). */
    tftp_session_sent(&s, 20);
    tftp_session_on_ack(&s, 20, 130, &w);
    expect_send(&w, 21, 36);
    assert_int_equal(s.timeout_ms, 120 + 4 * 60);
    /* A 10 ms sample from 130 (not 20 ms from 120): SRTT 120 * 7/8 + 10/8 =
     * 106.25, RTTVAR 60 * 3/4 + 110/4 = 72.5, timeout 396.25 -> 397 ms. */
    tftp_session_on_ack(&s, 36, 140, &w);
    assert_int_equal(s.timeout_ms, 397);

    /* Negotiated: fixed, whatever the round trip, no backoff. */
    tftp_session_start(&s, 100 * 512, 512, 1, 3000, false, 5, false, 0, &w);
    ack_blocks(&s, &w, 0, 10, 1);
    assert_int_equal(s.timeout_ms, 3000);
    tftp_session_on_timeout(&s, s.deadline_ms, &w);
    assert_int_equal(s.timeout_ms, 3000);
}

static void test_session_rollover(void **state)
{
    (void)state;
    struct tftp_session s;
    struct tftp_send w;
    /* 70000 blocks of 8 bytes: block numbers wrap 65535 -> 0 -> 1 ... */
    tftp_session_start(&s, 70000ull * 8, 8, 8, 1000, false, 5, false, 0, &w);
    uint32_t acked = 0;
    while (s.state == TFTP_SESSION_DATA) {
        acked = w.last;
        tftp_session_on_ack(&s, (uint16_t)acked, 1, &w);
    }
    assert_int_equal(s.state, TFTP_SESSION_DONE);
    assert_int_equal(s.acked, 70001);
    assert_int_equal(tftp_block_offset(&s, 65536), 65535ull * 8);
}

/* GSO runs for windowed transfers: a short lead, then runs of 8, never more
 * than fit in one 64 KiB send; none for lock-step. */
static void test_sender_gso_runs(void **state)
{
    (void)state;
    struct tftp_sender tx = { .sock = -1, .file_fd = -1 };
    tftp_sender_setup_gso(&tx, 1468, 16);
    assert_int_equal(tx.gso_blocks, 8);
    assert_int_equal(tx.gso_lead, 4);
    tftp_sender_setup_gso(&tx, 1468, 1);
    assert_int_equal(tx.gso_blocks, 0);
    tftp_sender_setup_gso(&tx, 21000, 4);       /* 3 blocks fit in one send */
    assert_int_equal(tx.gso_blocks, 3);
    assert_int_equal(tx.gso_lead, 3);
    tftp_sender_setup_gso(&tx, 40000, 4);       /* 1 fits: block by block */
    assert_int_equal(tx.gso_blocks, 0);
}

/* Windows of 16 and a short final window go out over loopback: every
 * datagram arrives once, in order, with its block number and the file's
 * bytes, whatever the runs (lead 4, then 8) cut them into. */
static void test_sender_windows_over_loopback(void **state)
{
    (void)state;
    enum { BLK = 1468, BLOCKS = 37 };
    char path[] = "/tmp/netbootd-send-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    static uint8_t file[BLOCKS * BLK + 100];
    for (size_t i = 0; i < sizeof file; i++)
        file[i] = (uint8_t)(i * 7 + i / 251);
    assert_int_equal(write(fd, file, sizeof file), (ssize_t)sizeof file);

    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    int rx = socket(AF_INET, SOCK_DGRAM, 0), txs = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(rx >= 0 && txs >= 0);
    int rcvbuf = 1 << 20;
    setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    assert_int_equal(bind(rx, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(getsockname(rx, (struct sockaddr *)&addr, &len), 0);

    static struct tftp_send_buf shared;
    struct tftp_sender tx = { .sock = txs, .peer = addr, .file_fd = fd, .shared = &shared };
    tftp_sender_setup_gso(&tx, BLK, 16);
    struct tftp_session s;
    struct tftp_send w;
    tftp_session_start(&s, sizeof file, BLK, 16, 1000, false, 5, false, 0, &w);
    uint32_t expect = 1;
    while (s.state == TFTP_SESSION_DATA) {
        const char *why = NULL;
        assert_int_equal(tftp_send_blocks(&tx, &s, w.first, w.last, &why), (long)(w.last - w.first + 1));
        for (uint32_t b = w.first; b <= w.last; b++, expect++) {
            uint8_t dgram[4 + BLK + 1];
            ssize_t n = recv(rx, dgram, sizeof dgram, MSG_DONTWAIT);
            uint32_t want = tftp_block_length(&s, b);
            assert_int_equal(n, 4 + (ssize_t)want);
            assert_int_equal(dgram[1], 3);                          /* DATA */
            assert_int_equal((dgram[2] << 8) | dgram[3], expect);
            assert_memory_equal(dgram + 4, file + tftp_block_offset(&s, b), want);
        }
        tftp_session_on_ack(&s, (uint16_t)w.last, 1, &w);
    }
    assert_int_equal(s.state, TFTP_SESSION_DONE);
    assert_int_equal(tx.gso_blocks, 8);         /* loopback took GSO: the runs were used */
    assert_int_equal(expect, BLOCKS + 2);       /* 37 full blocks and a short 38th */
    uint8_t extra[8];
    assert_true(recv(rx, extra, sizeof extra, MSG_DONTWAIT) < 0);
    tx.shared = NULL;
    tftp_sender_free(&tx);
    close(txs);
    close(rx);
}

/* A zero-length file is one empty DATA block (block 1, 4 bytes), lock-step
 * and windowed alike, and its OACK says tsize 0. It was refused with
 * "read error": the empty run had no buffer to point at. */
static void test_sender_empty_file(void **state)
{
    (void)state;
    char path[] = "/tmp/netbootd-empty-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    int rx = socket(AF_INET, SOCK_DGRAM, 0), txs = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(rx >= 0 && txs >= 0);
    assert_int_equal(bind(rx, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(getsockname(rx, (struct sockaddr *)&addr, &len), 0);
    static struct tftp_send_buf shared;
    for (uint16_t window = 1; window <= 16; window += 15) {
        struct tftp_sender tx = { .sock = txs, .peer = addr, .file_fd = fd, .shared = &shared };
        tftp_sender_setup_gso(&tx, 1468, window);
        struct tftp_session s;
        struct tftp_send w;
        tftp_session_start(&s, 0, 1468, window, 1000, true, 5, false, 0, &w);
        assert_int_equal(w.first, 1);
        assert_int_equal(w.last, 1);
        const char *why = NULL;
        assert_int_equal(tftp_send_blocks(&tx, &s, w.first, w.last, &why), 1);
        assert_null(why);
        uint8_t dgram[64];
        assert_int_equal(recv(rx, dgram, sizeof dgram, MSG_DONTWAIT), 4);
        assert_memory_equal(dgram, "\0\3\0\1", 4);
        tftp_session_on_ack(&s, 1, 1, &w);
        assert_int_equal(s.state, TFTP_SESSION_DONE);
        assert_true(recv(rx, dgram, sizeof dgram, MSG_DONTWAIT) < 0);
    }
    /* tsize 0 is the size of the file, in the OACK. */
    uint8_t buf[512];
    const char *opts[] = { "tsize", "0" }, *why;
    struct tftp_request r;
    assert_int_equal(tftp_parse_request(buf, rrq(buf, "empty", "octet", opts, 2), &r, &why), 0);
    struct tftp_limits lim = { 1468, 64 };
    struct tftp_accepted acc;
    tftp_negotiate(&r, &lim, 0, &acc);
    size_t n = tftp_build_oack(&acc, buf, sizeof buf);
    assert_int_equal(n, 10);
    assert_memory_equal(buf, "\0\6tsize\0" "0\0", 10);
    close(fd);
    close(txs);
    close(rx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_requests),
        cmocka_unit_test(test_option_edges),
        cmocka_unit_test(test_negotiate_and_oack),
        cmocka_unit_test(test_session_lockstep),
        cmocka_unit_test(test_session_window_and_rewind),
        cmocka_unit_test(test_session_window_loss),
        cmocka_unit_test(test_session_retries_exhausted),
        cmocka_unit_test(test_session_adaptive_timeout),
        cmocka_unit_test(test_session_rollover),
        cmocka_unit_test(test_sender_gso_runs),
        cmocka_unit_test(test_sender_windows_over_loopback),
        cmocka_unit_test(test_sender_empty_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
