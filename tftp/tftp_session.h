/* tftp_session.h - one read transfer as a pure state machine: ACKs and
 * timeouts in (with `now` in milliseconds), "send these blocks" out.
 *
 * Blocks are counted with a 32-bit number from 1; the wire carries it mod
 * 65536, so a file of more than 65535 blocks continues with block 0
 * (rollover, as tftp-hpa and dnsmasq do). With windowsize W (RFC 7440) up
 * to W blocks are in flight; an ACK for block b means every block <= b
 * arrived. An ACK inside the window is RFC 7440's gap signal: sending
 * resumes at b + 1, as it does after a timeout. In lock-step a duplicate ACK
 * never triggers a resend (Sorcerer's Apprentice, RFC 1123 §4.2.3.1); in a
 * window, a duplicate of the last ACK with blocks out means the window's
 * first block was lost, and resends too.
 *
 * Resends are bounded: after one, until the client acknowledges the whole
 * resent burst, further gap signals only slide the window (send new blocks,
 * nothing twice). After a resend atftp acknowledges a few blocks short of
 * our window's edge (it appears to count duplicates towards its window);
 * answering each such ACK with a resend kept it misaligned for the rest of
 * the transfer, resending much of the file (docs/tftp.md). A real second gap
 * inside a resent burst is then recovered by the timeout.
 *
 * The retransmit timeout. A timeout the client negotiated (RFC 2349) is its
 * choice and stays fixed. Otherwise the session measures the round trip
 * (from sending a burst to the ACK that covers its last block, never for a
 * burst that was resent: Karn) and waits SRTT + 4 RTTVAR as RFC 6298
 * computes them, no less than TFTP_MIN_TIMEOUT_MS and no more than the
 * configured timeout. Why: in lock-step a lost DATA block is only ever
 * recovered by our timer (the client repeating its ACK must not trigger a
 * resend), so with a fixed 1 s every lost block cost a full second.
 * Each retry doubles the wait (up to 16 s). Retries count towards the
 * limit only once the wait has reached the configured timeout, so a client
 * that stays silent is given up on no sooner than with a fixed timeout.
 * (Tried and dropped: one quick retry, then the configured timeout. A
 * resend lost too, or the block after it, then cost the full timeout.) */
#ifndef NETBOOTD_TFTP_SESSION_H
#define NETBOOTD_TFTP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

/* No timeout below this: TFTP has no delayed ACKs, but a busy or emulated
 * client can stall for tens of milliseconds; a resend too early costs one
 * duplicate block and a doubled timeout. */
#define TFTP_MIN_TIMEOUT_MS 50

/* Resends for a client that has acknowledged nothing yet (not the OACK,
 * not the first block): most likely a forged source address whose ACKs
 * will never come (tftp_admit.h), so it is given up on after a few
 * seconds; a real client whose first ACK was lost gets these resends. A
 * transfer that has moved keeps the configured retries. */
#define TFTP_PENDING_RETRIES 2

enum tftp_session_state {
    TFTP_SESSION_OACK,      /* OACK sent, waiting for ACK 0 */
    TFTP_SESSION_DATA,      /* data flowing */
    TFTP_SESSION_DONE,      /* last block acknowledged */
    TFTP_SESSION_FAILED,    /* retries exhausted, or the client gave up */
};

struct tftp_session {
    enum tftp_session_state state;
    uint64_t size;          /* bytes to send (after netascii conversion) */
    uint16_t blksize;
    uint16_t windowsize;
    uint32_t last_block;    /* size / blksize + 1: the short (maybe empty) final block */
    uint32_t acked;         /* every block <= acked has arrived */
    uint32_t sent;          /* highest block sent in the current window */
    unsigned timeout_ms;    /* current retransmit timeout */
    unsigned base_timeout_ms;   /* negotiated, or the configured ceiling */
    bool adaptive;          /* not negotiated: measured, doubled on each retry */
    bool timing;            /* a round-trip sample is under way (adaptive) */
    uint32_t timed_block;   /* ... ended by the ACK that covers this block */
    int64_t timed_since_ms; /* ... sent at this time */
    bool measured;          /* srtt_us and rttvar_us hold samples (RFC 6298) */
    uint32_t srtt_us, rttvar_us;
    unsigned retries, max_retries;
    bool answered;          /* the client has acknowledged something */
    int64_t deadline_ms;    /* when the timeout fires */
    uint64_t retransmitted; /* blocks sent more than once (for logs/bench) */
    unsigned timeouts;      /* resends the timer caused (the rest: gap signals) */
    uint64_t retransmitted_on_timeout;  /* ... and the blocks they resent */
    uint32_t rewind_mark;   /* after a resend: its last block; 0 = resends allowed */
    uint32_t resend_echo;   /* the ACK that completed the last resend */
};

/* What the I/O shell must do now. */
struct tftp_send {
    bool oack;              /* (re)send the OACK */
    uint32_t first, last;   /* send blocks first..last; none when first > last */
};

/* Start a transfer. With an OACK the session waits for ACK 0 first.
 * timeout_ms is the negotiated timeout, or with `adaptive` the configured
 * one (the first wait, and the longest before backing off). */
void tftp_session_start(struct tftp_session *s, uint64_t size, uint16_t blksize,
                        uint16_t windowsize, unsigned timeout_ms, bool adaptive,
                        unsigned max_retries, bool oack, int64_t now, struct tftp_send *out);

/* An ACK for wire block `block16`. */
void tftp_session_on_ack(struct tftp_session *s, uint16_t block16, int64_t now,
                         struct tftp_send *out);

/* The timer fired (now >= deadline). */
void tftp_session_on_timeout(struct tftp_session *s, int64_t now, struct tftp_send *out);

/* The size is known now (netascii: the conversion met the end of the file;
 * the session ran on an upper bound until then). Sets the final block; a
 * window planned past it ends there. */
void tftp_session_set_size(struct tftp_session *s, uint64_t size);

/* The shell could only send up to `last` of what it was asked (socket full). */
void tftp_session_sent(struct tftp_session *s, uint32_t last);

/* Byte offset and length of block n (1-based). */
uint64_t tftp_block_offset(const struct tftp_session *s, uint32_t n);
uint32_t tftp_block_length(const struct tftp_session *s, uint32_t n);

#endif
