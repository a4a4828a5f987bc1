/* tftp_busy_poll.c - the busy-poll controller (see tftp_busy_poll.h). */
#include "tftp_busy_poll.h"

bool tftp_busy_poll_rx(struct tftp_busy_poll *bp, struct tftp_busy_poll_peer *peer,
                       unsigned base_us, uint64_t now)
{
    uint64_t poll_ns = (uint64_t)base_us * 1000u;
    uint64_t max_ns = poll_ns * TFTP_BUSY_POLL_MAX_FACTOR;
    if (peer->last_rx_ns) {
        /* Gaps count at most max_ns: one stall of the client must not
         * turn a fast transfer's polling off for the next dozen ACKs. */
        uint64_t gap = now - peer->last_rx_ns;
        if (gap > max_ns)
            gap = max_ns;
        peer->rx_gap_ns = peer->rx_gap_ns ? (7 * peer->rx_gap_ns + gap) / 8 : gap;
    }
    peer->last_rx_ns = now;
    if (now < bp->resume)
        return false;
    if (peer->rx_gap_ns < max_ns) {
        uint64_t want = peer->rx_gap_ns + peer->rx_gap_ns / 2;
        if (want > poll_ns)
            poll_ns = want < max_ns ? want : max_ns;
    }
    if (now + poll_ns > bp->until)
        bp->until = now + poll_ns;
    if (bp->polling) {
        bp->hit = true;     /* polling caught this one */
        return false;
    }
    bp->hit = false;
    bp->polling = true;
    return true;
}

bool tftp_busy_poll_round(struct tftp_busy_poll *bp, uint64_t now)
{
    if (!bp->polling)
        return false;
    if (now < bp->until)
        return true;
    bp->polling = false;
    if (bp->hit) {
        bp->misses = 0;
    } else if (++bp->misses >= TFTP_BUSY_POLL_MAX_MISSES) {
        bp->misses = 0;
        bp->resume = now + TFTP_BUSY_POLL_PAUSE_NS;
    }
    return false;
}
