/* tftp_busy_poll.h - when the loop should poll instead of sleeping
 * (tftp.busy-poll). Pure: the shell passes the time in (nanoseconds, any
 * monotonic clock) and starts or stops its idle handle as told.
 *
 * A lock-step client on a local segment answers each DATA within tens of
 * microseconds. Sleeping in epoll_wait in between and being woken for each
 * ACK costs both sides more than that, so for busy-poll µs after each
 * transfer datagram the loop keeps polling (an active idle handle makes
 * libuv poll with a zero timeout). Nothing polls while no datagram comes.
 *
 * A windowed client answers once per window, after working through it,
 * which takes longer than the base poll: the poll would expire just before
 * each ACK. So each transfer keeps the average gap between its datagrams
 * (each gap counted at most TFTP_BUSY_POLL_MAX_FACTOR x the base poll),
 * and the poll after one of its datagrams lasts 1.5x that average when
 * this is longer than the base, within the same maximum. A transfer whose
 * gaps stay at the maximum (a slow client) polls only the base time.
 *
 * Polling pays only when the next datagram comes within the poll. Clients
 * further away (a physical LAN with interrupt moderation) would make every
 * round poll in vain, so after TFTP_BUSY_POLL_MAX_MISSES such rounds in a
 * row polling pauses for TFTP_BUSY_POLL_PAUSE_NS and then tries again. */
#ifndef NETBOOTD_TFTP_BUSY_POLL_H
#define NETBOOTD_TFTP_BUSY_POLL_H

#include <stdbool.h>
#include <stdint.h>

#define TFTP_BUSY_POLL_MAX_MISSES 8
#define TFTP_BUSY_POLL_MAX_FACTOR 4
#define TFTP_BUSY_POLL_PAUSE_NS 1000000000ull

struct tftp_busy_poll {
    bool polling;           /* the shell's idle handle is running */
    bool hit;               /* a datagram came while this round polled */
    unsigned misses;        /* rounds in a row that polled in vain */
    uint64_t until;         /* polling stops at this time */
    uint64_t resume;        /* after too many misses: no polling before this */
};

/* One transfer's datagram rhythm. Zero-initialised. */
struct tftp_busy_poll_peer {
    uint64_t last_rx_ns;    /* its last datagram */
    uint64_t rx_gap_ns;     /* average gap between its datagrams */
};

/* A datagram of `peer` came at `now`; base_us is tftp.busy-poll (not 0).
 * True when the shell must start polling now. */
bool tftp_busy_poll_rx(struct tftp_busy_poll *bp, struct tftp_busy_poll_peer *peer,
                       unsigned base_us, uint64_t now);

/* A polling round ran at `now`. False when the shell must stop polling. */
bool tftp_busy_poll_round(struct tftp_busy_poll *bp, uint64_t now);

#endif
